#!/usr/bin/env bash
# Creates (or reuses) .venv with the pinned Python test dependencies. torch's PyPI wheel pulls ~3 GB of CUDA
# libraries that stay unused (about 90 s here); torchlpc compiles against the installed torch, so it comes
# second, without build isolation.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.pins-$(cat python/requirements-test.txt python/requirements-torchlpc.txt | sha256sum | cut -c1-16)
if [ -f "$stamp" ]; then
  echo "reusing .venv ($stamp)"
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -r python/requirements-test.txt
.venv/bin/pip install --quiet --no-build-isolation -r python/requirements-torchlpc.txt
touch "$stamp"
echo "installed: $(.venv/bin/pip freeze | grep -iE '^(numpy|scipy|torch|torchaudio|torchlpc|philtorch|maturin|pytest)==' | tr '\n' ' ')"
