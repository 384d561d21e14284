"""The voice loop: door building blocks (unit) and the whole loop on real recordings (integration).

Unit tests of ``PacedAudioOutput`` / ``QueueAudioInput`` run in milliseconds. The integration
tests at the bottom run the real models (Whisper tiny.en, Piper joe, webrtcvad) on real LJSpeech
recordings through the WAV door, in real time.
"""
from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from livekit import rtc

from attune.voice.loop.audio_io import PacedAudioOutput, QueueAudioInput


def _frame(ms: int, sr: int = 16000, value: int = 1000) -> rtc.AudioFrame:
    n = sr * ms // 1000
    return rtc.AudioFrame(np.full(n, value, np.int16).tobytes(), sr, 1, n)


class _Recorder:
    def __init__(self, out: PacedAudioOutput) -> None:
        self.frames: list[tuple[float, int]] = []
        self.started: list[float] = []
        self.finished: list[tuple[float, bool]] = []
        out.on_frame = lambda f: self.frames.append((time.monotonic(), f.samples_per_channel))
        out.on("playback_started", lambda ev: self.started.append(ev.created_at))
        out.on("playback_finished", lambda ev: self.finished.append((ev.playback_position, ev.interrupted)))


async def test_paced_output_paces_in_real_time_and_finishes_once():
    out = PacedAudioOutput(sample_rate=16000)
    rec = _Recorder(out)
    t0 = time.monotonic()
    for _ in range(10):  # 300 ms pushed at once, in odd-sized frames
        await out.capture_frame(_frame(30))
    out.flush()
    ev = await asyncio.wait_for(out.wait_for_playout(), 2)
    took = time.monotonic() - t0
    assert not ev.interrupted and abs(ev.playback_position - 0.3) < 1e-6
    assert 0.28 <= took < 0.45, took  # real time, not as fast as possible
    assert len(rec.frames) == 15 and all(n == 320 for _, n in rec.frames)  # exact 20 ms frames
    gaps = np.diff([t for t, _ in rec.frames])
    assert gaps.mean() == pytest.approx(0.02, abs=0.004)
    assert len(rec.started) == 1 and rec.finished == [(pytest.approx(0.3), False)]
    await out.aclose()


async def test_paced_output_clear_stops_at_once_and_reports_position():
    out = PacedAudioOutput(sample_rate=16000)
    rec = _Recorder(out)
    cleared = []
    out.on_clear = lambda: cleared.append(True)
    for _ in range(50):  # 1 s
        await out.capture_frame(_frame(20))
    out.flush()
    await asyncio.sleep(0.2)
    out.clear_buffer()
    n = len(rec.frames)
    ev = await asyncio.wait_for(out.wait_for_playout(), 1)
    assert ev.interrupted and 0.15 <= ev.playback_position <= 0.3
    await asyncio.sleep(0.1)
    assert len(rec.frames) == n  # nothing after the clear
    assert rec.finished == [(ev.playback_position, True)] and cleared == [True]
    out.clear_buffer()  # a second clear finishes nothing twice
    assert len(rec.finished) == 1
    await out.aclose()


async def test_paced_output_clear_mid_capture_drops_rest_of_segment():
    """The framework may clear before it flushes: late frames of that segment must not play,
    and the next segment must start and finish normally (exactly once each)."""
    out = PacedAudioOutput(sample_rate=16000)
    rec = _Recorder(out)
    for _ in range(10):
        await out.capture_frame(_frame(20))
    await asyncio.sleep(0.05)
    out.clear_buffer()
    for _ in range(10):  # late frames of the cleared segment
        await out.capture_frame(_frame(20))
    out.flush()
    await asyncio.sleep(0.1)
    played = len(rec.frames)
    for _ in range(5):  # next segment
        await out.capture_frame(_frame(20))
    out.flush()
    ev = await asyncio.wait_for(out.wait_for_playout(), 1)
    assert not ev.interrupted and ev.playback_position == pytest.approx(0.1)
    assert len(rec.frames) == played + 5
    assert len(rec.started) == 2 and [i for _, i in rec.finished] == [True, False]
    await out.aclose()


async def test_paced_output_pause_resume():
    out = PacedAudioOutput(sample_rate=16000)
    rec = _Recorder(out)
    for _ in range(20):
        await out.capture_frame(_frame(20))
    out.flush()
    await asyncio.sleep(0.1)
    out.pause()
    n = len(rec.frames)
    await asyncio.sleep(0.15)
    assert len(rec.frames) <= n + 1 and out.paused
    out.resume()
    ev = await asyncio.wait_for(out.wait_for_playout(), 1)
    assert not ev.interrupted and len(rec.frames) == 20
    await out.aclose()


async def test_paced_output_empty_flush_and_clear_without_audio_emit_nothing():
    out = PacedAudioOutput(sample_rate=16000)
    rec = _Recorder(out)
    out.flush()
    out.clear_buffer()
    await asyncio.sleep(0.05)
    assert rec.started == [] and rec.finished == []
    await out.aclose()


async def test_queue_audio_input_rechunks_and_closes():
    inp = QueueAudioInput(sample_rate=16000)
    inp.push_pcm(np.zeros(16000 * 55 // 1000, np.int16))  # 55 ms → two 20 ms frames now
    inp.push_pcm(np.zeros(16000 * 5 // 1000, np.float32))  # +5 ms → third frame
    inp.close()
    frames = [f async for f in inp]
    assert [f.samples_per_channel for f in frames] == [320, 320, 320]


# ---------------------------------------------------------------- turn-taking helpers (unit)
def test_backchannels_and_unfinished_sentences():
    from attune.voice.loop.turn_end import sounds_unfinished
    from attune.voice.loop.voice_loop import is_backchannel

    for t in ("Mm-hmm.", "Yeah.", "okay", "Right.", "Uh-huh", "yeah, yeah", "I see.", "M M", "got it"):
        assert is_backchannel(t), t
    for t in ("Stop.", "No, that's not it.", "Wait", "I want to talk about my brother.", "", "yeah but I"):
        assert not is_backchannel(t), t
    for t in ("I went to the shop and", "It was because,", "My mother is um", "I think that"):
        assert sounds_unfinished(t), t
    for t in ("I went to the shop.", "It has never been surpassed.", "Yes."):
        assert not sounds_unfinished(t), t


def test_heard_text_follows_playback_position():
    from attune.voice.loop.agent import heard_text

    pieces = [("I hear you.", 1.0), ("You said four words here.", 2.0), ("Tell me more.", 1.0)]
    assert heard_text(pieces, 0.2) == ""
    assert heard_text(pieces, 1.0) == "I hear you."
    assert heard_text(pieces, 2.0) == "I hear you. You said"
    assert heard_text(pieces, 10.0) == "I hear you. You said four words here. Tell me more."


def test_phrase_manifest_and_sounds():
    from attune.voice.loop.speech_text import SOUNDS, load_manifest, load_sound, norm_text

    phrases = load_manifest()
    assert {"greeting", "take_your_time", "crisis_call"} <= set(phrases)
    assert norm_text("Take  your time!") == norm_text("take your time.")
    for name in SOUNDS:
        pcm, rate = load_sound(name)
        assert rate == 16000 and pcm.dtype == np.int16 and np.abs(pcm).max() > 1000
    pacer, rate = load_sound("breath_pacer")
    assert len(pacer) == 10 * rate  # one cycle: in 4 s, out 6 s
    env = np.abs(pacer.astype(np.float32)).reshape(10, rate).mean(axis=1)
    assert env[3] > env[0] and env[3] > env[9]  # swells while breathing in, fades breathing out


def test_no_llm_fails_loudly():
    from attune.voice.loop.agent import NoLLM

    with pytest.raises(RuntimeError, match="llm_node"):
        NoLLM().chat(chat_ctx=None)


# ---------------------------------------------------------------- the loop on real recordings
FIX = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures"


async def test_barge_in_on_first_reply_then_backchannel_does_not_interrupt(settings, engine):
    """Real models, real recording: the person talks over the greeting (the very first reply)
    → playback stops within ~0.25 s and ``interrupted`` is logged; the reply to their words
    then plays, and a "yeah" spoken over it does not stop it."""
    from attune.voice.bench import latency as bench

    clips = bench.load_clips([(FIX / "LJ001-0002.wav", "in being comparatively modern."),
                              (FIX / "backchannel_yeah.wav", "yeah")])
    turns = [bench.Turn("barge", [clips[0]], [], barge_after=1.0),
             bench.Turn("barge", [clips[1]], [], barge_after=1.5)]
    run = await bench.run_wav(settings, turns, engine=engine, user_id="bc-test")
    ev = run.events
    first, bc = bench.score_run(run)
    # barge-in over the greeting
    assert first.first_reply and first.interrupted_event
    assert first.barge_in_ms is not None and first.barge_in_ms <= 300, first.barge_in_ms
    heard = [e for e in ev if e["type"] == "interrupted"][0]["heard"]
    assert heard and "today" not in heard  # only the words actually played
    assert "modern" in first.heard.lower() and first.latency_ms is not None
    # backchannel over the reply: paused at most briefly, resumed, never interrupted
    t_bc = turns[1].speech_start
    assert [e for e in ev if e["type"] == "backchannel"]
    assert not [e for e in ev if e["type"] in ("interrupted", "reply_dropped") and e["t"] > t_bc - 0.1
                and e["t"] < run.wall_s - 1]
    assert not [e for e in ev if e["type"] == "turn_end" and e["t"] > t_bc]  # "yeah" is not a turn
    played_after = [t for t, _ in run.timeline.frames if t > turns[1].speech_end + 0.2]
    assert len(played_after) > 25  # the reply went on (> 0.5 s more audio)
    frames = [t for t, _ in run.timeline.frames if t_bc - 1 < t < turns[1].speech_end + 2]
    assert max(np.diff(frames)) < 3.0  # a pause (~0.6-0.9 s; longer on a loaded CPU), not a stop


async def test_slow_pace_slows_the_voice(settings):
    """Gestalt body prompts (``pace == "slow"``) are spoken more slowly."""
    from attune.voice.speech.models import get_models
    from attune.voice.loop.speech_text import PACE_SPEED, synthesize
    from attune.voice.speech.tts import PiperTTS

    tts = PiperTTS(models=get_models(settings))
    text = "Notice where you feel it in your body."
    normal = await synthesize(tts, text, speed=PACE_SPEED["normal"])
    slow = await synthesize(tts, text, speed=PACE_SPEED["slow"])
    assert len(slow) > 1.08 * len(normal)


def test_bench_latency_json(tmp_path, settings, engine, capsys):
    """``attune bench latency --json`` on a tiny TSV (two real clips): one barge-in over the
    greeting and one turn of two clips joined by a pause; prints one JSON object."""
    import json
    import shutil

    from attune.voice.bench.latency import bench_latency
    from attune.voice.speech.models import get_models

    (tmp_path / "wavs").mkdir()
    rows = ["id\tpath\ttext"]
    for name, text in (("LJ001-0002", "in being comparatively modern."),
                       ("LJ001-0013", "than in the same operations with ugly ones.")):
        shutil.copy(FIX / f"{name}.wav", tmp_path / "wavs" / f"{name}.wav")
        rows.append(f"{name}\twavs/{name}.wav\t{text}")
    tsv = tmp_path / "transcripts.tsv"
    tsv.write_text("\n".join(rows) + "\n")
    rc = bench_latency(settings, engine, get_models(settings), tsv, as_json=True, plan={"n_single": 0, "n_joined": 1, "n_barge": 1})
    out = capsys.readouterr().out.strip().splitlines()[-1]
    res = json.loads(out)
    assert rc == 0
    for key in ("p50_ms", "p95_ms", "cut_ins", "turns", "wer", "wer_offline", "barge_in_ms"):
        assert key in res, key
    assert res["turns"] == 2 and res["cut_ins"] == 0 and res["split_turns"] == 0
    assert res["barge_in_ms"] is not None and res["barge_in_ms"] < 400
    assert res["p50_ms"] is not None and res["wer"] <= max(0.25, 1.5 * res["wer_offline"])


async def test_paced_output_hold_survives_resume():
    """livekit resumes the sink whenever it starts forwarding a reply; the loop's hold (the person
    may be talking) must survive that, and a clear ends it."""
    out = PacedAudioOutput(sample_rate=16000)
    rec = _Recorder(out)
    out.hold()
    for _ in range(10):
        await out.capture_frame(_frame(20))
    out.flush()
    out.resume()  # what livekit does before forwarding
    await asyncio.sleep(0.1)
    assert rec.frames == [] and rec.started == [] and out.paused
    out.release()
    ev = await asyncio.wait_for(out.wait_for_playout(), 1)
    assert not ev.interrupted and len(rec.frames) == 10
    out.hold()
    out.clear_buffer()
    assert not out.paused
    await out.aclose()
