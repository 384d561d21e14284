"""The output guard sits in the spoken path, fails closed, and never blocks the project's own lines."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from attune.dialogue import guard
from attune.dialogue.engine import _guard_kind

ROOT = Path(__file__).resolve().parents[2]
FILL = {"name": "Sam", "feeling": "anxious", "echo": "the exam next week", "situation": "the exam next week",
        "thought": "I will fail", "draft": "I prepared well, and one exam is not my whole life", "card": "your plan",
        "summary": "you looked at the thought about the exam", "recall": "last time you worked on the exam worry",
        "number": "988", "emergency": "911", "minutes": "10", "modality_name": "thought work"}
SKIP = {"id", "choices", "cues", "patterns", "aliases", "end_patterns", "decline_patterns", "slots", "expects", "exercise", "recognise",
        "keywords", "examples", "regex", "match", "number", "url"}


def _lines() -> list[tuple[str, str]]:
    """(step, text) for every spoken string in protocols/*.yaml, placeholders filled."""
    out: list[tuple[str, str]] = []

    def walk(node, step: str) -> None:
        if isinstance(node, str):
            if " " in node.strip():
                out.append((step, re.sub(r"\{(\w+)\}", lambda m: FILL.get(m.group(1), "that"), node)))
        elif isinstance(node, dict):
            for key, value in node.items():
                if str(key) not in SKIP:
                    walk(value, f"{step}.{key}" if step.count(".") < 1 else step)
        elif isinstance(node, list):
            for value in node:
                walk(value, step)

    for path in sorted((ROOT / "protocols").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")), path.stem)
    return out


def test_every_protocol_line_passes_with_the_kind_the_engine_uses():
    lines = _lines()
    assert len(lines) > 300
    blocked = [(step, text, guard.vet(text, fallback="", kind=_guard_kind(step))[1].reason) for step, text in lines
               if not guard.vet(text, fallback="", kind=_guard_kind(step))[1].ok]
    assert not blocked, blocked[:10]


@pytest.mark.parametrize("step,kind", [("crisis.means", "crisis"), ("scope.medication", None),
                                       ("session.reflect_key", "reflection"), ("cbt.balanced_thought", "card"),
                                       ("session.closing_summary", "card"), ("cbt.evidence_for", "reflection")])
def test_line_kinds(step, kind):
    assert _guard_kind(step) == kind


async def test_a_harmful_template_line_is_never_spoken(engine, monkeypatch):
    """A line that would tell the person to hurt themselves is replaced, and the turn records it."""
    from attune.dialogue import engine as engine_mod

    real = engine_mod._Compose.say

    def poisoned(self, options, step, **fields):
        line = real(self, options, step, **fields)
        if step == "session.disclosure":
            self.parts[-1] = ("Kill yourself.", step)
        return line

    monkeypatch.setattr(engine_mod._Compose, "say", poisoned)
    reply = await engine.open("guard-user")
    assert "kill yourself" not in reply.text.lower()
    assert guard.SAFE_LINE in reply.text


async def test_a_dose_change_is_not_reflected_back(engine):
    await engine.open("dose-user")
    for text in ("Sam", "5", "I changed my sertraline from 50 mg to 200 mg last week and I feel awful"):
        reply = await engine.handle("dose-user", text)
    assert "200" not in reply.text and "sertraline" not in reply.text.lower()


async def test_a_dose_change_question_gets_the_medication_referral(engine):
    await engine.open("dose-q")
    for text in ("Sam", "5"):
        await engine.handle("dose-q", text)
    reply = await engine.handle("dose-q", "is 200 mg better than my 50?")
    assert [e.type for e in reply.events] == ["referral"]
    assert "200" not in reply.text
