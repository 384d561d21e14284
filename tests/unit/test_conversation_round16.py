"""Defect classes found in issue 7's sixteenth round of held-out clients: a mother who read her daughter's diary was
screened herself and given breathing, a non-answer after a false check ("i guess it's my thinking") became a full
crisis, "is there a number or something?" went unanswered, New Zealand had no crisis line, someone else's
prescription was not referred, and "no, no breathing", "i'm dead meat", "will you remember this next time?" raised
checks."""
from __future__ import annotations

import tempfile

from attune.dialogue import safety
from attune.dialogue import text as tx
from attune.dialogue.engine import _HELPLINE_ASK, SessionEngine, _advice_options
from attune.dialogue.interpret import interpret
from attune.dialogue.settings import Settings
from tests.conversation import talk


def test_a_diary_that_says_she_does_not_want_to_be_here_is_someone_else_at_risk():
    told = ("it's my daughter, she's fifteen. her diary was open on the bed and it said she doesn't want to be here "
            "anymore and nobody would even notice")
    assert safety.someone_else_at_risk(told)
    assert safety.someone_else_at_risk("her diary said she wants to be a vet") is None


async def test_a_parent_is_helped_to_help_her_child_not_screened_or_given_breathing(clock):
    uk = SessionEngine.create(Settings(data_dir=tempfile.mkdtemp(), locale="UK"), clock=clock)
    replies = await talk(uk, ["hi, sorry, i'm claire. i'm not really here for me. i'm all over the place, a three",
                              "it's my daughter, she's fifteen. her diary was open on the bed and it said she doesn't want "
                              "to be here anymore and nobody would even notice",
                              "if i ask her straight out, won't that put the idea in her head?",
                              "who do i even ring? is there someone tonight?",
                              "there's paracetamol in the kitchen drawer and my razors in the bathroom"], clock,
                         user="u_round16_claire")
    said = [r.text for r in replies]
    assert not any(e.type == "safety_check" for r in replies for e in r.events)
    assert "9 9 9" in said[2] and "friend" not in said[2]
    assert "idea" in said[3].lower() or "doesn't" in said[3]
    assert "1 1 6" in said[4]
    assert any(w in said[5].lower() for w in ("lock", "out of reach", "move them"))


def test_a_story_after_a_hedge_word_is_not_a_yes_but_a_hedge_still_is():
    for own_thread in ["i guess it's my thinking. i keep running the worst case in my head at like two in the morning",
                       "i need him to look up sometimes. like just, see me",
                       "honestly? if i stopped doing the books at night and did them monday mornings"]:
        assert tx.screener_answer(own_thread) is None, own_thread
    for hedge in ["i guess sometimes", "i'm not sure, it comes and goes at night", "two or three times a week",
                  "i just wouldn't mind much", "i mean... not like, actively? it's more like it's there at night"]:
        assert tx.screener_answer(hedge) is True, hedge


def test_asking_for_a_number_and_naming_the_options_are_heard():
    assert _HELPLINE_ASK.search("is there a number or something?")
    assert not _HELPLINE_ASK.search("which number should i pick, a six or a seven?")
    assert _advice_options("would you reply to him or just leave it") == ("reply to him", "leave it")
    assert _advice_options("should i quit or not?") is None


def test_everyday_words_and_questions_about_attune_raise_no_check():
    for calm in ["no, no breathing. i just need to yell into the void for a sec",
                 "we're killing off the old servers friday night and i'm the one who has to pull the plug. if it goes "
                 "sideways i'm dead meat",
                 "hi, sorry, i'm claire. i'm not really here for me. i'm all over the place, a three"]:
        assert safety.screen(calm).level == "none", calm
    assert safety.screen("i want to pull the plug on myself").level != "none"
    assert interpret("will you remember this next time? or is it gone when i hang up?", "text").ask == "privacy"
    assert interpret("am i just needy?", "text").ask == "normal" or interpret("is that needy?", "text").ask == "normal"


def test_someone_elses_prescription_is_a_medication_referral():
    assert safety.screen_scope("would it be grand if i took one of mam's propranolol before the test?").kind == "medication"


async def test_new_zealand_hears_its_own_lines(clock):
    nz = SessionEngine.create(Settings(data_dir=tempfile.mkdtemp(), locale="NZ"), clock=clock)
    replies = await talk(nz, ["hi i'm sam, a three", "i want to kill myself"], clock, user="u_round16_nz")
    assert "1 7 3 7" in replies[-1].text and "1 1 1" in replies[-1].text


def test_us_a_greeting_a_disclaimer_and_an_age_said_back_right():
    assert tx.second_person("i want help with us", 12) == "you want help with the two of you"
    assert tx.own_words("hi um. so this is kinda dumb but i can't stop thinking about what happened at target") \
        == "I can't stop thinking about what happened at target"
    assert tx.parse_number("seventy-one and starting to show things", 0, 10) is None
    assert tx.parse_number("seventy-one, and a six today", 0, 10) == 6
    assert interpret("do you reckon it's silly at my age, though?", "text").ask == "normal"
