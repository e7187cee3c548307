use gossim_report::run::*;
#[test]
fn perf() {
    let live = 500u32;
    let mut lat = Vec::new();
    let mut rows = Vec::new();
    let mut x: u64 = 1;
    for tx in 0..5000u32 {
        let mut v: Vec<f64> = (0..live).map(|_| { x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (x >> 40) as f64 / 1e4 }).collect();
        v.sort_by(f64::total_cmp);
        lat.push(v);
        rows.push(TxRow { tx, messages: 1000 + u64::from(tx % 97), ..Default::default() });
    }
    let report = RunReport { metrics: RunMetrics { live_honest_nodes: live, ..Default::default() }, tx_rows: rows, coverage: vec![], delivery_latencies_ms: lat, name: "perf".into() };
    let dir = tempfile::tempdir().unwrap();
    let t = std::time::Instant::now();
    gossim_report::write_run_outputs(dir.path(), &report, true).unwrap();
    eprintln!("write {:?}", t.elapsed());
    let t = std::time::Instant::now();
    gossim_report::rerender_run_charts(dir.path()).unwrap();
    eprintln!("rerender {:?}", t.elapsed());
    for e in std::fs::read_dir(dir.path()).unwrap() { let e = e.unwrap(); eprintln!("{:?} {}", e.file_name(), e.metadata().unwrap().len()); }
}
