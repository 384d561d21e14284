"""Replay real emotional-support seekers (ESConv, CC BY-NC: measured, not copied) as scripted clients."""
from __future__ import annotations

import collections
import json

from attune.dialogue.engine import ManualClock, SessionEngine
from tests.conftest import shared_data

N_DIALOGUES = 60


def seeker_scripts(n: int) -> list[list[str]]:
    rows = [json.loads(line) for line in shared_data("esconv", "esconv_valid.jsonl").read_text().splitlines()]
    return [[t["text"] for t in r["dialog"] if t["speaker"] == "usr"] for r in rows[:n]]


async def test_esconv_seekers_complete_without_errors_repeats_or_false_crises(settings):
    clock = ManualClock(start=1_700_000_000.0)
    engine = SessionEngine.create(settings, clock=clock)
    repeats, crises, answered, checks, turns = 0, [], [], 0, 0
    for i, script in enumerate(seeker_scripts(N_DIALOGUES)):
        user = f"u_esconv{i:09d}"
        said = collections.Counter([(await engine.open(user)).text])
        for line in script:
            clock.advance(60)
            state = engine.state_of(user)
            asked = state is not None and state.crisis is not None and state.crisis.stage == "check"  # question open
            reply = await engine.handle(user, line)
            turns += 1
            said[reply.text] += 1
            if any(e.type == "crisis" for e in reply.events):
                (answered if asked else crises).append(line)
            checks += any(e.type == "safety_check" for e in reply.events)
            if reply.ended:
                break
        else:
            await engine.hang_up(user)
        repeats += sum(c - 1 for c in said.values() if c > 1)
        assert engine.store.list_sessions(user), "each session is saved"
    engine.store.close()
    print(f"\nesconv replay: {N_DIALOGUES} dialogues, {turns} turns, {repeats} repeated lines, "
          f"{checks} direct safety questions, crisis turns: {crises}, after an answered check: {len(answered)}")
    assert repeats <= N_DIALOGUES * 0.1, f"{repeats} repeated lines"
    # ESConv seekers are role-played everyday problems: the screen may ask directly now and then, but
    # rarely; a crisis it raises on its own must be warranted. A replayed line never answers Attune's
    # question, and any yes or hedge to the direct question counts as yes, so a crisis that follows
    # a check, or the check asked again after a non-answer, measures the replay, not the screen: counted apart.
    assert checks <= turns * 0.012, f"{checks} direct safety questions in {turns} turns"
    assert len(crises) <= 2, crises
