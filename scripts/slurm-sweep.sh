#!/usr/bin/env bash
# Runs a gossim sweep on a Slurm cluster: a job array with one task per shard, then a
# dependent job that merges the shards into the runs.csv, summary.csv and charts that
# an unsharded `gossim sweep` writes (byte for byte).
#
# Usage:
#   scripts/slurm-sweep.sh SCENARIO SHARDS [gossim sweep args...]
#
# Example:
#   scripts/slurm-sweep.sh scenarios/sweep-fanout.json 8 --seeds 30 --out results/fanout
#
# It validates the sweep with `gossim sweep --dry-run` on the submitting host, then
# submits two jobs and prints their ids:
#   1. sbatch --array=0-(SHARDS-1): array task I runs
#        gossim sweep SCENARIO --shard I/SHARDS --out DIR [args...]
#      Every task writes into the same DIR (each run is its own sub-directory, renamed
#      into place when complete), so DIR must be on a file system all nodes share.
#   2. sbatch --dependency=afterok:<array job id>: gossim merge DIR
#      Runs only if every shard succeeded, and writes DIR/runs.csv, DIR/summary.csv
#      and DIR/sweep_*.{csv,svg,png}.
# DIR is `--out` if given, else gossim's default (results/<scenario name>). Slurm logs
# go to DIR/slurm/. Submitting the same command again resumes: finished runs are
# skipped, unfinished ones redone.
#
# Resources of each array task, overridable by environment variables:
#   GOSSIM_TIME   wall-clock limit per task              default 04:00:00
#   GOSSIM_CPUS   CPUs per task (= runs at a time)       default 4
#   GOSSIM_MEM    memory per task, in sbatch syntax      default: from the dry run's
#                 estimate of the largest run, CPUS × largest × 1.5 + 512 MiB; when
#                 that cannot be read, the #SBATCH --mem below (8G)
#   GOSSIM_SBATCH_ARGS  extra sbatch options for both jobs (word-split), e.g.
#                 "--partition=long --account=lab"
#   GOSSIM        the gossim binary                      default: `gossim` on PATH
# The merge job asks for 1 CPU, 2G and 1 hour.
#
# The #SBATCH lines are the defaults of an array task; the options given on the
# sbatch command line (from the variables above) take precedence over them.
#SBATCH --job-name=gossim-sweep
#SBATCH --time=04:00:00
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G

set -euo pipefail

usage() {
    echo "usage: $0 SCENARIO SHARDS [gossim sweep args...]" >&2
    echo "  e.g. $0 scenarios/sweep-fanout.json 8 --seeds 30 --out results/fanout" >&2
}

die() {
    echo "slurm-sweep: $*" >&2
    exit 2
}

# Inside Slurm: one shard of the array, or the merge. These modes are internal; the
# submitting mode below passes every path as an absolute path.
case "${1:-}" in
    --shard-task)
        # --shard-task GOSSIM SCENARIO SHARDS [sweep args...]
        shift
        gossim=$1 scenario=$2 shards=$3
        shift 3
        : "${SLURM_ARRAY_TASK_ID:?--shard-task runs as a Slurm array task}"
        # The shard count is fixed at submission (not SLURM_ARRAY_TASK_COUNT), so a
        # re-submission of only some indices (--array=3,5) still runs the right slices.
        exec "$gossim" sweep "$scenario" --shard "$SLURM_ARRAY_TASK_ID/$shards" "$@"
        ;;
    --merge-task)
        # --merge-task GOSSIM DIR
        exec "$2" merge "$3"
        ;;
esac

if [[ $# -lt 2 ]]; then
    usage
    exit 2
fi
scenario=$1 shards=$2
shift 2
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "SHARDS must be a positive integer, found '$shards'"
[[ -f $scenario ]] || die "no scenario file '$scenario'"

gossim=${GOSSIM:-$(command -v gossim || true)}
[[ -n $gossim && -x $gossim ]] || die "gossim not found: put it on PATH or set GOSSIM=/path/to/gossim"
gossim=$(cd "$(dirname "$gossim")" && pwd)/$(basename "$gossim")
scenario=$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")
self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

out=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        --out) out=${args[i + 1]:-} ;;
        --out=*) out=${args[i]#--out=} ;;
        --shard | --shard=*) die "do not pass --shard: this script shards the sweep itself" ;;
        --dry-run) die "do not pass --dry-run: run 'gossim sweep --dry-run' directly" ;;
    esac
done

# The dry run checks the scenario and the sweep arguments before anything is queued,
# counts the runs, and prints the memory estimate and the default directory:
#   sweep NAME: P settings × S seeds = R runs; T at a time (largest run ~X MiB) → DIR
banner_file=$(mktemp)
trap 'rm -f "$banner_file"' EXIT
if ! run_list=$("$gossim" sweep "$scenario" "$@" --dry-run 2>"$banner_file"); then
    cat "$banner_file" >&2
    die "gossim sweep --dry-run failed; nothing was submitted"
fi
banner=$(grep -m1 '^sweep ' "$banner_file" || true)
runs=$(printf '%s\n' "$run_list" | grep -c . || true)
if [[ -z $out ]]; then
    out=$(printf '%s\n' "$banner" | sed -n 's/.* → //p')
    [[ -n $out ]] || die "cannot read the output directory from the dry run; pass --out DIR"
    args+=(--out "$out")
fi
mkdir -p "$out/slurm"
out=$(cd "$out" && pwd)
# An absolute --out for the tasks, whatever directory they start in.
for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
        --out) args[i + 1]=$out ;;
        --out=*) args[i]=--out=$out ;;
    esac
done

if ((runs > 0 && shards > runs)); then
    echo "slurm-sweep: only $runs runs; using $runs shards instead of $shards" >&2
    shards=$runs
fi

cpus=${GOSSIM_CPUS:-4}
time_limit=${GOSSIM_TIME:-04:00:00}
mem=${GOSSIM_MEM:-}
if [[ -z $mem ]]; then
    # "largest run ~338.2 KiB" → MiB for CPUS concurrent runs, with headroom.
    mem=$(printf '%s\n' "$banner" | sed -n 's/.*largest run ~\([0-9.]*\) \([KMGT]*i*B\)).*/\1 \2/p' | awk -v cpus="$cpus" '
        NF == 2 {
            scale["B"] = 1 / 1048576; scale["KiB"] = 1 / 1024; scale["MiB"] = 1
            scale["GiB"] = 1024; scale["TiB"] = 1048576
            if (!($2 in scale)) exit
            mib = cpus * $1 * scale[$2] * 1.5 + 512
            printf "%dM\n", (mib == int(mib)) ? mib : int(mib) + 1
        }')
fi
mem_arg=()
[[ -n $mem ]] && mem_arg=(--mem="$mem")
# shellcheck disable=SC2206 # word splitting of extra sbatch options is intended
extra=(${GOSSIM_SBATCH_ARGS:-})

array_job=$(sbatch --parsable "${extra[@]}" \
    --array="0-$((shards - 1))" \
    --job-name="gossim-sweep" \
    --time="$time_limit" \
    --cpus-per-task="$cpus" \
    "${mem_arg[@]}" \
    --output="$out/slurm/shard-%A_%a.out" \
    "$self" --shard-task "$gossim" "$scenario" "$shards" "${args[@]}")
array_job=${array_job%%;*} # --parsable prints "jobid[;cluster]"

merge_job=$(sbatch --parsable "${extra[@]}" \
    --dependency="afterok:$array_job" \
    --kill-on-invalid-dep=yes \
    --job-name="gossim-merge" \
    --time=01:00:00 \
    --cpus-per-task=1 \
    --mem=2G \
    --output="$out/slurm/merge-%j.out" \
    "$self" --merge-task "$gossim" "$out")
merge_job=${merge_job%%;*}

echo "${banner:-sweep of $scenario}"
echo "submitted: shards job $array_job (array 0-$((shards - 1)), ${cpus} CPUs, mem ${mem:-#SBATCH default}, time $time_limit)"
echo "submitted: merge job $merge_job (after every shard succeeds)"
echo "results: $out (logs in $out/slurm/)"
