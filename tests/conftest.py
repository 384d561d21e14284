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


# ---------------------------------------------------------------------------------------- shared runs

CLIENT_BANK = ROOT / "tests" / "clients"


@pytest.fixture(scope="session")
def client_bank():
    """The client bank (tests/clients/*.yaml) through the real engine, run once per test process:
    ``(report, spoken)`` — the bank's ``BankReport`` and every line the engine spoke, as
    ``(step, text)``, recorded by a pass-through spy on ``engine.speak_line``. test_clients.py
    judges the report, test_guard.py scans the lines; both used to run the whole bank themselves."""
    from concurrent.futures import ThreadPoolExecutor

    import attune.dialogue.engine as engine_module
    from attune.dialogue import session_eval as se

    spoken: list[tuple[str, str]] = []
    real = engine_module.speak_line

    async def spy(phraser, draft, *args, **kwargs):
        spoken.append((draft.step, draft.text))
        return await real(phraser, draft, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine_module, "speak_line", spy)
        # a fresh loop in a worker thread: a fixture must not share pytest-asyncio's loop
        with ThreadPoolExecutor(1) as pool:
            report = pool.submit(se.run_bank, CLIENT_BANK).result()
    return report, spoken


# ------------------------------------------------------------------------------- parallel runs (xdist)
# `make test` runs the suite on two pytest-xdist workers (`-n 2 --dist loadgroup`). The scheduler below
# puts every test in a group, and a group runs whole on one worker, so module- and session-scoped
# fixtures are built once per run. The groups:
# * "realtime": tests that play, capture or pace audio in real time, or assert latency and jitter
#   (SIP calls, Chromium, the voice loop, the soak). They run one after another on one worker, as in a
#   serial run, never alongside each other; the other worker takes the rest meanwhile.
# * "client_bank": the two files that share the ``client_bank`` fixture.
# * otherwise one group per file.
# (xdist's own ``xdist_group`` marks do not reach its scheduler under pytest 9, which no longer reads
# the node id xdist rewrites; hence a scheduler that groups by file here.)
REALTIME_FILES = {
    "tests/e2e/test_browser_e2e.py",
    "tests/fuzz/test_soak.py",
    "tests/integration/test_browser_clients.py",
    "tests/integration/test_local.py",
    "tests/integration/test_plugins.py",
    "tests/integration/test_sip.py",
    "tests/integration/test_voice_loop.py",
    "tests/integration/test_wavfile.py",
    "tests/integration/test_web_server.py",
}
SHARED_GROUPS = {
    "tests/integration/test_clients.py": "client_bank",
    "tests/unit/test_guard.py": "client_bank",
}


def xdist_group_of(nodeid: str) -> str:
    if "@" in nodeid.split("::")[-1]:  # an explicit xdist_group mark, should xdist's node id suffix work again
        return nodeid.rsplit("@", 1)[1]
    path = nodeid.split("::", 1)[0]
    return "realtime" if path in REALTIME_FILES else SHARED_GROUPS.get(path, path)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

    return FileGroupScheduling(config, log)
