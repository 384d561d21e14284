"""The Whisper decode queue: priority order, and a lane that interim work can never take."""
from __future__ import annotations

import threading
import time

from attune.voice.speech.models import PRIORITY_FINAL, PRIORITY_INTERIM, PRIORITY_SPECULATIVE, DecodeQueue


def _blocker(started: threading.Event, release: threading.Event, tag: str, log: list[str]):
    def run() -> str:
        started.set()
        release.wait(5)
        log.append(tag)
        return tag
    return run


def test_a_final_does_not_wait_behind_a_running_interim() -> None:
    q = DecodeQueue(workers=1, reserved=1)
    log: list[str] = []
    started, release = threading.Event(), threading.Event()
    interim = q.submit(_blocker(started, release, "interim", log), PRIORITY_INTERIM)
    assert started.wait(2)
    final = q.submit(lambda: log.append("final") or "final", PRIORITY_FINAL)
    assert final.result(timeout=2) == "final"  # ran on the reserved lane while the interim still runs
    assert not interim.done()
    release.set()
    assert interim.result(timeout=2) == "interim"
    assert log == ["final", "interim"]


def test_interims_never_take_the_reserved_lane() -> None:
    q = DecodeQueue(workers=1, reserved=1)
    log: list[str] = []
    s1, r1 = threading.Event(), threading.Event()
    first = q.submit(_blocker(s1, r1, "interim-1", log), PRIORITY_INTERIM)
    assert s1.wait(2)
    second = q.submit(lambda: log.append("interim-2") or "interim-2", PRIORITY_INTERIM)
    time.sleep(0.2)
    assert not second.done() and q.pending == 2  # the free reserved thread left it alone
    r1.set()
    assert first.result(timeout=2) == "interim-1" and second.result(timeout=2) == "interim-2"
    assert q.pending == 0


def test_jobs_run_in_priority_order_and_a_cancelled_one_never_runs() -> None:
    q = DecodeQueue(workers=1, reserved=0)
    log: list[str] = []
    started, release = threading.Event(), threading.Event()
    q.submit(_blocker(started, release, "busy", log), PRIORITY_INTERIM)
    assert started.wait(2)
    late = q.submit(lambda: log.append("interim"), PRIORITY_INTERIM)
    gone = q.submit(lambda: log.append("cancelled"), PRIORITY_SPECULATIVE)
    spec = q.submit(lambda: log.append("speculative"), PRIORITY_SPECULATIVE)
    final = q.submit(lambda: log.append("final"), PRIORITY_FINAL)
    assert gone.cancel()
    release.set()
    for f in (late, spec, final):
        f.result(timeout=2)
    assert log == ["busy", "final", "speculative", "interim"]
