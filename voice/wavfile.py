"""The WAV door: the whole voice loop on a recording, paced in real time.

``attune talk --in IN.wav --out OUT.wav [--events EV.jsonl] [--user ID]``

* IN: any WAV (PCM 8/16/24/32-bit or float, any rate, any channels); it is mixed to mono and fed
  to the loop in 20 ms frames at real-time pace. It may hold several turns separated by silence.
  When it ends, silence is fed until the last reply has played out (at most ``tail_max_s``).
* OUT: the conversation timeline, **stereo, beside each other**: left = the person (IN), right =
  the assistant, each sample placed at the moment it was played; 22,050 Hz 16-bit.
* EV: one JSON object per line, ``t`` = seconds from the start of IN, ``type`` among
  speech_start, speech_end, transcript_partial, transcript_final, turn_end, reply_text,
  reply_audio_start, barge_in, interrupted, backchannel, reply_cancelled, and the brain's events
  (phase, modality, crisis, coping_card...).
"""
from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .audio_io import PacedAudioOutput, QueueAudioInput

LOOP_RATE = 16_000   # what the door feeds the loop
OUT_RATE = 22_050    # the timeline WAV (Piper's native rate: the assistant is not resampled)
FRAME_S = 0.02


class WavError(Exception):
    """A problem with the input file, reported as one line with exit code 2."""


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Mono float32 resampling (PyAV/libswresample; linear interpolation as a fallback)."""
    if src == dst or not len(x):
        return x.astype(np.float32, copy=False)
    try:
        import av

        r = av.AudioResampler(format="flt", layout="mono", rate=dst)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x, dtype=np.float32).reshape(1, -1),
                                           format="flt", layout="mono")
        frame.sample_rate = src
        parts = [f.to_ndarray().reshape(-1) for f in r.resample(frame)]
        parts += [f.to_ndarray().reshape(-1) for f in r.resample(None)]
        y = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        n = int(round(len(x) * dst / src))
        return np.pad(y, (0, max(0, n - len(y))))[:n].astype(np.float32)
    except Exception:  # pragma: no cover - PyAV is a dependency; keep a numpy path anyway
        n = int(round(len(x) * dst / src))
        return np.interp(np.arange(n) * src / dst, np.arange(len(x)), x).astype(np.float32)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono float32 samples and the sample rate of a WAV file; ``WavError`` otherwise."""
    path = Path(path)
    if not path.exists():
        raise WavError(f"input not found: {path}")
    if not path.is_file():
        raise WavError(f"input is not a file: {path}")
    with open(path, "rb") as f:
        head = f.read(12)
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX", b"RF64") or head[8:12] != b"WAVE":
        raise WavError(f"not a WAV file: {path}")
    try:
        with wave.open(str(path), "rb") as w:
            ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(n)
        if width == 1:
            x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
        elif width == 2:
            x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768
        elif width == 3:
            b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
            i = (b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8) | (b[:, 2].astype(np.int32) << 16))
            x = ((i << 8) >> 8).astype(np.float32) / 8388608
        elif width == 4:
            x = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648
        else:
            raise WavError(f"unsupported WAV sample width {width} bytes: {path}")
    except (wave.Error, EOFError) as e:
        x, rate, ch = _read_wav_av(path, e)
    if ch > 1:
        x = x[: len(x) // ch * ch].reshape(-1, ch).mean(axis=1)
    if not len(x):
        raise WavError(f"WAV file holds no audio: {path}")
    return x.astype(np.float32), rate


def _read_wav_av(path: Path, err: Exception) -> tuple[np.ndarray, int, int]:
    """Float and other WAV encodings the ``wave`` module refuses, through PyAV."""
    try:
        import av

        with av.open(str(path)) as c:
            s = c.streams.audio[0]
            rate = s.rate
            r = av.AudioResampler(format="flt", layout="mono", rate=rate)
            parts = []
            for fr in c.decode(s):
                parts += [f.to_ndarray().reshape(-1) for f in r.resample(fr)]
            parts += [f.to_ndarray().reshape(-1) for f in r.resample(None)]
        return (np.concatenate(parts) if parts else np.zeros(0, np.float32)), rate, 1
    except Exception as e2:
        raise WavError(f"unreadable WAV file {path}: {err or e2}") from e2


def write_wav(path: Path, data: np.ndarray, rate: int) -> None:
    """int16 or float samples, shape (n,) or (n, channels)."""
    a = np.asarray(data)
    if a.dtype != np.int16:
        a = (np.clip(a, -1, 1) * 32767).astype(np.int16)
    ch = 1 if a.ndim == 1 else a.shape[1]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(ch)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(a.astype("<i2").tobytes())


class Timeline:
    """The assistant's audio placed where it was played (samples at ``rate``)."""

    def __init__(self, rate: int = OUT_RATE) -> None:
        self.rate = rate
        self.buf = np.zeros(rate * 60, np.int16)
        self.cursor = -1
        self.frames: list[tuple[float, int]] = []  # (t played, samples) — for benchmarks

    def add(self, t: float, pcm: np.ndarray) -> None:
        i = int(round(t * self.rate))
        if self.cursor >= 0 and abs(i - self.cursor) <= len(pcm):
            i = self.cursor  # contiguous with the previous frame: no clicks from timer jitter
        i = max(i, 0)
        end = i + len(pcm)
        if end > len(self.buf):
            self.buf = np.concatenate([self.buf, np.zeros(max(end - len(self.buf), self.rate * 30), np.int16)])
        self.buf[i:end] = pcm
        self.cursor = end
        self.frames.append((t, len(pcm)))

    def gap(self) -> None:
        self.cursor = -1


@dataclass
class Conversation:
    """What one run of the WAV door produced."""

    events: list[dict] = field(default_factory=list)
    timeline: Timeline = field(default_factory=Timeline)
    input_s: float = 0.0
    total_s: float = 0.0
    stt_finals: list[Any] = field(default_factory=list)


async def converse(settings: Any, audio16k: np.ndarray, *, engine: Any, user_id: str,
                   on_event: Callable[[dict], None] | None = None, tail_max_s: float = 30.0,
                   models: Any = None, turn_options: Any = None, greet: bool = True) -> Conversation:
    """Play ``audio16k`` (mono float/int16 at 16 kHz) into a voice loop in real time."""
    from .session import build_voice_loop

    conv = Conversation(input_s=len(audio16k) / LOOP_RATE)
    tl = conv.timeline
    loop_ref: dict[str, Any] = {}

    def sink(ev: dict) -> None:
        conv.events.append(ev)
        if on_event is not None:
            on_event(ev)

    def on_frame(frame: Any) -> None:
        vl = loop_ref.get("loop")
        if vl is None or vl.t0 is None:
            return
        pcm = np.frombuffer(frame.data, np.int16)
        tl.add(time.monotonic() - vl.t0, pcm)

    inp = QueueAudioInput(sample_rate=LOOP_RATE)
    out = PacedAudioOutput(sample_rate=OUT_RATE, on_frame=on_frame, on_clear=tl.gap)
    vl = build_voice_loop(settings, engine, user_id=user_id, audio_input=inp, audio_output=out,
                          on_event=sink, echo_cancelled=True, models=models, turn_options=turn_options,
                          greet=greet)
    loop_ref["loop"] = vl
    pcm = np.asarray(audio16k)
    if pcm.dtype != np.int16:
        pcm = (np.clip(pcm, -1, 1) * 32767).astype(np.int16)
    step = int(LOOP_RATE * FRAME_S)
    silence = np.zeros(step, np.int16)
    try:
        await vl.prepare()
        vl.t0 = time.monotonic()
        feeding_done = asyncio.Event()

        async def feed() -> None:
            i = 0
            n = 0
            tail_frames = int(tail_max_s / FRAME_S)
            while True:
                if i < len(pcm):
                    chunk = pcm[i:i + step]
                    i += step
                else:
                    if n == 0:
                        sink({"t": vl.t(), "type": "input_end"})
                    n += 1
                    if n > tail_frames or (n > 25 and (feeding_done.is_set() or vl.ended.is_set())):
                        break
                    chunk = silence
                # a 20 ms chunk is available once it has been "recorded": at its end
                due = vl.t0 + (i / LOOP_RATE if n == 0 else conv.input_s + n * FRAME_S)
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                inp.push_pcm(chunk)

        feeder = asyncio.create_task(feed())
        await vl.start()
        # the input is over: wait for the last reply to play out, then stop
        while not feeder.done():
            if vl.t() > conv.input_s + 0.3 and vl.idle():
                if await vl.wait_idle(timeout=1.0, settle=0.6):
                    feeding_done.set()
            await asyncio.sleep(0.1)
        await feeder
        conv.total_s = vl.t()
        conv.stt_finals = list(getattr(_stream_of(vl), "finals", []) or [])
    finally:
        inp.close()
        await vl.aclose()
        await out.aclose()
    return conv


def _stream_of(vl: Any) -> Any:
    try:
        return vl.session._activity._audio_recognition._stt_pipeline._recognize_stream
    except Exception:
        return None


def render_out(conv: Conversation, person16k: np.ndarray) -> np.ndarray:
    """Stereo int16 timeline: left = the person, right = the assistant, both at ``OUT_RATE``."""
    person = resample(np.asarray(person16k, np.float32) if person16k.dtype != np.int16
                      else person16k.astype(np.float32) / 32768, LOOP_RATE, OUT_RATE)
    right = conv.timeline.buf[: max(conv.timeline.cursor, 0)] if conv.timeline.frames else np.zeros(0, np.int16)
    if conv.timeline.frames:
        last = max(int(round(t * OUT_RATE)) + n for t, n in conv.timeline.frames)
        right = conv.timeline.buf[:max(last, len(right))]
    n = max(len(person), len(right), int(conv.total_s * OUT_RATE))
    st = np.zeros((n, 2), np.int16)
    st[: len(person), 0] = (np.clip(person, -1, 1) * 32767).astype(np.int16)
    st[: len(right), 1] = right
    return st


def _new_engine(settings: Any) -> Any:
    from dialogue.engine import SessionEngine

    return SessionEngine.create(settings)


def _close_engine(engine: Any) -> None:
    for name in ("close", "aclose"):
        fn = getattr(engine, name, None)
        if callable(fn):
            try:
                r = fn()
                if asyncio.iscoroutine(r):
                    r.close()
            except Exception:
                pass
            return
    store = getattr(engine, "store", None)
    if store is not None and hasattr(store, "close"):
        try:
            store.close()
        except Exception:
            pass


async def run_talk(settings: Any, in_wav: Path, out_wav: Path, events: Path | None, user_id: str | None) -> int:
    """``attune talk --in IN --out OUT [--events EV] [--user ID]``; returns the exit code."""
    try:
        x, rate = read_wav(Path(in_wav))
    except WavError as e:
        print(f"attune talk: {e}", file=sys.stderr)
        return 2
    audio16k = resample(x, rate, LOOP_RATE)
    user = user_id or f"wav-{uuid.uuid4().hex[:8]}"
    ev_file = None
    if events is not None:
        Path(events).parent.mkdir(parents=True, exist_ok=True)
        ev_file = open(events, "w", encoding="utf-8")

    def on_event(ev: dict) -> None:
        if ev_file is not None:
            ev_file.write(json.dumps(ev, ensure_ascii=False, default=str) + "\n")
            ev_file.flush()

    engine = _new_engine(settings)
    try:
        conv = await converse(settings, audio16k, engine=engine, user_id=user, on_event=on_event)
    finally:
        if ev_file is not None:
            ev_file.close()
        _close_engine(engine)
    write_wav(Path(out_wav), render_out(conv, audio16k), OUT_RATE)
    finals = [e["text"] for e in conv.events if e["type"] == "transcript_final"]
    replies = sum(1 for e in conv.events if e["type"] == "reply_audio_start")
    print(f"{len(finals)} final transcripts, {replies} replies spoken, {conv.total_s:.1f} s -> {out_wav}",
          file=sys.stderr)
    return 0
