#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets) for a fixed time each, then minimises the corpus into
# fuzz/corpus/<target> (replayed by `cargo test`: crates/diffiir/tests/fuzz_corpus.rs) and prints a summary
# line per target. Usage: scripts/fuzz.sh [seconds per target, default 600] [parallel jobs, default 2]
#
# libFuzzer needs nightly-only flags (-Zsanitizer); this machine has only stable Rust 1.95, so the script sets
# RUSTC_BOOTSTRAP=1 for the fuzz build alone (the project itself never depends on unstable features).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-600}"
jobs="${2:-2}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
targets=$(cargo fuzz list)
mkdir -p fuzz/logs
cargo fuzz build --release >/dev/null
run() {
  local t="$1"
  mkdir -p "fuzz/corpus/$t" "fuzz/work/$t"
  # Fuzz into a scratch corpus seeded with the kept one; -max_len keeps inputs small (shapes are bounded anyway).
  cargo fuzz run --release "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- -max_total_time="$secs" -max_len=1024 -rss_limit_mb=2048 \
    -print_final_stats=1 >"fuzz/logs/$t.log" 2>&1 || { echo "$t: FAILED (see fuzz/logs/$t.log and fuzz/artifacts/$t)"; return 1; }
  # Keep a minimised corpus (inputs that add coverage).
  cargo fuzz cmin --release "$t" "fuzz/work/$t" >/dev/null 2>&1 || true
  rm -rf "fuzz/corpus/$t" && mv "fuzz/work/$t" "fuzz/corpus/$t"
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz/logs/$t.log" | grep -o '[0-9]*$' | tail -1)
  echo "$t: ${secs} s, ${execs:-?} executions, $(ls "fuzz/corpus/$t" | wc -l) corpus inputs kept, no failure"
}
export -f run
export secs
status=0
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run {}' || status=1
exit $status
