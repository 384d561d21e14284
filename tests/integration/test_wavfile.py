"""The WAV door (``attune talk --in --out --events``): input handling, and the whole loop on a real
recording with real models (Whisper tiny.en, Piper joe, webrtcvad) in real time (~20 s)."""
from __future__ import annotations

import asyncio
import json
import struct
import struct
import wave
from pathlib import Path

import numpy as np
import pytest

from attune.voice.bench.latency import speech_bounds, wer
from attune.voice.audio import WavError, read_wav, resample, write_wav
from attune.voice.doors.wav import OUT_RATE, run_talk

FIX = Path(__file__).resolve().parents[1] / "fixtures"
CLIP_A = (FIX / "LJ001-0013.wav", "than in the same operations with ugly ones.")
CLIP_B = (FIX / "LJ001-0002.wav", "in being comparatively modern.")


def _write_float_wav(path: Path, x: np.ndarray, rate: int, channels: int = 1) -> None:
    data = x.astype("<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * 4 * channels, 4 * channels, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)


def test_read_wav_any_rate_width_and_channels(tmp_path):
    t = np.arange(4410) / 44100
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    # 24-bit stereo 44.1 kHz
    p24 = tmp_path / "a24.wav"
    i = (np.stack([tone, tone], 1) * 8388607).astype(np.int32).reshape(-1)
    raw = b"".join(struct.pack("<i", v)[:3] for v in i)
    with wave.open(str(p24), "wb") as w:
        w.setnchannels(2), w.setsampwidth(3), w.setframerate(44100), w.writeframes(raw)
    x, rate = read_wav(p24)
    assert rate == 44100 and len(x) == 4410 and np.allclose(x, tone, atol=1e-4)
    # 8-bit mono
    p8 = tmp_path / "a8.wav"
    with wave.open(str(p8), "wb") as w:
        w.setnchannels(1), w.setsampwidth(1), w.setframerate(8000)
        w.writeframes((tone[:800] * 127 + 128).astype(np.uint8).tobytes())
    x, rate = read_wav(p8)
    assert rate == 8000 and np.allclose(x, tone[:800], atol=0.02)
    # 32-bit float (the wave module refuses it; PyAV reads it)
    pf = tmp_path / "af.wav"
    _write_float_wav(pf, tone.astype(np.float32), 44100)
    x, rate = read_wav(pf)
    assert rate == 44100 and np.allclose(x[:4000], tone[:4000], atol=1e-3)
    y = resample(x, 44100, 16000)
    assert abs(len(y) - 1600) <= 1


@pytest.mark.parametrize("kind", ["missing", "not_wav", "empty"])
async def test_run_talk_bad_input_is_one_line_exit_2(tmp_path, settings, engine, capsys, kind):
    p = tmp_path / "in.wav"
    if kind == "not_wav":
        p.write_bytes(b"ID3\x03\x00" + b"\x00" * 200)  # an MP3, say
    elif kind == "empty":
        write_wav(p, np.zeros(0, np.int16), 16000)
    rc = await run_talk(settings, engine, p, tmp_path / "out.wav", None, None)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and str(p) in err
    assert not (tmp_path / "out.wav").exists()
    with pytest.raises(WavError):
        read_wav(p)


def _clip(path: Path) -> tuple[np.ndarray, int]:
    x, r = read_wav(path)
    return resample(x, r, 16000), 16000


async def test_talk_on_a_recording_end_to_end(tmp_path, settings, engine):
    """Greeting, then one person turn made of two real clips with a 400 ms thinking pause:
    one final answer after the turn (no cut-in in the pause, no split), transcripts that
    match the clips, a spoken reply in OUT, and the event log."""
    a, _ = _clip(CLIP_A[0])
    b, _ = _clip(CLIP_B[0])
    a0, a1 = speech_bounds(a)
    b0, b1 = speech_bounds(b)
    a = a[int(max(0, a0 - 0.05) * 16000): int((a1 + 0.05) * 16000)]
    b = b[int(max(0, b0 - 0.05) * 16000): int((b1 + 0.05) * 16000)]
    lead = 6.0  # the greeting plays first
    pause = 0.4
    person = np.concatenate([np.zeros(int(lead * 16000)), a, np.zeros(int(pause * 16000)), b, np.zeros(16000)])
    turn_start = lead + 0.05
    gap = (lead + len(a) / 16000 - 0.05, lead + len(a) / 16000 + pause + 0.05)
    turn_end = lead + (len(a) + int(pause * 16000) + len(b)) / 16000 - 0.05
    # stereo 44.1 kHz input exercises mixing and resampling
    st = resample(person.astype(np.float32), 16000, 44100)
    inp = tmp_path / "in.wav"
    write_wav(inp, np.stack([st, st], 1), 44100)
    out, evp = tmp_path / "out.wav", tmp_path / "ev.jsonl"

    rc = await run_talk(settings, engine, inp, out, evp, "wav-test")
    assert rc == 0
    events = [json.loads(line) for line in evp.read_text().splitlines()]
    types = [e["type"] for e in events]
    for needed in ("speech_start", "speech_end", "transcript_final", "turn_end", "reply_text", "reply_audio_start"):
        assert needed in types, (needed, types)
    assert all(isinstance(e["t"], float | int) for e in events)

    finals = " ".join(e["text"] for e in events if e["type"] == "transcript_final")
    assert wer([(CLIP_A[1] + " " + CLIP_B[1], finals)]) <= 0.2, finals

    starts = [e["t"] for e in events if e["type"] == "reply_audio_start"]
    assert starts[0] < 1.0  # the greeting
    assert not [t for t in starts if turn_start < t < turn_end], ("cut in", starts, gap)
    answers = [t for t in starts if t >= turn_end]
    assert len(answers) == 1, starts  # one turn, one reply: not split in two
    assert 0.2 < answers[0] - turn_end < 2.5
    ends = [e for e in events if e["type"] == "turn_end"]
    assert len(ends) == 1 and "ugly" in ends[0]["text"].lower() and "modern" in ends[0]["text"].lower()

    with wave.open(str(out)) as w:
        assert w.getnchannels() == 2 and w.getframerate() == OUT_RATE
        o = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2).astype(np.float32) / 32768
    left, right = o[:, 0], o[:, 1]
    i0 = int(answers[0] * OUT_RATE)
    assert np.sqrt(np.mean(right[i0:i0 + OUT_RATE] ** 2)) > 0.01  # the reply is heard
    assert np.sqrt(np.mean(right[int((turn_start + 0.3) * OUT_RATE):int(gap[0] * OUT_RATE)] ** 2)) < 1e-4
    assert np.sqrt(np.mean(left[int(turn_start * OUT_RATE):int(gap[0] * OUT_RATE)] ** 2)) > 0.01  # the person


def test_talk_cli_bad_wav_is_one_line(tmp_path, capsys):
    """The composition root builds the engine and hands it to the WAV door; a bad file is one line."""
    from attune.voice.cli import main

    bad = tmp_path / "in.wav"
    fmt = struct.pack("<HHIIHH", 1, 1, 0, 0, 2, 16)  # PCM, mono, 0 Hz, 16-bit
    data = b"\x01\x00" * 800
    bad.write_bytes(b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
                    + b"data" + struct.pack("<I", len(data)) + data)
    rc = main(["talk", "--in", str(bad), "--out", str(tmp_path / "o.wav"), "--data-dir", str(tmp_path / "d")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and "0 Hz" in err


def _wav_bytes(rate: int, data: bytes, *, channels: int = 1, bits: int = 16, declared: int | None = None) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * bits // 8, channels * bits // 8, bits)
    size = len(data) if declared is None else declared
    return (b"RIFF" + struct.pack("<I", 36 + size) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", size) + data)


@pytest.mark.parametrize("rate", [0, 1, 1_000_000])
def test_a_wav_claiming_an_impossible_rate_is_refused_before_any_allocation(tmp_path, rate):
    """A 200 KB file claiming 1 Hz used to be resampled to 16 kHz: a 2.5 GiB allocation."""
    p = tmp_path / "odd.wav"
    p.write_bytes(_wav_bytes(rate, b"\x01\x00" * 100_000))
    with pytest.raises(WavError, match=f"{rate} Hz"):
        read_wav(p)


def test_a_wav_cut_mid_sample_keeps_its_whole_samples(tmp_path):
    p = tmp_path / "cut.wav"
    p.write_bytes(_wav_bytes(16000, b"\x00\x40" * 800 + b"\x01"))  # one stray byte at the end
    x, rate = read_wav(p)
    assert rate == 16000 and len(x) == 800 and np.allclose(x, 0.5)


def test_a_wav_whose_header_claims_more_data_than_the_file_holds_reads_what_is_there(tmp_path):
    p = tmp_path / "short.wav"
    p.write_bytes(_wav_bytes(16000, b"\x00\x20" * 1600, declared=2_000_000_000))
    x, rate = read_wav(p)
    assert rate == 16000 and len(x) == 1600
