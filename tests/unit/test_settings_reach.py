"""Every ``ATTUNE_*`` variable README documents changes the component it names.

Each probe builds the component from ``Settings()`` read from the environment, once with the
variable unset and once set, and compares what the component will actually use."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_USED_YET: set[str] = set()


def _readme_variables() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"`(ATTUNE_[A-Z0-9_]+)`", text))


def _engine(settings):
    from attune.dialogue.engine import SessionEngine

    return SessionEngine.create(settings)


def _turn(settings, name: str) -> float:
    from attune.voice.loop.voice_loop import TurnOptions

    return getattr(TurnOptions.from_settings(settings), name)


def _limits(settings, name: str) -> Any:
    from attune.dialogue.settings import ServerLimits

    return getattr(ServerLimits.from_settings(settings), name)


def _store_path(settings) -> Path:
    from attune.dialogue.memory import open_store

    with open_store(settings) as store:
        return Path(store.path)


def _crisis_numbers(settings) -> list[str]:
    with _engine(settings) as engine:
        return [r.number for r in engine.crisis_resources()]


def _protocol_source(settings) -> str:
    with _engine(settings) as engine:
        return engine.lib.session.lines["disclosure"][0] if isinstance(engine.lib.session.lines["disclosure"], list) \
            else engine.lib.session.lines["disclosure"]


def _models_key(settings) -> tuple:
    from attune.voice.speech.models import _key

    return _key(settings)


def _vad_end(settings) -> float:
    from attune.voice.speech.vad import WebRtcVAD

    return WebRtcVAD.from_settings(settings, silero_confirm=False).min_silence_duration


def _stt_interims(settings) -> float:
    from attune.voice.speech.stt import WhisperSTT

    return WhisperSTT.from_settings(settings, models=object())._opts.interim_interval_s


def _custom_protocols(tmp_path: Path) -> str:
    import shutil

    from attune.protocols.loader import BUNDLED

    folder = tmp_path / "protocols"
    shutil.copytree(BUNDLED, folder)
    session = folder / "session.yaml"
    session.write_text(session.read_text(encoding="utf-8").replace("Attune", "Attune (reviewed copy)"), encoding="utf-8")
    return str(folder)


# variable -> (value to set, what it changes)
PROBES: dict[str, tuple[Callable[[Path], str], Callable[[Any], Any]]] = {
    "ATTUNE_DATA_DIR": (lambda t: str(t / "elsewhere"), _store_path),
    "ATTUNE_KEY": (lambda t: __import__("attune.dialogue.memory", fromlist=["x"]).generate_master_key(),
                   lambda s: (s.data_dir / "key").exists() if _store_path(s) else None),
    "ATTUNE_FRESH_STORE": (lambda t: "1", lambda s: _opens_beside_a_key(s)),
    "ATTUNE_LOCALE": (lambda t: "UK", _crisis_numbers),
    "ATTUNE_PROTOCOLS_DIR": (_custom_protocols, _protocol_source),
    "ATTUNE_SESSION_MINUTES": (lambda t: "30", lambda s: _engine_minutes(s)),
    "ATTUNE_CLOSING_MINUTE": (lambda t: "25", lambda s: s.closing_minute),
    "ATTUNE_STT_MODEL": (lambda t: str(t / "whisper"), _models_key),
    "ATTUNE_TTS_VOICE": (lambda t: str(t / "voice.onnx"), _models_key),
    "ATTUNE_ENDPOINT_SILENCE_S": (lambda t: "0.5", _vad_end),
    "ATTUNE_TURN_PATIENCE_S": (lambda t: "0.8", lambda s: _turn(s, "turn_patience_s")),
    "ATTUNE_TURN_PATIENCE_UNFINISHED_S": (lambda t: "1.5", lambda s: _turn(s, "turn_patience_unfinished_s")),
    "ATTUNE_TURN_PATIENCE_UNSURE_S": (lambda t: "0.7", lambda s: _turn(s, "turn_patience_unsure_s")),
    "ATTUNE_TURN_PATIENCE_SHORT_S": (lambda t: "0.3", lambda s: _turn(s, "turn_patience_short_s")),
    "ATTUNE_STT_INTERIM_INTERVAL_S": (lambda t: "0", _stt_interims),
    "ATTUNE_BREATH_PACER_CYCLES": (lambda t: "0", lambda s: s.breath_pacer_cycles),
    "ATTUNE_LOCAL_ECHO_CANCELLED": (lambda t: "1", lambda s: s.local_echo_cancelled),
    "ATTUNE_HOST": (lambda t: "127.0.0.2", lambda s: s.host),
    "ATTUNE_PORT": (lambda t: "9090", lambda s: s.port),
    "ATTUNE_MAX_CALLS": (lambda t: "3", lambda s: _call_lines(s)),
    "ATTUNE_TRUSTED_PROXIES": (lambda t: "127.0.0.1", lambda s: _limits(s, "trusted_proxies")),
    "ATTUNE_ALLOWED_HOSTS": (lambda t: "attune.example.org", lambda s: _limits(s, "allowed_hosts")),
    "ATTUNE_OFFER_RATE_PER_MIN": (lambda t: "12", lambda s: _limits(s, "offer_rate_per_min")),
    "ATTUNE_MAX_PENDING_OFFERS_PER_IP": (lambda t: "1", lambda s: _limits(s, "max_pending_offers_per_ip")),
    "ATTUNE_HEADER_TIMEOUT_S": (lambda t: "2", lambda s: _limits(s, "header_timeout_s")),
    "ATTUNE_MAX_REMOTE_CANDIDATES": (lambda t: "3", lambda s: _limits(s, "max_remote_candidates")),
    "ATTUNE_LLM_BASE_URL": (lambda t: "http://127.0.0.1:9/v1", lambda s: _llm(s, "base_url")),
    "ATTUNE_LLM_MODEL": (lambda t: "qwen", lambda s: _llm(s, "model")),
    "ATTUNE_LLM_API_KEY": (lambda t: "sk-test", lambda s: _llm(s, "api_key")),
    "ATTUNE_LLM_TIMEOUT_S": (lambda t: "4", lambda s: _llm(s, "timeout_s")),
    "ATTUNE_LLM_FIRST_SENTENCE_S": (lambda t: "0.3", lambda s: _llm(s, "first_sentence_s")),
    "ATTUNE_SIP__ALLOW_FROM": (lambda t: "10.0.0.0/8", lambda s: _sip_allows(s, "10.1.2.3")),
}


def _engine_minutes(settings) -> str:
    """What the brain says is left of a session that has just begun."""
    import asyncio

    from attune.dialogue.engine import ManualClock, SessionEngine

    async def run() -> str:
        with SessionEngine.create(settings, clock=ManualClock(start=1_700_000_000.0)) as engine:
            await engine.open("u1")
            state = engine._states["u1"]
            return engine._minutes_left(state)

    return asyncio.run(run())


def _opens_beside_a_key(settings) -> str:
    """An empty attune.db beside an existing key: refused unless a fresh store was asked for."""
    from attune.dialogue.memory import StoreError, generate_master_key, open_store

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = settings.data_dir / "key"
    if not key.exists():
        key.write_text(generate_master_key())
    (settings.data_dir / "attune.db").write_bytes(b"")
    try:
        open_store(settings).close()
    except StoreError:
        return "refused"
    finally:
        (settings.data_dir / "attune.db").unlink(missing_ok=True)
    return "opened"


def _llm(settings, what: str) -> Any:
    """What the model phraser the composition root builds will use (a base URL is needed for any)."""
    from attune.dialogue.llm import build_llm

    if what != "base_url" and not settings.llm_base_url:
        settings = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1"})
    phraser, understander = build_llm(settings)
    if phraser is None:
        return None
    try:
        client = phraser.client
        return {"base_url": client.base_url, "model": client.model, "api_key": client.api_key,
                "timeout_s": phraser.timeout_s, "first_sentence_s": phraser.first_sentence_s}[what]
    finally:
        understander.close()


def _sip_allows(settings, addr: str) -> bool:
    """Would the phone door take a call from ``addr``?"""
    import ipaddress

    from attune.voice.doors.sip import _allowed

    return _allowed(addr, [ipaddress.ip_network(n, strict=False) for n in settings.sip.allow_from])


def _call_lines(settings) -> int:
    from attune.web.calls import CallManager

    return CallManager(settings, None, lambda call: None).max_calls


def test_readme_lists_only_probed_variables():
    documented = _readme_variables() - NOT_USED_YET
    assert documented == set(PROBES), (sorted(documented - set(PROBES)), sorted(set(PROBES) - documented))


@pytest.mark.parametrize("name", sorted(PROBES))
def test_each_variable_reaches_its_component(name, tmp_path, monkeypatch):
    from attune.dialogue.settings import Settings

    value, observe = PROBES[name]
    for var in PROBES:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "data"))
    before = observe(Settings())
    monkeypatch.setenv(name, value(tmp_path))
    if name == "ATTUNE_KEY":  # a configured key means no key file is written
        monkeypatch.setenv("ATTUNE_DATA_DIR", str(tmp_path / "data2"))
    after = observe(Settings())
    assert before != after, f"{name} did not change what its component uses ({before!r})"
