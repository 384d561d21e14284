"""Defect classes found in issue 7's fourteenth round of held-out clients: a lookout at night with a drop in view met
with "we don't have to stay on that", the place named as the how taken for no answer, "it's late, sorry" and a feared
crash read as suicide, "like i'm a nuisance" about how someone treats them read as a burden, and "i'm not looking to
pick apart my thoughts" routed to thought work."""
from __future__ import annotations

import tempfile

from attune.dialogue import safety
from attune.dialogue.engine import SessionEngine, _screen_told
from attune.dialogue.settings import Settings
from tests.conversation import talk


def test_ordinary_words_that_sounded_like_risk_and_risk_in_new_words():
    for calm in ["hey. um. it's late sorry. i'm jack",
                 "the thought was i'm going to cause a crash and hurt somebody",
                 "when i call he's short with me, like i'm a nuisance. i want to understand what's going on between us",
                 "it's too late for me to apply this year"]:
        assert safety.screen(calm).level == "none", calm
    assert safety.screen("it's too late for me now").level == "concern"
    assert safety.screen("i feel like a nuisance to everyone").level == "concern"
    assert safety.screen("i want to crash my car on purpose").level == "crisis"


def test_the_place_named_is_the_how_and_at_the_edge_is_ready_at_hand():
    assert _screen_told("there's the bridge on the way to my brother's. i slow down there")["method"] is True
    told = _screen_told("the drop's right there. i keep looking at it")
    assert told["method"] is True and told["preparation"] is True


async def test_at_a_lookout_at_night_the_check_goes_on_and_the_edge_is_an_emergency(clock):
    au = SessionEngine.create(Settings(data_dir=tempfile.mkdtemp(), locale="AU"), clock=clock)
    user = "u_round14_jack"
    replies = await talk(au, ["hey. um. it's late sorry. i'm jack", "low. like a one",
                              "i'm parked up at the lookout on the old coast road. been here since about midnight. couldn't "
                              "be at home", "yeah. kind of. i've been sitting here thinking it'd be easier if i just wasn't around",
                              "the drop's right there. i keep looking at it"], clock, user=user)
    said = [r.text for r in replies]
    assert not replies[1].events or replies[1].events[0].type != "safety_check"  # "it's late, sorry" is no alarm
    assert au.state_of(user).name == "Jack"
    assert "stay on that" not in said[3]
    assert "triple zero" in said[-1] and "emergency" in said[-1].lower()
    assert any(w in said[-1].lower() for w in ("step back", "move away", "distance"))
    assert "put what you'd use" not in said[-1]


def test_a_cue_said_as_unwanted_does_not_route_there():
    from attune.dialogue import router
    from attune.protocols.loader import load_library
    mods = load_library().modalities
    scores, _ = router._cue_scores("i'm not looking to pick apart my thoughts, i just want it to be a bit more doable", mods)
    assert scores["cbt"] == 0
    assert router._cue_scores("i can't stop worrying about my thoughts", mods)[0]["cbt"] > 0


def test_names_after_a_regional_greeting_or_before_an_apology():
    from attune.dialogue import text as tx
    assert tx.extract_name("g'day, bree here") == "Bree"
    assert tx.extract_name("femi. sorry, i'm a bit all over the place") == "Femi"
    assert tx.extract_name("tired. sorry") is None
    assert tx.extract_name("sorry. i'm not sure") is None


def test_a_counting_or_washing_ritual_told_in_new_words_is_referred():
    said: list[str] = []
    for line in ["so this is kind of embarrassing. my hands are all cracked and bleeding. it's because i wash them a lot",
                 "like i have to do it in tens. if i lose count i start again. if i don't finish, i get this feeling "
                 "something'll happen to my mom"]:
        flag = safety.screen_scope(line, recent=said)
        said.append(line)
    assert flag is not None and flag.kind == "compulsion"
    assert safety.screen_scope("i wash my hands a lot at work, i'm a nurse") is None


async def test_no_program_thing_means_no_exercise_offers(engine, clock):
    user = "u_round14_joe"
    replies = await talk(engine, ["joe", "two", "we had to put my dog down on saturday. biscuit. fourteen years. i just need "
                                  "to talk about him for a bit, i don't want a whole program thing",
                                  "he used to wait by the door for me", "the house is so quiet now"], clock, user=user)
    assert not any("breathing" in r.text.lower() or "five senses" in r.text.lower() for r in replies[3:])
