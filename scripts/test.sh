#!/usr/bin/env bash
# The project's test command (README, CI): every check, Rust and Python, on a fresh machine. It creates .venv
# with the pinned Python test dependencies (python/requirements-test.txt: numpy, scipy, torch, torchaudio,
# philtorch, torchlpc, maturin, pytest), builds the extension into it, and runs pytest. A venv that already has
# the pins is reused. DIFFIIR_SKIP_PYTHON=1 runs the Rust checks only.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says how much disk is left: a clean run's build and venv take ~10 GB, and a CI run once failed when the
# disk filled during the torch download.
step() { printf '\n== %s (disk free: %s)\n' "$*" "$(df -h --output=avail . | tail -1 | tr -d ' ')"; }

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
DIFFIIR_BENCH_QUICK=1 cargo bench -p diffiir --bench scaling
DIFFIIR_BENCH_QUICK=1 cargo bench -p diffiir --bench rowblock

# The main job and the examples run in the `test` profile: it reuses what `cargo test` just built (our crates at
# opt-level 2, dependencies at 0) instead of a second, ~9-minute release build of burn. Same code, same checks;
# about 2x slower to run (the README's `--release` command: ~6 s; here ~14 s).
step "main job (README's first command, test profile, no plot): diffiir match on the built-in data, < 0.5 dB"
cargo run --profile test -p diffiir-cli -- match --quiet

step "core example converges (fit_hidden)"
cargo run --profile test -p diffiir --example fit_hidden

step "burn example converges (peq_match: Adam through the burn ops, < 0.5 dB)"
cargo run --profile test -p diffiir-burn --example peq_match

if [ "${DIFFIIR_SKIP_PYTHON:-0}" != 1 ]; then
  step "python: .venv with the pinned test dependencies"
  scripts/python-env.sh

  step "python: build the extension (maturin develop --release)"
  VIRTUAL_ENV="$PWD/.venv" .venv/bin/maturin develop --release --quiet

  step "python: pytest"
  .venv/bin/python -m pytest -q python/tests
fi

printf '\nall checks passed\n'
