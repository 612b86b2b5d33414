#!/usr/bin/env bash
# Runs fuzz targets for a given time each, two at a time (this project's machines have two
# cores), niced, and writes a summary of executions, coverage and crashes per target.
#
# Usage: fuzz/run.sh TARGET... --time SECONDS [--jobs N] [--nice N] [--no-build]
#        fuzz/run.sh all --time 300
# Needs cargo-fuzz and a nightly toolchain (`cargo install cargo-fuzz`). Seeds come from
# fuzz/seeds/ (built by seed.sh, run first when absent); each target's corpus grows in
# fuzz/corpus/TARGET/, crashes land in fuzz/artifacts/TARGET/, logs in fuzz/logs/TARGET.log,
# and the summary table in fuzz/logs/summary.md (one row per target, appended per run).
#
# Built without a sanitizer (`-s none`): vouch and its own crates forbid unsafe code, and what
# the targets look for is panics, failed properties, timeouts and memory blow-ups, which
# libFuzzer finds by itself at about twice the speed of an ASan build.
set -euo pipefail
cd "$(dirname "$0")"

all=(fmt_roundtrip check evidence_json evidence_toml evidence_text checksums security_txt
  signatures keys waivers render)
targets=()
time=60
jobs=2
niceness=19
build=1
while (($#)); do
  case "$1" in
    --time) time=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --nice) niceness=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    all) targets+=("${all[@]}"); shift ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || { sed -n '2,11p' "$0" >&2; exit 2; }

[ -d seeds ] || ./seed.sh
if ((build)); then
  # One build of every target: they share the whole dependency tree.
  nice -n "$niceness" cargo +nightly fuzz build -s none 2>&1 | tail -3
fi
bin_dir=target/x86_64-unknown-linux-gnu/release
mkdir -p logs

# run_one TARGET: runs it for $time seconds and prints its summary row.
run_one() {
  local t=$1 log=logs/$1.log started
  mkdir -p "corpus/$t" "artifacts/$t"
  started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  # -timeout: one input taking 10 s is a bug (a quadratic path); -rss_limit_mb: so is 2 GiB.
  nice -n "$niceness" "$bin_dir/$t" "corpus/$t" "seeds/$t" -max_total_time="$time" -max_len=65536 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="artifacts/$t/" \
    >"$log" 2>&1 || true
  local execs cov ft corp crashes
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  # The last status line (`#N DONE cov: X ft: Y corp: ...`, or the last before a crash).
  cov=$(grep -o ' cov: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  ft=$(grep -o ' ft: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  corp=$(grep -o ' corp: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(grep -c '^artifact_prefix=.*Test unit written to\|Test unit written to' "$log" || true)
  printf '| %s | %s | %ss | %s | %s | %s | %s | %s |\n' "$t" "$started" "$time" "${execs:-?}" \
    "${cov:-?}" "${ft:-?}" "${corp:-?}" "${crashes:-0}"
}
export -f run_one
export time bin_dir niceness

header='| target | started (UTC) | time | executions | cov | ft | corpus | crashes |'
[ -f logs/summary.md ] || printf '%s\n|---|---|---|---|---|---|---|---|\n' "$header" >logs/summary.md
echo "run.sh: ${#targets[@]} target(s), ${time}s each, $jobs at a time; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} | tee -a logs/summary.md
ls artifacts/*/ 2>/dev/null | grep -E '^(crash|timeout|oom|leak|slow-unit)-' >/dev/null &&
  echo "run.sh: findings saved under fuzz/artifacts/" || true
