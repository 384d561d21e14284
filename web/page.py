"""The page protocol: what the browser's call page is sent over the WebRTC data channel.

:func:`page_events` maps each voice-loop event (:mod:`voice.loop.events`) to the page's wire
events; :class:`EventChannel` sends them, buffered until the channel opens.
"""
from __future__ import annotations

import collections
import json
import logging
from typing import Any

from attune.voice.loop.events import BRAIN_EVENTS, EventType

log = logging.getLogger("attune.browser")

_QUIET = frozenset({EventType.SPEECH_START, EventType.SPEECH_END, EventType.TURN_IGNORED, EventType.ECHO_IGNORED,
                    EventType.BARGE_IN_CONFIRMED, EventType.REPLY_DROPPED,
                    EventType.REPLY_CANCELLED, EventType.SESSION_END, "exercise", "feedback", "summary"})
# the person spoke over the reply: the page silences what its jitter buffer still holds at once
# (``hold``), and lets the reply be heard again if it was only "mm-hmm" (``resume``)
_PLAYBACK = {EventType.BARGE_IN: "hold", EventType.BACKCHANNEL: "resume"}
_STATES = {EventType.TURN_END: "thinking", EventType.REPLY_AUDIO_START: "speaking",
           EventType.REPLY_AUDIO_END: "listening", EventType.INTERRUPTED: "listening"}


def page_events(ev: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's wire events (server → page) for one voice-loop event (:mod:`voice.loop.events`).

      ``{"type": "caption", "role": "user"|"assistant", "text": str, "final": bool}``
      ``{"type": "state", "state": "listening"|"thinking"|"speaking"}``   ``{"type": "interrupted"}``
      ``{"type": "phase", "phase": str}``   ``{"type": "modality", "modality": str|None}``
      ``{"type": "crisis", "resources": [{name, number, text}], ...}``   ``{"type": "coping_card", "card", "text"}``
      ``{"type": "referral" | "safety_check" | "safety_plan" | "mood", ...}`` (the brain's, as they are)
      ``{"type": "error", "message": str}``   ``{"type": "hold"}`` / ``{"type": "resume"}`` (playback)
    Other turn-taking internals (speech start/end, cancelled drafts) stay on the server.
    The door itself adds ``call``, ``notice``, ``pong`` and ``ended``."""
    t = ev["type"]
    at = ev.get("t")
    if t in _QUIET:
        return []
    out: list[dict[str, Any]] = []
    if t in (EventType.TRANSCRIPT_PARTIAL, EventType.TRANSCRIPT_FINAL):
        out.append({"type": "caption", "role": "user", "text": ev.get("text", ""),
                    "final": t == EventType.TRANSCRIPT_FINAL, "t": at})
    elif t == EventType.REPLY_TEXT:
        out.append({"type": "caption", "role": "assistant", "text": ev.get("text", ""), "final": True, "t": at})
        out += [{"type": key, key: ev[key], "t": at} for key in ("phase", "modality") if key in ev]
    elif t == EventType.ERROR:
        out.append({"type": "error", "message": "Something went wrong on our side; please say that again.", "t": at})
    elif t == "coping_card":
        card = ev.get("card", {k: v for k, v in ev.items() if k not in ("t", "type")})
        out.append({"type": "coping_card", "card": card, "text": ev.get("text") or card_text(card), "t": at})
    elif t in BRAIN_EVENTS:
        out.append(dict(ev))
    if t in _PLAYBACK:
        out.append({"type": _PLAYBACK[t], "t": at})
    if t == EventType.INTERRUPTED:
        out.append({"type": "interrupted", "t": at})
    if t in _STATES:
        out.append({"type": "state", "state": _STATES[t], "t": at})
    return out


_CARD_SKIP = {"t", "type", "title", "modality", "id"}


def card_text(card: Any) -> str:
    """A coping card as plain text: its title, then one labelled line (or list) per field."""
    if isinstance(card, str):
        return card
    if isinstance(card, dict):
        lines = [str(card["title"])] if card.get("title") else []
        for k, v in card.items():
            if k in _CARD_SKIP or v in (None, "", []):
                continue
            label = k.replace("_", " ").capitalize()
            if isinstance(v, list):
                lines.append(f"{label}:")
                lines.extend(f"  - {x}" for x in v)
            else:
                lines.append(f"{label}: {v}")
        return "\n".join(lines)
    return str(card)


class EventChannel:
    """Send the page's JSON events over an RTCDataChannel; buffered until the channel opens."""

    def __init__(self, max_buffer: int = 500) -> None:
        self._channel = None
        self._pending: collections.deque[str] = collections.deque(maxlen=max_buffer)
        self.sent: list[dict[str, Any]] = []  # kept for tests and the bench (bounded)
        self._max_keep = 2000

    def attach(self, channel) -> None:
        self._channel = channel
        if channel.readyState == "open":
            self._flush()
        else:
            channel.on("open", self._flush)

    def _flush(self) -> None:
        ch = self._channel
        while self._pending and ch is not None and ch.readyState == "open":
            ch.send(self._pending.popleft())

    def send(self, msg: dict[str, Any]) -> None:
        if len(self.sent) < self._max_keep:
            self.sent.append(msg)
        data = json.dumps(msg, default=str, ensure_ascii=False)
        ch = self._channel
        if ch is not None and ch.readyState == "open":
            self._flush()
            try:
                ch.send(data)
            except Exception:
                log.debug("data channel send failed", exc_info=True)
        else:
            self._pending.append(data)

    def loop_event(self, ev: dict[str, Any]) -> None:
        """``on_event`` for the voice loop."""
        for msg in page_events(ev):
            self.send(msg)
