"""Every reach into a dependency's private internals, in one place, each with a check.

Attune owns turn-taking and media pacing more tightly than livekit-agents' and aiortc's public
APIs allow, so a few calls go through private attributes. A version bump may move them; then
:func:`missing` names what no longer resolves and ``tests/unit/test_internals.py`` fails loudly
instead of the feature silently degrading. Nothing outside this module touches a private name.

* ``stt_flush`` — ask the STT for its final transcript *without* committing the user turn. The
  public ``AgentSession.commit_user_turn()`` flushes and commits in one step; Attune needs the
  final ~0.3 s before it decides the turn is over (the early final), so the flush stays.
* ``recognize_stream`` — the live STT stream, for the WAV door's decode records (benchmarks).
* ``current_speech_id`` — which reply the TTS node is rendering (livekit's context variable).
* ``audio_level_patch`` — aiortc computes RFC 6465 audio levels with a Python per-sample loop
  (~1.5 % of a core per call); Attune swaps in a numpy version with the same result.
* ``set_jitter_prefetch`` — aiortc keeps its jitter buffer private and prefetches 4 packets
  (80 ms); the server feeds speech recognition, not a loudspeaker, so 1 is enough.
* ``default_executor_workers`` — the event loop's default pool size (asyncio keeps it private).
* The phone door's aiosipua/aiortp adaptations: aiosipua's ``Dialog.create_response`` omits
  Record-Route (RFC 3261 §12.1.1), its UDP protocol asserts on Python 3.11's transport, a
  retransmitted request must get the same answer again, and aiortp keeps the allocated RTP port private.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import inspect
import logging
from typing import Any, Callable

_log = logging.getLogger("attune.sip")

_JITTER = "_RTCRtpReceiver__jitter_buffer"
_KIND = "_RTCRtpReceiver__kind"


def stt_flush(session: Any) -> bool:
    """Flush the session's STT stream (final transcript of the audio so far); False if none."""
    act = session._activity
    rec = act._audio_recognition if act is not None else None
    pipe = rec._stt_pipeline if rec is not None else None
    return bool(pipe.flush()) if pipe is not None else False


def recognize_stream(session: Any) -> Any:
    """The session's live STT recognize stream, or None."""
    act = session._activity
    rec = act._audio_recognition if act is not None else None
    pipe = rec._stt_pipeline if rec is not None else None
    return pipe._recognize_stream if pipe is not None else None


def current_speech_id() -> str | None:
    """Id of the SpeechHandle whose task is running (livekit sets a context variable)."""
    from livekit.agents.voice.agent_activity import _SpeechHandleContextVar

    h = _SpeechHandleContextVar.get(None)
    return h.id if h is not None else None


def audio_level_patch(fn: Callable[[Any], int]) -> Callable[[Any], int]:
    """Make aiortc's RTP sender use ``fn`` for audio levels; returns what it replaced."""
    import aiortc.rtp

    old = aiortc.rtp.compute_audio_level_dbov
    aiortc.rtp.compute_audio_level_dbov = fn
    return old


def set_jitter_prefetch(receiver: Any, prefetch: int) -> bool:
    """Give an aiortc audio receiver a jitter buffer that prefetches ``prefetch`` packets."""
    from aiortc.jitterbuffer import JitterBuffer

    old = getattr(receiver, _JITTER)
    if getattr(receiver, _KIND) != "audio":
        return False
    setattr(receiver, _JITTER, JitterBuffer(capacity=old.capacity, prefetch=prefetch))
    return True


def default_executor_workers(loop: asyncio.AbstractEventLoop) -> int:
    """Threads in the loop's default executor (0 before one exists)."""
    pool = loop._default_executor  # type: ignore[attr-defined]
    return int(pool._max_workers) if pool is not None else 0


# ---------------------------------------------------------------------------------------------- aiosipua / aiortp
def _record_routing_dialog_class() -> type:
    """The one seam patched in aiosipua: its ``Dialog.create_response`` omits Record-Route, so
    behind a record-routing proxy the ACK and BYE are lost (RFC 3261 §12.1.1: a UAS copies the
    Record-Route of the INVITE into every 18x/2xx that creates the dialog)."""
    from aiosipua import Dialog

    class _RecordRouteDialog(Dialog):
        def create_response(self, request: Any, status_code: int, reason_phrase: str = "", *,
                            contact: str | None = None) -> Any:
            resp = super().create_response(request, status_code, reason_phrase, contact=contact)
            if request.method == "INVITE" and 100 < status_code < 300:
                for rr in request.headers.get("record-route"):
                    resp.headers.append("Record-Route", rr)
            return resp

    return _RecordRouteDialog


_RR_DIALOG: type | None = None


def use_record_route(call: Any) -> None:
    """Make this call's dialog copy Record-Route into its 18x/2xx (see ``_record_routing_dialog_class``)."""
    global _RR_DIALOG
    if _RR_DIALOG is None:
        _RR_DIALOG = _record_routing_dialog_class()
    call.dialog.__class__ = _RR_DIALOG


def _top_branch(msg: Any) -> str:
    try:
        vias = msg.via
        return (vias[0].branch or "") if vias else ""
    except Exception:
        return ""


def _txn_key(msg: Any, method: str) -> tuple[str, str, str]:
    return (msg.call_id or "", _top_branch(msg), method.upper())


def sip_transport(local_addr: tuple[str, int]) -> Any:
    """UDP transport that remembers the last response it sent per transaction (Call-ID, branch,
    method), so that a retransmitted request gets exactly the same answer again."""
    from aiosipua import UdpSipTransport

    class _RememberingUdp(UdpSipTransport):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self.sent: collections.OrderedDict[tuple[str, str, str], Any] = collections.OrderedDict()

        async def start(self) -> None:
            # aiosipua's protocol asserts isinstance(transport, DatagramTransport), which Python
            # 3.11's selector transport is not (logged as an error at every start): same protocol
            # without the assert
            from aiosipua.transport import _UdpProtocol

            class _Protocol(_UdpProtocol):
                def connection_made(self, transport: Any) -> None:
                    self._owner._udp_transport = transport

            loop = asyncio.get_running_loop()
            self._udp_transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self),
                                                                         local_addr=self.local_addr)

        def send_reply(self, response: Any) -> None:
            try:
                cseq = response.cseq
                if cseq is not None:
                    key = _txn_key(response, cseq.method)
                    self.sent[key] = response
                    self.sent.move_to_end(key)
                    while len(self.sent) > 1024:
                        self.sent.popitem(last=False)
            except Exception:
                _log.debug("could not remember a response", exc_info=True)
            super().send_reply(response)

    return _RememberingUdp(local_addr=local_addr)


def sip_server(transport: Any, **kw: Any) -> Any:
    """aiosipua's server with retransmissions answered again (never a second call) and bad requests answered 400."""
    from aiosipua import SipUAS

    class _DoorUAS(SipUAS):
        def _handle_request(self, request: Any, addr: tuple[str, int]) -> None:
            method = (request.method or "").upper()
            _log.debug("request %s %s from %s:%d", method, request.call_id, addr[0], addr[1])
            if method in ("INVITE", "BYE", "CANCEL"):
                cached = transport.sent.get(_txn_key(request, method))
                if cached is not None:  # a retransmission: the same answer, never a second call
                    _log.debug("retransmitted %s %s: answered again", method, request.call_id)
                    transport.send_reply(cached)
                    return
                if method == "INVITE":
                    existing = self._calls.get(request.call_id or "")
                    if existing is not None and existing.dialog.state.value == "early":
                        # a second INVITE in an early dialog (not a retransmission): RFC 3261 §14.2
                        self._send_error(request, 500, "Server Internal Error", extra_headers={"Retry-After": "1"})
                        return
            try:
                super()._handle_request(request, addr)
            except Exception:
                _log.exception("%s from %s failed", method, addr)
                with contextlib.suppress(Exception):
                    if request.via and method != "ACK":
                        self._send_error(request, 400, "Bad Request")

    return _DoorUAS(transport, **kw)


def rtp_port(session: Any) -> int | None:
    """The local RTP port aiortp allocated for a session."""
    return session._allocated_rtp_port


def sip_error(uas: Any, request: Any, code: int, reason: str) -> None:
    """Answer ``request`` with an error status (aiosipua's server has no public call for it)."""
    uas._send_error(request, code, reason)


def forget_sip_call(uas: Any, call_id: str) -> None:
    """Drop a finished call from aiosipua's call table."""
    uas._calls.pop(call_id, None)


def _assigned(cls: type, name: str) -> bool:
    """Does ``cls.__init__`` still assign ``self.<name>``? (instance attributes exist only at run time)."""
    return f"self.{name}" in inspect.getsource(cls.__init__)


def _has(module: str, name: str) -> bool:
    import importlib

    return hasattr(importlib.import_module(module), name)


def _sip_server_internals() -> bool:
    from aiosipua import SipUAS

    return (callable(getattr(SipUAS, "_handle_request", None)) and callable(getattr(SipUAS, "_send_error", None))
            and _assigned(SipUAS, "_calls"))


def _rtp_port_internal() -> bool:
    from aiortp import base_session

    return "self._allocated_rtp_port" in inspect.getsource(base_session)


def _loop_has_default_executor() -> bool:
    loop = asyncio.new_event_loop()
    try:
        return "_default_executor" in vars(loop)
    finally:
        loop.close()


def missing() -> list[str]:
    """Each private name above that no longer resolves in the installed versions."""
    import aiortc.rtp
    from aiortc.jitterbuffer import JitterBuffer
    from aiortc.rtcrtpreceiver import RTCRtpReceiver
    from livekit.agents.voice import agent_activity, agent_session, audio_recognition

    checks = {
        "livekit AgentSession._activity": _assigned(agent_session.AgentSession, "_activity"),
        "livekit AgentActivity._audio_recognition": _assigned(agent_activity.AgentActivity, "_audio_recognition"),
        "livekit AudioRecognition._stt_pipeline": _assigned(audio_recognition.AudioRecognition, "_stt_pipeline"),
        "livekit _STTPipeline.flush": callable(getattr(getattr(audio_recognition, "_STTPipeline", None), "flush", None)),
        "livekit _STTPipeline._recognize_stream": hasattr(audio_recognition, "_STTPipeline")
        and _assigned(audio_recognition._STTPipeline, "_recognize_stream"),
        "livekit agent_activity._SpeechHandleContextVar": hasattr(agent_activity, "_SpeechHandleContextVar"),
        "aiortc rtp.compute_audio_level_dbov": callable(getattr(aiortc.rtp, "compute_audio_level_dbov", None)),
        "aiortc RTCRtpReceiver.__jitter_buffer": _assigned(RTCRtpReceiver, "__jitter_buffer"),
        "aiortc RTCRtpReceiver.__kind": _assigned(RTCRtpReceiver, "__kind"),
        "aiortc JitterBuffer(capacity, prefetch)": {"capacity", "prefetch"}
        <= set(inspect.signature(JitterBuffer).parameters),
        "asyncio loop._default_executor": _loop_has_default_executor(),
        "aiosipua SipUAS._handle_request/_send_error/_calls": _sip_server_internals(),
        "aiosipua transport._UdpProtocol": _has("aiosipua.transport", "_UdpProtocol"),
        "aiortp RTPSession._allocated_rtp_port": _rtp_port_internal(),
    }
    return [name for name, ok in checks.items() if not ok]
