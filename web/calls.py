"""Browser calls: one aiortc peer connection + one voice loop per call, and the limits around them.

Lifecycle of a call::

    POST /offer ─▶ CallManager.answer(): reserve a slot, build the peer connection, answer
    (ICE gathering complete, no trickle) ─▶ "connected" ─▶ start the voice loop (greeting)
    ─▶ … ─▶ hang-up (data channel / POST /api/hangup), the session ends, the browser vanishes
    (connection failed/closed, microphone silent for ``media_timeout_s``) or the time cap
    ─▶ Call.close(): stop the loop, ``engine.hang_up`` (saves the session up to the last turn),
    close the peer connection, free the slot.
"""
from __future__ import annotations

import asyncio
import contextlib
import inspect
import ipaddress
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Protocol

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole

from attune.voice.loop.events import EventType
from attune.web.media import BROWSER_INPUT_RATE, InboundAudio, OutboundAudioTrack, low_latency_receiver, speed_up_aiortc
from attune.web.page import EventChannel

log = logging.getLogger("attune.web.calls")

MAX_SDP_BYTES = 64 * 1024


class CallLimitReached(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many calls")
        self.retry_after = retry_after


class BadOffer(ValueError):
    """The SDP offer is malformed or unusable."""


class TooManyPending(Exception):
    """This address already holds its share of answered-but-unconnected offers."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many unconnected offers from this address")
        self.retry_after = retry_after


@dataclass
class IcePolicy:
    """Which remote ICE candidates the server may send STUN checks to."""
    max_remote_candidates: int = 10
    allow_private_candidates: bool = False
    max_pending_offers_per_ip: int = 2


class LoopLike(Protocol):
    async def start(self) -> None: ...
    async def aclose(self) -> None: ...


LoopFactory = Callable[["Call"], Awaitable[LoopLike] | LoopLike]
"""Builds the voice loop of a call once it is connected; see :func:`web.app.default_loop_factory`."""


@dataclass
class CallTimeouts:
    connect_s: float = 10.0         # offer answered → ICE/DTLS connected (else the line is freed)
    media_timeout_s: float = 10.0   # no microphone packets for this long → the browser is gone
    gather_s: float = 10.0          # ICE gathering for the answer
    close_s: float = 8.0            # loop shutdown + save


class Call:
    def __init__(self, manager: "CallManager", user_id: str, remote_ip: str | None = None) -> None:
        self.manager = manager
        self.id = secrets.token_urlsafe(12)
        self.user_id = user_id
        self.remote_ip = remote_ip
        self.created_at = time.time()
        self.connected_at: float | None = None
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.events = EventChannel()
        self.track = OutboundAudioTrack(prebuffer_ms=40, on_audio_start=self._on_audio_start)
        self.inbound: InboundAudio | None = None
        self.input_sink: Callable[[Any, int], None] | None = None   # set by the loop factory
        self.input_rate = BROWSER_INPUT_RATE
        self.loop: LoopLike | None = None
        self.ended_reason: str | None = None
        self.closed = asyncio.Event()
        self.audio_starts: list[float] = []     # monotonic times the assistant's voice began at the door
        self._closing: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._blackholes: list[MediaBlackhole] = []
        self._session_over = False

    # -- helpers used by loop factories ---------------------------------------------------------
    def emit(self, ev: dict[str, Any]) -> None:
        """``on_event`` for the voice loop: forward to the page, watch for the end of the session."""
        if "t" not in ev:
            ev = {**ev, "t": time.time()}
        self.events.loop_event(ev)
        t = ev.get("type")
        if t == EventType.SESSION_END or (t == "phase" and ev.get("phase") == "ended"):
            if not self._session_over:
                self._session_over = True
                self._spawn(self._close_after_goodbye())

    def _on_audio_start(self, at: float) -> None:
        self.audio_starts.append(at)

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- wiring ---------------------------------------------------------------------------------
    def _wire(self) -> None:
        pc = self.pc

        @pc.on("datachannel")
        def _on_channel(channel) -> None:
            if channel.label != "events" or self.events._channel is not None:
                return
            self.events.attach(channel)

            @channel.on("message")
            def _on_message(message) -> None:
                self._on_client_message(message)

        @pc.on("track")
        def _on_track(track) -> None:
            if track.kind == "audio" and self.inbound is None:
                self.inbound = InboundAudio(track, self._push_audio, rate=self.input_rate).start()
            else:  # never leave a track undrained
                hole = MediaBlackhole()
                hole.addTrack(track)
                self._blackholes.append(hole)
                self._spawn(hole.start())

        @pc.on("connectionstatechange")
        async def _on_state() -> None:
            state = pc.connectionState
            log.info("call %s: connection %s", self.id, state)
            if state == "connected" and self.connected_at is None:
                self.connected_at = time.time()
                self._spawn(self._on_connected())
            elif state in ("failed", "closed"):
                self.close_soon("disconnected" if state == "closed" else "connection failed")

    def _push_audio(self, pcm, rate: int) -> None:
        sink = self.input_sink
        if sink is not None:
            sink(pcm, rate)

    def _on_client_message(self, message: Any) -> None:
        if not isinstance(message, str) or len(message) > 4096:
            return
        try:
            msg = json.loads(message)
        except ValueError:
            return
        if not isinstance(msg, dict):
            return
        kind = msg.get("type")
        if kind == "hangup":
            self.close_soon("hung up")
        elif kind == "ping":
            self.events.send({"type": "pong", "t": time.time()})

    async def _on_connected(self) -> None:
        self.events.send({"type": "call", "state": "connected", "call_id": self.id, "t": time.time()})
        try:
            loop = self.manager.loop_factory(self)
            if inspect.isawaitable(loop):
                loop = await loop
            self.loop = loop
            if self.closed.is_set() or self._closing is not None:
                await loop.aclose()
                return
            await loop.start()
        except Exception:
            log.exception("call %s: the voice loop did not start", self.id)
            self.events.send({"type": "error", "message": "The voice service could not start. Please try again."})
            self.close_soon("voice loop failed")
            return
        self._spawn(self._watch_media())

    async def _watch_media(self) -> None:
        """A browser that vanishes without a goodbye stops sending microphone packets."""
        timeouts = self.manager.timeouts
        cap_s = max(60.0, float(getattr(self.manager.settings, "session_minutes", 20.0)) * 60 * 1.5)
        started = time.monotonic()
        while not self.closed.is_set():
            await asyncio.sleep(1.0)
            now = time.monotonic()
            last = self.inbound.last_frame_at if self.inbound is not None else None
            if now - (last or started) > timeouts.media_timeout_s:
                self.close_soon("microphone stream lost" if last else "no microphone stream")
                return
            if now - started > cap_s:
                self.events.send({"type": "notice", "text": "This call reached its time limit."})
                self.close_soon("time limit")
                return

    async def _close_after_goodbye(self) -> None:
        """The session is over: let the goodbye play out, then hang up."""
        deadline = time.monotonic() + 30
        await asyncio.sleep(0.5)
        idle_since = None
        while time.monotonic() < deadline:
            loop_idle = getattr(self.loop, "idle", None)
            idle = self.track.queued_seconds == 0 and (not callable(loop_idle) or loop_idle())
            if idle:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since > 1.5:
                    break
            else:
                idle_since = None
            await asyncio.sleep(0.2)
        self.close_soon("session complete")

    async def _connect_deadline(self) -> None:
        await asyncio.sleep(self.manager.timeouts.connect_s)
        if self.connected_at is None:
            self.close_soon("could not connect")

    # -- shutdown -------------------------------------------------------------------------------
    def close_soon(self, reason: str) -> asyncio.Task:
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close(reason))
        return self._closing

    async def close(self, reason: str = "closed") -> None:
        await asyncio.shield(self.close_soon(reason))

    async def _close(self, reason: str) -> None:
        self.ended_reason = reason
        log.info("call %s: closing (%s)", self.id, reason)
        timeouts = self.manager.timeouts
        try:
            with contextlib.suppress(Exception):
                self.events.send({"type": "ended", "reason": reason, "t": time.time()})
            self.input_sink = None
            self.track.clear()
            if self.loop is not None:
                try:
                    await asyncio.wait_for(self.loop.aclose(), timeouts.close_s)
                except Exception:
                    log.exception("call %s: voice loop close failed", self.id)
            if self.connected_at is not None and not getattr(self.loop, "hangs_up", False):
                try:  # save the session as it is (up to the last committed turn)
                    await asyncio.wait_for(self.manager.engine.hang_up(self.user_id), timeouts.close_s)
                except Exception:
                    log.exception("call %s: hang_up failed", self.id)
            if self.inbound is not None:
                await self.inbound.aclose()
            for hole in self._blackholes:
                with contextlib.suppress(Exception):
                    await hole.stop()
            await asyncio.sleep(0.05)  # let the "ended" event leave
        finally:
            self.track.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.pc.close(), 5)
            current = asyncio.current_task()
            for task in list(self._tasks):
                if task is not current:
                    task.cancel()
            self.manager._forget(self)
            self.closed.set()


class CallManager:
    """Active calls, the concurrent-call limit, and the one-call-per-person rule."""

    def __init__(self, settings, engine, loop_factory: LoopFactory, *,
                 timeouts: CallTimeouts | None = None, ice: IcePolicy | None = None) -> None:
        speed_up_aiortc()
        self.settings = settings
        self.engine = engine
        self.loop_factory = loop_factory
        self.timeouts = timeouts or CallTimeouts()
        self.ice = ice or IcePolicy()
        self.calls: dict[str, Call] = {}
        self._pending = 0
        self._pending_by_ip: dict[str, int] = {}
        self._user_locks: dict[str, asyncio.Lock] = {}

    @property
    def max_calls(self) -> int:
        return self.settings.max_calls

    @property
    def active(self) -> int:
        return len(self.calls) + self._pending

    def call_of(self, user_id: str) -> Call | None:
        for call in self.calls.values():
            if call.user_id == user_id:
                return call
        return None

    def unconnected_from(self, ip: str | None) -> int:
        """Offers from ``ip`` being answered or answered but not (yet) connected."""
        if ip is None:
            return 0
        return self._pending_by_ip.get(ip, 0) + sum(
            1 for c in self.calls.values() if c.remote_ip == ip and c.connected_at is None)

    async def answer(self, user_id: str, offer_sdp: str, *, ip: str | None = None) -> tuple[Call, str]:
        """Answer a browser's SDP offer; raises :class:`CallLimitReached`, :class:`TooManyPending`
        or :class:`BadOffer`."""
        offer_sdp = check_offer(offer_sdp, self.ice)
        if self.unconnected_from(ip) >= self.ice.max_pending_offers_per_ip:
            previous = self.call_of(user_id)
            if previous is None or previous.remote_ip != ip or previous.connected_at is not None:
                raise TooManyPending(retry_after=max(1, int(self.timeouts.connect_s + 0.999)))
        lock = self._user_locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            previous = self.call_of(user_id)
            if previous is not None:  # same person, new tab or reload: the old call ends (and is saved)
                await previous.close("replaced by a new call")
            if self.active >= self.max_calls:
                raise CallLimitReached(retry_after=30)
            if self.unconnected_from(ip) >= self.ice.max_pending_offers_per_ip:
                raise TooManyPending(retry_after=max(1, int(self.timeouts.connect_s + 0.999)))
            self._pending += 1
            if ip is not None:
                self._pending_by_ip[ip] = self._pending_by_ip.get(ip, 0) + 1
            call = None
            try:
                call = Call(self, user_id, ip)
                call._wire()
                try:
                    await call.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
                except Exception as exc:
                    raise BadOffer(f"could not use the offer: {exc}") from None
                if not any(t.kind == "audio" for t in call.pc.getTransceivers()):
                    raise BadOffer("the offer has no audio")
                for t in call.pc.getTransceivers():
                    if t.kind == "audio":
                        low_latency_receiver(t.receiver)
                call.pc.addTrack(call.track)
                answer = await call.pc.createAnswer()
                await asyncio.wait_for(call.pc.setLocalDescription(answer), self.timeouts.gather_s)
                self.calls[call.id] = call
            except BaseException:
                if call is not None:
                    with contextlib.suppress(Exception):
                        call.track.stop()
                        await call.pc.close()
                raise
            finally:
                self._pending -= 1
                if ip is not None:
                    left = self._pending_by_ip.get(ip, 1) - 1
                    if left > 0:
                        self._pending_by_ip[ip] = left
                    else:
                        self._pending_by_ip.pop(ip, None)
            call._spawn(call._connect_deadline())
            return call, call.pc.localDescription.sdp

    def _forget(self, call: Call) -> None:
        if self.calls.get(call.id) is call:
            del self.calls[call.id]
        if call.user_id in self._user_locks and self.call_of(call.user_id) is None:
            lock = self._user_locks[call.user_id]
            if not lock.locked():
                del self._user_locks[call.user_id]

    async def close_all(self, reason: str = "server shutting down") -> None:
        calls = list(self.calls.values())
        await asyncio.gather(*(c.close(reason) for c in calls), return_exceptions=True)


STRONG_FINGERPRINTS = {"sha-256": 32, "sha-384": 48, "sha-512": 64}
_FP_VALUE = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*$")


def _candidate_allowed(line: str, ice: IcePolicy) -> bool:
    """``a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …``"""
    parts = line.split()
    if len(parts) < 8 or parts[6] != "typ":
        return False
    transport, address, port = parts[2].lower(), parts[4], parts[5]
    if transport != "udp" or not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a host name: mDNS (.local) names resolve on the server's own network
        return ice.allow_private_candidates and address.lower().endswith(".local")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved or (
            isinstance(ip, ipaddress.IPv4Address) and ip == ipaddress.IPv4Address("255.255.255.255")):
        return False
    if ip.is_global:
        return True
    return ice.allow_private_candidates  # loopback, link-local, private, shared (CGNAT), documentation


def check_offer(sdp: Any, ice: IcePolicy | None = None) -> str:
    """Validate an SDP offer and return the version the server may use: it must carry a sha-256 (or
    stronger) DTLS fingerprint (weaker ones are removed), and at most ``max_remote_candidates``
    remote candidates survive — only public UDP ones unless ``allow_private_candidates``."""
    ice = ice or IcePolicy()
    if not isinstance(sdp, str) or not sdp.strip():
        raise BadOffer("sdp must be a non-empty string")
    if len(sdp.encode("utf-8", "replace")) > MAX_SDP_BYTES:
        raise BadOffer("sdp too large")
    if not sdp.lstrip().startswith("v=0"):
        raise BadOffer("sdp must start with v=0")
    if "\x00" in sdp:
        raise BadOffer("sdp contains NUL")
    lines = sdp.splitlines()  # exactly how aiortc splits it: no candidate can hide behind a lone \r or \x1d
    if not any(line.startswith("m=audio ") for line in lines):
        raise BadOffer("the offer has no audio")
    out: list[str] = []
    strong = 0
    kept = 0
    dropped = 0
    for line in lines:
        if line.startswith("a=fingerprint:"):
            algo, _, value = line[len("a=fingerprint:"):].strip().partition(" ")
            size = STRONG_FINGERPRINTS.get(algo.lower())
            if size is None:
                continue  # md5, sha-1, sha-224, unknown: never used to verify the peer
            value = value.strip()
            if not _FP_VALUE.match(value) or len(value.split(":")) != size:
                raise BadOffer(f"malformed {algo} DTLS fingerprint")
            strong += 1
        elif line.startswith("a=candidate:"):
            if kept >= ice.max_remote_candidates or not _candidate_allowed(line, ice):
                dropped += 1
                continue
            kept += 1
        out.append(line)
    if not strong:
        raise BadOffer("the offer needs a sha-256 (or stronger) DTLS fingerprint")
    if dropped:  # keep listening: the browser's own checks still arrive (peer-reflexive candidates)
        out = [line for line in out if line != "a=end-of-candidates"]
    return "\r\n".join(out) + "\r\n"
