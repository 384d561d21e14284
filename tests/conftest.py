"""Shared fixtures: an isolated data folder per test, real protocols, a clock the test drives."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def settings(tmp_path, monkeypatch):
    from attune.dialogue.settings import Settings

    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "data"))
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def clock():
    from attune.dialogue.engine import ManualClock

    return ManualClock(start=1_700_000_000.0)


@pytest.fixture
def engine(settings, clock):
    from attune.dialogue.engine import SessionEngine

    eng = SessionEngine.create(settings, clock=clock)
    yield eng
    eng.close()


def shared_data(*parts: str) -> Path:
    """A file under ../shared/data; a missing one fails the test with a clear message."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"evaluation data missing: {path}")
    return path
