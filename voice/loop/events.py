"""The one event vocabulary the voice loop sends to doors (and a door on to its page or log).

Every event is a flat JSON object ``{"t": seconds, "type": <EventType>, ...fields}``; ``t`` counts
from the start of the conversation. Loop events describe turn-taking and playback; brain events
(``crisis``, ``coping_card``, ``phase``…) come from ``dialogue`` unchanged. ``emit`` refuses a type
that is not listed here, so a door can rely on handling exactly this set.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Any, Callable, get_args

from attune.dialogue.types import BrainEventType


class EventType(StrEnum):
    # the person
    SPEECH_START = "speech_start"              # voice detected (t = its start)
    SPEECH_END = "speech_end"                  # voice stopped (t = its end); speech_s, awaiting
    TRANSCRIPT_PARTIAL = "transcript_partial"  # interim words; text
    TRANSCRIPT_FINAL = "transcript_final"      # final words of a stretch of speech; text
    TURN_END = "turn_end"                      # the turn is committed to the brain; text, silence_s
    TURN_IGNORED = "turn_ignored"              # words after the session ended; text, why
    ECHO_IGNORED = "echo_ignored"              # the microphone heard Attune's own words; text
    BACKCHANNEL = "backchannel"                # "mm-hmm" over the reply: it goes on; text
    BARGE_IN = "barge_in"                      # voice over the reply: playback paused
    BARGE_IN_CONFIRMED = "barge_in_confirmed"  # ...and it was an interruption; why
    # the assistant
    REPLY_TEXT = "reply_text"                  # what is about to be said; text, phase, modality
    REPLY_AUDIO_START = "reply_audio_start"    # first sample of a reply played
    REPLY_AUDIO_END = "reply_audio_end"        # playback finished (the loop listens again)
    INTERRUPTED = "interrupted"                # a reply cut off; heard, position, text
    REPLY_DROPPED = "reply_dropped"            # a reply barely heard, the person's words carried on
    REPLY_CANCELLED = "reply_cancelled"        # a reply not yet heard, cancelled (they went on)
    SESSION_END = "session_end"                # the brain closed the session
    ERROR = "error"                            # where, message (for logs, never shown verbatim)


BRAIN_EVENTS: frozenset[str] = frozenset(get_args(BrainEventType))
ALL_EVENTS: frozenset[str] = frozenset(e.value for e in EventType) | BRAIN_EVENTS

EventSink = Callable[[dict[str, Any]], None]


def make_event(type: str, t: float, **fields: Any) -> dict[str, Any]:
    """One event as the wire object; ``ValueError`` for a type outside the vocabulary."""
    if type not in ALL_EVENTS:
        raise ValueError(f"unknown voice-loop event type {type!r}")
    return {"t": t, "type": str(type), **fields}
