"""The output guard and the phrasing seam: a bad, slow or failing phraser never reaches a person."""
from __future__ import annotations

import asyncio

import pytest

from dialogue import guard
from dialogue.engine import SessionEngine
from dialogue.phrasing import Draft, speak_line

DRAFT = Draft(text="That sounds heavy. What went through your mind right then?", step="cbt.automatic_thought")


class Scripted:
    def __init__(self, line: str | None = None, delay: float = 0.0, fail: bool = False) -> None:
        self.line, self.delay, self.fail, self.calls = line, delay, fail, 0

    async def phrase(self, draft: Draft) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("endpoint down")
        return self.line if self.line is not None else draft.text


@pytest.mark.parametrize("bad", [
    "Take 40 mg more of your medication tonight. What went through your mind?",
    "You should leave him. What went through your mind?",
    "You have depression. What went through your mind?",
    "The most painless method is one you can look up. What went through your mind?",
    "**Sure!** Here is a list: 1. thought 2. feeling?",
    "I'm a licensed therapist, so trust me. What went through your mind?",
    "That sounds heavy.",  # dropped the step's question
    "What happened? And how did it feel? And what did you think?",
    "Okay. " * 40 + "What went through your mind?",
    "",
])
async def test_bad_rewrites_fall_back_to_the_template(bad):
    line, source = await speak_line(Scripted(bad), DRAFT)
    assert (line, source) == (DRAFT.text, "template")
    assert not guard.check(bad, draft=DRAFT.text).ok


async def test_a_good_rewrite_is_used():
    good = "That sounds really heavy. In that moment, what thought went through your mind?"
    assert await speak_line(Scripted(good), DRAFT) == (good, "phraser")


async def test_slow_or_failing_phraser_falls_back_quickly():
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert (await speak_line(Scripted("x?", delay=5), DRAFT, timeout_s=0.2))[1] == "template"
    assert loop.time() - start < 1.0
    assert (await speak_line(Scripted(fail=True), DRAFT))[1] == "template"


async def test_crisis_lines_are_never_reworded(settings, clock):
    phraser = Scripted("Rewritten line?")
    engine = SessionEngine.create(settings, clock=clock, phraser=phraser)
    await engine.open("u_guard")
    await engine.handle("u_guard", "Sam")
    reply = await engine.handle("u_guard", "I want to kill myself")
    assert "Rewritten" not in reply.text
    assert any(e.type == "crisis" for e in reply.events)
    engine.store.close()
