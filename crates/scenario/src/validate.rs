//! Semantic checks of a scenario file that serde's types cannot express: ranges,
//! cross-field rules (degree < nodes, shares summing to 1), keys that do not apply to
//! the chosen protocol kind.
//!
//! Every check runs and every problem is collected, so a researcher fixes a file in
//! one pass. Errors carry JSON paths; the loader adds lines and columns.

use crate::errors::ScenarioError;
use crate::forms::{AutoOr, Fanout, Origin, Period};
use crate::schema::{Fault, Latency, Loss, Protocol, ProtocolKind, ScenarioFile, Topology};
use crate::spans::{join_index, join_key};
use crate::units::{Duration, format_duration};

/// Shares are accepted if they sum to 1 within this tolerance.
const SHARE_TOLERANCE: f64 = 1e-6;

/// Regions and partition groups are numbered with a byte in the engine.
const MAX_GROUPS: usize = 255;

/// The protocol keys that apply to a kind (besides `kind` itself).
pub fn protocol_keys(kind: ProtocolKind) -> &'static [&'static str] {
    match kind {
        ProtocolKind::Push => &["fanout", "exclude_sender", "period", "phase", "rounds", "forward", "repair"],
        ProtocolKind::Pull | ProtocolKind::AntiEntropy => &["fanout", "period", "phase", "repair"],
        ProtocolKind::PushPull => &["fanout", "exclude_sender", "period", "phase", "rounds", "repair"],
        ProtocolKind::Announce => &["fanout", "exclude_sender", "request_timeout", "max_retries", "repair"],
        ProtocolKind::Rumor => &[
            "fanout",
            "exclude_sender",
            "period",
            "phase",
            "feedback",
            "stop",
            "k",
            "reset_on_useful",
            "judge_at_cycle_start",
            "repair",
        ],
        ProtocolKind::Central => &["servers", "repair"],
    }
}

/// The protocol keys present in the file, in declaration order.
pub fn protocol_keys_present(p: &Protocol) -> Vec<&'static str> {
    let present = [
        ("fanout", p.fanout.is_some()),
        ("exclude_sender", p.exclude_sender.is_some()),
        ("period", p.period.is_some()),
        ("phase", p.phase.is_some()),
        ("rounds", p.rounds.is_some()),
        ("forward", p.forward.is_some()),
        ("request_timeout", p.request_timeout.is_some()),
        ("max_retries", p.max_retries.is_some()),
        ("feedback", p.feedback.is_some()),
        ("stop", p.stop.is_some()),
        ("k", p.k.is_some()),
        ("reset_on_useful", p.reset_on_useful.is_some()),
        ("judge_at_cycle_start", p.judge_at_cycle_start.is_some()),
        ("servers", p.servers.is_some()),
        ("repair", p.repair.is_some()),
    ];
    present.into_iter().filter(|(_, is)| *is).map(|(key, _)| key).collect()
}

struct Checker {
    errors: Vec<ScenarioError>,
}

impl Checker {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(ScenarioError::new(path, message));
    }

    fn probability(&mut self, path: String, p: f64) {
        if !(0.0..=1.0).contains(&p) {
            self.err(path, format!("expected a probability between 0 and 1, found {p}"));
        }
    }

    fn positive_number(&mut self, path: String, x: f64) {
        if !(x > 0.0 && x.is_finite()) {
            self.err(path, format!("expected a number > 0, found {x}"));
        }
    }

    fn positive_duration(&mut self, path: String, d: Duration) {
        if d.0 == 0 {
            self.err(path, "expected a duration > 0, found \"0s\"");
        }
    }

    fn at_least_one(&mut self, path: String, x: u64) {
        if x == 0 {
            self.err(path, "expected an integer ≥ 1, found 0");
        }
    }

    fn node_id(&mut self, path: String, id: u32, nodes: u32) {
        if id >= nodes {
            self.err(path, format!("expected a node id below nodes ({nodes}), found {id}"));
        }
    }

    /// Shares in (0, 1] that sum to 1, at most [`MAX_GROUPS`] of them.
    fn shares(&mut self, path: &str, shares: &[f64], min_count: usize, what: &str) {
        if shares.len() < min_count {
            self.err(path, format!("expected at least {min_count} {what}, found {}", shares.len()));
            return;
        }
        if shares.len() > MAX_GROUPS {
            self.err(path, format!("expected at most {MAX_GROUPS} {what}, found {}", shares.len()));
        }
        let mut all_valid = true;
        for (i, share) in shares.iter().enumerate() {
            if !(*share > 0.0 && *share <= 1.0) {
                all_valid = false;
                self.err(join_index(path, i), format!("expected a share between 0 (exclusive) and 1, found {share}"));
            }
        }
        let sum: f64 = shares.iter().sum();
        if all_valid && (sum - 1.0).abs() > SHARE_TOLERANCE {
            let terms: Vec<String> = shares.iter().map(f64::to_string).collect();
            self.err(path, format!("shares must sum to 1, found {sum} ({})", terms.join(" + ")));
        }
    }

    fn period(&mut self, path: String, period: &Period) {
        match period {
            Period::Fixed(d) => self.positive_duration(path, *d),
            Period::Exponential { mean } => self.positive_duration(join_key(&path, "mean"), *mean),
        }
    }

    /// Exactly one way of choosing nodes, each within range.
    fn selection(
        &mut self,
        path: &str,
        nodes: u32,
        fraction: Option<f64>,
        count: Option<u32>,
        ids: Option<&[u32]>,
        highest_degree: Option<u32>,
    ) {
        let given: Vec<&str> = [
            ("fraction", fraction.is_some()),
            ("count", count.is_some()),
            ("ids", ids.is_some()),
            ("highest_degree", highest_degree.is_some()),
        ]
        .into_iter()
        .filter(|(_, is)| *is)
        .map(|(key, _)| key)
        .collect();
        match given.as_slice() {
            [] => self.err(path, "choose the nodes with one of: fraction, count, ids, highest_degree"),
            [_] => {}
            [first, second, ..] => self.err(
                join_key(path, second),
                format!("give only one of fraction, count, ids, highest_degree (found `{first}` and `{second}`)"),
            ),
        }
        if let Some(fraction) = fraction {
            self.probability(join_key(path, "fraction"), fraction);
        }
        for (key, value) in [("count", count), ("highest_degree", highest_degree)] {
            if let Some(value) = value
                && value > nodes
            {
                self.err(join_key(path, key), format!("expected at most nodes ({nodes}), found {value}"));
            }
        }
        if let Some(ids) = ids {
            if ids.is_empty() {
                self.err(join_key(path, "ids"), "expected at least one node id, found an empty list");
            }
            for (i, id) in ids.iter().enumerate() {
                self.node_id(join_index(&join_key(path, "ids"), i), *id, nodes);
            }
        }
    }

    fn latency(&mut self, path: &str, latency: &Latency, allow_regions: bool) {
        match latency {
            Latency::Constant(_) | Latency::Normal(_) => {}
            Latency::Uniform(u) => {
                if u.max < u.min {
                    self.err(
                        join_key(path, "max"),
                        format!("expected at least min ({}), found \"{}\"", u.min, format_duration(u.max.0)),
                    );
                }
            }
            Latency::Lognormal(l) => {
                if !(l.sigma >= 0.0 && l.sigma.is_finite()) {
                    self.err(join_key(path, "sigma"), format!("expected a number ≥ 0, found {}", l.sigma));
                }
            }
            Latency::Exponential(_) => {}
            Latency::Pareto(p) => {
                self.positive_duration(join_key(path, "scale"), p.scale);
                self.positive_number(join_key(path, "shape"), p.shape);
            }
            Latency::Regions(r) => {
                if !allow_regions {
                    self.err(join_key(path, "kind"), "a jitter cannot itself be a region model");
                    return;
                }
                let regions_path = join_key(path, "regions");
                let shares: Vec<f64> = r.regions.iter().map(|region| region.share).collect();
                if shares.is_empty() {
                    self.err(&regions_path, "expected at least 1 region, found 0");
                } else {
                    self.shares(&regions_path, &shares, 1, "regions");
                }
                for (i, region) in r.regions.iter().enumerate() {
                    let name_path = join_key(&join_index(&regions_path, i), "name");
                    if region.name.is_empty() {
                        self.err(name_path, "expected a non-empty region name");
                    } else if r.regions[..i].iter().any(|other| other.name == region.name) {
                        self.err(name_path, format!("region name \"{}\" is used twice", region.name));
                    }
                }
                let n = r.regions.len();
                let matrix_path = join_key(path, "matrix");
                if r.matrix.len() != n {
                    self.err(
                        &matrix_path,
                        format!("expected a {n}×{n} matrix (one row per region), found {} rows", r.matrix.len()),
                    );
                }
                for (i, row) in r.matrix.iter().enumerate() {
                    if row.len() != n {
                        self.err(
                            join_index(&matrix_path, i),
                            format!("expected {n} delays (one per region), found {}", row.len()),
                        );
                    }
                }
                self.latency(&join_key(path, "jitter"), &r.jitter, false);
            }
        }
    }

    fn topology(&mut self, topology: &Topology, nodes: u32) {
        let below_nodes = |this: &mut Self, key: &str, value: u32, what: &str| {
            if value == 0 {
                this.err(join_key("topology", key), format!("expected {what} ≥ 1, found 0"));
            } else if value >= nodes {
                this.err(
                    join_key("topology", key),
                    format!("expected {what} less than nodes ({nodes}), found {value}"),
                );
            }
        };
        match topology {
            Topology::Complete => {}
            Topology::RandomRegular(r) => {
                below_nodes(self, "degree", r.degree, "a degree");
                if r.degree < nodes && (u64::from(nodes) * u64::from(r.degree)) % 2 == 1 {
                    self.err(
                        "topology.degree",
                        format!("nodes × degree must be even for a regular graph, found {nodes} × {}", r.degree),
                    );
                }
            }
            Topology::KOut(k) => below_nodes(self, "k", k.k, "k"),
            Topology::ErdosRenyi(e) => {
                let max = f64::from(nodes.saturating_sub(1));
                if !(e.mean_degree > 0.0 && e.mean_degree <= max) {
                    self.err(
                        "topology.mean_degree",
                        format!("expected a mean degree > 0 and at most nodes − 1 ({max}), found {}", e.mean_degree),
                    );
                }
            }
            Topology::WattsStrogatz(w) => {
                below_nodes(self, "k", w.k, "k");
                if w.k % 2 == 1 {
                    self.err("topology.k", format!("expected an even k, found {}", w.k));
                }
                self.probability("topology.beta".into(), w.beta);
            }
            Topology::BarabasiAlbert(b) => below_nodes(self, "m", b.m, "m"),
            Topology::Ring(r) => {
                if r.k == 0 {
                    self.err("topology.k", "expected k ≥ 1, found 0");
                } else if u64::from(r.k) * 2 >= u64::from(nodes) {
                    self.err("topology.k", format!("expected 2k less than nodes ({nodes}), found k = {}", r.k));
                }
            }
        }
    }

    fn protocol(&mut self, p: &Protocol, nodes: u32) {
        let allowed = protocol_keys(p.kind);
        for key in protocol_keys_present(p) {
            if !allowed.contains(&key) {
                self.err(
                    join_key("protocol", key),
                    format!(
                        "`{key}` does not apply to kind {}; its keys are: kind, {}",
                        p.kind.as_str(),
                        allowed.join(", ")
                    ),
                );
            }
        }
        match p.fanout {
            Some(Fanout::Mixed { mean } | Fanout::Poisson { mean }) => {
                self.positive_number("protocol.fanout.mean".into(), mean);
            }
            Some(Fanout::Count(_) | Fanout::All) | None => {}
        }
        if let Some(period) = &p.period {
            self.period("protocol.period".into(), period);
        }
        if let Some(timeout) = p.request_timeout {
            self.positive_duration("protocol.request_timeout".into(), timeout);
        }
        if let Some(k) = p.k {
            self.at_least_one("protocol.k".into(), u64::from(k));
        }
        if let Some(servers) = &p.servers {
            if servers.is_empty() {
                self.err("protocol.servers", "expected at least one server id, found an empty list");
            }
            for (i, server) in servers.iter().enumerate() {
                let path = join_index("protocol.servers", i);
                if servers[..i].contains(server) {
                    self.err(path, format!("server {server} is listed twice"));
                } else {
                    self.node_id(path, *server, nodes);
                }
            }
        }
        if let Some(repair) = &p.repair {
            self.period("protocol.repair.period".into(), &repair.period);
        }
    }

    fn faults(&mut self, file: &ScenarioFile) {
        for (i, fault) in file.faults.iter().enumerate() {
            let path = join_index("faults", i);
            match fault {
                Fault::Crash(c) => {
                    self.selection(&path, file.nodes, c.fraction, c.count, c.ids.as_deref(), c.highest_degree);
                    if let Some(downtime) = c.recover_after {
                        self.positive_duration(join_key(&path, "recover_after"), downtime);
                    }
                }
                Fault::Churn(c) => {
                    if c.until <= c.from {
                        self.err(
                            join_key(&path, "until"),
                            format!("expected a time after from ({}), found \"{}\"", c.from, c.until),
                        );
                    }
                    self.positive_number(join_key(&path, "leave_rate_per_s"), c.leave_rate_per_s);
                    self.positive_duration(join_key(&path, "mean_downtime"), c.mean_downtime);
                }
                Fault::Partition(p) => {
                    self.shares(&join_key(&path, "groups"), &p.groups, 2, "groups");
                    if let Some(heal) = p.heal_at
                        && heal <= p.at
                    {
                        self.err(
                            join_key(&path, "heal_at"),
                            format!("expected a time after at ({}), found \"{heal}\"", p.at),
                        );
                    }
                }
                Fault::Misbehave(m) => {
                    self.selection(&path, file.nodes, m.fraction, m.count, m.ids.as_deref(), m.highest_degree);
                }
            }
        }
    }

    fn workload(&mut self, file: &ScenarioFile) {
        let w = &file.workload;
        self.at_least_one("workload.accounts".into(), u64::from(w.accounts));
        match &w.arrival {
            crate::schema::Arrival::Poisson(p) => {
                self.positive_number("workload.arrival.rate_per_s".into(), p.rate_per_s);
            }
            crate::schema::Arrival::Uniform(u) => {
                self.positive_duration("workload.arrival.interval".into(), u.interval);
            }
            crate::schema::Arrival::Burst(_) => {}
        }
        self.probability("workload.double_spend_fraction".into(), w.double_spend_fraction);
        if w.amount_max < w.amount_min {
            self.err(
                "workload.amount_max",
                format!("expected at least amount_min ({}), found {}", w.amount_min, w.amount_max),
            );
        }
        if let Origin::Node(node) = w.origin {
            self.node_id("workload.origin".into(), node, file.nodes);
        }
        for (i, o) in file.ledger.genesis_overrides.iter().enumerate() {
            if o.account >= w.accounts {
                self.err(
                    join_key(&join_index("ledger.genesis_overrides", i), "account"),
                    format!("expected an account below workload.accounts ({}), found {}", w.accounts, o.account),
                );
            }
        }
    }
}

/// Every semantic problem of `file`.
pub fn validate(file: &ScenarioFile) -> Vec<ScenarioError> {
    let mut c = Checker { errors: Vec::new() };
    if file.name.is_empty() {
        c.err("name", "expected a non-empty name");
    } else if let Some(bad) =
        file.name.chars().find(|ch| !(ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.')))
    {
        c.err("name", format!("expected letters, digits, '-', '_' or '.' (it names a directory), found {bad:?}"));
    } else if file.name.starts_with('.') {
        c.err("name", "expected a name that does not start with '.'");
    }
    c.at_least_one("nodes".into(), u64::from(file.nodes));
    if file.nodes > 0 {
        c.topology(&file.topology, file.nodes);
    }
    c.latency("network.latency", &file.network.latency, true);
    match &file.network.loss {
        Loss::None => {}
        Loss::Bernoulli(b) => c.probability("network.loss.p".into(), b.p),
        Loss::GilbertElliott(g) => {
            c.probability("network.loss.p_good_to_bad".into(), g.p_good_to_bad);
            c.probability("network.loss.p_bad_to_good".into(), g.p_bad_to_good);
            c.probability("network.loss.loss_good".into(), g.loss_good);
            c.probability("network.loss.loss_bad".into(), g.loss_bad);
        }
    }
    if let Some(bandwidth) = file.network.upload_bandwidth {
        c.at_least_one("network.upload_bandwidth".into(), bandwidth.0);
    }
    c.protocol(&file.protocol, file.nodes);
    c.at_least_one("ledger.pending_capacity".into(), u64::from(file.ledger.pending_capacity));
    c.workload(file);
    c.faults(file);
    c.positive_duration("stop.at".into(), file.stop.at);
    c.at_least_one("stop.max_events".into(), file.stop.max_events);
    if let AutoOr::Value(d) = file.report.sample_interval {
        c.positive_duration("report.sample_interval".into(), d);
    }
    if let AutoOr::Value(d) = file.engine.bucket_width {
        c.positive_duration("engine.bucket_width".into(), d);
    }
    if let Some(sweep) = &file.sweep {
        c.at_least_one("sweep.seeds".into(), u64::from(sweep.seeds));
        for (path, values) in &sweep.vary {
            let entry = join_key("sweep", path);
            let root = path.split(['.', '[']).next().unwrap_or_default();
            if matches!(root, "" | "name" | "sweep") {
                c.err(entry, format!("`{path}` cannot be swept (sweep over settings, not over `name` or `sweep`)"));
            } else if values.is_empty() {
                c.err(entry, "expected a non-empty list of values");
            }
        }
    }
    c.errors
}
