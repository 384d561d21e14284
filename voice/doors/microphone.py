"""The local-microphone door: ``attune talk`` with no file — the default microphone and speaker.

One full-duplex PortAudio stream (via ``sounddevice``) at the output device's rate, 20 ms blocks:
the callback hands microphone blocks to a :class:`QueueAudioInput` and plays whatever the
:class:`PacedAudioOutput` released (silence otherwise); a barge-in empties what is queued.

Without headphones the microphone hears the assistant, so the loop runs with
``echo_cancelled=False`` (it waits for words before stopping, and ignores its own words); set
``ATTUNE_LOCAL_ECHO_CANCELLED=1`` with headphones or a system echo canceller for instant barge-in.

No device → one line naming what is missing, exit code 2 (also when the PortAudio library, the
OS package ``libportaudio2``, is not installed). Tests drive it with a fake ``sounddevice``.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import signal
import sys
import threading
import uuid
from typing import Any

import numpy as np

from attune.voice.loop.audio_io import PacedAudioOutput, QueueAudioInput


class NoAudioDevice(Exception):
    """No usable microphone or speaker (message is the one line shown to the person)."""


def load_sounddevice() -> Any:
    try:
        import sounddevice as sd
    except OSError as e:  # sounddevice raises OSError when libportaudio is missing
        raise NoAudioDevice("no audio device: the PortAudio library is not installed "
                            "(install the OS package libportaudio2)") from e
    except ImportError as e:
        raise NoAudioDevice("no audio device: the Python package sounddevice is not installed") from e
    return sd


def pick_devices(sd: Any) -> tuple[dict, dict]:
    """The default input and output devices, or ``NoAudioDevice`` naming the one missing."""
    found = {}
    for kind, name in (("input", "microphone"), ("output", "speaker")):
        try:
            dev = sd.query_devices(kind=kind)
        except Exception as e:
            raise NoAudioDevice(f"no {name} found (no default {kind} audio device)") from e
        if not dev or int(dev.get(f"max_{kind}_channels", 0) or 0) < 1:
            raise NoAudioDevice(f"no {name} found (no default {kind} audio device)")
        found[kind] = dev
    return found["input"], found["output"]


class _Speaker:
    """Thread-safe PCM queue between the paced output (event loop) and the device callback."""

    def __init__(self) -> None:
        self._q: collections.deque[np.ndarray] = collections.deque()
        self._lock = threading.Lock()
        self.underruns = 0

    def write(self, pcm: np.ndarray) -> None:
        with self._lock:
            self._q.append(pcm)

    def clear(self) -> None:
        with self._lock:
            self._q.clear()

    def read(self, n: int) -> np.ndarray:
        out = np.zeros(n, np.int16)
        filled = 0
        with self._lock:
            while filled < n and self._q:
                c = self._q[0]
                k = min(n - filled, len(c))
                out[filled:filled + k] = c[:k]
                filled += k
                if k == len(c):
                    self._q.popleft()
                else:
                    self._q[0] = c[k:]
        return out


async def run_local(settings: Any, engine: Any, user_id: str | None, *, sd: Any = None,
                    max_seconds: float | None = None, models: Any = None) -> int:
    """``attune talk`` on the microphone and speaker; returns the exit code.

    ``sd`` replaces the ``sounddevice`` module (tests); ``max_seconds`` ends the session."""
    try:
        sd = sd or load_sounddevice()
        dev_in, dev_out = pick_devices(sd)
    except NoAudioDevice as e:
        print(f"attune talk: {e}", file=sys.stderr)
        return 2

    from attune.voice.loop.voice_loop import build_voice_loop

    rate = int(dev_out.get("default_samplerate") or 48000)
    block = rate // 50  # 20 ms
    loop = asyncio.get_running_loop()
    speaker = _Speaker()
    inp = QueueAudioInput(sample_rate=rate, loop=loop)
    out = PacedAudioOutput(sample_rate=rate, on_frame=lambda f: speaker.write(np.frombuffer(f.data, np.int16).copy()),
                           on_clear=speaker.clear)

    def callback(indata: Any, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        mic = np.frombuffer(indata, dtype=np.int16)
        inp.push_pcm_threadsafe(mic.copy())
        outdata[:] = speaker.read(frames).tobytes()

    user = user_id or f"local-{uuid.uuid4().hex[:8]}"

    def on_event(ev: dict) -> None:
        t = ev.get("type")
        if t == "transcript_final":
            print(f"  you: {ev['text']}", file=sys.stderr)
        elif t == "reply_text":
            print(f"  attune: {ev['text']}", file=sys.stderr)
        elif t == "crisis":
            for r in ev.get("resources") or []:
                print(f"  ** {r.get('name')}: {r.get('number')} ({r.get('text', '')})", file=sys.stderr)

    vl = build_voice_loop(settings, engine, user_id=user, audio_input=inp, audio_output=out, on_event=on_event,
                          echo_cancelled=settings.local_echo_cancelled, models=models)
    try:
        stream = sd.RawStream(samplerate=rate, blocksize=block, channels=1, dtype="int16", callback=callback)
    except Exception as e:
        print(f"attune talk: cannot open the microphone/speaker: {e}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        with stream:
            await vl.start()
            vl.play_sound("chime_start")
            print(f"attune: listening on {dev_in.get('name', 'microphone')} (Ctrl-C to end)", file=sys.stderr)
            waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(vl.ended.wait())]
            done, pending = await asyncio.wait(waiters, timeout=max_seconds, return_when=asyncio.FIRST_COMPLETED)
            for t in pending:
                t.cancel()
            if not stop.is_set():  # the session ended (or timed out): let the last words play out
                await vl.wait_idle(timeout=15.0)
            vl.play_sound("chime_end")
            await asyncio.sleep(1.6)
    finally:
        with contextlib.suppress(Exception):
            loop.remove_signal_handler(signal.SIGINT)
        inp.close()
        await vl.aclose()
        await out.aclose()
    return 0
