#!/usr/bin/env bash
# The project's test command (README, CI): every check, on a fresh machine. Rust only so far; the scipy
# fixtures are checked in, so no Python is needed (scripts/make_fixtures.py regenerates them).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "file sizes (kernel files ≤ 500 lines)"
scripts/lint-sizes.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (unit, integration, doc tests)"
cargo test --workspace

step "benchmarks build and run once (smoke; figures live in BENCHMARKS.md)"
DIFFIIR_BENCH_QUICK=1 cargo bench -p diffiir --bench workloads -- W1 W4

step "main job converges (example fit_hidden)"
cargo run --release -p diffiir --example fit_hidden

printf '\nall checks passed\n'
