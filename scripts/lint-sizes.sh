#!/usr/bin/env bash
# Kernel and API files stay readable: at most 500 lines each (tests live in tests/, not counted).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
while IFS= read -r f; do
  n=$(wc -l < "$f")
  if [ "$n" -gt 500 ]; then
    echo "too long: $f has $n lines (max 500); split it by concern" >&2
    status=1
  fi
done < <(find crates -path '*/src/*' -name '*.rs')
[ $status -eq 0 ] && echo "ok"
exit $status
