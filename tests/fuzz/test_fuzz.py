"""Issue 12, item 8: the atheris harnesses, each in its own process, at a small budget.

* every input once saved in ``regressions/<name>/`` (crashes the fuzzers found) must now pass;
* each harness fuzzes from its seeds for ``ATTUNE_FUZZ_SECONDS`` (default 10 s) and must exit
  clean, leaving no ``crash-``/``timeout-``/``oom-`` file.

Longer runs: ``python tests/fuzz/fuzz_sdp.py -max_total_time=600`` (see tests/fuzz/README.md).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NAMES = ("sdp", "wav", "json")
BUDGET_S = int(os.environ.get("ATTUNE_FUZZ_SECONDS", "10"))

pytest.importorskip("atheris", reason="atheris is not installed (uv sync --extra test)")


def _run(name: str, args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(HERE / f"fuzz_{name}.py"), *args, f"-artifact_prefix={cwd}/"],
                          cwd=cwd, capture_output=True, text=True, errors="replace", timeout=timeout)


def _tail(proc: subprocess.CompletedProcess) -> str:
    lines = [x for x in (proc.stdout + proc.stderr).splitlines()
             if not x.startswith(("INFO: Instrumenting", "#")) and "client error (" not in x]
    return "\n".join(lines[-60:])


@pytest.mark.parametrize("name", NAMES)
def test_saved_crashes_stay_fixed(name, tmp_path):
    files = sorted((HERE / "regressions" / name).glob("*"))
    if not files:
        pytest.skip(f"no saved {name} crashes")
    proc = _run(name, [str(f) for f in files], tmp_path, timeout=120)  # libFuzzer runs each file once
    assert proc.returncode == 0, f"a saved {name} crash is back (exit {proc.returncode}):\n{_tail(proc)}"


@pytest.mark.parametrize("name", NAMES)
def test_fuzzer_runs_clean_for_its_budget(name, tmp_path):
    proc = _run(name, [f"-max_total_time={BUDGET_S}", "-print_final_stats=1"], tmp_path, timeout=BUDGET_S + 90)
    artifacts = [p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-", "leak-"))]
    assert proc.returncode == 0 and not artifacts, f"fuzz_{name}: exit {proc.returncode}, {artifacts}\n{_tail(proc)}"
    runs = [x for x in proc.stderr.splitlines() if x.startswith("stat::number_of_executed_units")]
    print(f"fuzz_{name}: {runs[0].split(':')[-1].strip() if runs else '?'} inputs in {BUDGET_S} s")
