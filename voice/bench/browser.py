"""``attune bench latency|load --door browser``: the voice-loop benchmark through real WebRTC calls.

The person of ``voice.bench`` (its ``PersonDriver``, plan and scoring) speaks into aiortc callers
(:class:`voice.bench.caller.BrowserClient`) that run in a separate process — as browsers would — and call
this process's own ``attune serve`` app over loopback: Opus, DTLS-SRTP, the server's jitter
buffer, ``InboundAudio``'s resampling, the voice loop, ``OutboundAudioTrack``'s pacing, Opus back
and the caller's jitter buffer are all in the path, and the CPU that ``bench load`` reports is the
server's own.

Times are taken where the person is (CLOCK_MONOTONIC is shared by both processes):
* end of speech = the moment the caller *sent* the last speech sample (not when it was queued);
* first reply sample = the moment the first audible frame of the reply *arrived* at the caller.
So the latency includes the whole browser door. The loop's own time of each reply start is kept in
``reply_audio_start`` events as ``t_loop``; a line on stderr per call gives the outbound part.
"""
from __future__ import annotations

import asyncio
import bisect
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np
from aiohttp import web

from attune.voice.bench.latency import PersonDriver, Run, place_caller_audio, place_person_audio, register_door
from attune.voice.doors.wav import Timeline
from attune.voice.bench.caller import RATE as CLIENT_RATE

AUDIBLE_RMS = 30.0  # int16 RMS of a received 20 ms frame that counts as reply audio (≈ -61 dBFS)


class _Server:
    """One in-process ``attune serve`` app shared by every benchmarked call of this process."""

    def __init__(self) -> None:
        self.runner: web.AppRunner | None = None
        self.app: web.Application | None = None
        self.url = ""
        self.users = 0
        self.callers: _Callers | None = None
        self.lock = asyncio.Lock()

    async def acquire(self, settings: Any, engine: Any, models: Any) -> "_Server":
        async with self.lock:
            if self.runner is None:
                from attune.dialogue.settings import ServerLimits
                from attune.web.app import create_app, make_runner
                from attune.web.media import roomy_default_executor

                roomy_default_executor(64)

                def factory(call):
                    return _bench_loop(settings, engine, call, models)

                s = settings.model_copy() if hasattr(settings, "model_copy") else settings
                s.max_calls = max(settings.max_calls, 64)
                # one machine plays every caller: loopback candidates, and limits sized for the bench
                limits = ServerLimits.from_settings(
                    s, allow_private_candidates=True, max_pending_offers_per_ip=64, offer_rate_per_min=6000,
                    offer_burst=128, api_rate_per_min=60000, api_burst=2000, max_connections_per_ip=1024)
                self.app = create_app(s, engine=engine, loop_factory=factory, limits=limits)
                self.runner = make_runner(self.app, access_log=None, handle_signals=False)
                await self.runner.setup()
                site = web.TCPSite(self.runner, "127.0.0.1", 0)
                await site.start()
                port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
                self.url = f"http://127.0.0.1:{port}"
                self.callers = _Callers()
            self.users += 1
            return self

    async def release(self) -> None:
        async with self.lock:
            self.users -= 1
            if self.users == 0 and self.runner is not None:
                await asyncio.to_thread(self.callers.close)
                await self.runner.cleanup()
                self.runner = None
                self.app = None

    def call(self, call_id: str):
        from attune.web.app import CALLS_KEY

        return self.app[CALLS_KEY].calls.get(call_id) if self.app is not None else None  # type: ignore[index]


_SERVERS: dict[int, _Server] = {}


def _bench_loop(settings, engine, call, models):
    """The browser door's real loop (as ``web.app.default_loop_factory``), plus an event tap."""
    from attune.web.door import build_browser_loop

    call.bench_events = []

    def on_event(ev: dict) -> None:
        call.bench_events.append(ev)
        call.emit(ev)

    door = build_browser_loop(settings, engine, call, on_event=on_event, models=models)
    call.voice_loop = door.loop
    return door


# ---------------------------------------------------------------------------------- callers

class _Callers:
    """The parent's handle on the callers' process (shared by every benchmarked call)."""

    def __init__(self) -> None:
        # a fresh interpreter (not a fork of this one, full of model threads), joined by a socketpair
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", f"from attune.voice.bench.caller import caller_process_fd; caller_process_fd({theirs.fileno()})"],
            pass_fds=[theirs.fileno()], cwd=str(Path(__file__).resolve().parents[2]))
        theirs.close()
        self.conn = Connection(ours.detach())
        self.loop = asyncio.get_running_loop()
        self._futures: dict[int, asyncio.Future] = {}
        self._next = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                status, key, value = self.conn.recv()
            except (EOFError, OSError):
                return
            fut = self._futures.pop(key, None)
            if fut is not None:
                self.loop.call_soon_threadsafe(_settle, fut, status, value)

    def new_key(self) -> int:
        self._next += 1
        return self._next

    async def request(self, op: str, key: int, *args: Any, timeout: float = 90) -> Any:
        fut = self.loop.create_future()
        self._futures[key] = fut
        self.conn.send((op, key, *args))
        return await asyncio.wait_for(fut, timeout)

    def feed(self, key: int, pcm16k: bytes) -> None:
        self.conn.send(("feed", key, pcm16k))

    def close(self) -> None:
        try:
            self.conn.send(("quit", None))
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _settle(fut: asyncio.Future, status: str, value: Any) -> None:
    if fut.done():
        return
    if status == "ok":
        fut.set_result(value)
    else:
        fut.set_exception(RuntimeError(value))


class _RemoteMic:
    """What ``PersonDriver`` pushes into (16 kHz float chunks) → that caller's microphone."""

    def __init__(self, callers: _Callers, key: int) -> None:
        self.callers, self.key = callers, key

    def push_pcm(self, chunk: np.ndarray) -> None:
        a = np.asarray(chunk)
        pcm = a.astype(np.int16) if a.dtype == np.int16 else (np.clip(a, -1, 1) * 32767).astype(np.int16)
        self.callers.feed(self.key, pcm.tobytes())


# ---------------------------------------------------------------------------------- runner

class _StartsNow:
    """The voice loop as the driver sees it, except that the driver's microphone clock starts now.

    ``PersonDriver`` paces its audio from ``vl.t0``; the loop started (and greeted) a moment before
    the caller was ready, and pushing that moment's silence in one burst would leave the caller's
    microphone permanently behind. Turn times are re-timed from what the caller actually sent."""

    def __init__(self, vl: Any) -> None:
        self._vl = vl
        self.t0 = time.monotonic()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._vl, name)


async def run_browser(settings: Any, turns: list, *, engine: Any, user_id: str, models: Any = None,
                      turn_options: Any = None) -> Run:
    """The ``browser`` door runner for ``voice.bench`` (see module docstring)."""
    run = Run(turns=turns, timeline=Timeline(rate=CLIENT_RATE))
    driver = PersonDriver(turns)
    server = await _SERVERS.setdefault(id(engine), _Server()).acquire(settings, engine, models)
    callers = server.callers
    key = callers.new_key()
    t_start = time.monotonic()
    try:
        call_id = await callers.request("connect", key, server.url)
        deadline = time.monotonic() + 60
        call = server.call(call_id)
        while (call is None or getattr(call, "voice_loop", None) is None
               or call.voice_loop.t0 is None) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
            call = call or server.call(call_id)
        if call is None or getattr(call, "voice_loop", None) is None:
            raise RuntimeError("the browser call's voice loop did not start")
        vl = call.voice_loop
        run.events = driver.events = call.bench_events
        await driver.run(_StartsNow(vl), _RemoteMic(callers, key))
        t0 = vl.t0
        result = await callers.request("finish", key)
        _to_door_times(run, result, t0)
    except Exception as e:
        run.error = f"{type(e).__name__}: {e}"
        raise
    finally:
        run.wall_s = time.monotonic() - t_start
        await server.release()
    return run


def _to_door_times(run: Run, caller: dict[str, Any], t0: float) -> None:
    """Re-time the run where the person is: speech by when it was sent, replies by when they arrived."""
    sent_idx, sent_t = caller["log_index"], caller["log_time"]

    def sent_at(t_pushed: float | None) -> float | None:
        if t_pushed is None:
            return None
        i = bisect.bisect_left(sent_idx, int(round(t_pushed * CLIENT_RATE)))
        if i >= len(sent_idx):  # never sent before the hang-up (an overloaded machine): keep the push time
            return t_pushed
        return sent_t[i] - t0

    place_person_audio(run, sent_at)

    times = [at - t0 for at, level in zip(caller["times"], caller["rms"]) if level >= AUDIBLE_RMS]
    delays = place_caller_audio(run, times, CLIENT_RATE // 50)
    print(f"browser door: reply start → audible at the caller p50 "
          f"{delays[len(delays) // 2] * 1000:.0f} ms" if delays else "browser door: no reply heard",
          f"(n={len(delays)}); caller's microphone backlog max {caller['max_backlog'] / CLIENT_RATE * 1000:.0f} ms",
          file=sys.stderr)


register_door("browser", run_browser)

__all__ = ["run_browser"]
