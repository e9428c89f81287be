"""The Python benchmark scripts run (one quick round each), so the figures in BENCHMARKS.md stay reproducible."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torchaudio")
BENCH = Path(__file__).resolve().parents[2] / "bench"


def run(*args):
    r = subprocess.run([sys.executable, str(BENCH / args[0]), *args[1:]], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_call_cost_prints_a_row_per_shape():
    out = run("call_cost.py", "--quick", "1x8", "2x5")
    rows = [line for line in out.splitlines() if re.match(r"\| \d+ × \d+ \|", line)]
    assert [r.split("|")[1].strip() for r in rows] == ["1 × 8", "2 × 5"]
    assert all(len(r.split("|")) == 9 for r in rows), rows


def test_compare_quick_on_one_workload():
    pytest.importorskip("torchlpc")
    pytest.importorskip("philtorch")
    out = run("compare.py", "--quick", "--only", "W4", "--threads", "1")
    assert re.search(r"\| W4 \(all-pole N=2, time-varying, 16 × 48k\) \| 1 \|", out), out[-2000:]


def test_threads_in_torch_prints_both_policies():
    pytest.importorskip("torchlpc")  # through compare.py
    pytest.importorskip("philtorch")
    out = run("threads_in_torch.py", "W4", "--quick")
    rows = [line.split("|")[1:4] for line in out.splitlines() if line.startswith("| W4 |")]
    assert [[c.strip() for c in r] for r in rows] == [["W4", p, n] for p in ("default", "PASSIVE") for n in ("1", "2")], out
