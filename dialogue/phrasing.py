"""The phrasing seam: the engine drafts every line from protocol templates; a Phraser may reword it.

Default is the template itself (deterministic, offline). An OpenAI-compatible LLM phraser
(``dialogue.llm.ModelPhraser``, built by ``dialogue.llm.build_llm``) plugs in behind the same interface; whatever
it returns passes the output guard or the draft is used. Crisis, resource, disclosure and referral lines are never
reworded (``may_reword``).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

from attune.dialogue import guard


@dataclass(frozen=True)
class Draft:
    """A line the engine wants said, with what a rewriter may need to keep it on-step."""

    text: str
    step: str  # e.g. "cbt.evidence_against", "opening.mood", "crisis.acknowledge"
    person_said: str = ""
    may_rephrase: bool = True  # crisis and disclosure lines are said exactly as written
    slots: dict[str, str] = field(default_factory=dict)


NEVER_REWORDED = ("crisis.", "scope.", "session.disclosure")  # step ids whose lines are said exactly as written


def may_reword(draft: Draft) -> bool:
    """Crisis, resource, disclosure and referral lines (and any line the engine marks exact) are never reworded."""
    return draft.may_rephrase and not draft.step.startswith(NEVER_REWORDED)


class Phraser(Protocol):
    async def phrase(self, draft: Draft) -> str: ...


class TemplatePhraser:
    """Says the engine's draft as written."""

    async def phrase(self, draft: Draft) -> str:
        return draft.text


async def speak_line(phraser: Phraser, draft: Draft, timeout_s: float = 2.5) -> tuple[str, str]:
    """Phrase, then guard. Returns (line, source) where source is "template" or "phraser"."""
    if not may_reword(draft) or isinstance(phraser, TemplatePhraser):
        return draft.text, "template"
    try:
        line = (await asyncio.wait_for(phraser.phrase(draft), timeout_s)).strip()
    except Exception:  # a bad, slow or absent phraser never breaks a session
        return draft.text, "template"
    if line and line != draft.text and (await asyncio.to_thread(guard.check_written, line, draft=draft.text)).ok:
        return line, "phraser"
    return draft.text, "template"
