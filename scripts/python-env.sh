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
# PyPI is the only index this machine reaches, so torch comes with its CUDA wheels (one of them 553 MB). A CI run
# failed once when a connection kept dropping at the same byte and pip's resume gave up after 5 tries. So the
# wheels are first downloaded into a wheelhouse, with more connection and resume retries and up to three whole
# attempts (a retry skips the files that finished: pip keeps no HTTP cache here), then installed from it.
python3 -m venv .venv
net=(--quiet --retries 10 --timeout 60)
.venv/bin/pip install "${net[@]}" --upgrade pip
# --resume-retries needs the upgraded pip (25.1+).
net+=(--resume-retries 30)
wheels=.venv/wheelhouse
for try in 1 2 3; do
  if .venv/bin/pip download "${net[@]}" --only-binary :all: -d "$wheels" -r python/requirements-test.txt; then
    break
  fi
  [ "$try" = 3 ] && exit 1
  echo "pip download failed (attempt $try of 3); retrying in 20 s" >&2
  sleep 20
done
.venv/bin/pip install --quiet --no-index --find-links "$wheels" -r python/requirements-test.txt
rm -rf "$wheels"
.venv/bin/pip install "${net[@]}" --no-build-isolation -r python/requirements-torchlpc.txt
touch "$stamp"
echo "installed: $(.venv/bin/pip freeze | grep -iE '^(numpy|scipy|torch|torchaudio|torchlpc|philtorch|maturin|pytest)==' | tr '\n' ' ')"
