"""``attune bench latency|load --door sip``: the voice-loop benchmark through real SIP calls.

The person of ``voice.bench`` (its ``PersonDriver``, plan and scoring) speaks into Python SIP
callers (aiosipua's UAC side + aiortp) that call this process's own ``attune sip`` door
(:func:`attune.voice.doors.sip.run_sip`, started once per process on free loopback ports and
shared by every benchmarked call) over loopback: SIP INVITE/200/ACK/BYE, G.711 µ-law at 8 kHz
both ways, the door's receive path (aiortp's jitter buffer, ``Resampler`` to 16 kHz), the voice
loop, the door's paced 20 ms sending, and the caller's RTP receive are all in the path.

The caller is a phone: the person's 16 kHz audio is resampled to 8 kHz with the project's
``Resampler``, encoded to µ-law and sent as one RTP packet per 20 ms, when it is "recorded".

Times are taken where the person is (one process, one monotonic clock):
* end of speech = the moment the caller *sent* the packet holding the last speech sample;
* first reply sample = the moment the first audible RTP packet of the reply *arrived* at the
  caller (decoded µ-law RMS ≥ ``AUDIBLE_RMS``).
So the latency includes the whole phone door. The loop's own time of each reply start is kept in
``reply_audio_start`` events as ``t_loop``; a line on stderr per call gives the outbound part.

The caller runs in the same process as the door (unlike the browser bench's callers): a G.711
caller costs little, but ``bench load``'s CPU includes it. For ``bench latency`` a line on stderr
also gives the offline WER of the same Whisper model on the same clips after 8 kHz µ-law (the
audio the door actually received), to compare with the streaming WER.
"""
from __future__ import annotations

import asyncio
import math
import os
import socket
import sys
import time
import uuid
from typing import Any

import numpy as np

from attune.voice.bench.latency import (FRAME_S, PersonDriver, Run, place_caller_audio, place_person_audio,
                                        register_door, wer)
from attune.voice.doors.wav import LOOP_RATE, Timeline

RATE = 8000
SAMPLES = 160
AUDIBLE_RMS = 30.0   # int16 RMS of a received 20 ms frame that counts as reply audio (≈ -61 dBFS)
PT_PCMU = 0
PT_DTMF = 101


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rtp_range(n: int = 400) -> tuple[int, int]:
    """A block of ``n`` ports (even start) whose first ports are free now."""
    import random

    for _ in range(50):
        base = random.randrange(20000, 60000 - n) & ~1
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind(("127.0.0.1", base))
            return base, base + n - 1
        except OSError:
            continue
    return 40000, 40000 + n - 1


class _Server:
    """One in-process ``attune sip`` door shared by every benchmarked call of this process."""

    def __init__(self) -> None:
        self.task: asyncio.Task[int] | None = None
        self.stop: asyncio.Event | None = None
        self.port = 0
        self.users = 0
        self.peak_users = 0
        self.lock = asyncio.Lock()
        self.calls: dict[str, Any] = {}            # Call-ID → the door's call
        self.events: dict[str, list[dict]] = {}    # Call-ID → its loop's events
        self.built: dict[str, asyncio.Event] = {}

    def _observe(self, call: Any, ev: dict) -> None:
        cid = call.call_id
        self.calls[cid] = call
        if ev.get("type") == "loop_built":
            self.built.setdefault(cid, asyncio.Event()).set()
            return
        if "t" not in ev:  # the door's own events (answered, dtmf, call_end): on the loop's clock
            vl = getattr(call, "vl", None)
            if vl is not None and getattr(vl, "t0", None) is not None:
                ev = {**ev, "t": round(time.monotonic() - vl.t0, 3)}
        self.events.setdefault(cid, []).append(ev)

    async def acquire(self, settings: Any, engine: Any, models: Any) -> "_Server":
        from attune.voice.doors.sip import run_sip

        async with self.lock:
            if self.task is None:
                ready, self.stop = asyncio.Event(), asyncio.Event()
                self.port = _free_udp_port()
                self.task = asyncio.create_task(run_sip(
                    settings, engine, host="127.0.0.1", port=self.port, rtp_ports=_rtp_range(),
                    max_calls=64, ready=ready, stop=self.stop, models=models, observer=self._observe))
                waiter = asyncio.create_task(ready.wait())
                await asyncio.wait([waiter, self.task], timeout=300, return_when=asyncio.FIRST_COMPLETED)
                if not ready.is_set():
                    waiter.cancel()
                    rc = self.task.result() if self.task.done() else "timeout"
                    self.task.cancel()
                    self.task = None
                    raise RuntimeError(f"the SIP door did not start: {rc}")
            self.users += 1
            self.peak_users = max(self.peak_users, self.users)
            return self

    async def release(self) -> None:
        async with self.lock:
            self.users -= 1
            if self.users == 0 and self.task is not None:
                self.stop.set()
                try:
                    await asyncio.wait_for(self.task, 60)
                finally:
                    self.task = None


_SERVERS: dict[int, _Server] = {}


# ---------------------------------------------------------------------------------- the caller

def _rtp_session_class() -> type:
    """aiortp's session, noting when each packet arrives and how loud it is (before any buffer)."""
    from aiortp import RTPSession

    class _ListeningSession(RTPSession):
        arrivals: list[tuple[float, float]]

        def _handle_rtp(self, data: bytes, addr: tuple[str, int]) -> None:
            t = time.monotonic()
            try:
                if len(data) > 12 and (data[1] & 0x7F) == PT_PCMU:
                    cc = data[0] & 0x0F
                    payload = data[12 + 4 * cc:]
                    pcm = np.frombuffer(self.codec.decode(payload), np.int16).astype(np.float64)
                    self.arrivals.append((t, float(np.sqrt(np.mean(pcm ** 2))) if len(pcm) else 0.0))
            except Exception:
                pass
            super()._handle_rtp(data, addr)

    return _ListeningSession


class SipCaller:
    """A phone: aiosipua's UAC dials, aiortp sends the person's voice as PCMU and receives Attune's."""

    def __init__(self, server_port: int, from_user: str = "bench") -> None:
        self.server = ("127.0.0.1", server_port)
        self.from_user = from_user
        self.transport: Any = None
        self.uas: Any = None
        self.uac: Any = None
        self.call: Any = None
        self.rtp: Any = None
        self.bye_from_attune = asyncio.Event()
        self._resampler: Any = None
        self._buf = np.zeros(0, np.int16)
        self._ts = 0
        self.sent_n = 0                      # 16 kHz chunks pushed
        self.sent_t: list[float] = []        # time each pushed chunk was sent (its last packet)
        self.max_backlog = 0

    async def dial(self, timeout: float = 60.0) -> str:
        from aiosipua import SipUAC, SipUAS
        from aiosipua.sdp_negotiate import build_sdp
        from aiortp import get_codec

        from attune.voice.audio import Resampler
        from attune.voice.internals import sip_transport

        self.transport = sip_transport(("127.0.0.1", 0))
        self.uac = SipUAC(self.transport)
        self.uas = SipUAS(self.transport, uac=self.uac)
        self.uas.on_bye = lambda call, req: self.bye_from_attune.set()
        await self.uas.start()
        local = ("127.0.0.1", self.transport._udp_transport.get_extra_info("sockname")[1])
        self.transport.local_addr = local
        self.uac.advertised_addr = self.uas.advertised_addr = local
        self.rtp = await _rtp_session_class().create(
            local_addr=("127.0.0.1", 0), remote_addr=("127.0.0.1", 9), payload_type=PT_PCMU,
            codec=get_codec(PT_PCMU), dtmf_payload_type=PT_DTMF, jitter_capacity=16, jitter_prefetch=1,
            skip_audio_gaps=True, symmetric_rtp=False, cname="bench-caller")
        self.rtp.arrivals = []
        rtp_port = self.rtp._rtp_transport._transport.get_extra_info("sockname")[1]
        offer = build_sdp("127.0.0.1", rtp_port, PT_PCMU, "PCMU", dtmf_payload_type=PT_DTMF)
        self.call = self.uac.send_invite(f"sip:{self.from_user}@127.0.0.1:{local[1]}",
                                         f"sip:attune@127.0.0.1:{self.server[1]}", self.server, offer,
                                         user_agent="attune-bench")
        await self.call.wait_answered(timeout)
        addr = self.call.sdp_answer.rtp_address
        self.rtp.update_remote(addr)
        self._resampler = Resampler(RATE)
        self._ts = int.from_bytes(uuid.uuid4().bytes[:4], "big")
        return self.call.call_id

    # PersonDriver's microphone: 20 ms of 16 kHz float audio at a time
    def push_pcm(self, chunk: np.ndarray) -> None:
        a = np.asarray(chunk)
        pcm = a.astype(np.int16) if a.dtype == np.int16 else (np.clip(a, -1, 1) * 32767).astype(np.int16)
        out = self._resampler.pcm(pcm, LOOP_RATE)
        self._buf = np.concatenate([self._buf, out]) if len(out) else self._buf
        while len(self._buf) >= SAMPLES:
            frame, self._buf = self._buf[:SAMPLES], self._buf[SAMPLES:]
            self._ts = (self._ts + SAMPLES) & 0xFFFFFFFF
            self.rtp.send_audio(self.rtp.codec.encode(frame.tobytes()), self._ts)
        self.max_backlog = max(self.max_backlog, len(self._buf))
        self.sent_n += 1
        self.sent_t.append(time.monotonic())

    async def hang_up(self) -> None:
        with_bye = not self.bye_from_attune.is_set()
        if with_bye and self.call is not None:
            try:
                self.call.hangup(self.uac)
            except Exception:
                pass
        await asyncio.sleep(0.3)

    async def close(self) -> None:
        if self.rtp is not None:
            try:
                await self.rtp.close()
            except Exception:
                pass
        if self.uas is not None:
            try:
                await self.uas.stop()
            except Exception:
                pass


# ---------------------------------------------------------------------------------- runner

class _StartsNow:
    """The voice loop as the driver sees it, except that the driver's microphone clock starts now
    (the call was answered and the loop greeted a moment before the caller's microphone opened)."""

    def __init__(self, vl: Any) -> None:
        self._vl = vl
        self.t0 = time.monotonic()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._vl, name)


_OFFLINE_8K: dict[str, tuple[str, str]] = {}


def _offline_wer_8k(models: Any, clips: list) -> float:
    """The same Whisper model on each whole clip after 16 kHz → 8 kHz µ-law → 16 kHz."""
    from aiortp import get_codec

    from attune.voice.audio import resample

    ulaw = get_codec(PT_PCMU)
    pairs = []
    for c in clips:
        if c.id not in _OFFLINE_8K:
            x8 = (np.clip(resample(c.audio, LOOP_RATE, RATE), -1, 1) * 32767).astype(np.int16)
            y8 = np.frombuffer(ulaw.decode(ulaw.encode(x8.tobytes())), np.int16)
            y = resample(y8.astype(np.float32) / 32768.0, RATE, LOOP_RATE)
            segs, _ = models.whisper.transcribe(y, language="en", beam_size=1, without_timestamps=True,
                                                condition_on_previous_text=False, vad_filter=False)
            _OFFLINE_8K[c.id] = (c.text, " ".join(s.text.strip() for s in segs))
        pairs.append(_OFFLINE_8K[c.id])
    return wer(pairs)


async def run_sip_bench(settings: Any, turns: list, *, engine: Any, user_id: str, models: Any = None,
                        turn_options: Any = None) -> Run:
    """The ``sip`` door runner for ``voice.bench`` (see module docstring)."""
    if models is None:
        from attune.voice.speech.models import get_models

        models = await asyncio.to_thread(get_models, settings)
    run = Run(turns=turns, timeline=Timeline(rate=RATE))
    driver = PersonDriver(turns)
    server = await _SERVERS.setdefault(id(engine), _Server()).acquire(settings, engine, models)
    caller = SipCaller(server.port)
    t_start = time.monotonic()
    try:
        call_id = await caller.dial()
        built = server.built.setdefault(call_id, asyncio.Event())
        await asyncio.wait_for(built.wait(), 60)
        call = server.calls[call_id]
        deadline = time.monotonic() + 60
        while call.vl.t0 is None and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if call.vl.t0 is None:
            raise RuntimeError("the SIP call's voice loop did not start")
        vl = call.vl
        run.events = driver.events = server.events.setdefault(call_id, [])
        await driver.run(_StartsNow(vl), caller)
        t0 = vl.t0
        await caller.hang_up()
        for _ in range(100):  # the door saves the session when the call ends
            if any(e.get("type") == "call_end" for e in run.events):
                break
            await asyncio.sleep(0.1)
        _to_door_times(run, caller, t0)
        if server.peak_users == 1:  # bench latency (one call): not in bench load, whose CPU it would skew
            clips = list({c.id: c for t in turns for c in t.clips}.values())
            w8 = await asyncio.to_thread(_offline_wer_8k, models, clips)
            print(f"sip door: offline WER on the same clips at 8 kHz µ-law {w8:.4f} "
                  f"(load {os.getloadavg()[0]:.2f})", file=sys.stderr)
    except Exception as e:
        run.error = f"{type(e).__name__}: {e}"
        raise
    finally:
        run.wall_s = time.monotonic() - t_start
        await caller.close()
        await server.release()
    return run


def _to_door_times(run: Run, caller: SipCaller, t0: float) -> None:
    """Re-time the run where the person is: speech by when it was sent, replies by when they arrived."""
    sent_t = caller.sent_t

    def sent_at(t_pushed: float | None) -> float | None:
        if t_pushed is None:
            return None
        i = max(0, int(math.ceil(t_pushed / FRAME_S - 1e-6)) - 1)
        if i >= len(sent_t):
            return t_pushed
        return sent_t[i] - t0

    place_person_audio(run, sent_at)

    times = [at - t0 for at, level in caller.rtp.arrivals if level >= AUDIBLE_RMS]
    delays = place_caller_audio(run, times, SAMPLES)
    print(f"sip door: reply start → audible at the caller p50 "
          f"{delays[len(delays) // 2] * 1000:.0f} ms" if delays else "sip door: no reply heard",
          f"(n={len(delays)}); RTP packets received {len(caller.rtp.arrivals)}, audible {len(times)}",
          file=sys.stderr)
    # the phone door hangs up (BYE) once the brain has ended the session, so its loop is gone and
    # cannot say "turn_ignored: session ended" for what the person says afterwards, as the other
    # doors' loops do: say it for it, for turns spoken after that BYE, so they are not "unanswered"
    end_t = None
    if any(e.get("type") == "call_end" and e.get("why") == "session ended" for e in run.events):
        end_t = next((e["t"] for e in run.events if e.get("type") in ("session_end", "call_end") and "t" in e), None)
    if end_t is not None:
        for turn in run.turns:
            if turn.speech_end is not None and turn.speech_end >= end_t:
                run.events.append({"type": "turn_ignored", "why": "session ended", "t": turn.speech_end + 0.01,
                                   "synthetic": True})
    ends = [(e.get("type"), round(e.get("t", -1), 1), e.get("why") or e.get("reason"))
            for e in run.events if e.get("type") in ("session_end", "call_end", "turn_ignored", "error")]
    last = max((t.speech_end for t in run.turns if t.speech_end is not None), default=None)
    print(f"sip door: call ended by {'Attune' if caller.bye_from_attune.is_set() else 'the caller'}; "
          f"end events {ends}; last speech ended at {last and round(last, 1)} s", file=sys.stderr)


register_door("sip", run_sip_bench)

__all__ = ["run_sip_bench", "SipCaller"]
