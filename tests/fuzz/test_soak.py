"""Issue 12, item 8: a short soak — one browser call (real WebRTC, voice loop, models) repeating short
conversations for about 30 s through the bench server, sampled every 2 s (``voice.bench.soak``).

The full soak (4 calls, 10 minutes) is ``python -m attune.voice.bench.soak --calls 4 --minutes 10``.
Here: every conversation completes, the fd count stays flat while the call runs and comes back
to the idle count plus the one-time lazy allocations (measured: 10 — epoll/eventfd/socket pairs made
on the first call, the same after 1 or 27 conversations), and RSS stays bounded.
"""
from __future__ import annotations

import pytest

ONE_TIME_FDS = 12   # made by the first call and kept (event loops, pools): measured 10


@pytest.fixture
def real_engine(settings):
    from attune.dialogue.engine import SessionEngine

    eng = SessionEngine.create(settings)  # the real clock: calls run in real time
    yield eng
    eng.close()


def test_short_soak_keeps_fds_flat_and_rss_bounded(settings, real_engine):
    from attune.voice.bench.soak import DEFAULT_DATA, print_table, soak
    from attune.voice.speech.models import get_models

    if not DEFAULT_DATA.exists():
        pytest.fail(f"evaluation data missing: {DEFAULT_DATA}")
    res = soak(settings, real_engine, get_models(settings), calls=1, minutes=0.5, sample_s=2, warmup_s=15,
               data=DEFAULT_DATA, plan={"n_single": 1, "n_joined": 0, "n_barge": 0})
    print_table(res)
    assert not res["errors"], res["errors"]
    assert res["conversations"] >= 1 and res["answered_turns"] >= res["turns"] - 1, res
    running = [s["fds"] for s in res["series"] if s["t"] >= res["warmup_s"] and s["calls"] == 1]
    assert running and max(running) - min(running) <= 3, running
    assert res["fds_idle_delta"] <= ONE_TIME_FDS, (res["fds_idle_delta"], res["fds_idle_new_kinds"])
    assert res["rss_peak_growth_pct"] < 10, res
