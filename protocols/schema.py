"""Pydantic models for the clinical protocols. A YAML file that does not fit fails at load.

Templates are Python ``str.format`` strings. Placeholders must name a slot of the same protocol or
one of ``COMMON_FIELDS``; a typo fails at load, not in front of a person.
"""
from __future__ import annotations

import re
import string
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

COMMON_FIELDS = frozenset(
    {
        "name",  # what the person asked to be called ("" when unknown)
        "echo",  # the person's last words, reflected (I -> you)
        "feeling",  # the emotion word found in their last words
        "recall",  # one-sentence recall of the previous session
        "modality_name",
        "modality_list",
        "distortion_name",
        "distortion_explanation",
        "draft",  # adaptive-thought draft built from their evidence
        "card",  # the artefact read back as one sentence
        "summary",
        "minutes_left",
        "resources",  # crisis or referral resources, spoken
        "emergency",  # the locale's emergency number
        "danger",  # a domestic abuse line for the locale, spoken ("" where none is configured)
        "youth",  # a line for young people in the locale, spoken ("" where none is configured)
        "them",  # someone else at risk, as spoken of: "her", "him" or "them"
        "they",  # the same as a subject: "she", "he" or "they"
        "step_question",  # the question that was pending, asked again
        "key",  # a short key phrase of the person's last words, turned to the second person
    }
)

Variants = list[str]
StepKind = Literal[
    "text",  # free words fill the slot
    "number",  # a number in [min, max]
    "yesno",
    "choice",  # one of `choices` (or decline)
    "statement",  # said, no answer needed to move on (exercise, grounding)
    "distortion",  # CBT: offer the likeliest pattern and ask whether it fits
    "adaptive_thought",  # CBT: draft from their evidence; check true and useful
    "artefact",  # read back the modality's card; saves it
]


Expect = Literal["name", "mood", "rating", "yesno", "feeling", "situation", "thought", "evidence", "action",
                 "topic", "text", "choice", "body", "none"]
_EXPECT_OF_KIND = {"number": "rating", "yesno": "yesno", "choice": "choice", "statement": "none", "artefact": "none",
                   "distortion": "yesno", "adaptive_thought": "yesno", "text": "text"}


def placeholders(template: str) -> set[str]:
    """Names used in a format template (``{name}`` → ``name``)."""
    try:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}
    except ValueError as exc:  # unbalanced braces
        raise ValueError(f"bad template {template!r}: {exc}") from None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cue(_Strict):
    """A phrase (regular expression, matched on lowercased words) that points somewhere."""

    pattern: str
    weight: float = 1.0

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"pattern {v!r} is not a valid regular expression: {exc}") from None
        return v


class Step(_Strict):
    id: str
    slot: str | None = None
    kind: StepKind = "text"
    prompts: Variants = Field(min_length=2, description="Several variants so lines are not repeated.")
    reprompts: Variants = Field(default_factory=list, description="When the answer did not fill the slot.")
    min: int | None = None
    max: int | None = None
    choices: dict[str, list[str]] = Field(default_factory=dict, description="choice id -> cue patterns")
    optional: bool = False
    skip_when_short_of_time: bool = False
    pace: Literal["normal", "slow"] = "normal"
    when: dict[str, str] = Field(default_factory=dict, description="Run only if these slots hold these values (e.g. a chosen exercise).")
    expects: Expect | None = Field(default=None, description="What an answer to this step looks like; inferred from kind when unset.")
    exercise: str | None = Field(default=None, description="An exercise tag (breathing, grounding...): once refused, never run or offered again this session.")
    at_bottom: Variants = Field(
        default_factory=list, description="Prompts used instead when the number step just before was answered with its "
                                          "minimum (a coping question after a zero).")
    recognise: list[str] = Field(
        default_factory=list, description="Regular expressions (on lowercased words) for this step's answer given early: a turn "
                                          "at an earlier step that matches one is also kept here, and this step is skipped.")
    prefill: Literal["topic"] | None = Field(
        default=None, description="topic: what the person already told about the problem answers this step when it says what "
                                  "happened (for a situation step: when and where); the step is then reflected, not asked.")

    @property
    def expectation(self) -> str:
        return self.expects or _EXPECT_OF_KIND[self.kind]

    @field_validator("recognise")
    @classmethod
    def _patterns_compile(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"recognise pattern {p!r} is not a valid regular expression: {exc}") from None
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> "Step":
        if self.kind == "number" and (self.min is None or self.max is None):
            raise ValueError(f"step {self.id!r}: a number step needs min and max")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"step {self.id!r}: a choice step needs choices")
        if self.kind not in ("statement", "artefact") and not self.slot:
            raise ValueError(f"step {self.id!r}: a {self.kind} step needs a slot")
        return self


class Artefact(_Strict):
    """What the person takes away (coping card, named cycle, small step…)."""

    title: str
    fields: dict[str, str] = Field(min_length=1, description="label -> template over slots")
    readback: Variants = Field(default_factory=list, description="The card read aloud in one or two sentences, over slots.")


class Modality(_Strict):
    id: Literal["cbt", "gestalt", "express", "efit", "sfbt"]
    name: str
    aliases: list[str] = Field(min_length=1, description="Patterns a person may use to pick it by name.")
    description: str = Field(description="One plain sentence, spoken when offering it.")
    cues: list[Cue] = Field(min_length=3, description="Router signals in a request.")
    intro: Variants = Field(min_length=2)
    steps: list[Step] = Field(min_length=2)
    artefact: Artefact
    summary: Variants = Field(min_length=2, description="Two-sentence summaries over slots.")
    drafts: Variants = Field(default_factory=list, description="CBT: adaptive-thought drafts over the evidence slots, first person.")

    @model_validator(mode="after")
    def _templates_use_known_fields(self) -> "Modality":
        known = COMMON_FIELDS | {s.slot for s in self.steps if s.slot}
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError(f"modality {self.id!r}: step ids repeat")
        texts: list[tuple[str, str]] = [("intro", t) for t in self.intro] + [("summary", t) for t in self.summary]
        texts += [(f"artefact.fields.{k}", t) for k, t in self.artefact.fields.items()]
        texts += [("artefact.readback", t) for t in self.artefact.readback] + [("drafts", t) for t in self.drafts]
        for s in self.steps:
            texts += [(f"steps.{s.id}", t) for t in s.prompts + s.reprompts]
        for where, t in texts:
            unknown = placeholders(t) - known
            if unknown:
                raise ValueError(f"{where}: unknown placeholder(s) {sorted(unknown)} in {t!r}")
        return self


class LineSets(_Strict):
    """Named sets of variants; `required` keys are checked by each file's model."""

    lines: dict[str, Variants]

    REQUIRED: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _required_and_fields(self) -> "LineSets":
        missing = self.REQUIRED - set(self.lines)
        if missing:
            raise ValueError(f"lines: missing {sorted(missing)}")
        for key, variants in self.lines.items():
            if not variants:
                raise ValueError(f"lines.{key}: needs at least one variant")
            for t in variants:
                unknown = placeholders(t) - COMMON_FIELDS
                if unknown:
                    raise ValueError(f"lines.{key}: unknown placeholder(s) {sorted(unknown)} in {t!r}")
        return self


class SessionFrame(LineSets):
    """Opening, transitions, closing and the small talk the engine needs (session.yaml)."""

    REQUIRED: ClassVar[frozenset[str]] = frozenset(
        {
            "disclosure",  # first session: AI, not a therapist, not emergency, adults, privacy
            "ask_name",
            "greet_named",  # after the name is given
            "greet_returning",  # {name} {recall}; asks how it went
            "greet_returning_anon",  # the same for a returning person who gave no name
            "mood_open",
            "mood_reprompt",
            "offer_let_go",  # an exercise offer answered twice with more of the story
            "answer_privacy_danger",  # privacy asked after danger from someone: who else could see it
            "late_plan_heard",  # a step said while closing a session that did no work
            "same_modality",  # asked by name for the approach already under way
            "good_news",  # good news mid-work: met as news first
            "followup_done",  # a returning person did what they planned
            "ask_topic",
            "clarify",  # {modality_list}: one clarifying question when the router is unsure
            "modality_switch",  # {modality_name}
            "reflections",  # {echo}
            "acknowledgements",  # short, no placeholder
            "decline_ok",  # the person declined a step
            "not_a_plan",  # an action step answered with something that is not a plan; the reprompt follows
            "no_plan_yet",  # still no plan, or "not sure yet": accepted, nothing saved
            "late_plan",  # a next step said while closing goes on the card; {key}
            "topic_more",  # a one- or two-word topic: what about {key} weighs on them
            "answer_how",  # how the session works, then {step_question}
            "feeling_put_right",  # "not dread exactly, more like shame": {feeling}, said back
            "little_time",  # "i've only got five minutes": the work kept short, and said so
            "middle_heard",  # a scale answered "somewhere in the middle": about {echo}, said back
            "answer_fault",  # "is it my fault?": care, never a verdict; then {step_question}
            "answer_normal",  # "is this normal?": it is common and human, then {step_question}
            "answer_normal_body",  # "i get dizzy when i stand up. is that normal?": never reassurance; a doctor, {step_question}
            "goodbye_leaving",  # they have to go now: no questions, the summary and card are shown
            "referred_ask",  # after a referral that ends the work: who could help them reach that care
            "referred_goodbye",  # then a kind goodbye, whatever they answer
            "referred_person",  # the answer to referred_ask names someone: {key}, then the goodbye
            "time_check",  # pacing: moving on gently, {minutes_left}
            "closing_start",  # time is up or they want to stop
            "closing_summary",  # {summary}
            "closing_card",  # {card}
            "mood_close",
            "feedback",
            "feedback_comment",
            "goodbye",
            "goodbye_after_crisis",
            "ended",  # anything said after goodbye
            "not_understood",  # empty, unreadable or non-English input
            "too_long",  # an oversize message
            "ai_disclosure",  # "are you human?" — always honest; {step_question}
            "answer_advice",  # "what would you do in my place?": their choice, no directive; {step_question}
            "answer_legal_money",  # a legal or money question: a free advice service, then {step_question}
            "answer_time",  # "how long is left?"; {minutes_left} {step_question}
            "answer_other",  # "why do you ask?"; {step_question}
            "repeat",  # "can you say that again?"; {step_question}
            "slow_down",  # "slow down please": no rush
            "clarify_turn",  # an unclear turn: one short clarifying question; {step_question}
            "correction",  # "no, that's not what I meant"; {step_question}
            "exercise_declined",  # a refused exercise stays refused
            "dont_know",  # "I don't know": fine, a gentler way in (followed by the step's reprompt)
            "reflect_feeling",  # {feeling}: a short reflection of the feeling they named
            "reflect_positive",  # {feeling}: a calmer or better feeling
            "reflect_key",  # {key}: a short key phrase, second person
            "name_later",  # the problem came first: acknowledged, no name needed
            "name_then_mood",  # {name}: the name came when the mood was asked; thanks, and the mood asked again briefly
            "name_then_topic",  # {name}: the name came when the topic was asked; thanks, and the topic asked again
            "name_given_late",  # {name}: the name came during the work; thanks (the engine asks the waiting question again)
            "mood_words",  # a mood given in words, accepted
            "short_closing",  # the person wants to stop: a brief closing before goodbye
            "summary_partial",  # the work stopped early: what they brought, {key}, and nothing claimed
        }
    )
    end_patterns: list[str] = Field(min_length=3, description="The person wants to stop now.")
    decline_patterns: list[str] = Field(min_length=3, description="The person declines this step.")
    recall: dict[str, str] = Field(description="One-sentence recall templates keyed by what was saved: card, step, topic "
                                               "(told: the topic when it is a whole clause; said: the step when it was said as a plan; "
                                               "safety: the last session was a crisis).")


class Resource(_Strict):
    name: str
    number: str
    text: str = Field(description="How to use it, spoken: 'call or text 988'.")


class CrisisProtocol(LineSets):
    REQUIRED: ClassVar[frozenset[str]] = frozenset(
        {
            "acknowledge",  # thank them for saying it; calm and warm
            "resources_spoken",  # {resources} {emergency}
            "trusted_person",
            "stay",  # stay with them between questions
            "means_refusal",  # never any method or means information
            "danger_from_others",
            "medical",
            "self_harm",
            "safety_plan_intro",
            "safety_plan_now_intro",  # high risk: a plan for the next few hours, not for "when things get hard"
            "no_one_unsure",  # "i don't know" to who they could reach: not "no point"; a smaller way in
            "injury_ok",  # self-harm: the injury is small and looked after; heard before the direct questions
            "safer_yes",  # "can i give the lighter to my roommate?": yes, do it now
            "help_coming",  # someone is on their way: stay where you are, I'm here until they arrive
            "safer_heard",  # the plan for tonight: what they will put away, heard; do it now
            "closing_now",  # the close after the plan for the next few hours; {emergency} {resources}
            "closing",
            "concern_check",  # ambiguous signal: ask directly and kindly
            "imminent",  # not safe right now: the emergency number first; {emergency}
            "high_risk",  # means at hand or a time: said plainly as an emergency; {emergency}
            "place_away",  # the means is a place ("the drop's right there"): step back from it, towards people
            "means_away",  # means at hand: put it out of reach or hand it over
            "person_heard",  # the person they could reach, said back; {key}
            "person_away",  # the person they'd reach is away: someone else, tonight
            "person_heard_who",  # the same for a person named without an action ("my sister"); {key}
            "no_one_heard",  # no one to reach, or no point: heard, and a smaller way in
            "also_resources",  # the crisis line after the emergency number was said; {resources}
            "danger_place_heard",  # danger from someone: the place they named is the step
            "leaving_check_danger",  # leaving with the danger question open: the abuse line, never the suicide line
            "means_concern",  # a lethal means question without other risk: refuse, then ask directly
            "leaving_unsafe",  # leaving without saying they are safe: {emergency} {resources}, goodbye
            "concern_check_danger",  # an unclear signal of danger from someone else: ask directly
            "concern_check_medical",  # an unclear sign of a medical emergency: ask about the body
            "check_no",  # a plain no to the direct question; {step_question}
            "screen_low",  # the screen ended low: thanks and {resources}, then back to the work
            "danger_resources",  # danger from someone: {emergency}, and {danger} (a domestic abuse line) when there is one
            "danger_place",  # danger from someone: somewhere safe to go, or someone to be with
            "danger_closing",  # danger from someone: the close, {emergency} {danger}
            "who_is_it",  # "yes" to "is there someone you could be with?": who
            "timing_heard",  # when they mean to act, told mid-plan: an emergency now, {emergency} and {resources}
            "note_heard",  # a goodbye note told when asked who they could reach: serious, call {emergency}
            "ringing_heard",  # "ok, i'll ring them" during the screen: call now, no more questions
            "other_at_risk",  # the risk told is someone else's: {emergency} for them, and {resources} for advice
            "other_at_risk_number",  # "what number do i give her?": {resources}, and {emergency} if urgent
            "other_at_risk_ask",  # after other_at_risk told first: can they reach them, or someone near them, now
            "other_at_risk_call",  # "should i call someone?" about someone at risk: yes, {emergency} and {resources}
            "other_at_risk_near",  # the answer to other_at_risk_ask, near them: go to {them}, calmly
            "other_at_risk_far",  # the answer to other_at_risk_ask, out of reach: {emergency} where they are, someone near
            "other_at_risk_clarified",  # "no, not me, her": the worry for {them} heard, other_at_risk_ask again
            "other_at_risk_go",  # going to {them} now: {emergency}, {resources}, goodbye
            "other_at_risk_young",  # someone young at risk: {youth} that {they} can use
            "other_at_risk_what_to_say",  # "what do i say to him?": words to start with, asking directly; {them} {they}
            "other_at_risk_means_ask",  # a means question about the person at risk: never answered; all of it out of reach
            "drink_drive",  # about to drive after drinking or drugs: not tonight, another way
            "other_at_risk_calling",  # calling the emergency number for someone at risk: yes, now, what to tell them
            "call_now",  # not safe now and a person named: call them now and say where you are
            "unsafe_stay",  # not safe now, asked who they could be with: one person or place now, before any plan
            "danger_sheltering",  # danger from someone: hiding where they are now is not a place to go; {emergency}, then nearby
            "danger_police",  # danger from someone: the fear of what calling the police would do, heard; safe tonight first
            "danger_next",  # after the danger close: what could get in the way (no ratings while someone is near)
            "danger_goodbye",  # the quiet goodbye after danger_next, with {emergency}
            "check_unanswered",  # the direct question unanswered twice: {resources}, then back to the work
            "check_before_close",  # the unanswered direct question, asked again before the close
            "check_unclear_medical",  # the body check answered about something else twice: {emergency}, then resume
            "leaving_check",  # they want to go with the screen unresolved: numbers, then are you safe right now
        }
    )
    screener: list[Step] = Field(min_length=5, description="C-SSRS-style direct questions, in order.")
    safety_plan: list[Step] = Field(min_length=4, description="Warning signs, coping, people, professionals, safer surroundings.")
    safety_plan_now: list[Step] = Field(
        min_length=3, description="The plan at high risk (intent, a plan, a means at hand, not safe now): the next few hours, "
                                  "safer surroundings first; no warning signs. Slots as in safety_plan.")
    resources: dict[str, list[Resource]] = Field(description="Locale -> resources; must include 'default'.")
    emergency_numbers: dict[str, str]
    danger_resources: dict[str, list[Resource]] = Field(
        default_factory=dict, description="Locale -> lines for danger from someone else (domestic abuse); optional.")
    youth_resources: dict[str, list[Resource]] = Field(
        default_factory=dict, description="Locale -> lines for young people, given when someone young is at risk; optional.")

    @field_validator("resources")
    @classmethod
    def _default_locale(cls, v: dict[str, list[Resource]]) -> dict[str, list[Resource]]:
        if "default" not in v:
            raise ValueError("resources: needs a 'default' locale")
        return v


class ScopeLimit(_Strict):
    lines: Variants = Field(min_length=2)
    told: Variants = Field(default_factory=list, description="Said instead when the person describes it rather than asks "
                                                              "for it (a ritual told, not a request to help with one).")
    then: Literal["continue", "close"] = Field(description="Keep the session going, or close kindly.")
    resources: dict[str, list[Resource]] = Field(default_factory=dict)


class ScopeLimits(_Strict):
    minor: ScopeLimit
    medication: ScopeLimit
    diagnosis: ScopeLimit
    psychosis_mania: ScopeLimit
    compulsion: ScopeLimit
    eating: ScopeLimit
    ask_if_human: ScopeLimit


class Distortion(_Strict):
    id: str
    name: str
    explanation: str = Field(description="One plain line, spoken.")
    cues: list[Cue] = Field(min_length=3)


class DistortionSet(_Strict):
    distortions: list[Distortion] = Field(min_length=10)
