"""Typed values that leave the brain: replies, events and proposed turns."""
from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Phase = Literal["opening", "working", "crisis", "closing", "ended"]
Kind = Literal["answer", "partial", "decline", "dont_know", "question", "correction", "switch", "slow_down",
               "end", "new_topic", "unclear"]
KINDS: tuple[str, ...] = get_args(Kind)  # what a person's turn can be (dialogue.interpret reads it)
BrainEventType = Literal["crisis", "referral", "safety_check", "safety_plan", "modality", "phase", "mood",
                         "coping_card", "summary", "feedback", "exercise"]

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'“‘(A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Split spoken text into sentences so TTS can start on the first one at once."""
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip())]
    return [p for p in parts if p]


class Event(BaseModel):
    """Something the door may show: crisis resources, phase or modality change, a coping card…"""

    model_config = ConfigDict(extra="allow")
    type: BrainEventType


class Reply(BaseModel):
    """What the assistant says this turn, and what happened."""

    text: str
    phase: Phase
    modality: str | None = None
    events: list[Event] = Field(default_factory=list)
    pace: Literal["normal", "slow"] = "normal"
    ended: bool = False

    @property
    def sentences(self) -> list[str]:
        return split_sentences(self.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "role": "assistant",
            "text": self.text,
            "phase": self.phase,
            "modality": self.modality,
            "events": [e.model_dump() for e in self.events],
        }
