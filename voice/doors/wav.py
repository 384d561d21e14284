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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from attune.voice import internals
from attune.voice.audio import WavError, read_wav, resample, write_wav
from attune.voice.loop.audio_io import PacedAudioOutput, QueueAudioInput

LOOP_RATE = 16_000   # what the door feeds the loop
OUT_RATE = 22_050    # the timeline WAV (Piper's native rate: the assistant is not resampled)
FRAME_S = 0.02


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
    from attune.voice.loop.voice_loop import build_voice_loop

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
        conv.stt_finals = list(getattr(internals.recognize_stream(vl.session), "finals", []) or [])
    finally:
        inp.close()
        await vl.aclose()
        await out.aclose()
    return conv


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


async def run_talk(settings: Any, engine: Any, in_wav: Path, out_wav: Path, events: Path | None,
                   user_id: str | None, *, models: Any = None) -> int:
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

    try:
        conv = await converse(settings, audio16k, engine=engine, user_id=user, on_event=on_event, models=models)
    finally:
        if ev_file is not None:
            ev_file.close()
    write_wav(Path(out_wav), render_out(conv, audio16k), OUT_RATE)
    finals = [e["text"] for e in conv.events if e["type"] == "transcript_final"]
    replies = sum(1 for e in conv.events if e["type"] == "reply_audio_start")
    print(f"{len(finals)} final transcripts, {replies} replies spoken, {conv.total_s:.1f} s -> {out_wav}",
          file=sys.stderr)
    return 0
