"""SessionEngine: one structured session per person, one turn at a time.

Every turn runs the same fixed order — safety screen → router → protocol step → phrasing →
output guard → persist — enforced by ``_turn`` below, not left to a prompt. ``propose`` is pure
(the voice loop may call it speculatively); ``commit`` persists the turn before the reply is
returned to the door.
"""
from __future__ import annotations

import asyncio
import logging
import contextlib
import re
import secrets
import threading
import time
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Literal, Protocol

from pydantic import BaseModel, Field

from attune.dialogue import guard, safety, text as tx
from attune.dialogue.distortions import rank_distortions
from attune.dialogue.interpret import (_TIME_PHRASE, _without_name_and_mood, Reading, asks_for_modality, extract, interpret,
                                       interpret_turn, sounds_like_plan, split_clauses, without_talk_request, WHEN)
from attune.dialogue.memory import SessionRecord, Store, open_store
from attune.dialogue.phrasing import Draft, Phraser, TemplatePhraser, speak_line
from attune.dialogue.router import named_modality, route
from attune.dialogue.settings import Settings
from attune.dialogue.types import Event, Phase, Reply
from attune.protocols.loader import Library, load_library
from attune.protocols.schema import Modality, Resource, Step, placeholders

EMPTY_POSITIVE = re.compile(
    r"\b(everything|it all|it)('s| is|'ll| will|s)? (going to |gonna )?(be )?(fine|okay|ok|alright|great|perfect)\b|"
    r"\bjust (be positive|think positive|stay positive|cheer up)\b|\bnothing bad\b|\bgood vibes\b"
)

log = logging.getLogger("attune.engine")


OK_WITH_IT = re.compile(r"^\W*(?:(?:yeah|yes|ok|okay|um+|hmm+|well)\W+)*(?:that'?s|it'?s|sounds)?\s*(?:fine|ok|okay|good|alright|all right|fair|about right|pretty much|i guess|i suppose)\b")
AGREES = re.compile(r"\b(true|fits|helps|helpful|right|agree|sounds (good|right)|makes sense|i like (it|that))\b")
STOCK_OPENERS = re.compile(r"^(thank you|thanks|i hear you|i'm with you|okay|ok|i see|got it|that makes sense|right|sure|mm)\b", re.I)
ACK_EVERY = 4  # at most one reply in this many opens with a stock acknowledgement
REFLECT_EVERY = 2  # a reflection at most every other turn: more sounds like an echo
# Extracted values that may fill later slots of the same modality in one turn (several answers at once).
MULTI_FILL = {"situation": "situation", "emotion": "feeling", "intensity": "rating", "thought": "thought", "location": "body"}
EVIDENCE_SLOTS = ("evidence_for", "evidence_against")
RESTATED = re.compile(r"\b(?:it'?s more (?:that|like)|more like|what i mean is|what i meant (?:is|was)|i meant|the thought (?:is|was)|"
                      r"it'?s really that|really it'?s that)[\s,:]+(?:that\s+)?(?P<thought>[^.?!]+)")
MULTI_REACH = 4  # only steps this close ahead are filled from the same turn


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock a script advances (``attune chat --turn-seconds``) or a test sets."""

    def __init__(self, start: float | None = None) -> None:
        self.t = time.time() if start is None else start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class CrisisState(BaseModel):
    stage: Literal["check", "screener", "plan", "stay"] = "screener"
    index: int = 0
    category: str | None = None
    answers: dict[str, bool | None] = Field(default_factory=dict)
    plan: dict[str, str] = Field(default_factory=dict)
    unclear: int = 0
    resume: str = ""  # the question pending before a check, asked again after a plain no
    awaiting_person: bool = False  # high risk: "who could you be with right now?" was asked
    leaving: bool = False  # they asked to go before the screen was finished
    asides: int = 0  # questions back ("is this a real person?") answered while a safety question was open
    prior_phase: str = ""  # the phase the screen interrupted, taken up again when it ends low
    held: str = ""  # the first answer to "what would you like to talk about?" that raised the screen, routed after it
    said_outright: list[str] = Field(default_factory=list)  # screener items told in words or a plain yes, not a hedge
    danger_told: int = 0  # how often the abuse line was said: after twice, the close keeps only the emergency number
    switch_to: str = ""  # an approach asked for while the check was open ("can we try the thoughts approach instead")
    plan_now: bool = False  # high risk: the plan is for the next few hours (crisis.yaml safety_plan_now), not "when it gets hard"

    @property
    def unresolved(self) -> bool:
        return self.stage in ("check", "screener")

    @property
    def told_high(self) -> bool:
        """High risk told in words or a plain yes (intent, a plan, a means at hand, a time, not safe now), not a hedge
        read as yes the safe way: the plan is then for the next few hours."""
        return any(self.answers.get(k) and k in self.said_outright for k in ("intent", "plan", "preparation")) \
            or any(k in self.said_outright for k in ("unsafe", "timing"))


class SessionState(BaseModel):
    """Everything the engine knows about one session; saved (encrypted) after every turn."""

    version: int = 0
    session_id: str
    user_id: str
    started_at: float
    phase: Phase = "opening"
    stage: str = "start"
    modality: str | None = None
    modalities_used: list[str] = Field(default_factory=list)
    router_reason: str = ""
    step: int = 0
    slots: dict[str, str] = Field(default_factory=dict)
    reprompts: int = 0
    candidates: list[str] = Field(default_factory=list)
    offered: int = 0
    draft: str = ""
    crisis: CrisisState | None = None
    risk_flag: bool = False
    danger: bool = False  # someone else put them in danger this session: privacy answers say who could see this
    name: str | None = None
    last_modality: str | None = None  # the approach of their last session, taken up again when the request is unclear
    topic: str = ""
    mood_open: int | None = None
    mood_close: int | None = None
    feedback: int | None = None
    feedback_comment: str | None = None
    card: dict[str, str] | None = None
    card_read: bool = False
    wrapping: bool = False  # time is nearly up: only the steps the card still needs
    brief: bool = False  # they said they have only a few minutes: steps that can be skipped are
    other_at_risk: bool = False  # the risk told is someone else's ("it's not me, it's my mate"): help for them is urged
    bereaved: bool = False  # a death of someone close was told: a later wish to be with them is a risk signal
    other_who: Literal["her", "him", "them"] = "them"  # the person at risk, as they are spoken of ("my daughter": her)
    other_reach_open: int = 0  # turns left in which an answer to "can you reach them, or someone near them, now?" is heard
    used: list[int] = Field(default_factory=list)
    last_question: str = ""
    notes: list[str] = Field(default_factory=list)
    turns: int = 0
    refused: list[str] = Field(default_factory=list)  # exercise tags refused: never run again this session
    unclear: int = 0  # unclear turns in a row at this step
    last_filled: list[str] = Field(default_factory=list)  # slots the last turn filled (undone by a correction)
    last_step: int = 0
    recent: list[str] = Field(default_factory=list)  # the person's last few turns, for the safety screen
    ack_turns: list[int] = Field(default_factory=list)
    reflect_turn: int = -9
    mood_words: str | None = None
    last_opener: str = ""
    denied: bool = False  # they answered the direct question with a plain no: accepted once, not asked again
    check_pending: bool = False  # the direct question went unanswered: asked again before the session closes


class StaleTurnError(RuntimeError):
    """A proposed turn was computed from a state that has since moved on."""


@dataclass(frozen=True)
class Turn:
    """A proposed turn: the reply and the state it would leave, not yet persisted."""

    user_id: str
    text: str
    base_version: int
    state: SessionState
    reply: Reply
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Compose:
    """The lines, events and state changes of one turn as they are decided."""

    lib: Library
    state: SessionState
    person: str = ""
    parts: list[tuple[str, str]] = field(default_factory=list)  # (text, step id)
    events: list[Event] = field(default_factory=list)
    pace: Literal["normal", "slow"] = "normal"
    exact: bool = False  # crisis and disclosure lines are never reworded
    ended: bool = False
    emergency: str = ""
    resources: str = ""
    echoed: set[str] = field(default_factory=set)
    carried: bool = False  # the turn was passed on once to the step after an offer it did not take up

    def fields(self, **extra: str) -> dict[str, str]:
        s = self.state
        base = {k: "" for k in ("name", "echo", "feeling", "recall", "modality_name", "modality_list",
                                "distortion_name", "distortion_explanation", "draft", "card", "summary",
                                "minutes_left", "resources", "emergency", "step_question", "key", "danger", "youth",
                                "them", "they")}
        base.update(spoken_slots(s.slots))
        base.update(name=s.name or "", draft=s.draft, step_question=s.last_question,
                    emergency=self.emergency, resources=self.resources, them=s.other_who,
                    they={"her": "she", "him": "he"}.get(s.other_who, "they"))
        base.update(self.person_fields)
        if s.modality:
            base["modality_name"] = self.lib.modalities[s.modality].name
        base.update(extra)
        return base

    @cached_property
    def person_fields(self) -> dict[str, str]:
        """Their last words said back: worked out once per reply, not once per line."""
        if not self.person:
            return {}
        echo, key = spoken(self.person, 10, frame=True), key_phrase(self.person)
        def whole(said: str) -> str:  # "your fifteen year old", "you keep thinking you are": fragments, never said
            return said if _HAS_VERB.search(said) and not _DANGLING_END.search(said) else ""
        return {"echo": whole(echo), "feeling": tx.own_feeling(self.person) or "", "key": whole(key)}

    def pick(self, variants: list[str], fields: dict[str, str]) -> str:
        """A variant not said yet this session, preferring ones whose placeholders are all filled."""
        full = _filled(variants, fields) or variants
        used = set(self.state.used)
        fresh = [v for v in full if zlib.crc32(v.encode()) not in used] or full
        if not self.parts:  # never the same opener twice in a row
            fresh = [v for v in fresh if _opener(v) != self.state.last_opener] or fresh
        start = zlib.crc32(f"{self.state.session_id}:{self.state.turns}:{len(self.parts)}".encode()) % len(fresh)
        chosen = fresh[start]
        self.state.used.append(zlib.crc32(chosen.encode()))
        return chosen

    def render(self, variants: list[str], **extra: str) -> str:
        """One variant, filled in, not said (yet): a question kept to be asked after an interruption."""
        fields = self.fields(**extra)
        for echoed in self.echoed - set(extra):  # their words are said back once per reply, not twice
            fields[echoed] = ""
        chosen = self.pick(variants, fields)
        self.echoed |= placeholders(chosen) & {"key", "echo"}
        return _tidy(chosen.format(**fields))

    def say(self, variants: list[str], step: str, **extra: str) -> str:
        line = self.render(variants, **extra)
        self.parts.append((line, step))
        return line

    def line(self, which: str, **extra: str) -> str:
        return self.say(self.lib.session.lines[which], f"session.{which}", **extra)

    def event(self, type_: str, **data: Any) -> None:
        self.events.append(Event(type=type_, **data))

    def set_phase(self, phase: Phase) -> None:
        if self.state.phase != phase:
            self.state.phase = phase
            self.event("phase", phase=phase)

    @property
    def text(self) -> str:
        return " ".join(p for p, _ in self.parts)


SPOKEN_WORDS = {"adaptive_thought": 24, "new_thought": 24, "automatic_thought": 14, "old_thought": 14}


CONCESSION = re.compile(r"^\s*(?:(?:even though|even if|although|though|while)\b.{3,160}?,\s*it'?s also true that\s+|"
                        r"(?:even though|even if|although|though|while)\b[^,]{3,120},\s*(?:also\s+)?)", re.I)


def spoken(value: str, max_words: int = 12, frame: bool = False) -> str:
    """A slot value said back: second person, whole clauses only, or "" when it can't be said cleanly.
    A balanced thought that opens with its concession ("even though ...,") is said from its point.

    A harsh label they put on themselves ("I'm a terrible friend") is never said back as fact: with
    ``frame`` it is said as their voice ("part of you says you're a terrible friend"), else not at all."""
    value = value or ""
    if tx.self_label(value):
        return tx.own_voice(value, max_words) if frame else ""
    if len(value.split()) > max_words:
        value = CONCESSION.sub("", value)
    value = tx.clause_prefix(value, max_words, min_words=1)
    if not value:
        return ""
    said = tx.second_person(value, max_words) or ""
    # said inside a sentence: "a small step, email three agents", not "a small step, Email three agents"
    return said[:1].lower() + said[1:] if re.match(r"[A-Z][a-z]+\b", said) and not re.match(r"I\b", said) else said


def spoken_slots(slots: dict[str, str]) -> dict[str, str]:
    """Slots said back. The thoughts are framed by their templates ("the thought, {automatic_thought}"),
    so they keep their words; words a body sensation "said" are quoted as said ("it said, put me down");
    any other slot holding a harsh self-label is not said."""
    def one(k: str, v: str) -> str:
        if k in QUOTED_SLOTS:
            return tx.clause_prefix(v or "", SPOKEN_WORDS.get(k, 12), min_words=1)
        return spoken_thought(v, SPOKEN_WORDS.get(k, 12)) if k in THOUGHT_SLOTS else spoken(v, SPOKEN_WORDS.get(k, 12))
    return {k: one(k, v) for k, v in slots.items()}


def spoken_thought(value: str, max_words: int = 12) -> str:
    """A thought slot said back inside its template's frame ("the old thought was, you're useless")."""
    value = value or ""
    if len(value.split()) > max_words:
        value = CONCESSION.sub("", value)
    value = tx.clause_prefix(value, max_words, min_words=1)
    return (tx.second_person(value, max_words) or "") if value else ""


THOUGHT_SLOTS = frozenset({"automatic_thought", "old_thought"})  # templates always say "the thought, ..."
QUOTED_SLOTS = frozenset({"sensation_voice"})  # "when it had a voice it said, put me down": the body's own words


def _leading_name(text: str) -> str | None:
    """ "jess. mood three": a bare name said first, as its own sentence, before the answer to the question asked
    (``tx.extract_name`` turns away moods, numbers, fillers and everyday nouns)."""
    m = re.match(r"^\W*([A-Za-z][A-Za-z'\-]{1,20})\s*[.!,;]\s+\S", text.strip())
    return tx.extract_name(m.group(1)) if m else None


def _no_exercises(s: SessionState) -> None:
    """No grounding or breathing offers for the rest of the session."""
    for tag in ("grounding", "breathing"):
        if tag not in s.refused:
            s.refused.append(tag)


def _first_clause_said(text: str, words: int = 10) -> str:
    """The first clause of what they told, said back ("my boss gave me feedback on the roster thing, like she reckons
    i'm useless" -> "your boss gave you feedback on the roster thing"): the harsh label after it is left out."""
    return spoken(re.split(r"[,.;]|\b(?:and|but|like|because)\b", text or "")[0], words)


def key_phrase(text: str) -> str:
    """A short key phrase of what they said, in the second person ("your boss yelled at you"), or "".
    A harsh self-label comes back as their voice ("part of you says you're a terrible friend")."""
    voice = tx.own_voice(text, 9)
    if voice:
        return voice
    for clause in re.split(r"[,.;!?]|\b(?:and|but|because|so)\b(?! not\b)", text):
        clause = re.sub(r"^\W*(?:(?:when|that|like|then|well|um|uh|honestly|actually|just|yeah|oh|i guess|i think|i suppose|"
                        r"i mean|i dunno)\W+)*", "", clause.strip(), flags=re.I)
        clause = _LEAD_SETTING.sub("", clause)  # "last friday at work my manager ..." -> "my manager ..."
        clause = _HEDGES.sub("", clause).strip()  # "i'd maybe actually eat breakfast" -> "i'd eat breakfast"
        clause = re.sub(r"^(?=(?:keep|kept|can'?t stop|cannot stop|still)\s+\w+ing\b)", "i ", clause, flags=re.I)  # "keep seeing her face"
        words = clause.split()
        if _ASKS_TO_TALK.search(clause.lower()):
            continue  # "i just need to vent" asks for the session; it is not what happened
        if 4 <= len(words) <= 9 and re.search(r"\b(i|my|me|i'm|i've|i was)\b", clause, re.I):
            said = tx.second_person(clause, 9)
            if said and re.match(r"(?:you|your|(?:nobody|no one|everyone|everybody|they|he|she)\b.*\byou)\b", said, re.I) \
                    and _HAS_VERB.search(said) and not _DANGLING_END.search(said) \
                    and not HARSH.search(said) and not tx.any_self_label(clause) and \
                    not re.search(r"\b(um|uh|like|kind of|sort of|i guess)\b", said):
                return said
    return ""


# a finite verb, so a phrase said back is a clause ("your son posted something"), not a fragment ("your fifteen year old")
_HAS_VERB = re.compile(r"\b(?:am|is|are|was|were|be|been|being|have|has|had|do|does|did|can|could|will|would|shall|should|may|might"
                       r"|must|got|get|gets|said|says|told|tells|feel|feels|felt|keep|keeps|kept|want|wants|need|needs|think|thinks"
                       r"|thought|know|knows|knew|made|make|makes|went|go|goes|left|lost|lose|came|come|comes|took|take|takes|gave"
                       r"|give|gives|saw|see|sees|put|let|hate|hates|love|loves|miss|misses|cry|cries|yell|yells|shout|shouts|seem"
                       r"|seems|try|tries|tried|work|works|live|lives|find|found|say|tell|mean|means|meant|hurt|hurts|wish|wishes"
                       r"|like|likes|look|looks|sleep|sleeps|slept|eat|eats|ate|can't|won't|don't|doesn't|didn't|isn't|wasn't"
                       r"|aren't|weren't|haven't|hasn't|hadn't)\b|\b\w+(?:ed|'m|'re|'s|'ve|'ll|'d)\b", re.I)
# "library again thursday, phone in the locker", "gym again tomorrow": what worked, planned again for a day
_AGAIN_WHEN = re.compile(r"^\W*(?:(?:maybe|probably|so|um+|yeah|i guess|then)\W+)*(?:the )?[a-z]+(?: [a-z]+)? again (?:on |next |this )?"
                         r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|weekend|morning)\b")
# the other side of the evidence, in the same breath: "...but like, i got a decent review", "then again, she cuts everyone off"
_OTHER_SIDE = re.compile(r"(?:^|[.,;!?]\s*|\s)(?:but|although|though|then again|on the other hand|mind you|having said that)"
                         r"(?:\W+(?:like|honestly|also|then|um+|uh+|i mean))*\W+(?=\w)", re.I)
_DANGLING_END = re.compile(r"\b(?:am|is|are|was|were|be|been|being|the|a|an|to|of|for|with|my|your|that|so|very|really|and|but"
                           r"|because|if|when|than|as)\W*$", re.I)
_ASKS_TO_TALK = re.compile(r"\bi (?:just |really )*(?:need|want|wanna|have) to (?:just )?(?:vent|rant|talk|get (?:it|this|stuff) off"
                           r"|let (?:it|this|off)|offload|unload|be heard)\b")
_HEDGES = re.compile(r"\b(?:maybe|actually|probably|basically|literally|honestly|kind of|sort of|kinda)\s+(?=\w)|"
                     r"\s+(?:though|anyway|i guess|i suppose|i think|you know|or something)\W*$", re.I)
_LEAD_SETTING = re.compile(
    r"^(?:(?:yesterday|today|tonight|earlier|last (?:night|week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|this (?:morning|afternoon|evening|week)|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: morning| afternoon| evening| night)?"
    r"|the other (?:day|night)|at (?:work|home|school|uni|college|the office|lunch|dinner|breakfast|break|church|the (?:party|pub|gym|table))"
    r"|in (?:the|a) (?:meeting|team meeting|office|standup|call|class|kitchen)|in class|on the (?:bus|train|phone))\W+)+"
    r"(?=\w+ \w+ \w+)", re.I)


def _tidy(line: str) -> str:
    line = re.sub(r"\.{3,}|\u2026", "\u2026", line)  # their "it'd say... stop" keeps its pause
    line = re.sub(r"\b(?!(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty"
                  r"|ninety|hundred|thousand|very|really|bye|no|yes|ha|far|long|over|round|on|off)\b)"
                  r"([a-z]{2,}) \1\b", r"\1", line, flags=re.IGNORECASE)  # "i i was": not "forty five five star ones"
    line = re.sub(r"\b(any ?time|day or night)(?:,? \1)+\b", r"\1", line, flags=re.IGNORECASE)  # a line's "any time" after the number's
    line = re.sub(r"\s+([,.!?;:])", r"\1", line)
    line = re.sub(r",\s*([.!?])", r"\1", line)
    line = re.sub(r"([.!?])\s*\.", r"\1", line)
    line = re.sub(r"\s{2,}", " ", line).strip()
    return line[:1].upper() + line[1:] if line else line


def _no_repeats(field: str) -> str:
    """A card field without a tail that says again what it said ("mostly the jaw, right at the hinge, jaw")."""
    parts = [p for p in field.split(", ") if p]
    kept: list[str] = []
    for part in parts:
        seen = set(re.findall(r"[a-z']+", " ".join(kept).lower()))
        if kept and set(re.findall(r"[a-z']+", part.lower())) <= seen:
            continue
        kept.append(part)
    return ", ".join(kept)


def _filled(variants: list[str], fields: dict[str, str]) -> list[str]:
    """The variants whose placeholders all have a value (so nothing is said with a hole in it)."""
    return [v for v in variants if all(fields.get(p) for p in placeholders(v))]


def _inline(words: str) -> str:
    """Their words placed mid-sentence: "My boss" -> "my boss" (but "I" stays "I")."""
    first = words.split(" ", 1)[0]
    if first in ("I", "I'm", "I've", "I'd", "I'll") or first.isupper():
        return words
    return words[:1].lower() + words[1:]


def _spoken(resources: list[Resource], most: int = 1) -> str:
    """The line to call, said aloud (the screen shows them all); the emergency number is spoken separately."""
    lines = [r for r in resources if "emergency" not in r.name.lower()] or resources
    return ", or ".join(f"the {r.name}, {r.text}" if not r.name.lower().startswith("the ") else f"{r.name}, {r.text}"
                        for r in lines[:most])


def _last_question(text: str) -> str:
    qs = re.findall(r"[^.!?]*\?", text)
    return qs[-1].strip() if qs else ""


class SessionEngine:
    """The brain. Plain Python: no audio, no network unless an LLM phraser is configured."""

    def __init__(
        self,
        library: Library,
        store: Store,
        *,
        settings: Settings | None = None,
        phraser: Phraser | None = None,
        clock: Clock | None = None,
        new_session_id: Callable[[], str] | None = None,
        understander: Any = None,
    ) -> None:
        self.lib = library
        self.aliases = {m.id: m.aliases for m in library.modalities.values()}  # each approach's names, for switch requests
        self.store = store
        self.settings = settings or Settings()
        self.phraser = phraser or TemplatePhraser()
        # optional model reading of each turn (dialogue.llm.ModelUnderstander): blended in _read, never before safety
        self.understander = understander
        self._llm_notes: dict[int, tuple[Any, dict[str, Any]]] = {}  # id(turn state) -> (state, what the model did)
        self.clock = clock or SystemClock()
        self.new_session_id = new_session_id or (lambda: "s_" + secrets.token_urlsafe(12))  # ids also vary the wording
        self._states: dict[str, SessionState] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def create(cls, settings: Settings, *, clock: Clock | None = None, phraser: Phraser | None = None,
               new_session_id: Callable[[], str] | None = None, understander: Any = None) -> "SessionEngine":
        """``phraser``/``understander``: from ``dialogue.llm.build_llm(settings)`` when a model is configured."""
        threading.Thread(target=_warm, name="attune-models-warm", daemon=True).start()
        return cls(load_library(settings.protocols_dir), open_store(settings), settings=settings, clock=clock, phraser=phraser,
                   new_session_id=new_session_id, understander=understander)

    def close(self) -> None:
        """Close the store and the model reader's thread (idempotent). The composition root that
        built the engine calls it."""
        if self.understander is not None:
            self.understander.close()
        self.store.close()

    def __enter__(self) -> "SessionEngine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ public API
    async def open(self, user_id: str) -> Reply:
        """Start a session: disclosure for a first visit, recall for a returning person."""
        async with self._lock(user_id):
            await asyncio.to_thread(self._close_stale, user_id)
            user = await asyncio.to_thread(self.store.ensure_user, user_id)
            history = await asyncio.to_thread(self.store.list_sessions, user_id)
            state = SessionState(session_id=self.new_session_id(), user_id=user_id,
                                 started_at=self.clock.now(), name=user.name,
                                 last_modality=next((h.modality for h in history if h.modality), None))
            c = self._compose(state)
            c.event("phase", phase="opening")
            recall = self._recall(history, user.name)
            if recall is not None:
                key = "greet_returning" if user.name else "greet_returning_anon"
                greets = self.lib.session.lines[key]
                c.say([g for g in greets if ("{recall}" in g) == bool(recall)] or greets, f"session.{key}", recall=recall)
                state.stage = "followup"
            else:
                c.line("disclosure")
                c.exact = True
                state.stage = "name"
            turn = await self._finish(c, user_id, "", -1, opening=True)
            return await self._commit(turn, None)

    async def propose(self, user_id: str, text: str) -> Turn:
        """The reply to ``text`` and the state it would leave. Changes nothing."""
        state = await self._state(user_id)
        return await self._turn(state.model_copy(deep=True), user_id, text)

    async def commit(self, turn: Turn, heard: str | None = None) -> Reply:
        """Persist a proposed turn (``heard``: what was actually played before a barge-in)."""
        async with self._lock(turn.user_id):
            return await self._commit(turn, heard)

    async def handle(self, user_id: str, text: str) -> Reply:
        async with self._lock(user_id):
            state = await self._state(user_id)
            turn = await self._turn(state.model_copy(deep=True), user_id, text)
            return await self._commit(turn, None)

    async def hang_up(self, user_id: str) -> None:
        """The person left: save the session as it stands."""
        async with self._lock(user_id):
            state = self._states.pop(user_id, None)
            if state and state.phase != "ended":
                await asyncio.to_thread(self._save_session, state, _left_status(state))

    def state_of(self, user_id: str) -> SessionState | None:
        return self._states.get(user_id)

    def expects(self, user_id: str) -> str:
        """What Attune's last question asked for ("mood", "rating", "yesno", "name", ... or "text"):
        a door's turn-taker answers sooner after a whole answer to it."""
        state = self._states.get(user_id)
        return self._expects(state) if state is not None else "text"

    # ------------------------------------------------------------------ persistence
    def _lock(self, user_id: str) -> asyncio.Lock:
        return self._locks.setdefault(user_id, asyncio.Lock())

    async def _state(self, user_id: str) -> SessionState:
        state = self._states.get(user_id)
        if state is None:
            rec = await asyncio.to_thread(self.store.open_session, user_id)
            raw = await asyncio.to_thread(self.store.load_state, rec.id) if rec else None
            if raw is None:
                raise KeyError(f"no open session for {user_id!r}: call open() first")
            state = self._states[user_id] = SessionState.model_validate(raw)
        return state

    def _close_stale(self, user_id: str) -> None:
        """A session left open by a crash or a vanished client is saved as abandoned."""
        self._states.pop(user_id, None)
        rec = self.store.open_session(user_id)
        while rec is not None:
            raw = self.store.load_state(rec.id)
            if raw:
                state = SessionState.model_validate(raw)
                self._save_session(state, _left_status(state))
            else:
                self.store.update_session(rec.id, status="abandoned", ended_at=self.clock.now())
            rec = self.store.open_session(user_id)

    async def _commit(self, turn: Turn, heard: str | None) -> Reply:
        current = self._states.get(turn.user_id)
        if current is not None and turn.base_version != current.version and turn.base_version != -1:
            raise StaleTurnError("this turn was proposed from an older state")
        meta = dict(turn.meta)
        if heard is not None and heard.strip() != turn.reply.text.strip():
            meta.update(interrupted=True, heard=heard)
        await asyncio.to_thread(self._persist, turn, meta)
        self._states[turn.user_id] = turn.state
        return turn.reply

    def _persist(self, turn: Turn, meta: dict[str, Any]) -> None:
        """One turn is saved whole or not at all (a full disk never keeps the words without the reply)."""
        with self.store.atomic():
            self._persist_turn(turn, meta)

    def _persist_turn(self, turn: Turn, meta: dict[str, Any]) -> None:
        s = turn.state
        if turn.base_version == -1:
            self.store.start_session(s.user_id, s.session_id, s.started_at)
        if turn.text:
            said = turn.text.encode("utf-8", "replace").decode("utf-8")
            self.store.append_turn(s.session_id, "user", said, {"t": self.clock.now()})
        self.store.append_turn(s.session_id, "assistant", turn.reply.text,
                               {**meta, "phase": s.phase, "modality": s.modality,
                                "events": [e.model_dump() for e in turn.reply.events]})
        self.store.save_state(s.session_id, s.model_dump())
        if s.name:
            self.store.set_name(s.user_id, s.name)
        if s.phase == "ended":
            self._save_session(s, "completed")
        else:
            self.store.update_session(s.session_id, modality=s.modality, mood_open=s.mood_open,
                                      risk_flag=s.risk_flag, card=s.card, notes=s.notes)

    def _save_session(self, s: SessionState, status: str) -> None:
        self.store.update_session(
            s.session_id, status=status, ended_at=self.clock.now(), modality=s.modality,
            mood_open=s.mood_open, mood_close=s.mood_close, feedback_score=s.feedback,
            feedback_comment=s.feedback_comment, risk_flag=s.risk_flag, card=s.card,
            summary=self._summary(s), notes={"notes": s.notes, "router": s.router_reason, "topic": s.topic,
                                             "slots": s.slots, "modalities": s.modalities_used},
        )

    # ------------------------------------------------------------------ the turn
    def _compose(self, state: SessionState, person: str = "") -> _Compose:
        return _Compose(self.lib, state, person=person, emergency=self.emergency_number(),
                        resources=_spoken(self.crisis_resources()))

    async def _turn(self, state: SessionState, user_id: str, raw: str) -> Turn:
        """Safety screen → router → protocol step → phrasing → output guard (persist is commit)."""
        base = state.version
        text = tx.clean(raw)
        c = self._compose(state, text[: tx.MAX_WORKING_CHARS])
        state.turns += 1
        meta: dict[str, Any] = {}
        if state.phase == "ended":
            if state.danger:  # in danger from someone: every reply after the end still holds the emergency number
                c.exact = True
                self._danger_say(c, "danger_goodbye")
            else:
                c.line("ended")
            c.ended = True
            return await self._finish(c, user_id, raw, base)
        # 1. safety screen: on the whole message, always first, no LLM; risk accumulates over recent turns
        recent = list(state.recent)
        verdict = await asyncio.to_thread(safety.screen, text, risk_earlier=(state.risk_flag and not state.denied)
                                          or state.crisis is not None, recent=recent, loss_earlier=state.bereaved)
        state.bereaved = state.bereaved or safety.bereaved(text)
        if state.denied and state.crisis is None and verdict.level == "concern":
            # a plain no is accepted once: words of the same weight later are noted, not asked about again
            state.notes.append(f"after a plain no, noted and not asked again: {verdict.reason}")
            verdict = safety.Screen(level="none", category=None, reason="", matched=[])
        state.recent = (recent + [text[:600]])[-4:]
        meta["safety"] = verdict.level
        scope = safety.screen_scope(text, recent=recent)
        if verdict.level == "concern" and verdict.reason.startswith("semantic") and scope is not None \
                and scope.kind in RULE_SCOPE_FIRST and state.crisis is None:
            verdict = safety.Screen(level="none", category=None, reason="", matched=[])  # the rule-level referral is surer
        if verdict.level == "concern" and verdict.reason.startswith("semantic") and state.crisis is None \
                and (state.other_at_risk or asks_for_modality(text, self.aliases)
                     or interpret(text, "text").ask in _ASKS_ABOUT_US or self._body_voice_asked(state)):
            # "the thinking side i reckon. my head runs away with me", "will you remember this next time?", "am i just
            # needy?": a request or a question, said in words the model half-knows from risk; no rule heard risk, so it
            # is noted, not asked about
            state.notes.append(f"semantic guess beside a request or a question back, noted: {verdict.reason}")
            verdict = safety.Screen(level="none", category=None, reason="", matched=[])
        if verdict.level == "concern" and verdict.reason.startswith("semantic") and verdict.category == "danger_from_others" \
                and state.crisis is None and not _HARM_FROM_SOMEONE.search(text.lower()):
            # "i'm scared that when she's here i'll just disappear, like i'll stop mattering in my own home": no one
            # hurts, threatens or frightens them in these words; the model's guess is noted, not asked
            state.notes.append(f"semantic danger guess with no words of harm, noted: {verdict.reason}")
            verdict = safety.Screen(level="none", category=None, reason="", matched=[])
        if verdict.level != "none" and state.crisis is None and (told := safety.only_someone_else(text, recent)):
            # "my mate sent me a message saying goodbye, he's sorry for everything": the risk is his; help for him first
            state.notes.append(f"risk words about someone else ({told}), not asked about the person: {verdict.reason}")
            verdict = safety.Screen(level="none", category=None, reason="", matched=[])
        # "now and then, but i wouldn't act on it" answers the screener; "feeling like a burden" answers "what's the first sign?"
        answering = state.crisis is not None and state.crisis.stage in ("screener", "plan") \
            and verdict.category in (None, "suicide", "self_harm")
        if state.name is None and state.phase in ("opening", "crisis") and (verdict.level != "none" or state.crisis is not None):
            state.name = tx.volunteered_name(text)  # "i'm ana. my boyfriend threw my phone...": kept through the crisis
        if state.other_at_risk and state.crisis is None and verdict.category in ("means_request", "suicide", "medical") \
                and _THEIR_MEANS.search(text.lower()) and safety.screen(_THEIR_MEANS.sub(" ", text.lower())).level == "none":
            # "his sleeping tablets... how many of those would it take to be dangerous?": never answered; all of them
            # out of reach tonight, and the person telling it is not asked about themselves
            state.notes.append(f"a means question about the person at risk, not answered: {verdict.reason}")
            c.exact = True
            c.say(self.lib.crisis.lines["other_at_risk_means_ask"], "crisis.other_at_risk_means_ask")
            return await self._finish(c, user_id, raw, base, meta)
        if verdict.level == "crisis" and answering:
            state.risk_flag = True
            state.notes.append(f"risk flag: {verdict.category} ({verdict.reason})")
        elif verdict.level == "crisis" or (verdict.level == "concern" and state.crisis is None):
            self._crisis(c, verdict)
            return await self._finish(c, user_id, raw, base, meta)
        if state.crisis is not None:
            self._crisis_continue(c, text, scope, verdict)
            return await self._finish(c, user_id, raw, base, meta)
        if self._someone_else(c, text):
            return await self._finish(c, user_id, raw, base, meta)
        if _DRIVING.search(text.lower()) and not _WONT_DRIVE.search(text.lower()) and (
                any(_DRINKING.search(t.lower()) for t in [text, *recent])
                or any(n.startswith("said they would drive after drinking") for n in state.notes)):
            # "im like five beers in... im gonna drive over there and give it back. right now": not tonight
            state.notes.append("said they would drive after drinking: asked not to")
            c.say(self.lib.crisis.lines["drink_drive"], "crisis.drink_drive")
            return await self._finish(c, user_id, raw, base, meta)
        if _LEGAL_MONEY.search(text.lower()) and _ASKS_WHAT_TO_DO.search(text.lower()) and state.phase == "working":
            # "can i take him to small claims?", "should i take a personal loan to clear it?": an adviser's question;
            # what it stirs up is theirs to bring, and the question stands
            state.notes.append("a legal or money question: a free advice service suggested")
            c.line("answer_legal_money", step_question=state.last_question)
            return await self._finish(c, user_id, raw, base, meta)
        if _HELPLINE_ASK.search(text.lower()):  # the numbers at any step, and the question stands
            self._resources_line(c)
            if state.last_question and state.last_question not in c.text:
                c.parts.append((_tidy(state.last_question), "session.resume"))
            return await self._finish(c, user_id, raw, base, meta)
        if not text or not any(ch.isalnum() for ch in text) or not tx.looks_english(text):
            c.line("not_understood")
            return await self._finish(c, user_id, raw, base, meta)
        if len(text) > tx.TOO_LONG_CHARS:
            c.line("too_long")
            return await self._finish(c, user_id, raw, base, meta)
        if scope is not None and scope.reason.endswith("told") and any(n.startswith(f"referral: {scope.kind} ") for n in state.notes):
            scope = None  # signs told again after the referral was given: heard in the work, not a second referral
        if scope is not None:
            if state.name is None and state.phase == "opening" and (name := tx.volunteered_name(text)):
                state.name = name  # "hi, i'm jamie. can you tell me if i have adhd?": kept, and not asked for again
                if state.stage == "name":
                    state.stage = "mood"
                    state.last_question = c.render(self.lib.session.lines["mood_open"])
            meta["scope"] = scope.kind
            if not (scope.kind == "medication" and self._plan_beside_medication(c, text, scope)):
                self._scope(c, scope)
            return await self._finish(c, user_id, raw, base, meta)
        # 2. read the turn against what was asked, then 3. the protocol step
        reading = await asyncio.to_thread(self._read, state, text)  # may embed the turn: off the event loop
        if reading.kind == "end" and _SORRY_LAST_TIME.search(text.lower()) and not _LEAVING.search(text.lower()):
            reading = Reading(kind="answer", slots=reading.slots)  # "sorry about running off last time": not leaving now
        if reading.kind == "switch" and reading.modality == state.modality and state.phase == "working":
            # "no, i don't want the breathing. can we just talk" in the approach they are already in: not a switch
            rest = without_talk_request(text)
            if not rest and (step := self._step(state)) is not None:  # "just talk i think": heard; no exercise, the question stands
                _no_exercises(state)
                c.line("just_talk_ok")
                self._ask(c, self.lib.modalities[state.modality], step, reprompt=True)
                return await self._finish(c, user_id, raw, base, meta)
            reading = await asyncio.to_thread(self._read, state, rest) if rest else Reading(kind="answer", slots={})
        step_now = self._step(state)
        if reading.kind == "switch" and reading.modality == state.modality and step_now is not None and step_now.kind == "choice":
            reading = Reading(kind="answer", slots={})  # "ok, quick one though" to "breathing, or the senses one?"
        meta["turn"] = reading.kind
        if _NO_EXERCISES.search(text.lower()) or (state.modality == "express" and state.phase == "working"
                                                  and _JUST_TALK_HERE.search(text.lower())):
            # "i just need to vent, i don't want exercises or anything", "i just want to talk to someone": for the session
            _no_exercises(state)
        if state.phase == "closing":
            self._closing(c, text, reading)
        elif reading.kind == "end":
            self._start_closing(c, early=True, leaving=bool(_LEAVING.search(text.lower())))
        elif reading.kind == "switch" and reading.modality:
            self._switch(c, reading.modality)
        elif reading.kind == "question":
            if state.phase == "opening" and state.stage == "name" and (name := tx.extract_name(text)):
                # "hi. idris. um, how does this work?": the name is kept; the answer leads on to the mood question
                state.name, state.stage = name, "mood"
                state.last_question = c.render(self.lib.session.lines["mood_open"])
            if answered := self._answer_beside_question(state, text, reading):
                # "all or nothing, yeah. that sounds like me. is that normal though?": answered, and the yes taken
                self._question(c, reading, resume=False)
                self._working(c, answered, await asyncio.to_thread(self._read, state, answered))
            else:
                self._question(c, reading)
        elif state.phase == "opening":
            self._opening(c, text, reading)
        else:
            self._working(c, text, reading)
        return await self._finish(c, user_id, raw, base, meta)

    def _body_voice_asked(self, s: SessionState) -> bool:
        """ "If that feeling could speak, what would it say?" is open: "'leave me alone', or 'i can't carry any more'"
        is the body's voice, not the person's wish; a semantic guess on it is noted (rules still act)."""
        step = self._step(s) if s.phase == "working" else None
        return step is not None and step.slot in QUOTED_SLOTS

    def _expects(self, s: SessionState) -> str:
        if s.phase == "opening":
            return {"name": "name", "mood": "mood", "topic": "topic", "clarify": "topic"}.get(s.stage, "text")
        if s.phase == "closing":
            return {"mood": "mood", "feedback": "rating"}.get(s.stage, "text")
        step = self._step(s)
        return step.expectation if step else "text"

    def _read(self, s: SessionState, text: str) -> Reading:
        expects = self._expects(s)
        pending = None
        if self.understander is not None:  # the model reads in parallel with the rules (safety already ran)
            try:
                pending = self.understander.start(text, expects, modalities=frozenset(self.lib.modalities),
                                                  recent=list(s.recent)[:-1], last_question=s.last_question)
            except Exception:
                log.warning("model understanding could not start", exc_info=True)
        reading = interpret_turn(text, expects, aliases=self.aliases,
                                 end_patterns=self.lib.session.end_patterns, decline_patterns=self.lib.session.decline_patterns)
        if self.understander is not None:  # used only where the rules are unsure, if it validates within its budget
            reading, outcome = self.understander.settle(pending, reading)
            self._llm_notes[id(s)] = (s, {"understand": outcome})
        return reading

    async def _finish(self, c: _Compose, user_id: str, raw: str, base: int,
                      meta: dict[str, Any] | None = None, opening: bool = False) -> Turn:
        """4. phrasing and 5. output guard, line by line; then the Reply.

        A model phraser (``dialogue.llm.ModelPhraser``) rewrites the reply's lines in one request per turn; its
        lines, like the template's, each pass ``guard.vet``. Crisis, referral and disclosure lines never go to it."""
        self._vary_opener(c)
        lines = []
        blocked = []
        note = self._llm_notes.pop(id(c.state), None)
        llm = note[1] if note is not None and note[0] is c.state else None
        parts: list[tuple[str, str, bool]] = [(text, step, False) for text, step in c.parts]  # (line, step, phrased)
        phrase_reply = getattr(self.phraser, "phrase_reply", None)
        if phrase_reply is not None and c.parts:
            drafts = [Draft(text=text, step=step, person_said=c.person, may_rephrase=not c.exact) for text, step in c.parts]
            phrased = await phrase_reply(drafts, recent=list(c.state.recent)[:-1] if c.person else list(c.state.recent),
                                         last_question=c.state.last_question, modality=c.state.modality)
            llm = {**(llm or {}), **phrased.meta()}
            step = c.parts[-1][1]  # the model's sentences are on the step of the reply's last line (its question)
            if phrased.lines and all(guard.vet(line, fallback="", kind=_guard_kind(step))[1].ok for line in phrased.lines):
                parts = [(line, step, True) for line in phrased.lines]
            elif phrased.lines:  # one model sentence fails the guard: the whole template reply is said instead
                llm.update(phrase="guard", guard_category="vet")
                stats = getattr(self.phraser, "stats", None)
                if stats is not None:
                    stats.add(model_replies=-1, guard_fallbacks=1)
        for text, step, phrased_already in parts:
            if phrased_already or phrase_reply is not None:
                line = text  # one request per turn: never phrased again line by line
            else:
                line, _ = await speak_line(self.phraser, Draft(text=text, step=step, person_said=c.person,
                                                               may_rephrase=not c.exact), self.settings.llm_timeout_s)
            line, verdict = guard.vet(line, fallback=self._guard_fallback(step), kind=_guard_kind(step))
            if not verdict.ok:  # fail closed: the line is replaced (a reflection is dropped), never spoken
                blocked.append({"step": step, "category": verdict.category})
                # expected, handled behaviour (the turn's meta records it): an operator's log line, never the person's screen
                log.info("output guard replaced a %s line (%s)", step, verdict.category)
            if line:
                lines.append(line)
        if blocked:
            meta = {**(meta or {}), "guard_blocked": blocked}
        if llm:
            meta = {**(meta or {}), "llm": llm}
        reply_text = " ".join(lines)
        s = c.state
        s.version = base + 1 if base >= 0 else 0
        if c.ended and s.phase != "ended":
            c.set_phase("ended")
        q = _last_question(reply_text)
        if q:
            s.last_question = q
        s.last_opener = _opener(reply_text)
        if STOCK_OPENERS.match(reply_text):
            s.ack_turns = (s.ack_turns + [s.turns])[-4:]
        reply = Reply(text=reply_text, phase=s.phase, modality=s.modality, events=c.events, pace=c.pace,
                      ended=s.phase == "ended")
        return Turn(user_id, raw, base if not opening else -1, s, reply, meta or {})

    def _guard_fallback(self, step: str) -> str:
        """What is said instead of a line the guard blocks: nothing for a reflection or a read-back
        (summary, card, recall, draft: the question after it stands alone), else a neutral
        invitation to go on."""
        if step in BRIDGES or "reflect" in step or _guard_kind(step) == "card":
            return ""
        return guard.SAFE_LINE

    def _vary_opener(self, c: _Compose) -> None:
        """Never the same opener twice in a row, and a stock acknowledgement at most one reply in four:
        a bridge line that would break either is dropped (the question that follows stands alone)."""
        s = c.state
        while len(c.parts) > 1 and c.parts[0][1] in BRIDGES:
            first = c.parts[0][0]
            stock = bool(STOCK_OPENERS.match(first))
            recent_ack = any(s.turns - t < ACK_EVERY for t in s.ack_turns)
            long_after = sum(len(p.split()) for p, _ in c.parts[1:]) >= LONG_REPLY_WORDS
            if _opener(first) == s.last_opener or (stock and (recent_ack or long_after)):
                c.parts.pop(0)
                continue
            break

    # ------------------------------------------------------------------ side moves
    def _answer_beside_question(self, s: SessionState, text: str, r: Reading) -> str:
        """The part of a turn that answers a yes-or-no step, said beside a question back ("yeah, that fits. is that
        normal though?"), or ""."""
        step = self._step(s)
        if step is None or step.kind not in ("distortion", "yesno") or r.ask not in ("normal", "fault", "time", "privacy"):
            return ""
        rest = " ".join(p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p and not p.rstrip().endswith("?"))
        return rest if rest and tx.yes_no(rest) is not None else ""

    def _question(self, c: _Compose, r: Reading, resume: bool = True) -> None:
        """A question back gets an answer within scope, then the conversation returns to their thread (``resume``)."""
        s = c.state
        q = s.last_question if resume else ""
        if r.ask == "human":
            c.say(self.lib.scope.ask_if_human.lines, "scope.ask_if_human", step_question=q)
        elif r.ask == "advice" and s.other_at_risk:  # "should i call someone?" about a friend at risk: yes
            c.say(self.lib.crisis.lines["other_at_risk_call"], "crisis.other_at_risk_call")
            if q:
                c.parts.append((_tidy(q), "session.resume"))
        elif r.ask in ("advice", "other") and _LEGAL_MONEY.search(c.person.lower()):
            # "can i take him to small claims?", "should i take a personal loan to clear it?": not Attune's to answer
            c.line("answer_legal_money", step_question=q)
        elif r.ask == "advice" and (options := _advice_options(c.person)):
            c.line("answer_advice_options", key=f"{options[0]}, or {options[1]}", step_question=q)
        elif r.ask == "advice":
            c.line("answer_advice", step_question=q)
        elif r.ask == "privacy":
            c.line("answer_privacy_danger" if s.danger else "answer_privacy_police" if _POLICE_ASK.search(c.person.lower())
                   else "answer_privacy", step_question=q)
        elif r.ask == "time":
            c.line("answer_time", minutes_left=self._minutes_left(s), step_question=q)
        elif r.ask == "repeat":
            c.line("repeat", step_question=q)
        elif r.ask == "how":
            c.line("answer_how", step_question=q)
        elif r.ask == "normal":
            c.line("answer_normal_body" if _BODY_SIGN.search(c.person.lower()) else "answer_normal", step_question=q)
        elif r.ask == "fault":
            c.line("answer_fault", step_question=q)
        elif r.ask in ("why", "permission"):
            c.line(f"answer_{r.ask}", step_question=q)
        else:
            step = self._step(s)
            if step is not None and step.kind == "distortion" and s.candidates:
                d = self._distortion(s.candidates[min(s.offered, len(s.candidates) - 1)])
                c.parts.append((_tidy(f"{d.name[:1].upper()}{d.name[1:]}: {d.explanation}"), "session.explain"))
                c.parts.append((q, "session.resume"))
            else:
                c.line("answer_other", step_question=q)

    def _step(self, s: SessionState) -> Step | None:
        if s.phase != "working" or not s.modality:
            return None
        steps = self.lib.modalities[s.modality].steps
        return steps[s.step] if s.step < len(steps) else None

    def _switch(self, c: _Compose, target: str) -> None:
        s = c.state
        name = self.lib.modalities[target].name
        if s.phase == "opening" and not s.topic:
            s.topic = _without_request(c.person)
        short = len(c.person.split()) <= 12 or (len(c.person.split()) <= 22 and not _MOMENT.search(c.person.lower()))
        if s.modality == target and s.phase == "working" and s.last_question and short \
                and not re.search(r"\b(?:again|another|new|fresh|once more|start over|from the (?:start|top))\b", c.person.lower()):
            c.line("same_modality")  # "sure, the thought one" in thought work: a yes to it, and the question stands
            c.parts.append((_tidy(s.last_question), "session.resume"))
            return
        if s.modality == target:  # "can we do the thoughts thing again?": a fresh round of the same work
            for st in self.lib.modalities[target].steps:
                if st.slot:
                    s.slots.pop(st.slot, None)
            s.card, s.card_read = None, False
        c.echoed |= {"key", "echo", "feeling"}  # "i just want to vent" is a request, never reflected as what happened
        self._start_modality(c, target, f"asked for by name: {name}", switched=s.phase != "opening")

    def _bridge(self, c: _Compose, text: str, expectation: str, *, heard: bool = False) -> None:
        """Before the next question: the feeling they named, or a short key phrase, or nothing. ``heard``: they went on
        with their story instead of answering, so it is met whatever was reflected just before."""
        s = c.state
        heard = heard or bool(_GRAVE_NEWS.search(text.lower()))  # "my father has cancer" is always met
        if s.turns - s.reflect_turn < REFLECT_EVERY and expectation != "feeling" and not heard:
            return  # a feeling named when asked for one is always met ("tired. and maybe a bit scared")
        if expectation == "thought":
            return  # the automatic thought is never said back as if it were true
        feeling = tx.own_feeling(text)
        if len(named := tx.feeling_words(text)) >= 2 and feeling in named:
            feeling = " and ".join(named[:2])  # "i am so angry and scared together"
        if feeling and HARSH.search(feeling):
            feeling = None
        if feeling and expectation in ("feeling", "situation", "text", "topic", "evidence", "action"):
            key = "reflect_positive" if feeling in POSITIVE_FEELINGS else "reflect_feeling"
            c.line(key, feeling=feeling)
            s.reflect_turn = s.turns
            return
        if expectation in ("situation", "text", "topic") or _GRAVE_NEWS.search(text.lower()):
            key = key_phrase(text)
            if key:
                c.line("reflect_key", key=key)
                s.reflect_turn = s.turns
                return
        if len(text.split()) >= 8 and not any(s.turns - t < ACK_EVERY for t in s.ack_turns):
            c.line("acknowledgements")

    # ------------------------------------------------------------------ opening
    def _opening(self, c: _Compose, text: str, r: Reading) -> None:
        s = c.state
        if r.kind == "correction":  # "no, it's Sam, not Pam": put it right and ask again
            name = tx.extract_name(r.rest) if r.rest else None
            if name and s.stage != "name":
                s.name = name
            c.line("correction")
            c.parts.append((s.last_question, "session.resume"))
            return
        if s.name is None and s.stage != "name":
            s.name = tx.volunteered_name(text) or _leading_name(text)
            if s.name and s.stage in ("mood", "topic") and self._only_a_name(text, r):
                # "um, I'm Priya" when asked for a mood: the name is kept, and the question asked again briefly
                c.line("name_then_mood" if s.stage == "mood" else "name_then_topic")
                return
        if s.stage == "name":
            self._opening_name(c, text, r)
        elif s.stage == "followup":
            s.slots["followup"] = tx.own_words(text)
            if _DID_IT.search(text.lower()) or _GOOD_NEWS.search(text.lower()):
                c.line("followup_done")  # "i did call the library, they want me on tuesdays": met as the win it is
            else:
                self._bridge(c, text, "text")
            c.line("mood_open")
            s.stage = "mood"
        elif s.stage == "mood":
            self._opening_mood(c, text, r)
        elif s.stage == "topic":
            bare = text.strip(" .!?,").lower()
            said = tx.second_person(bare, 4) or bare
            if r.kind == "answer" and not s.topic and s.unclear < 1 and said and len(re.findall(r"[a-z']+", text.lower())) <= 2 \
                    and not named_modality(text, self.lib.modalities):  # "work": a word, not yet what weighs on them
                s.unclear += 1
                s.topic = tx.own_words(text)
                c.line("topic_more", key=said)
                return
            if r.kind in ("decline", "dont_know", "unclear") and s.unclear < 1:
                s.unclear += 1
                c.line("clarify", modality_list=self._modality_list())
                s.stage = "clarify"
                return
            vague, s.topic = s.topic, ""
            self._take_topic(c, text, routed_text=f"{vague} {text}" if vague else None)
        elif s.stage == "clarify":
            pick = next((m for m, rx in _MENU_PICK if rx.search(text.lower())), None) if len(text.split()) <= 12 else None
            rt = route(f"{s.topic} {text}", self.lib.modalities)
            if pick and pick in self.lib.modalities:  # "yes that's the thought": the answer to the question asked
                self._start_modality(c, pick, "after a clarifying question: picked from the question")
            elif rt.modality:
                if _MOMENT.search(text.lower()) and r.kind in ("answer", "partial"):
                    s.topic = f"{s.topic.rstrip(' .')}. {text}" if s.topic else text  # "last night, like 2am, panicky, eighty"
                self._start_modality(c, rt.modality, f"after a clarifying question: {rt.reason}")
            else:
                if not s.topic and r.kind == "answer":
                    s.topic = tx.own_words(text)
                if s.last_modality in self.lib.modalities:
                    self._start_modality(c, s.last_modality, "no clear signal after one clarifying question: "
                                         "the approach of their last session, taken up again")
                else:
                    self._start_modality(c, "express", "no clear signal after one clarifying question: "
                                         "express support lets them be heard first")

    def _opening_name(self, c: _Compose, text: str, r: Reading) -> None:
        s = c.state
        name = r.slots.get("name")
        if r.kind == "answer" and name:
            s.name = name
            c.line("greet_named")
        elif r.kind in ("new_topic", "answer", "partial") and r.slots.get("topic", True):
            s.topic = tx.own_words(text)  # the problem came first; the name may come later or never
            if not self._bridge_feeling(c, text):
                c.line("name_later")
        elif r.kind == "unclear" and s.unclear < 1:
            s.unclear += 1
            c.line("ask_name")
            return
        s.unclear = 0
        mood = r.slots.get("mood")
        if mood is not None:
            self._set_mood(c, mood)
            if s.topic or r.slots.get("topic"):
                self._take_topic(c, s.topic or text, routed_text=_without_name_and_number(text))
            else:
                c.line("ask_topic")
                s.stage = "topic"
            return
        if r.slots.get("topic") and name and (rest := _without_name_and_number(text)):
            s.topic = rest
        c.line("mood_open")
        s.stage = "mood"

    @staticmethod
    def _only_a_name(text: str, r: Reading) -> bool:
        """The turn gives a name and nothing else the pending question could use (no mood, no story)."""
        if r.slots.get("mood") is not None or r.slots.get("mood_words"):
            return False
        rest = re.sub(r"\b(?:call me|my name is|my name's|name's|you can call me|i go by|i'?m|i am|im|it'?s|this is)\s+[A-Za-z'\-]+",
                      " ", text, flags=re.I)
        rest = re.sub(r"\b(?:sorry|oh|um+|uh+|er+m?|by the way|btw|and|also|yeah|ok|okay|so|hi|hello|hey|actually|i forgot|"
                      r"forgot to say|i should say|should have said|first|just|that's|thats|my name|me|please|fine|is)\b", " ", rest, flags=re.I)
        return not re.search(r"[a-z0-9]{2,}", rest, re.I)

    def _bridge_feeling(self, c: _Compose, text: str) -> bool:
        feeling = tx.own_feeling(text)
        if not feeling or feeling in POSITIVE_FEELINGS or HARSH.search(feeling):
            return False
        c.line("reflect_feeling", feeling=feeling)
        c.state.reflect_turn = c.state.turns
        return True

    def _set_mood(self, c: _Compose, value: int | None, words: str | None = None) -> None:
        s = c.state
        s.mood_open, s.mood_words = value, words
        if value is not None:
            c.event("mood", when="open", value=value)
        elif words:
            c.event("mood", when="open", value=None, words=words)

    def _opening_mood(self, c: _Compose, text: str, r: Reading) -> None:
        s = c.state
        mood, words = r.slots.get("mood"), r.slots.get("mood_words")
        if r.kind in ("answer", "partial", "new_topic") and (mood is not None or words):
            self._set_mood(c, mood, words if mood is None else None)
            rest = _without_name_and_number(text)
            if mood is None and words:
                c.line("mood_words", echo=words)
            if (s.topic and self._clear_enough(s.topic)) or r.slots.get("topic"):
                self._take_topic(c, s.topic or rest, routed_text=f"{s.topic} {rest}")
            else:
                if mood is not None:
                    self._bridge(c, rest, "topic") if len(rest.split()) >= 4 else None
                c.line("ask_topic")
                s.stage = "topic"
            return
        if r.kind == "new_topic" or (r.kind == "answer" and len(text.split()) >= 4):
            self._take_topic(c, text, routed_text=f"{s.topic} {text}")
            return
        if r.kind in ("unclear", "partial") and s.reprompts < 1:
            s.reprompts = 1
            c.line("mood_reprompt")
            return
        s.reprompts = 0
        if s.topic:
            self._take_topic(c, s.topic)
        elif r.kind == "partial" and _substance_of(text) >= 1:
            self._take_topic(c, text)  # asked twice, they name what it's about instead: "girlfriend stuff"
        else:
            c.line("ask_topic")
            s.stage = "topic"

    def _clear_enough(self, topic: str) -> bool:
        """A problem-first opening names a topic the router can place ("I'm finding this hard" does not)."""
        rt = route(topic, self.lib.modalities)
        return rt.modality is not None and (len(topic.split()) >= 8 or not rt.reason.startswith("semantic"))

    def _take_topic(self, c: _Compose, text: str, routed_text: str | None = None) -> None:
        s = c.state
        if not s.topic:
            s.topic = tx.own_words(text)
        rt = route(routed_text or text, self.lib.modalities)
        if rt.modality is None and routed_text:
            rt = route(s.topic, self.lib.modalities)
        if rt.modality:
            self._start_modality(c, rt.modality, rt.reason)  # the intro is the bridge
        else:
            s.notes.append(f"router: {rt.reason}")
            self._bridge(c, text, "topic")
            c.line("clarify", modality_list=self._modality_list())
            s.stage = "clarify"

    def _take_held_topic(self, c: _Compose, text: str) -> None:
        """What they came with, taken up after a safety check: routed when the signal is clear, else express support,
        where they are heard first (no menu of approaches straight after a question about suicide)."""
        s = c.state
        s.topic = s.topic or tx.own_words(text)
        rt = route(text, self.lib.modalities)
        if rt.modality and not (rt.semantic_p is not None and rt.semantic_p < 0.5):
            self._start_modality(c, rt.modality, rt.reason, intro=False)
        else:
            self._start_modality(c, "express", f"after a safety check, heard first ({rt.reason})", intro=False)

    def _modality_list(self) -> str:
        names = [m.name for m in self.lib.modalities.values()]
        return ", ".join(names[:-1]) + ", or " + names[-1]

    # ------------------------------------------------------------------ working
    def _start_modality(self, c: _Compose, mod_id: str, reason: str, switched: bool = False, lead: str = "",
                        intro: bool = True) -> None:
        """``intro=False`` after a safety check: the reply already carries the answer and a number, so the
        approach's welcome line would only lengthen it."""
        s = c.state
        if s.other_at_risk and not switched and "by name" not in reason and mod_id != "express":
            mod_id, reason = "express", f"someone else at risk: heard first ({reason})"  # not their relationship's pattern
        mod = self.lib.modalities[mod_id]
        s.modality, s.step, s.reprompts, s.unclear, s.router_reason = mod_id, 0, 0, 0, reason
        s.modalities_used.append(mod_id)
        s.notes.append(f"modality {mod_id}: {reason}")
        c.set_phase("working")
        c.event("modality", modality=mod_id, name=mod.name, reason=reason)
        if not s.brief and not switched and _LITTLE_TIME.search(f"{s.topic} {' '.join(s.recent)} {c.person}".lower()):
            s.brief = True  # "i've only got five minutes": the steps that can go, go (not an exercise they choose)
            c.line("little_time")
        if lead:
            c.line(lead)
        elif switched:
            c.line("modality_switch")
            # the moment they were last working on is fresher than the opening's words
            s.topic = next((s.slots[k] for k in ("situation", "event", "trigger") if s.slots.get(k)), s.topic)
        elif intro:
            c.say(mod.intro, f"{mod_id}.intro")
        told = self._prefill(c, mod)
        s.step = self._next_step(s, mod, -1)
        if told and s.step < len(mod.steps):
            c.line("reflect_key", key=told)  # what they already said is reflected, not asked again
            s.reflect_turn = s.turns
        if s.step >= len(mod.steps):
            self._start_closing(c)
        else:
            self._enter_step(c, mod)

    def _prefill(self, c: _Compose, mod: Modality) -> str:
        """Steps the person already answered before the work began ("what happened?" after they told
        what happened): filled from the topic, with what the same words say about later steps. Returns
        a short reflection of it ("" when nothing was filled or it can't be said cleanly)."""
        s = c.state
        topic = s.topic
        if not topic:
            return ""
        for i, st in enumerate(mod.steps):
            if st.prefill != "topic" or not st.slot or s.slots.get(st.slot):
                continue
            value = _topic_answers(st.expectation, topic)
            if not value:
                continue
            self._fill(s, st.slot, value)
            s.notes.append(f"{st.id}: told before the work began")
            if st.expectation == "situation":  # the moment they described carries its feeling, number and thought
                here, s.step = s.step, i
                self._fill_ahead(s, mod, Reading(kind="answer", slots=extract(topic, "situation")))
                s.step = here
            said = spoken(value, 12, frame=True)
            return key_phrase(topic) or (said if tx.is_clause(said) and not _VIOLENT_IDIOM.search(said) else "")  # never
            # a bare fragment ("your mum"), nor an idiom's violence said back
        return ""

    def _working(self, c: _Compose, text: str, r: Reading) -> None:
        s = c.state
        mod = self.lib.modalities[s.modality or "express"]
        step = mod.steps[s.step]
        k = r.kind
        if self._feeling_put_right(c, mod, step, text):
            return
        if k == "slow_down":
            c.line("slow_down")
            c.pace = "slow"
            self._ask(c, mod, step, reprompt=True)
            return
        if k == "correction":
            self._correct(c, mod, r)
            return
        if _GOOD_NEWS.search(text.lower()) and not safety.mentions_medication(text):
            # "the agent just texted, we got the flat!": met as news first; the step waits for the next turn
            c.line("good_news")
            s.notes.append(f"{step.id}: good news met; the step waits")
            return
        if step.kind == "adaptive_thought" and k in ("unclear", "partial") and OK_WITH_IT.search(text.lower()):
            k = "answer"  # "that's fine" to the draft is a yes
        if k == "new_topic" and _TOPIC_LEAD.search(text) and len(text.split()) >= 5:
            self._new_topic(c, mod, text)
            return
        if k in ("answer", "partial", "unclear", "new_topic") and self._late_name_or_mood(c, mod, step, text):
            return
        if s.name is None and k in ("answer", "partial", "new_topic") and (name := tx.volunteered_name(text)):
            s.name = name  # "oh sorry, i'm joel by the way. um, ashamed mostly": kept, and the answer taken too
            c.line("name_given_late")
        if k == "unclear" and s.unclear < 1 and step.kind not in ("statement", "artefact"):
            s.unclear += 1
            c.line("clarify_turn", step_question=s.last_question)
            return
        s.last_filled, s.last_step = [], s.step
        if k in ("dont_know", "decline") and step.expectation == "action" and sounds_like_plan(text):
            k = "answer"  # "I dunno, maybe call him tonight": the hedge leads, the plan follows
        elif step.expectation == "action" and len(text.split()) <= 3 and tx.yes_no(text) is False:
            k = "decline"  # "nope", "nah not really": no plan, and that's fine
        this_one = k == "decline" and _THIS_ONE.search(text.lower())
        exercise_refused = k == "decline" and not this_one and (step.exercise or EXERCISE_WORDS.search(text.lower()))
        if this_one:  # "nah i'm not doing that one, talking to my chest": this step is let go, never asked again now
            s.refused.append(step.exercise or step.id)
            s.notes.append(f"{step.id}: declined")
            c.line("exercise_declined")
            rest = " ".join(p for p in re.split(r"(?<=[.!?])\s+", text) if not _THIS_ONE.search(p.lower())
                            and not DECLINE_WORDS.search(p.lower()))
            if step.slot and _substance_of(rest.lower()) >= 3:  # "...i'll just say it feels like holding my breath"
                self._fill(s, step.slot, tx.own_words(rest))
        elif exercise_refused:
            self._refuse_exercise(c, step, text)
            if not step.exercise and step.kind not in ("statement", "artefact") and not step.optional:
                # the exercise refused was an earlier one ("i don't want to do breathing stuff" to "if it had a
                # voice..."): this step still stands, asked again
                self._ask(c, mod, step, reprompt=True)
                return
        elif k in ("decline", "dont_know"):
            if k == "dont_know" and s.reprompts < 1 and not step.optional and step.kind not in ("statement", "artefact"):
                s.reprompts = 1
                c.line("dont_know")
                self._ask(c, mod, step, reprompt=True)
                return
            if step.expectation == "action":
                c.line("no_plan_yet")
                s.notes.append(f"{step.id}: no plan yet")
            else:
                c.line("decline_ok")
        elif self._answers_later_action(c, mod, step, text, r):
            pass  # "fine, I'll go for a walk on Saturday" to a rating: the plan is kept, the rating let go
        elif self._rates_feeling_instead(c, mod, step, text):
            pass  # "the sad is maybe forty now" to "how much do you believe the thought?": the feeling's number
        else:
            outcome, value = self._interpret(c, step, text, r)
            if step.kind == "statement":  # what they say as an exercise ends may answer the check-in after it
                self._fill_ahead(s, mod, r, text)
            if outcome == "rethought":  # the thought itself put right: the trap is chosen again for the new words
                self._fill(s, "automatic_thought", tx.own_words(value))
                c.line("correction")
                self._enter_step(c, mod)
                return
            if outcome == "plan_at_draft" and step.slot:
                self._fill(s, step.slot, s.draft)
                action = next((st for st in mod.steps if st.expectation == "action" and st.slot), None)
                if action and not s.slots.get(action.slot):
                    self._fill(s, action.slot, self._value_for("action", value, r))
                s.notes.append(f"{step.id}: answered with a next step; the suggested thought kept")
            if outcome == "changed" and step.slot:
                self._fill(s, step.slot, tx.own_words(text))
                c.line(f"rating_{value}")
            if outcome in ("evidence", "other_side"):
                if not s.slots.get(f"evidence_{value}"):
                    self._fill(s, f"evidence_{value}", tx.own_words(text))
                c.line(f"evidence_{value}_heard")
                if outcome == "other_side":
                    s.reprompts += 1
                    self._ask(c, mod, step, reprompt=True)
                    return
                s.notes.append(f"{step.id}: answered with evidence {value} the thought")
            if outcome in ("again", "declined") and self._passes_offer(c, step, text, r):
                # "that i'm a terrible mother" to "breathing, or the senses one?": the offer is let go without a word
                # and their words go to the step after it
                s.notes.append(f"{step.id}: offer passed over; the answer goes to the next step")
                s.step = self._next_step(s, mod, s.step)
                if s.step >= len(mod.steps):
                    self._start_closing(c)
                    return
                c.carried = True
                self._working(c, text, self._read(s, text))
                return
            if outcome in ("again", "declined") and self._tells_more(step, text, r):
                if s.reprompts:  # a second time: they would rather go on talking than do the exercise
                    c.line("offer_let_go")
                    if step.exercise and step.exercise not in s.refused:
                        s.refused.append(step.exercise)
                    s.notes.append(f"{step.id}: offer let go; they went on talking")
                    outcome = "let_go"
                else:  # what they said is heard before the offer comes again
                    self._bridge(c, text, "text", heard=True)
            if outcome == "again":
                s.reprompts += 1
                self._ask(c, mod, step, reprompt=True)
                return
            if outcome == "offer_again":  # not an empty positive: the offer said again in other words
                s.reprompts += 1
                self._ask(c, mod, step)
                return
            if outcome == "not_a_plan":  # "I forgot his birthday, that's pretty bad" is not a next step
                s.reprompts += 1
                c.line("not_a_plan")
                self._ask(c, mod, step, reprompt=True)
                return
            if outcome == "no_plan":
                if len(text.split()) >= 6:
                    self._bridge(c, text, "text")  # what they told instead is heard first
                c.line("no_plan_yet")
                s.notes.append(f"{step.id}: no plan yet")
            if outcome == "filled" and step.slot:
                self._fill(s, step.slot, value)
                self._fill_ahead(s, mod, r, text)
                if step.kind not in ("statement", "artefact", "number", "distortion", "adaptive_thought", "choice"):
                    self._bridge(c, text, step.expectation)
            elif outcome == "declined":
                if r.kind in ("decline", "dont_know") or self._declines(text) or tx.yes_no(text) is False:
                    c.line("decline_ok")  # "i'd rather not": said kindly; an answer to something else is heard, then on
                else:
                    self._bridge(c, text, "text")
                if step.exercise and step.exercise not in s.refused:
                    s.refused.append(step.exercise)  # no "how is it now, after that?" for an exercise never done
        s.reprompts = s.unclear = 0
        before = len(c.parts)
        self._advance(c, mod)
        if s.phase == "working" and s.step < len(mod.steps) and mod.steps[s.step].kind in ("adaptive_thought", "artefact"):
            # the draft or the card read-back says their words back already: no reflection in front of it
            c.parts[:before] = [p for p in c.parts[:before] if p[1] not in BRIDGES]

    @staticmethod
    def _tells_more(step: Step, text: str, r: Reading) -> bool:
        """A choice ("breathing, or the senses one?") answered with more of their story, not a pick."""
        return step.kind == "choice" and r.kind == "answer" and len(text.split()) >= 4 and tx.yes_no(text) is None

    @staticmethod
    def _passes_offer(c: _Compose, step: Step, text: str, r: Reading) -> bool:
        """An optional offer (a mid-work exercise, a choice) answered with something else that has substance."""
        return not c.carried and step.optional and SessionEngine._tells_more(step, text, r)

    def _new_topic(self, c: _Compose, mod: Modality, text: str) -> None:
        """ "Actually the bigger thing is my mum, she's in hospital": the work turns to it, from its first step,
        in the approach that fits it (the same one when nothing else fits better)."""
        s = c.state
        for st in mod.steps:
            if st.slot:
                s.slots.pop(st.slot, None)
        s.card, s.card_read, s.draft = None, False, ""
        s.topic = tx.own_words(_TOPIC_LEAD.sub("", text, count=1)) or tx.own_words(text)
        rt = route(s.topic, self.lib.modalities)
        s.notes.append(f"new topic mid-session ({rt.reason})")
        c.echoed |= {"key", "echo"}  # the topic is reflected once, from the new words
        self._start_modality(c, rt.modality or mod.id, f"a new topic: {rt.reason}", lead="new_topic")

    def _feeling_put_right(self, c: _Compose, mod: Modality, step: Step, text: str) -> bool:
        """ "wait no, not dread exactly. more like shame. shame, eighty five" after the feeling was taken: the feeling
        (and its number) is replaced, said back, and the question asked now stands."""
        s = c.state
        slot = next((st.slot for st in mod.steps if st.expectation == "feeling" and st.slot), None)
        m = _FEELING_FIX.search(text.lower())
        if not slot or not s.slots.get(slot) or not m or step.slot == slot:
            return False
        feeling = tx.feeling_word(m.group("new"))
        if not feeling or feeling in s.slots[slot].lower():
            return False
        s.slots[slot] = feeling
        number = next((st for st in mod.steps if st.kind == "number" and st.slot and "intensity" in st.slot), None)
        n = tx.parse_number(text, 0, 100)
        if number and n is not None:
            s.slots[number.slot] = str(n)
        s.notes.append(f"feeling put right: {feeling}")
        c.line("feeling_put_right", feeling=feeling)
        self._ask(c, mod, step, reprompt=True)
        return True

    def _late_name_or_mood(self, c: _Compose, mod: Modality, step: Step, text: str) -> bool:
        """The work began before the opening was done ("can we do the thought work thing" to "what should I
        call you?"), and now the name or the mood comes: "alex", "oh sorry, I'm Jo", "i'm leah, mood about
        five", "i'm about a three". Kept, thanked, and the waiting question asked again; never a slot."""
        s = c.state
        if step.kind == "number" or len(text.split()) > 12:
            return False
        early = s.turns <= 3 and not any(s.slots.get(st.slot) for st in mod.steps[:s.step] if st.slot and st.prefill != "topic")
        name = None
        if s.name is None:
            name = tx.volunteered_name(text) or (tx.extract_name(text) if early and len(text.split()) <= 3 else None)
        said = extract(text, "name") if name else extract(text, "mood")
        mood = said.get("mood") if s.mood_open is None and (name or early) else None
        if not name and mood is None:
            return False
        rest = _without_name_and_mood(text)
        if name:
            rest = re.sub(r"\b" + re.escape(name) + r"\b", " ", rest, flags=re.I)
        if _substance_of(rest) > 0:
            return False  # more than a name and a mood: an answer that happens to carry them
        if name:
            s.name = name
            c.line("name_given_late")
        if mood is not None:
            self._set_mood(c, mood)
            if not name:
                c.line("acknowledgements")
        self._ask(c, mod, step, reprompt=True)
        return True

    def _someone_else(self, c: _Compose, text: str) -> bool:
        """Risk told about someone else ("my roommate texted that she doesn't want to be alive anymore"): help for them
        first, with the numbers; and "what number do i give her?" later gets the numbers, whatever step it is."""
        s = c.state
        low = text.lower()
        if s.other_at_risk and (_NUMBER_AGAIN.search(low) or _HELPLINE_ASK.search(low)):
            c.say(self.lib.crisis.lines["other_at_risk_number"], "crisis.other_at_risk_number")
            return True
        if s.other_at_risk and _CALLING_HELP.search(low):  # "ok i'm gonna ring the cops": yes, now, and what to say
            s.other_reach_open = 0
            s.notes.append("calling emergency help for the person at risk")
            c.say(self.lib.crisis.lines["other_at_risk_calling"], "crisis.other_at_risk_calling")
            return True
        if s.other_at_risk and _WHAT_TO_SAY.search(low) and not _PUT_IDEA.search(low):  # "what do i even say to him?"
            c.say(self.lib.crisis.lines["other_at_risk_what_to_say"], "crisis.other_at_risk_what_to_say")
            return True
        if s.other_at_risk and _PUT_IDEA.search(low):  # "won't that put the idea in her head?": no, and how to ask
            c.say(self.lib.crisis.lines["other_at_risk_asking"], "crisis.other_at_risk_asking")
            return True
        if s.other_at_risk and _MEANS_AT_HOME.search(low):  # "paracetamol in the kitchen drawer": out of reach tonight
            c.say(self.lib.crisis.lines["other_at_risk_means"], "crisis.other_at_risk_means")
            return True
        if s.other_at_risk and _GOING_TO_THEM.search(low):  # "ok. i'm going to go down to her now": go; no close to sit through
            s.other_reach_open = 0
            s.notes.append("went to the person at risk: the session ends with the numbers")
            c.say(self.lib.crisis.lines["other_at_risk_go"], "crisis.other_at_risk_go")
            c.ended = True
            return True
        if s.other_at_risk and s.other_reach_open and self._reach_answer(c, text):
            return True
        told = safety.someone_else_at_risk(text, s.recent[:-1])
        if not told or s.other_at_risk:
            return False
        self._other_at_risk(c, f"someone else at risk: {told}", text)
        self._crisis_event(c, "concern", "other_at_risk")
        c.say(self.lib.crisis.lines["other_at_risk_ask"], "crisis.other_at_risk_ask")
        s.other_reach_open = 2
        if s.phase == "opening" and not s.topic:
            s.topic = tx.own_words(text)
        return True

    def _reach_answer(self, c: _Compose, text: str) -> bool:
        """The answer to "can you reach them, or someone near them, right now?": near, go to them; out of reach, the
        emergency number where they are; "no, not me, her", the worry heard and the question again. Anything else is
        their own thread, and the question stays open for one more turn ("i don't know, like a three, i'm scared")."""
        s, low, lines = c.state, text.lower(), self.lib.crisis.lines
        s.other_reach_open -= 1
        if _NOT_ME.search(low) or re.match(r"^\W*no\W+(?:not|it'?s not) (?:me|about me)\b", low):
            s.other_reach_open = 1
            c.say(lines["other_at_risk_clarified"], "crisis.other_at_risk_clarified")
            return True
        if _OUT_OF_REACH.search(low) or (_PLAIN_NO.match(low) and not _NEAR_THEM.search(low)):
            s.notes.append("the person at risk is out of reach: the emergency number where they are")
            asked = text.rstrip().endswith("?") or interpret(text, "text").ask == "advice"  # "...should i call someone?": yes
            key = "other_at_risk_call" if asked else "other_at_risk_far"
            c.say(lines[key], f"crisis.{key}")
            return True
        if _NEAR_THEM.search(low) or _PLAIN_YES.match(low):
            s.other_reach_open = 0
            s.notes.append("the person at risk is near: go to them")
            c.say(lines["other_at_risk_near"], "crisis.other_at_risk_near")
            return True
        return False

    def _other_at_risk(self, c: _Compose, note: str, text: str) -> None:
        """The risk is someone else's: help for them, the emergency number where they are and the line for advice;
        for someone young, the youth line too where the locale has one."""
        s = c.state
        s.other_at_risk = True
        s.notes.append(note)
        _no_exercises(s)  # someone's life is the matter now: no breathing offers in between
        low = text.lower()
        if m := _THEM_WORD.search(low):
            s.other_who = "her" if m.group("her") else "him" if m.group("him") else "them"
        c.say(self.lib.crisis.lines["other_at_risk"], "crisis.other_at_risk")
        youth = _spoken(self.lib.crisis.youth_resources.get(self.settings.locale.upper(), []))
        if youth and _YOUNG.search(low):
            s.notes.append("someone young at risk: the youth line given")
            c.say(self.lib.crisis.lines["other_at_risk_young"], "crisis.other_at_risk_young", youth=youth)

    def _plan_beside_medication(self, c: _Compose, text: str, flag: safety.ScopeFlag) -> bool:
        """ "rebook the one-to-one for next week, and i'll just take the extra one at night": the referral, and the
        step they named without the medication part is kept (the medication part never is)."""
        s = c.state
        step = self._step(s)
        if step is None or step.expectation != "action" or not step.slot or s.slots.get(step.slot):
            return False
        keep = [cl for cl in split_clauses(text) if not safety.mentions_medication(cl) and (sounds_like_plan(cl) or (
            WHEN.search(cl.lower()) and not re.match(r"^\W*(?:i|he|she|they|we|it|the|a|my|that|this|but|and)\b", cl.lower())))]
        if not keep:
            return False
        self._fill(s, step.slot, tx.own_words(keep[0]))
        s.notes.append(f"{step.id}: the step kept without the medication said beside it")
        self._scope(c, flag, resume=False)
        self._advance(c, self.lib.modalities[s.modality or ""])
        return True

    def _advance(self, c: _Compose, mod: Modality) -> None:
        s = c.state
        elapsed = self._elapsed_min(s)
        if elapsed >= self.settings.closing_minute:
            self._start_closing(c)
            return
        if elapsed >= self.settings.closing_minute - 3 and not s.wrapping:
            s.wrapping = True
            if self._next_step(s, mod, s.step) < len(mod.steps):  # no "I'll move us along" as the close begins
                c.line("time_check", minutes_left=self._minutes_left(s))
        s.step = self._next_step(s, mod, s.step)
        if s.step >= len(mod.steps):
            self._start_closing(c)
        else:
            self._enter_step(c, mod)

    def _answers_later_action(self, c: _Compose, mod: Modality, step: Step, text: str, r: Reading) -> bool:
        """A rating, yes/no or check-in step answered with a plan ("I'll go for a walk on Saturday") that a step
        just ahead asks for: the plan fills that step, and the one asked is left unanswered."""
        s = c.state
        if r.kind not in ("answer", "partial") or step.kind in ("statement", "artefact", "adaptive_thought", "distortion") \
                or step.expectation in ("action", "thought", "evidence", "situation"):
            return False
        if step.kind not in ("number", "yesno", "choice") and not (
                PLAN.search(text.lower()) or _AGAIN_WHEN.match(text.lower()) or (_IMPERATIVE.match(text.lower()) and (
                    WHEN.search(text.lower()) or len(text.split()) >= 5))):
            return False  # "how are you now, after that?" - "email three letting agents tomorrow morning": the plan
        if step.kind in ("number", "yesno", "choice") and tx.parse_number(text, 0, 100) is not None \
                and not (len(text.split()) >= 8 and PLAN.search(text.lower())):
            return False  # "i could ask not to be put on doubles, or only one": the plan, not a rating of one
        if step.kind == "yesno" and tx.yes_no(text) is not None:
            return False
        if step.kind == "choice" and any(tx.matches_any(cues, text.lower()) for cues in step.choices.values()):
            return False
        if not (PLAN.search(text.lower()) or (_IMPERATIVE.match(text.lower()) and WHEN.search(text.lower()))
                or _AGAIN_WHEN.match(text.lower())):
            return False  # "i call her sunday but i don't tell her": a habit, not the step a later question asks for
        ahead = [(i, st) for i, st in enumerate(mod.steps) if i > s.step and not st.exercise][:MULTI_REACH]
        for i, st in ahead:  # exercise steps are not counted: a plan at the exercise offer reaches the step after them
            if st.slot and st.expectation == "action" and not s.slots.get(st.slot):
                value = self._value_for("action", re.sub(r"^\W*(?:(?:fine|ok|okay|well|alright|anyway|um|so)\W+)+", "", text,
                                                         flags=re.I), Reading(kind="answer"))
                self._fill(s, st.slot, value)
                s.notes.append(f"{step.id}: answered with the plan for {st.id}")
                s.notes.extend(f"{mod.steps[j].id}: answered with the plan for {st.id} (passed over)"
                               for j in range(s.step + 1, i) if mod.steps[j].slot and not s.slots.get(mod.steps[j].slot))
                if s.slots.get(st.slot):
                    s.step = i  # the plan is the end of the work: no "what makes it that number?" without a number
                return bool(s.slots.get(st.slot))
        return False

    def _rates_feeling_instead(self, c: _Compose, mod: Modality, step: Step, text: str) -> bool:
        """The belief in the thought asked again, answered with the feeling's number: that fills the feeling's step."""
        s = c.state
        if step.kind != "number" or "belief" not in (step.slot or "") or not tx.own_feeling(text):
            return False
        n = tx.parse_number(text, 0, 100)
        nxt = next((i for i, st in enumerate(mod.steps) if i > s.step and st.kind == "number" and "emotion" in (st.slot or "")), None)
        if n is None or nxt is None or s.slots.get(mod.steps[nxt].slot or ""):
            return False
        self._fill(s, mod.steps[nxt].slot or "", str(n))
        s.notes.append(f"{step.id}: answered with the feeling's number, for {mod.steps[nxt].id}")
        s.step = nxt
        return True

    def _fill(self, s: SessionState, slot: str, value: str) -> None:
        """A slot takes their words, never medication talk (it must not reach a card or a summary)."""
        if not value or safety.mentions_medication(value):
            return
        s.slots[slot] = value
        s.last_filled.append(slot)

    def _recognised_part(self, s: SessionState, mod: Modality, st: Step, text: str, low: str) -> str:
        """What a later step recognised in this turn: the pattern's ``answer`` group when it has one, and then the
        current step keeps only what came before it ("on the outside angry. underneath, scared he's bored of me")."""
        m = next((m for p in st.recognise if (m := re.search(p, low)) and "answer" in m.re.groupindex and m.group("answer")), None)
        if m is None:  # a step said early is kept without its hedge ("maybe i talk to hr tomorrow")
            return self._value_for("action", text, Reading(kind="answer")) if st.expectation == "action" else tx.own_words(text)
        current = mod.steps[s.step].slot
        before = re.sub(r"^\W*(?:evidence )?for\s*[:\-]\s*", "", text[:m.start()]).strip(" .,;:…-")  # "for: X. against: Y"
        if current and s.slots.get(current) and _substance_of(before.lower()) >= 1:
            s.slots[current] = tx.own_words(before)
        return tx.own_words(text[m.start("answer"):m.end("answer")])

    def _fill_ahead(self, s: SessionState, mod: Modality, r: Reading, text: str = "") -> None:
        """Several answers in one turn: later steps of this modality whose answer was already given."""
        current = mod.steps[s.step].expectation
        low = text.lower().replace("’", "'")
        for st in mod.steps[s.step + 1: s.step + 1 + MULTI_REACH]:  # "the one day last week i went for a swim": an exception
            if st.slot and st.recognise and not s.slots.get(st.slot) and tx.matches_any(st.recognise, low):
                self._fill(s, st.slot, self._recognised_part(s, mod, st, text, low))
                s.notes.append(f"{st.id}: answered early")
        if text and mod.steps[s.step].optional and current == "text" and _MOMENT.search(text.lower()) \
                and _substance_of(_MOMENT.sub(" ", text.lower())) >= 2:  # a moment with what happened, not "last night" alone
            # "how are you right now?" answered with the moment itself ("last night he kept scrolling, so i
            # snapped"): that is the situation the next step would ask for
            for st in mod.steps[s.step + 1: s.step + 1 + MULTI_REACH]:
                if st.slot and st.expectation == "situation" and not s.slots.get(st.slot):
                    self._fill(s, st.slot, tx.own_words(text))
                    break
        turn = _OTHER_SIDE.search(text) if mod.steps[s.step].slot == "evidence_for" else None
        if turn and not s.slots.get("evidence_against") and _substance_of(text[turn.end():]) >= 3 \
                and _substance_of(text[:turn.start()]) >= 2:
            # "she did cut me off... but like, i got a decent review in march": both sides in one breath
            self._fill(s, "evidence_for", tx.own_words(text[:turn.start()]))
            self._fill(s, "evidence_against", tx.own_words(text[turn.end():]))
            s.notes.append("evidence_against: answered early")
        because = _BECAUSE.search(text)
        nxt = mod.steps[s.step + 1] if s.step + 1 < len(mod.steps) else None
        if because and mod.steps[s.step].kind == "number" and nxt and nxt.slot and "reason" in nxt.slot \
                and not s.slots.get(nxt.slot) and _substance_of(because.group(1)) >= 2:
            # "three not a two because i still have a laugh with the girls": the number and what keeps it there
            self._fill(s, nxt.slot, tx.own_words(because.group(1)))
            s.notes.append(f"{nxt.id}: answered early")
        numbers = r.slots.get("numbers") or []
        if current == "rating" and len(numbers) >= 2:  # "maybe forty, and the feeling is like thirty now"
            nxt = mod.steps[s.step + 1] if s.step + 1 < len(mod.steps) else None
            if nxt and nxt.kind == "number" and nxt.slot and not s.slots.get(nxt.slot):
                self._fill(s, nxt.slot, str(numbers[1]))
            return
        for key, expectation in MULTI_FILL.items():
            value = r.slots.get(key)
            if value is None or value == "" or expectation == current:
                continue
            if current not in MULTI_FILL.values() and key != "location":
                continue  # only a moment being described carries its feeling, number and thought
            for st in mod.steps[s.step + 1: s.step + 1 + MULTI_REACH]:
                if st.slot and st.expectation == expectation and not s.slots.get(st.slot):
                    self._fill(s, st.slot, str(value) if not isinstance(value, str) else tx.own_words(value))
                    break

    def _refuse_exercise(self, c: _Compose, step: Step, text: str) -> None:
        s = c.state
        tags = {step.exercise} if step.exercise else set()
        if (m := EXERCISE_WORDS.search(text.lower())) and "eyes" not in m.group(0):  # eyes kept open: not every exercise refused
            tags |= {"grounding", "breathing"}
        for tag in sorted(t for t in tags if t and t not in s.refused):
            s.refused.append(tag)
        s.notes.append(f"declined exercise: {', '.join(sorted(t for t in tags if t))}")
        c.line("exercise_declined")

    def _correct(self, c: _Compose, mod: Modality, r: Reading) -> None:
        """ "No, that's not what I meant": undo what the last turn filled and take the new words."""
        s = c.state
        if not s.last_filled:
            c.line("correction")
            self._ask(c, mod, mod.steps[s.step], reprompt=True)
            return
        for slot in s.last_filled:
            s.slots.pop(slot, None)
        s.step = next((i for i, st in enumerate(mod.steps) if st.slot in s.last_filled), s.last_step)
        s.last_filled = []
        step = mod.steps[s.step]
        c.line("correction")
        rest = r.rest
        said = RESTATED.search(rest.lower().replace("\u2019", "'")) if rest else None
        if said and len(said.group("thought").split()) >= 3:  # "i don't think i'm X overall, it's more like, Y": Y
            rest = rest[said.start("thought"):said.end("thought")].strip(" ,")
        if rest:
            again = interpret(rest, step.expectation)
            outcome, value = self._interpret(c, step, rest, again)
            if outcome == "filled" and step.slot:
                self._fill(s, step.slot, value)
                self._advance(c, mod)
                return
        self._ask(c, mod, step)

    def _next_step(self, s: SessionState, mod: Modality, i: int) -> int:
        """The next step to run: `when` conditions hold, its slot is not already answered, its
        exercise was not refused; when time is short, skippable steps go, and when wrapping up,
        only what the person's card still needs."""
        short = self._elapsed_min(s) >= self.settings.closing_minute - 6
        needed = {p for t in mod.artefact.fields.values() for p in placeholders(t)}
        i += 1
        while i < len(mod.steps):
            st = mod.steps[i]
            wanted = all(s.slots.get(k) == v for k, v in st.when.items())
            if st.slot and s.slots.get(st.slot):
                wanted = False
            if st.exercise and st.exercise in s.refused:
                wanted = False
            if (short or (s.brief and not st.exercise)) and st.skip_when_short_of_time:
                wanted = False
            if s.wrapping and st.kind != "artefact" and not (st.slot in needed and not s.slots.get(st.slot)):
                wanted = False
            if wanted:
                return i
            i += 1
        return i

    @staticmethod
    def _after_bottom(s: SessionState, mod: Modality, step: Step) -> bool:
        """The number step just before this one was answered with its minimum ("zero")."""
        i = mod.steps.index(step)
        before = mod.steps[i - 1] if i else None
        return bool(before and before.kind == "number" and before.slot and s.slots.get(before.slot) == str(before.min))

    def _enter_step(self, c: _Compose, mod: Modality) -> None:
        s = c.state
        step = mod.steps[s.step]
        if step.kind == "distortion":
            thought = s.slots.get("automatic_thought") or s.topic
            ranked = rank_distortions(thought, self.lib.distortions.distortions)
            s.candidates = [d.id for d, _ in ranked[:3]]
            s.offered = 0
        elif step.kind == "adaptive_thought":
            s.draft = self._draft(c, mod)
        elif step.kind == "artefact":
            self._make_card(c, mod)
        elif step.kind == "statement" and ("grounding" in step.when or step.id == "grounding"):
            c.event("exercise", exercise=step.when.get("grounding", "grounding"), inhale_s=4, exhale_s=6)
        self._ask(c, mod, step)
        if step.kind == "artefact" and self._next_step(s, mod, s.step) >= len(mod.steps):
            self._start_closing(c, card_said=True)  # the card is the summary: straight on to the closing question

    def _ask(self, c: _Compose, mod: Modality, step: Step, reprompt: bool = False) -> None:
        variants = step.reprompts if reprompt and step.reprompts else step.prompts
        if step.at_bottom and not reprompt and self._after_bottom(c.state, mod, step):
            variants = step.at_bottom
        if step.kind == "adaptive_thought":  # a draft is offered when there is one; else they're asked for their own words
            variants = [v for v in variants if ("draft" in placeholders(v)) == bool(c.state.draft)] or variants
        extra: dict[str, str] = {}
        if step.kind == "distortion" and c.state.candidates:
            d = self._distortion(c.state.candidates[min(c.state.offered, len(c.state.candidates) - 1)])
            extra = {"distortion_name": d.name, "distortion_explanation": d.explanation}
        if step.kind == "artefact":
            extra["card"] = self._card_sentence(c.state, mod, CARD_STEP_WORDS)  # the closing question follows it
            c.state.card_read = True
        if step.pace == "slow":
            c.pace = "slow"
        c.say(variants, f"{mod.id}.{step.id}", **extra)

    def _interpret(self, c: _Compose, step: Step, text: str, r: Reading) -> tuple[str, str]:
        """('filled', value) | ('declined', '') | ('again', '') for the person's answer to this step."""
        s = c.state
        if step.kind in ("statement", "artefact"):
            return "filled", tx.own_words(text)
        if step.kind == "number":
            n = r.slots.get("intensity") if step.expectation == "rating" else None
            if n is not None and not (step.min or 0) <= n <= (step.max or 100):
                n = None  # "a three out of ten" is 30 as a strength, 3 on a zero-to-ten scale
            n = n if n is not None else tx.parse_number(text, step.min or 0, step.max or 100)
            if n is None and (step.min, step.max) == (0, 100):  # a strength, not a place on a scale of how things are
                n = tx.strength_in_words(text)  # "a lot, as bad as it gets nearly": about 90
            elif n is None and _MIDDLE.search(text.lower()):  # "somewhere in the middle? not great not terrible": the middle
                n = round(((step.min or 0) + (step.max or 100)) / 2)
                c.line("middle_heard", echo=str(n))  # the number heard is said back, so it can be put right
            if n is not None and (step.min or 0) <= n <= (step.max or 100):
                return "filled", str(n)
            if n is None and step.optional and (change := tx.rating_change(text)):
                return "changed", change  # "way less now": a re-rating in words is an answer, not a refusal
        elif step.kind == "yesno":
            yn = tx.yes_no(text)
            if yn is not None:
                return "filled", "yes" if yn else "no"
        elif step.kind == "choice":
            for choice, cues in step.choices.items():
                if tx.matches_any(cues, text):
                    return "filled", choice
            if step.choices and (tx.yes_no(text) is True or OK_WITH_IT.search(text.lower())) and len(text.split()) <= 6 \
                    and (s.reprompts >= 1 or re.search(r"\b(?:quick|short|fast|any|either|whichever|you pick|you choose)\b", text.lower())):
                return "filled", next(iter(step.choices))  # "ok, quick one though": a yes with no pick takes the first
        elif step.kind == "distortion":
            low = text.lower()
            said = RESTATED.search(low.replace("’", "'"))
            put_right = re.search(r"\b(?:no|not|nah|nope|wait|actually)\b", low[:said.start()]) if said else None
            if said and len(said.group("thought").split()) >= 3 and put_right and (
                    re.search(r"\b(?:i|i'm|im|me|my)\b", said.group("thought"))  # put right, not "yeah, more like"
                    or re.search(r"\b(?:not (?:quite )?(?:it|right)|hang on|hold on|wait)\b", low[:said.start()])):
                # "no hang on, that's not quite it. it's more like if one tiny thing is off, the whole thing is worthless"
                return "rethought", said.group("thought")  # "no, it's more that i'm only ever an afterthought to them"
            fuller = re.match(r"^\W*(?:(?:um+|uh+|well|so|more|just|like)\W+)*that (?=(?:i|i'm|im|i'll|everyone|everybody|they|"
                              r"people|nobody|no one|he|she|my)\b)(.{12,})$", low)
            if fuller and tx.yes_no(text) is None:
                return "rethought", fuller.group(1)  # "that i'm going to freeze and everyone will think i shouldn't..."
            for d in self.lib.distortions.distortions:
                if d.name.lower() in low or d.id.replace("_", " ") in low:
                    return "filled", d.name
            yn = tx.yes_no(text)
            if yn is True and s.candidates:
                return "filled", self._distortion(s.candidates[s.offered]).name
            if yn is False:
                s.offered += 1
                if s.offered < len(s.candidates):
                    return "again", ""
                return "declined", ""
            side = tx.evidence_side(text) if len(text.split()) >= 5 else None
            if side:  # "well, she did say the data section was weak": they argue the thought itself
                return "evidence", side
        elif step.kind == "adaptive_thought":
            yn = tx.yes_no(text)
            words = len(text.split())
            if EMPTY_POSITIVE.search(text.lower()) and s.reprompts < 2:
                return "again", ""
            if s.draft and (PLAN.search(text.lower()) or _IMPERATIVE.match(text.lower())) and yn is not False:
                return "plan_at_draft", text  # "say sorry to him after school": the draft stands, and that is the step
            agrees = (yn is True or OK_WITH_IT.search(text.lower())) and (words <= 8 or AGREES.search(text.lower()))
            if agrees and s.draft:
                return "filled", s.draft
            if words >= 6 and yn is not False:
                return "filled", tx.own_words(text)
            if s.reprompts < 1:
                return "offer_again", ""
            return ("filled", s.draft) if s.draft and yn is not False else ("declined", "")
        elif step.expectation == "evidence" and s.reprompts < 1 and not _BOTH_SIDES.search(text.lower()) \
                and not (step.slot == "evidence_against" and re.match(r"^\W*(?:but|although|though|however)\b", text.lower())) \
                and (side := tx.evidence_side(text)) \
                and step.slot in EVIDENCE_SLOTS and step.slot != f"evidence_{side}":
            return "other_side", side  # asked for the facts against it, they give one more for it (or the reverse)
        elif step.expectation == "action" and not sounds_like_plan(text):
            # an action slot holds an intention or an action, never what happened or a judgement of it
            wrapping = s.wrapping or self._elapsed_min(s) >= self.settings.closing_minute
            telling = s.modality == "express" and len(text.split()) >= 6 and not self._declines(text)
            # "the evenings are the worst, that's when he'd put the telly on": more of the story, heard, not pushed for a plan
            return ("not_a_plan", "") if s.reprompts < 1 and not wrapping and not telling else ("no_plan", "")
        else:
            value = self._value_for(step.expectation, text, r)
            if value:
                return "filled", value
        if s.reprompts >= 1 and step.expectation in ("situation", "thought", "feeling", "evidence", "text") \
                and r.kind == "answer" and len(text.split()) >= 4 and not self._declines(text) \
                and not BARE_NUMBER.match(text.lower()):
            return "filled", tx.own_words(text)  # asked twice, answered in their own way: their words are the answer
        if step.optional or s.reprompts >= 1:
            return "declined", ""
        return "again", ""

    @staticmethod
    def _value_for(expectation: str, text: str, r: Reading) -> str:
        """The part of the turn that answers this step, in their words ("" for a bare number: "about a
        four" does not say what happened)."""
        if expectation not in ("rating", "mood") and (BARE_NUMBER.match(text.lower()) or (
                expectation != "feeling" and _ONLY_RATINGS.fullmatch(text.lower()))):
            return ""  # "about a four", "old thought fifty, scared fifty": numbers, not what this step asks
        if expectation == "situation" and r.slots.get("situation"):
            return tx.own_words(r.slots["situation"])
        if expectation == "thought" and r.slots.get("thought"):  # kept as said: "that I'm ..." frames a harsh label as a thought
            return tx.own_words(r.slots["thought"])
        if expectation == "thought":
            return tx.own_words(text) if any(ch.isalpha() for ch in text) else ""
        if expectation == "action":  # the plan itself, not the hedge in front of it ("i dunno, maybe call him")
            parts = [p for p in re.split(r"(?<=[.!?])\s+|,\s+(?=i\b|i'm\b|i'll\b)", text) if p.strip()]
            plans = [p for p in parts if sounds_like_plan(p)]
            if plans and len(plans) < len(parts):  # "ok. she picked up. i'm gonna meet her there": the part that is a plan
                text = " ".join(plans)
            return re.sub(r"^(?:(?:i dunno|i don'?t know|not sure|maybe|probably|perhaps|i guess|i suppose|i think|honestly|"
                          r"just|um+|uh+|well|so|ok|okay)\W+)+", "", tx.own_words(text), flags=re.I) or tx.own_words(text)
        if expectation == "feeling" and len(feelings := tx.feeling_words(text)) >= 2:
            return " and ".join(feelings[:2])  # "i'm tired. and sad, i think" -> "tired and sad"
        if expectation == "feeling":  # "angry i guess" is "angry": a hedge said back reads "angry you guess"
            short = re.sub(r"\s+", " ", re.sub(r"\b(?:i guess|i think|i suppose|maybe|probably|kind of|sort of|kinda|mostly|"
                                              r"honestly|really|just|like|um+|uh+)\b", " ", tx.own_words(text), flags=re.I)).strip(" ,.")
            short = short or tx.own_words(text)
            if _NOT_A_FEELING.fullmatch(short.lower()):
                return ""  # "yes please", "six now": no feeling word in it, so the question stands
            if len(short.split()) <= 5:
                return short
            if r.slots.get("emotion"):
                return str(r.slots["emotion"])
            feeling = tx.own_feeling(text) or tx.feeling_word(text)
            if feeling or _MOMENT.search(text.lower()):  # "when i was practising last night" is a moment, not a feeling:
                return feeling or ""                     # asked again, never "how strong was it when you felt when ..."
        if not any(ch.isalpha() for ch in text):
            return ""
        if expectation == "body":  # "where in your body?" holds a place in the body, or nothing
            loc = extract(text, "body").get("location")
            return loc or (tx.own_words(text) if len(text.split()) <= 5 and not _MOMENT.search(text.lower()) else "")
        # "i guess that i'm not just angry" is the answer "I'm not just angry"
        return re.sub(r"^(?:that|like)\s+(?=(?:i|i'm|i've|i'd|i'll|they|he|she|it|it's|we|my|people|everyone|nobody)\b)", "",
                      tx.own_words(text), flags=re.I)

    def _declines(self, text: str) -> bool:
        return tx.matches_any(self.lib.session.decline_patterns, text)

    def _distortion(self, did: str):
        return next(d for d in self.lib.distortions.distortions if d.id == did)

    def _draft(self, c: _Compose, mod: Modality) -> str:
        """A balanced thought built from *their* evidence, in their voice, short enough to hold in mind:
        one or two clauses against the thought, what they'd tell a friend said about themselves, and at
        most a short concession from the evidence for it (never a harsh label). "" when nothing fits:
        the step then asks for their own words."""
        s = c.state
        fields = tx.balanced_parts(s.slots.get("evidence_for", ""), s.slots.get("evidence_against", ""),
                                   s.slots.get("friend_advice", ""))
        if not mod.drafts:
            return fields["evidence_against"] or fields["friend_advice"]
        for template in _filled(mod.drafts, fields):
            draft = _inline(_tidy(template.format(**fields)))
            if len(draft.split()) <= DRAFT_WORDS and guard.scan(draft).ok:  # a draft the output guard would stop is not offered
                return draft
        return ""

    def _make_card(self, c: _Compose, mod: Modality) -> None:
        s = c.state
        slots = {st.slot: "" for st in mod.steps if st.slot}
        fields = {**c.fields(), **slots, **s.slots}  # the card is theirs: kept in their own words on screen
        card = {k: _no_repeats(_tidy(v.format(**fields))) for k, v in mod.artefact.fields.items()
                if any(fields.get(p) for p in placeholders(v))}  # "{scale} out of 10" with no scale is no field
        card = {k: v for k, v in card.items() if v and not safety.mentions_medication(v)
                and guard.vet(v, fallback="", kind="card")[0]}  # a field the guard blocks is not shown
        s.card = {"title": mod.artefact.title, "modality": mod.id, **card}
        c.event("coping_card", **s.card)

    def _card_sentence(self, s: SessionState, mod: Modality, words: int = 0) -> str:
        """The card read aloud: second person, at most ``words`` (SPOKEN_CARD_WORDS; the screen keeps the full text)."""
        if not s.card:
            return ""
        return _fit(mod.artefact.readback, spoken_slots(s.slots), words or SPOKEN_CARD_WORDS)

    # ------------------------------------------------------------------ closing
    def _start_closing(self, c: _Compose, early: bool = False, card_said: bool = False, leaving: bool = False) -> None:
        """The summary (shown, and said when short), the card if not read yet, then the mood question. Right after
        the card was read back (``card_said``) the summary is only shown: the card already said it."""
        s = c.state
        c.set_phase("closing")
        c.parts = [p for p in c.parts if p[1] not in BRIDGES]  # the summary says it back; no stale reflection before it
        if s.card is None and s.modality and self._card_complete(s, self.lib.modalities[s.modality]):
            self._make_card(c, self.lib.modalities[s.modality])
        if leaving and not s.check_pending:  # "the bus is here, gotta go, bye!": no questions; summary and card are shown
            s.notes.append("the person had to go: summary and card shown, not read")
            if summary := self._summary(s) or self._partial_summary(s):
                c.event("summary", text=summary)
            c.line("goodbye_leaving")
            c.ended = True
            return
        if early:
            c.line("short_closing")
            s.notes.append("the person ended the session early")
        elif self._elapsed_min(s) >= self.settings.closing_minute:
            c.line("closing_start", minutes_left=self._minutes_left(s))
        summary = self._summary(s) or self._partial_summary(s)
        card = self._card_sentence(s, self.lib.modalities[s.modality]) if s.card and not s.card_read and s.modality else ""
        if summary:
            c.event("summary", text=summary)
            if card and _repeats(summary, card):
                card = ""  # the summary already says what the card holds: said once (the screen shows the card)
            if not card_said and len(f"{summary} {card}".split()) <= SPOKEN_CARD_WORDS:  # the screen keeps both
                c.line("closing_summary", summary=summary)
        if card:
            c.line("closing_card", card=card)
        s.card_read = s.card_read or bool(s.card)
        s.stage, s.reprompts = ("mood_early" if early else "mood"), 0
        if s.check_pending:  # never closed with the direct question unanswered: asked now, the mood question after
            s.check_pending = False
            mood = c.render(self.lib.session.lines["mood_close"])
            s.crisis = CrisisState(stage="check", category="suicide", resume=mood, prior_phase="closing")
            c.say(self.lib.crisis.lines["check_before_close"], "crisis.check_before_close")
            return
        c.line("mood_close")

    def _closing(self, c: _Compose, text: str, r: Reading) -> None:
        s = c.state
        if r.kind == "switch" and r.modality and s.stage in ("mood", "mood_early"):
            self._switch(c, r.modality)
            return
        if r.kind == "end" and s.stage != "comment":
            self._goodbye(c)
            return
        if r.kind == "question" and r.ask in ("time", "human", "privacy", "repeat", "advice", "normal", "fault", "why") \
                and s.stage != "comment":
            self._question(c, r)  # "how long is this going to take?" while closing: answered, and the closing question again
            return
        if s.stage == "referred":  # whatever they answer, nothing more is worked on today; no argument with it
            if person := self._plan_value(text, "people"):  # "my girlfriend, maybe": the helper heard, then goodbye
                c.line("referred_person", key=spoken(person, 8))
                c.ended = True
            else:
                self._referred_goodbye(c)
            return
        if s.stage == "danger_next":  # "i can't call, he'll hear me": heard in a quiet goodbye that keeps the number
            c.say(self.lib.crisis.lines["danger_goodbye"], "crisis.danger_goodbye")
            c.ended = True
            return
        if self._late_plan(c, text):
            return
        if r.kind == "correction" and s.stage in ("mood", "mood_early") and tx.parse_number(text, 0, 10) is None:
            c.line("correction")  # "no, thursday, not tuesday" while the mood is asked: heard, and the question again
            c.line("mood_reprompt")
            return
        if s.stage in ("mood", "mood_early"):
            answered, n = self._rating(c, text, 0, 10, "mood_reprompt")
            if not answered:
                return
            s.mood_close = n
            if n is not None:
                c.event("mood", when="close", value=n)
            if s.stage == "mood_early":
                self._goodbye(c)
                return
            c.line("feedback")
            s.stage = "feedback"
        elif s.stage == "feedback":
            answered, n = self._rating(c, text, 1, 5, "feedback")
            if not answered:
                return
            s.feedback = n
            comment = re.sub(r"\b(\d|one|two|three|four|five)\b", " ", text)
            if len(comment.split()) >= 4:
                s.feedback_comment = tx.own_words(text, 80)
                self._goodbye(c)
            else:
                c.line("feedback_comment")
                s.stage = "comment"
        else:
            if not self._declines(text) and tx.yes_no(text) is not False and not _ONLY_THANKS.fullmatch(text.lower()):
                s.feedback_comment = tx.own_words(text, 80)  # "thanks, night" is a goodbye, not a comment
            self._goodbye(c)

    def _referred_goodbye(self, c: _Compose) -> None:
        c.line("referred_goodbye")
        c.ended = True

    def _late_plan(self, c: _Compose, text: str) -> bool:
        """A next step said while closing ("i'll call her wednesday after her shift and say sorry properly") when the
        work ended without one: it goes on the card, is acknowledged, and the closing question is asked again."""
        s = c.state
        mod = self.lib.modalities.get(s.modality or "")
        step = next((st for st in mod.steps if st.expectation == "action" and st.slot), None) if mod else None
        plan = PLAN.search(text.lower()) or (_IMPERATIVE.match(text.lower()) and WHEN.search(text.lower())) or (
            s.stage in ("mood", "mood_early") and tx.parse_number(text, 0, 10) is None and len(text.split()) >= 4
            and sounds_like_plan(text) and not re.search(r"\b(?:not|never|n'?t) (?:going to|gonna|do)\b", text.lower()))
        # "maybe ask jenny to do the charts" when the mood was asked; "i'm not going to do anything" is no step
        if mod is None and plan and not safety.mentions_medication(text) and tx.parse_number(text, 0, 10) is None:
            # no work was done (a crisis took the session): "i think i could stay at my cousin's tonight" is heard
            c.line("late_plan_heard")
            if s.last_question:
                c.parts.append((_tidy(s.last_question), "session.resume"))
            return True
        if step is None or safety.mentions_medication(text) or not plan or " and also " in s.slots.get(step.slot, ""):
            return False
        said = new = self._value_for("action", text, Reading(kind="answer", slots={}))
        if s.slots.get(step.slot):  # "maybe ask jenny to do the charts": a second step, added beside the first
            if said.lower() in s.slots[step.slot].lower():
                return False
            said = f"{s.slots[step.slot]}, and also {said[:1].lower()}{said[1:]}"
        self._fill(s, step.slot, said)
        s.notes.append(f"{step.id}: said while closing, added to the card")
        self._make_card(c, mod)
        c.line("late_plan", key=spoken(new, 12))
        if s.last_question:
            c.parts.append((_tidy(s.last_question), "session.resume"))
        return True

    def _rating(self, c: _Compose, text: str, lo: int, hi: int, reprompt: str) -> tuple[bool, int | None]:
        """A rating in [lo, hi]; asked once more when no number was heard. Returns (answered, value). A number inside a
        question of their own ("why not a zero? i guess i still care") is not the rating when anything else was said."""
        told = " ".join(p for p in re.split(r"(?<=[.!?])\s+", text.strip()) if p and not p.rstrip().endswith("?"))
        n = tx.parse_number(told or text, lo, hi)
        if n is None and c.state.reprompts == 0 and not self._declines(text) and len(text.split()) <= 3:
            c.state.reprompts = 1
            c.line(reprompt)
            return False, None
        c.state.reprompts = 0
        return True, n

    def _goodbye(self, c: _Compose) -> None:
        c.line("goodbye_after_crisis" if c.state.risk_flag else "goodbye")
        if c.state.feedback is not None:
            c.event("feedback", score=c.state.feedback, comment=c.state.feedback_comment)
        c.ended = True

    def _summary(self, s: SessionState) -> str:
        """Two sentences in the second person, from their slots, at most SPOKEN_CARD_WORDS. A summary
        says the work was done, so it is said only when it was (else ``_partial_summary``)."""
        if not s.modality:
            return ""
        mod = self.lib.modalities[s.modality]
        if not self._card_complete(s, mod, summary=True):
            return ""
        return _fit(mod.summary, spoken_slots(s.slots), SPOKEN_CARD_WORDS)

    def _partial_summary(self, s: SessionState) -> str:
        """When the work stopped early: what they brought, in their words, and nothing claimed."""
        lines = self.lib.session.lines
        moment = ""
        for value in [s.slots.get(k, "") for k in PARTIAL_SLOTS] + [s.topic]:
            said = spoken(value, 12, frame=True)
            if safety.mentions_medication(value):
                continue  # "your doctor lowered your sertraline": medication never enters a summary
            if said and (tx.is_clause(said) or _HAS_SUBJECT.search(said)) and not _VIOLENT_IDIOM.search(said):
                # never "... on this today: yesterday afternoon", nor "you could murder your flatmate"
                return _tidy(lines["summary_partial"][0].format(key=said))
            if said and not moment and _MOMENT.fullmatch(said.lower().strip(" .,")):
                moment = said
        if moment and lines.get("summary_partial_moment"):  # "... on what happened yesterday afternoon"
            return _tidy(lines["summary_partial_moment"][0].format(key=moment))
        return _tidy(lines["summary_partial_plain"][0]) if lines.get("summary_partial_plain") and s.turns > 2 else ""

    @staticmethod
    def _card_complete(s: SessionState, mod: Modality, summary: bool = False) -> bool:
        """Every slot the card is made of was answered (a card with holes is not a card). For the summary,
        a plan they weren't sure of yet ("not sure yet") is not a hole: the work was done."""
        needed = {p for t in mod.artefact.fields.values() for p in placeholders(t)}
        optional = {st.slot for st in mod.steps if st.slot and (st.optional or st.when or st.exercise
                                                                or any(n.startswith(f"{st.id}: answered with the plan for")
                                                                       for n in s.notes))}  # passed over by an early plan
        if summary:
            optional |= {st.slot for st in mod.steps if st.slot and st.expectation == "action" and f"{st.id}: no plan yet" in s.notes}
        return all(s.slots.get(k) for k in needed - optional)

    def _recall(self, history: list[SessionRecord], name: str | None) -> str | None:
        """One short sentence about the last *completed* session, or None for a first visit."""
        if not history:
            return None
        if history[0].risk_flag and "safety" in self.lib.session.recall:  # the last talk was a crisis: that comes first
            return self.lib.session.recall["safety"]
        done = [h for h in history if h.status == "completed"]
        if not done:  # only talks cut short: what was started, never a card it did not make
            started = _first_clause_said((history[0].notes or {}).get("topic", "") if isinstance(history[0].notes, dict) else "")
            key = "started_told" if tx.is_clause(started) else "started"
            r = self.lib.session.recall
            if started and key in r:
                return _tidy(r[key].format(topic=started))
            return ""
        last = next((h for h in done if h.card), done[0])
        card = last.card or {}
        notes = last.notes if isinstance(last.notes, dict) else {}
        mod = self.lib.modalities.get(last.modality or "")
        fields = {
            "name": name or "", "topic": spoken(notes.get("topic", ""), 8) or _first_clause_said(notes.get("topic", "")),
            "modality_name": mod.name if mod else "",
            "new_thought": spoken(card.get("new_thought", ""), 14), "action": spoken(card.get("action", ""), 10),
            "small_step": spoken(card.get("small_step") or card.get("next_step") or card.get("action", ""), 12),
        }
        r = self.lib.session.recall
        if tx.is_clause(fields["topic"]) and "told" in r:  # "you're burnt out at work" is something they told, not a topic
            r = {**r, "topic": r["told"]}
        planned = re.match(r"you(?:'ll| will| could| can| might|'re going to| are going to)\s+(.+)", fields["small_step"], re.I)
        if planned and "said" in r:  # "you'll spend twenty minutes ..." -> "you said you'd spend twenty minutes ..."
            fields["small_step"] = "you'd " + planned.group(1)
            r = {**r, "step": r["said"]}
        for key in ("step", "card", "topic"):  # what they planned to do is what a returning talk follows up first
            if key in r and all(fields.get(p) for p in placeholders(r[key])):
                line = _tidy(r[key].format(**fields))
                if len(line.split()) <= RECALL_WORDS:
                    return line
        return ""

    # ------------------------------------------------------------------ safety
    def _crisis(self, c: _Compose, verdict: safety.Screen, told: dict[str, bool] | None = None) -> None:
        """A risk signal pre-empts everything in this same turn. ``told``: screener answers the turn gave in a way only
        its context shows ("sunday i reckon", said to the direct question, is a when)."""
        s = c.state
        cr = self.lib.crisis
        c.exact = True
        if verdict.level == "concern" and s.crisis is None:
            s.crisis = CrisisState(stage="check", category=verdict.category, resume=s.last_question,
                                   prior_phase=s.phase, held=self._held(c))
            s.notes.append(f"safety check: {verdict.reason}")
            key = _check_key(verdict.category)
            c.say(cr.lines[key], f"crisis.{key}")
            c.event("safety_check", category=verdict.category, reason=verdict.reason)
            return
        first = s.crisis is None or s.crisis.stage == "check"
        if first:
            prev = s.crisis
            confirmed = {"thoughts": True} if prev and prev.stage == "check" else {}
            s.crisis = CrisisState(stage="screener", category=verdict.category, answers=confirmed,
                                   resume=prev.resume if prev else s.last_question,
                                   prior_phase=prev.prior_phase if prev else s.phase,
                                   held=prev.held if prev else self._held(c))
        if first and c.person:  # "i've been saving my tablets and i'm taking them all tonight": answers already given
            for item, said in {**_screen_told(c.person), **(told or {})}.items():
                s.crisis.answers.setdefault(item, said)
                s.crisis.said_outright.append(item)
        s.risk_flag = True
        s.danger = s.danger or verdict.category == "danger_from_others"
        s.notes.append(f"risk flag: {verdict.category} ({verdict.reason})")
        c.set_phase("crisis")
        self._crisis_event(c, verdict.level, verdict.category)
        key = {"self_harm": "self_harm", "danger_from_others": "danger_from_others", "medical": "medical",
               "means_request": "means_refusal", "imminent": "imminent"}.get(verdict.category or "", "acknowledge")
        if verdict.category == "imminent":
            s.crisis.answers["safe_now"] = False
            s.crisis.said_outright.append("unsafe")
        high_told = first and any(s.crisis.answers.get(k) for k in ("intent", "plan", "preparation"))
        if key == "imminent" and s.crisis.category == "danger_from_others":
            self._resources_line(c)  # not safe from someone: the emergency number and the abuse line, not the suicide line
        elif key == "imminent" and high_told:
            pass  # the high-risk line says "call now" once; the imminent line would say it twice
        elif first or key != "acknowledge":
            c.say(cr.lines[key], f"crisis.{key}")
        if high_told and verdict.category not in ("danger_from_others", "medical"):
            pass  # the high-risk line says the emergency number, then the crisis line follows it
        elif not _has_number(c.text, c.emergency, c.resources) and (first or verdict.category in ("means_request", "medical", "danger_from_others")):
            self._resources_line(c)
        if verdict.category in ("medical", "danger_from_others") and "safe_now" not in s.crisis.answers:
            s.crisis.index = next(i for i, st in enumerate(cr.screener) if st.id == "safe_now")
        if key == "self_harm" and first and s.crisis.stage == "screener":
            # "are you hurt right now?" is this turn's one question, asked last; the screen waits for its answer
            self._question_last(c, "crisis.self_harm")
            s.crisis.said_outright.append("injury_asked")
            return
        if s.crisis.stage == "screener":
            if not c.text.rstrip().endswith("?"):
                self._screener_ask(c)
        elif s.crisis.stage == "plan" and s.crisis.awaiting_person and key == "imminent" \
                and "unsafe_stay" not in s.crisis.said_outright:
            s.crisis.said_outright.append("unsafe_stay")  # "no, i'm not safe": one person or place now, the plan later
            c.say(cr.lines["unsafe_stay"], "crisis.unsafe_stay")
        elif s.crisis.stage == "plan":
            self._plan_ask(c)
        else:
            c.say(cr.lines["stay"], "crisis.stay")

    def _crisis_event(self, c: _Compose, level: str, category: str | None) -> None:
        res = self.crisis_resources()
        c.event("crisis", level=level, category=category, emergency=self.emergency_number(),
                resources=[r.model_dump() for r in res])

    def crisis_resources(self) -> list[Resource]:
        """The crisis resources for the configured locale (what every door shows and says)."""
        table = self.lib.crisis.resources
        return table.get(self.settings.locale.upper(), table["default"])

    def emergency_number(self) -> str:
        nums = self.lib.crisis.emergency_numbers
        return nums.get(self.settings.locale.upper(), nums.get("default", "your local emergency number"))

    def _resources_line(self, c: _Compose) -> None:
        s = c.state
        if s.crisis is not None and s.crisis.category == "danger_from_others":
            self._danger_say(c, "danger_resources")
            return
        c.say(self.lib.crisis.lines["resources_spoken"], "crisis.resources")

    def _danger_say(self, c: _Compose, key: str) -> None:
        """A danger line that names the locale's abuse line when there is one (the variants with {danger}), else not."""
        danger, crisis = self._danger_line(), c.state.crisis
        if key == "danger_closing" and crisis is not None and crisis.danger_told >= 2:
            danger = ""  # said twice already: the close is short and keeps the emergency number
        variants = [v for v in self.lib.crisis.lines[key] if ("{danger}" in v) == bool(danger)] or self.lib.crisis.lines[key]
        line = c.say(variants, f"crisis.{key}", danger=danger)
        if crisis is not None and danger and danger in line:
            crisis.danger_told += 1

    def _danger_line(self) -> str:
        """A domestic abuse line for the locale, as said aloud ("" where none is configured)."""
        table = self.lib.crisis.danger_resources
        return _spoken(table.get(self.settings.locale.upper(), []))

    def _screener_ask(self, c: _Compose) -> None:
        cr, s = self.lib.crisis, c.state
        assert s.crisis is not None
        if any(s.crisis.answers.get(k) for k in ("intent", "plan", "preparation")) or "unsafe" in s.crisis.said_outright:
            s.crisis.index = len(cr.screener)  # high risk already told, or not safe now: no checklist, a person now
        while s.crisis.index < len(cr.screener):
            st = cr.screener[s.crisis.index]
            if st.id in s.crisis.answers:
                s.crisis.index += 1
                continue
            if s.crisis.answers.get("thoughts") is False and (st.id in ("method", "intent", "plan") or (
                    st.id in ("preparation", "safe_now") and self._low_kind(s.crisis))
                    or (st.id == "preparation" and s.crisis.category == "self_harm")):  # "...to end your life?": not asked
                s.crisis.answers[st.id] = None
                s.crisis.index += 1
                continue
            c.say(st.prompts, f"crisis.{st.id}")
            return
        if s.crisis.category == "danger_from_others":  # somewhere safe to go, then a close; never the suicide plan
            c.say(cr.lines["danger_place"], "crisis.danger_place")
            s.crisis.stage, s.crisis.awaiting_person = "stay", True
            return
        high = any(s.crisis.answers.get(k) for k in ("intent", "plan", "preparation")) or \
            s.crisis.answers.get("safe_now") is False
        if high:
            s.notes.append("high risk on screener: urged immediate contact")
            if any(s.crisis.answers.get(k) and k in s.crisis.said_outright for k in ("preparation", "intent")):
                c.say(cr.lines["high_risk"], "crisis.high_risk")  # told outright, not a hedge read as yes
                if not _has_number(c.text, c.emergency, c.resources):
                    c.say(cr.lines["also_resources"], "crisis.also_resources")
                if s.crisis.answers.get("preparation"):
                    key = "place_away" if "at_the_edge" in s.crisis.said_outright else "means_away"
                    c.say(cr.lines[key], f"crisis.{key}")
                    if key == "place_away":  # the plan's safer surroundings are what was just asked: not asked again
                        s.crisis.plan["safer_surroundings"] = c.parts[-1][0]
            elif not _has_number(c.text, c.emergency, c.resources):
                self._resources_line(c)
            person = self._plan_value(c.person, "trusted_person") if _REACH.search(c.person.lower()) else None
            known = s.crisis.plan.get("trusted_person")  # named while the screener ran, and said back then
            if person or known:  # "i could maybe tell my flatmate, or ring my sister": said already, not asked for
                if not known:
                    s.crisis.plan["trusted_person"] = person
                    self._person_heard(c, person)
                s.crisis.stage, s.crisis.index, s.crisis.plan_now = "plan", 0, s.crisis.told_high
                self._plan_intro(c)
                self._plan_ask(c)
                return
            c.say(cr.lines["trusted_person"], "crisis.trusted_person")
            s.crisis.stage, s.crisis.index, s.crisis.awaiting_person, s.crisis.plan_now = "plan", 0, True, s.crisis.told_high
            return
        if s.crisis.answers.get("thoughts") is False and self._low_kind(s.crisis):
            self._screen_low(c)
            return
        s.crisis.stage, s.crisis.index = "plan", 0
        self._plan_intro(c)
        self._plan_ask(c)

    def _plan_steps(self, crisis: CrisisState) -> list[Step]:
        cr = self.lib.crisis
        return cr.safety_plan_now if crisis.plan_now and cr.safety_plan_now else cr.safety_plan

    def _plan_intro(self, c: _Compose) -> None:
        assert c.state.crisis is not None
        key = "safety_plan_now_intro" if c.state.crisis.plan_now else "safety_plan_intro"
        c.say(self.lib.crisis.lines[key], f"crisis.{key}")

    def _person_heard(self, c: _Compose, value: str) -> None:
        """ "you could text your friend maya" or "your sister" said back; a plain line when it can't be said cleanly."""
        cr = self.lib.crisis
        bare = re.sub(r"\b(?:i guess|i think|i suppose|maybe|probably|um+|uh+|like|i don'?t know)\b\W*", "", value, flags=re.I)
        said = tx.second_person(bare.strip(" ,."), 12)
        who = _MY_PERSON.search(bare.lower())
        name = who.group("name") if who and who.group("name") not in _NOT_A_NAME else None
        if who and name:  # "my buddy ray. he'd pick up", "my brother, ravi. he's ten minutes away": your brother Ravi
            c.say(cr.lines["person_heard_who"], "crisis.person_heard", key=f"your {who.group('who')} {name.capitalize()}")
        elif said and re.match(r"you (?:could|can|will|'ll|might|would)\b", said) and " you " not in said[3:] + " ":
            c.say(cr.lines["person_heard"], "crisis.person_heard", key=said)
        elif said and re.fullmatch(r"your (?:[a-z]+ ){0,2}[a-z]+", said):
            c.say(cr.lines["person_heard_who"], "crisis.person_heard", key=said)
        elif who:
            c.say(cr.lines["person_heard_who"], "crisis.person_heard", key=f"your {who.group('who')}")
        else:
            c.say(cr.lines["person_heard"], "crisis.person_heard", key="")

    def _plan_ask(self, c: _Compose) -> None:
        cr, s = self.lib.crisis, c.state
        assert s.crisis is not None
        steps = self._plan_steps(s.crisis)
        while s.crisis.index < len(steps) and (s.crisis.plan.get(steps[s.crisis.index].slot or "") or (
                steps[s.crisis.index].slot == "people" and s.crisis.plan.get("trusted_person"))):
            s.crisis.index += 1  # "my sister" was told already, when asked who they could be with: not asked for again
        if s.crisis.index < len(steps):
            st = steps[s.crisis.index]
            c.say(st.prompts, f"crisis.plan.{st.id}")
            return
        c.event("safety_plan", **s.crisis.plan)
        s.notes.append("safety plan made; the session closes gently")
        if not (s.crisis.plan.get("people") or s.crisis.plan.get("trusted_person")):
            c.say(cr.lines["trusted_person"], "crisis.trusted_person")
            s.crisis.stage = "stay"
            return
        key = "closing_now" if s.crisis.plan_now else "closing"
        c.say(cr.lines[key], f"crisis.{key}")
        s.crisis = None  # the screen is resolved and the plan made: the usual close (mood, feedback, goodbye) follows
        c.set_phase("closing")
        c.line("mood_close")
        s.stage, s.reprompts = "mood", 0

    def _crisis_continue(self, c: _Compose, text: str, scope: safety.ScopeFlag | None,
                         verdict: safety.Screen | None = None) -> None:
        """Stay in the crisis protocol; no normal protocol work in these turns. ``verdict``: this turn's own screen
        ("not like, killing myself. i just wouldn't mind not waking up" answers the thoughts question with a yes)."""
        cr, s = self.lib.crisis, c.state
        assert s.crisis is not None
        c.exact = True
        wants_out = interpret(text, "yesno", end_patterns=self.lib.session.end_patterns).kind == "end"
        if s.crisis.leaving:
            self._leave(c, text)
            return
        if _NUMBER_AGAIN.search(text.lower()):  # "can you give me that number again": the numbers, and the question stands
            self._resources_line(c)
            pending = s.last_question
            if pending and pending not in c.text:
                c.parts.append((_tidy(pending), "session.resume"))
            return
        if s.crisis.stage == "check":
            if scope is not None and scope.kind != "ask_if_human" and s.crisis.unclear < 1:
                s.crisis.unclear += 1  # the referral is given; the direct question still stands
                self._scope(c, scope, resume=False)
                c.say(cr.lines["concern_check"], "crisis.concern_check")
                return
            if not s.crisis.switch_to and (asked := asks_for_modality(text, self.aliases)):
                s.crisis.switch_to = asked  # kept, and taken up once the check ends low
            self._check_answer(c, text, wants_out, risky=verdict is not None and verdict.level != "none")
            return
        if wants_out:
            if s.crisis.unresolved and s.crisis.answers.get("safe_now") is None:
                s.crisis.leaving = True  # never close with the screen unresolved: numbers, then are you safe
                if s.crisis.category == "danger_from_others":
                    self._danger_say(c, "leaving_check_danger")
                else:
                    c.say(cr.lines["leaving_check"], "crisis.leaving_check")
                return
            if s.crisis.category == "danger_from_others":
                self._danger_say(c, "danger_closing")
            elif any(s.crisis.answers.get(k) and k in s.crisis.said_outright for k in ("intent", "preparation")):
                s.notes.append("left at high risk: urged to call now")
                c.say(cr.lines["leaving_unsafe"], "crisis.leaving_unsafe")  # a plan for tonight: "call now", not "if ever"
            else:
                c.line("goodbye_after_crisis")
            c.ended = True
            return
        if s.crisis.stage in ("screener", "plan") and "?" in text and _PUT_AWAY.search(text.lower()) \
                and "safer_yes" not in s.crisis.said_outright:  # "can i give the lighter to my roommate?": yes, now
            s.crisis.said_outright.append("safer_yes")
            s.crisis.plan.setdefault("safer_surroundings", tx.own_words(text))
            c.say(cr.lines["safer_yes"], "crisis.safer_yes")
            if s.last_question:
                c.parts.append((_tidy(s.last_question), "session.resume"))
            return
        if s.crisis.stage in ("screener", "plan") and _WILL_RING.search(text.lower()):
            if "ringing" in s.crisis.said_outright:  # "it's ringing": no question while they make the call
                c.say(cr.lines["stay"], "crisis.stay")
                return
            s.crisis.said_outright.append("ringing")  # "ok. ok i'll ring them": that call comes before any more questions
            c.say(cr.lines["ringing_heard"], "crisis.ringing_heard")
            return
        if s.crisis.stage == "screener" and "injury_asked" in s.crisis.said_outright \
                and "injury_heard" not in s.crisis.said_outright:  # the answer to "are you hurt right now?"
            s.crisis.said_outright.append("injury_heard")
            for item, said in _screen_told(text).items():
                s.crisis.answers.setdefault(item, said)
            if _NEEDS_CARE.search(text.lower()) and not _NO_CARE.search(text.lower()):
                c.say(cr.lines["medical"], "crisis.medical")
            else:
                c.say(cr.lines["injury_ok"], "crisis.injury_ok")
            self._screener_ask(c)
            return
        if s.crisis.stage == "screener":
            st = cr.screener[s.crisis.index]
            answer = tx.safe_answer(text) if st.id == "safe_now" else tx.screener_answer(text)
            if st.id == "thoughts" and answer is not True and verdict is not None and verdict.level != "none" \
                    and verdict.category in ("suicide", "self_harm"):
                answer = True  # the answer carries risk in its own words: a passive wish is a yes
            if st.id in (told := _screen_told(text)):  # "the blades are in my desk drawer" answers "...to prepare?", and
                answer = told[st.id]  # "i wouldn't act on it" is a no to intent (a yes only to the thoughts question)
            elif answer and told.get("intent") is False and st.id in ("method", "plan", "preparation") \
                    and tx.screener_answer(_WOULDNT_ACT.sub(" ", text.lower().replace("\u2019", "'"))) is False:
                answer = False  # "no, i wouldn't act on it" to "have you made a plan?": the denial is not a hedge here
            elif st.id in ("intent", "plan", "preparation") and answer and tx.safe_answer(text) is True \
                    and s.crisis.unclear < 1:
                answer = None  # "yeah i'm alright tonight, my flatmate's in" answers another question: asked once more
            if st.id in ("method", "intent", "plan", "preparation") and answer is not False \
                    and _WHEN_ANSWER.search(text.lower()) and "timing" not in s.crisis.said_outright:
                answer = True  # "sunday probably" to "do you think you might act on them?": a yes with a time
                s.crisis.answers["intent"] = True
                s.crisis.said_outright.append("timing")
            if answer and _KEEPS_NUMBER.search(text.lower()) and not told:
                answer = None  # "yeah ok. i'll save the number": a yes to the numbers, not to the question asked
            if told.get(st.id) or (answer and _PLAIN_YES.match(text.lower())):
                s.crisis.said_outright.append(st.id)
            if st.id == "safe_now" and answer is False and (_NOT_SAFE.search(text.lower()) or _PLAIN_NO.match(text.lower())):
                s.crisis.said_outright.append("unsafe")  # "no, i'm not safe", not a hedged "i guess i'm safe"
            for other, said in told.items():  # "no plan or anything", "the blades are in my drawer", even in a half-answer
                if other != st.id and other not in s.crisis.answers:
                    s.crisis.answers[other] = said
                    s.crisis.said_outright.append(other)
            if _AT_THE_EDGE.search(text.lower()):
                s.crisis.said_outright.append("at_the_edge")  # the means is a place: step away from it, not "put it away"
            if st.id in ("method", "intent", "plan", "preparation") and answer is not False and not told.get(st.id) \
                    and not _PLAIN_YES.match(text.lower()) and _NAMED_CONTACT.search(text.lower()) and not any(told.values()) \
                    and (person := self._plan_value(text, "people")) and "person_named" not in s.crisis.said_outright:
                # "my buddy ray. he'd pick up" or "ok. maybe i'll text ray tonight": someone to reach, heard as that
                # (and kept for the plan), never a yes to acting on the thoughts; the question stands
                s.crisis.said_outright.append("person_named")
                s.crisis.plan.setdefault("people", person)
                s.crisis.plan.setdefault("trusted_person", person)
                self._person_heard(c, person)
                c.say(st.reprompts or st.prompts, f"crisis.{st.id}")
                return
            if answer is None and any(told.get(k) for k in ("intent", "plan", "preparation")):
                s.crisis.unclear, s.crisis.index = 0, len(cr.screener)  # "the drop's right there": high risk, no checklist
                self._screener_ask(c)
                return
            if answer is None and self._answer_aside(c, text):
                return
            if (answer is None or (_asks_back(text) and st.id not in told)) and s.crisis.unclear < 1:
                s.crisis.unclear += 1
                if st.id == "safe_now" and tx.says_ok(text):
                    s.crisis.said_outright.append("said_ok")  # "no. i'm not gonna do anything. i'm ok right now"
                c.say(st.reprompts or st.prompts, f"crisis.{st.id}")
                return
            if answer is None and st.id == "safe_now" and "said_ok" in s.crisis.said_outright:
                answer = True  # "i'm ok right now" said, then a turn about something else: taken as said
            if answer is None and not (st.id == "preparation" and s.crisis.answers.get("thoughts") is False):
                answer = st.id != "safe_now"  # asked twice and still no answer: treated as yes (or as not safe)
            s.crisis.unclear = 0
            s.crisis.answers[st.id] = answer
            s.crisis.index += 1
            if any(s.crisis.answers.get(k) for k in ("intent", "plan", "preparation")):
                s.crisis.index = len(cr.screener)  # "yes, i've got tablets saved up": high risk is known, no checklist
            if st.id == "safe_now" and answer is False and not _has_number(c.text, c.emergency):
                if s.crisis.category == "danger_from_others":
                    self._resources_line(c)  # the emergency number and the abuse line, not the suicide line
                else:
                    c.say(cr.lines["imminent"], "crisis.imminent")
            self._screener_ask(c)
        elif s.crisis.stage == "plan" and _HELP_COMING.search(text.lower()) and "help_coming" not in s.crisis.said_outright:
            # "he's coming. he said stay put": help is on its way; stay with them, then the plan for while they wait
            s.crisis.said_outright.append("help_coming")
            s.crisis.plan.setdefault("trusted_person", tx.own_words(text))
            c.say(cr.lines["help_coming"], "crisis.help_coming")
            if s.crisis.awaiting_person:
                s.crisis.awaiting_person = False
                self._plan_intro(c)
            self._plan_ask(c)  # the plan for while they wait, its question in words that stand on their own
        elif s.crisis.stage == "plan" and _MEANS_HERE.search(text.lower()) and "means_away" not in s.crisis.said_outright:
            # "they're in my bag, right next to me": the means at hand come first; the question stands
            s.crisis.said_outright.append("means_away")
            s.crisis.answers["preparation"] = True
            c.say(cr.lines["means_away"], "crisis.means_away")
            if s.last_question:
                c.parts.append((_tidy(s.last_question), "session.resume"))
        elif s.crisis.stage == "plan" and _NOTE_TOLD.search(text.lower()) and "note_heard" not in s.crisis.said_outright:
            # "i wrote some letters. just in case", told while the plan is made: how serious it is, the number, the question
            s.crisis.said_outright.append("note_heard")
            s.crisis.answers["preparation"] = True
            c.say(cr.lines["note_heard"], "crisis.note_heard")
            if s.last_question:
                c.parts.append((_tidy(s.last_question), "session.resume"))
        elif s.crisis.stage == "plan" and _screen_told(text).get("intent") and "timing" not in s.crisis.said_outright:
            # "tonight once the kids are at their dad's": when is told in the middle of the plan; it is an emergency now
            s.crisis.said_outright.append("timing")
            s.crisis.answers["intent"] = True
            c.say(cr.lines["timing_heard"], "crisis.timing_heard")
            if s.last_question:
                c.parts.append((_tidy(s.last_question), "session.resume"))
        elif s.crisis.stage == "plan":
            steps = self._plan_steps(s.crisis)
            slot = "trusted_person" if s.crisis.awaiting_person else (steps[s.crisis.index].slot or steps[s.crisis.index].id)
            value = self._plan_value(text, slot)
            if (value is None or len(value.split()) <= 3) and slot not in ("trusted_person", "people") \
                    and tx.yes_no(text) is True and not _asks_back(text):
                value = "yes"  # "yeah i will" to "would you reach them tonight?": agreed
            if value is None and self._answer_aside(c, text):
                return
            if value is None and slot in ("trusted_person", "people") and _AWAY.search(text.lower()) \
                    and "away_heard" not in s.crisis.said_outright:  # "my sister's away till sunday": someone else, tonight
                s.crisis.said_outright.append("away_heard")
                c.say(cr.lines["person_away"], "crisis.person_away")
                return
            if value is None and s.crisis.awaiting_person and tx.yes_no(text) is True and "who_asked" not in s.crisis.said_outright:
                s.crisis.said_outright.append("who_asked")  # "yes": there is someone; who, so it can be said back
                c.say(cr.lines["who_is_it"], "crisis.who_is_it")
                return
            if value is None and not self._declines(text) and s.crisis.unclear < 1 \
                    and not (s.crisis.awaiting_person and _NO_ONE.search(text.lower())):
                s.crisis.unclear += 1
                if s.crisis.awaiting_person:
                    c.say(cr.lines["trusted_person"], "crisis.trusted_person")
                else:
                    st = steps[s.crisis.index]
                    c.say(st.reprompts or st.prompts, f"crisis.plan.{st.id}")
                return
            if slot == "safer_surroundings" and value and s.crisis.unclear < 1 and not _PUT_AWAY.search(text.lower()) \
                    and not _MEANS_HERE.search(text.lower()) and (person := self._plan_value(text, "people")):
                # "my sister, i suppose. she's in ballarat" to "anything you'd be safer without?": a person, heard as one;
                # the means question stands
                s.crisis.unclear += 1
                s.crisis.plan.setdefault("people", person)
                self._person_heard(c, person)
                st = steps[s.crisis.index]
                c.say(st.reprompts or st.prompts, f"crisis.plan.{st.id}")
                return
            s.crisis.unclear = 0
            if value:
                s.crisis.plan[slot] = value
            if slot not in ("trusted_person", "people") and not _PUT_AWAY.search(text.lower()) \
                    and not s.crisis.plan.get("people") and (person := self._plan_value(text, "people")):
                s.crisis.plan["people"] = person  # "i don't know. maybe my sister": the people step is answered too
                self._person_heard(c, person)
            if s.crisis.awaiting_person and not value and _NOT_SAFE.search(text.lower()) and "unsafe_stay" not in s.crisis.said_outright:
                # "no, i'm not safe" at imminent risk: no safety plan yet; the number, and one person or place, now
                s.crisis.said_outright += ["unsafe_stay", "unsafe"]
                s.crisis.plan_now = True
                if not _has_number(c.text, c.emergency):
                    c.say(cr.lines["imminent"], "crisis.imminent")
                c.say(cr.lines["unsafe_stay"], "crisis.unsafe_stay")
                return
            if s.crisis.awaiting_person:
                s.crisis.awaiting_person = False
                if tx.safe_answer(text) is True and s.crisis.answers.get("safe_now") is False:
                    # "yeah i'm safe, my partner's home": put right; the plan is for tonight only if risk stays high
                    s.crisis.answers["safe_now"] = True
                    if "unsafe" in s.crisis.said_outright:
                        s.crisis.said_outright.remove("unsafe")
                    s.crisis.plan_now = s.crisis.told_high
                if not value and re.search(r"\b(?:note|letter)s?\b", text.lower()):  # a goodbye note told: how serious it is
                    s.crisis.answers["preparation"] = True
                    c.say(cr.lines["note_heard"], "crisis.note_heard")
                elif not value and _UNSURE.fullmatch(text.lower().strip(" .,!?")):  # "i don't know": not "no point"
                    c.say(cr.lines["no_one_unsure"], "crisis.no_one_unsure")
                elif not value:  # "i don't want to ring anyone, there's no point": heard, and a smaller way in offered
                    c.say(cr.lines["no_one_heard"], "crisis.no_one_heard")
                else:  # "i could text my friend maya if it gets bad": said back, so they know it was heard
                    self._person_heard(c, value)
                    if s.crisis.answers.get("safe_now") is False:  # not safe now: call them now, not "if it gets bad"
                        c.say(cr.lines["call_now"], "crisis.call_now")
                self._plan_intro(c)
            else:
                if value and s.crisis.plan_now and slot == "safer_surroundings" and _PUT_AWAY.search(text.lower()):
                    c.say(cr.lines["safer_heard"], "crisis.safer_heard")  # "i'll put them in the kitchen": now
                s.crisis.index += 1
            self._plan_ask(c)
        else:
            danger = s.crisis.category == "danger_from_others"
            if danger and self._danger_not_yet(c, text):
                return
            value = "" if self._declines(text) else self._plan_value(text, "trusted_person")
            if value:
                s.crisis.plan["trusted_person"] = value
            if danger:
                if value:  # "my cousin lives twenty minutes away": somewhere to go, said back as the step to take
                    c.say(cr.lines["danger_place_heard"], "crisis.danger_place_heard")
                self._danger_say(c, "danger_closing")
            else:
                key = "closing_now" if s.crisis.plan_now else "closing"
                c.say(cr.lines[key], f"crisis.{key}")
            s.crisis = None
            c.set_phase("closing")
            if danger:  # no ratings while someone may be in the next room: what is in the way, then a quiet goodbye
                c.say(cr.lines["danger_next"], "crisis.danger_next")
                s.stage, s.reprompts = "danger_next", 0
            else:
                c.line("mood_close")
                s.stage, s.reprompts = "mood", 0

    @staticmethod
    def _question_last(c: _Compose, key: str) -> None:
        """The question inside the line said under ``key`` moved to the end of the turn, after the numbers."""
        at = next((i for i, (_, k) in enumerate(c.parts) if k == key), None)
        if at is None:
            return
        sentences = re.split(r"(?<=[.!?])\s+", c.parts[at][0])
        asked = [x for x in sentences if x.endswith("?")]
        if not asked:
            return
        c.parts[at] = (" ".join(x for x in sentences if not x.endswith("?")), key)
        c.parts.append((asked[-1], key))

    def _danger_not_yet(self, c: _Compose, text: str) -> bool:
        """Asked where they could go, a person in danger may tell where they are hiding, or why they can't call the
        police: heard, and the question asked again once, rather than taken for a safe place or a goodbye."""
        s, low = c.state, text.lower()
        assert s.crisis is not None
        if _SHELTERING.search(low) and not _PLACE_ELSEWHERE.search(low) and "sheltering" not in s.crisis.said_outright:
            s.crisis.said_outright.append("sheltering")
            c.say(self.lib.crisis.lines["danger_sheltering"], "crisis.danger_sheltering")
            return True
        if _POLICE_FEAR.search(low) and "police" not in s.crisis.said_outright:
            s.crisis.said_outright.append("police")
            c.say(self.lib.crisis.lines["danger_police"], "crisis.danger_police")
            return True
        return False

    def _leave(self, c: _Compose, text: str) -> None:
        """The answer to "are you safe right now?" asked as they go; only a plain yes is safe."""
        s = c.state
        assert s.crisis is not None
        safe = tx.safe_answer(text)
        s.crisis.answers["safe_now"] = safe
        s.notes.append(f"left during the screen; safe now: {safe}")
        if safe and s.crisis.category == "danger_from_others":
            self._danger_say(c, "danger_closing")
        elif safe:
            c.line("goodbye_after_crisis")
        else:
            s.risk_flag = True
            c.say(self.lib.crisis.lines["leaving_unsafe"], "crisis.leaving_unsafe")
        c.ended = True

    def _answer_aside(self, c: _Compose, text: str) -> bool:
        """A question back while a safety question is open ("is this a real person?", "how long is this?") is
        not an answer: it is answered, and the safety question asked again (twice at most)."""
        s = c.state
        assert s.crisis is not None
        r = interpret(text, "yesno")
        if r.kind != "question" or (s.crisis.asides >= 2 and r.ask != "privacy"):  # "will you call the cops?" always
            return False
        s.crisis.asides += 1
        cr, pending = self.lib.crisis, s.last_question
        s.last_question = ""  # the answer alone; the safety question follows in words that stand on their own
        if r.ask in ("human", "time", "repeat", "advice", "privacy", "normal", "fault"):
            self._question(c, r)
        else:
            c.say(cr.lines["why_ask"], "crisis.why_ask", step_question="")
        s.last_question = pending
        if s.crisis.stage == "screener":
            st = cr.screener[s.crisis.index]
            c.say(st.reprompts or st.prompts, f"crisis.{st.id}")
        elif s.crisis.stage == "plan" and s.crisis.awaiting_person:
            c.say(cr.lines["trusted_person"], "crisis.trusted_person")
        elif s.crisis.stage == "plan":
            st = self._plan_steps(s.crisis)[s.crisis.index]
            c.say(st.reprompts or st.prompts, f"crisis.plan.{st.id}")
        else:
            key = _check_key(s.crisis.category)
            key = "check_again" if key in ("concern_check", "means_concern") else key  # asked again: words that stand alone
            c.say(cr.lines[key], f"crisis.{key}")
        return True

    def _check_answer(self, c: _Compose, text: str, wants_out: bool, risky: bool = False) -> None:
        """The answer to the direct question. Any yes, hedge or ambiguity counts as yes; a plain no is
        accepted once, without asking again. ``risky``: this turn carries a risk signal of its own ("i'm parked up
        at the lookout... couldn't be at home"): a second signal with no answer is a yes, never their own thread."""
        cr, s = self.lib.crisis, c.state
        assert s.crisis is not None
        answer = tx.screener_answer(text)
        if answer is None and risky and s.crisis.unclear >= 1:
            answer = True
        when = answer is None and bool(_WHEN_ANSWER.search(text.lower()))
        if when:
            answer = True  # "sunday i reckon. after the dog's gone": a when, told as the answer, is a yes with a time
        if answer is False and _NO_POINT.search(text.lower()):
            answer = True  # "nah, i'm not gonna ring anyone. what's the point": hopelessness is not a no
        if answer is False and _MEANS_HERE.search(text.lower()):
            answer = True  # "no. they're in my drawer": the means at hand outweigh the no
        other = safety.only_someone_else(text, s.recent[:-1]) if answer is not False else None
        if other and s.crisis.category in ("suicide", "self_harm", None):
            answer = False  # "he said he doesn't see the point anymore, that we'd be better off without him": his risk
        if s.crisis.category == "medical" and answer is not True and tx.safe_answer(text) is True:
            answer = False  # "do you need medical help?" - "i'm fine, honestly"
        if answer is None and not wants_out and self._answer_aside(c, text):
            return
        if wants_out and answer is not False:  # leaving with the question open: numbers, then are you safe
            s.crisis.leaving = True
            if s.crisis.category == "danger_from_others":
                self._danger_say(c, "leaving_check_danger")
            else:
                c.say(cr.lines["leaving_check"], "crisis.leaving_check")
            c.event("safety_check", category=s.crisis.category, reason="leaving before answering the direct question",
                    emergency=c.emergency, resources=[r.model_dump() for r in self.crisis_resources()])
            return
        if (answer is None or (_asks_back(text) and answer is not False)) and s.crisis.unclear < 1:
            s.crisis.unclear += 1
            key = "concern_check" if s.crisis.category == "means_request" else _check_key(s.crisis.category)
            c.say(cr.lines[key], f"crisis.{key}")
            return
        if answer is None and s.crisis.unclear >= 1 and self._low_kind(s.crisis) and not wants_out \
                and (len(text.split()) >= 4 or tx.parse_number(text, 0, 100) is not None):  # twice on with their own thread: the numbers, back to it, asked again before the end
            crisis, s.crisis = s.crisis, None
            s.check_pending = True
            s.notes.append("the direct question was not answered twice: the numbers given; asked again before the close")
            c.say(cr.lines["check_unanswered"], "crisis.check_unanswered",
                  step_question="" if crisis.held or crisis.switch_to else crisis.resume)
            self._after_check(c, crisis)
            return
        if answer is None and s.crisis.category == "medical":  # twice about something else: the number, then on
            crisis, s.crisis = s.crisis, None
            s.notes.append("medical check answered about something else twice: the emergency number given, work resumed")
            c.say(cr.lines["check_unclear_medical"], "crisis.check_unclear_medical", step_question=crisis.resume)
            return
        answer = True if answer is None else answer
        if answer:
            self._crisis(c, safety.Screen(level="crisis", category=s.crisis.category or "suicide",
                                          reason="answered the direct question with yes, a hedge or unsure", matched=[]),
                         told={"intent": True} if when else None)
            if when:
                c.state.crisis.said_outright.append("timing")
            return
        s.notes.append("safety check answered: no")
        s.denied = True
        crisis, s.crisis = s.crisis, None
        c.exact = False
        if _NOT_ME.search(text.lower()) or other:  # the risk is someone else's: help for them, then back to what they brought
            self._other_at_risk(c, "the risk is someone else's: help for them urged", text)
            if crisis.resume and not crisis.held:
                c.parts.append((_tidy(crisis.resume), "session.resume"))
        else:
            c.say(cr.lines["check_no"], "crisis.check_no", step_question="" if crisis.held or crisis.switch_to else crisis.resume)
        self._after_check(c, crisis)

    def _after_check(self, c: _Compose, crisis: CrisisState) -> None:
        """A check that ended low gives way to what was held while it was open: a topic, or an approach asked for."""
        if crisis.switch_to and c.state.phase == "working":
            self._switch(c, crisis.switch_to)
        elif crisis.held:
            self._take_held_topic(c, crisis.held)

    def _held(self, c: _Compose) -> str:
        """Their answer to the opening's topic question, kept to be routed once a screen ends low."""
        s = c.state
        return c.person if s.phase == "opening" and s.stage == "topic" and s.crisis is None else ""

    @staticmethod
    def _low_kind(crisis: CrisisState) -> bool:
        """Only a suicide screen can end low and go back to the work; self-harm, danger and the body keep their path."""
        return crisis.category in (None, "suicide")

    def _screen_low(self, c: _Compose) -> None:
        """A plain no to thoughts of suicide is accepted once, and the screen goes no further: thank them, leave the
        numbers, and go back to what they came with."""
        s = c.state
        crisis, s.crisis = s.crisis, None
        assert crisis is not None
        s.notes.append("screen ended low: no thoughts of suicide; back to the work")
        s.denied = True
        s.last_question = ""  # the screen's question is answered; never asked again as "the question before"
        if _NOT_ME.search(c.person.lower()):  # "no it's not me, it's him i'm worried about": get help for them
            self._other_at_risk(c, "the risk is someone else's: help for them urged", text)
        else:
            c.say(self.lib.crisis.lines["screen_low"], "crisis.screen_low")
        c.set_phase(crisis.prior_phase if crisis.prior_phase in ("opening", "working", "closing") else
                    ("working" if s.modality else "opening"))
        if crisis.held and s.phase == "opening":
            self._take_held_topic(c, crisis.held)
        elif crisis.resume:
            c.parts.append((_tidy(crisis.resume), "session.resume"))
            s.last_question = crisis.resume

    @staticmethod
    def _plan_value(text: str, slot: str) -> str | None:
        """Their words for one part of the safety plan, or None when the turn does not answer it (a question back, a
        number, "yeah", or for the people in it, no person)."""
        words = tx.own_words(text)
        if text.rstrip().endswith("?") or interpret(text, "text").kind == "question" \
                or not re.search(r"[a-z]{3,}", words.lower()) or _NOTHING_TO_HOLD.match(text.strip().lower()):
            return None
        low = text.lower()
        if slot in ("trusted_person", "people") and (not _PERSON.search(low) or _NO_ONE.search(low)
                                                      or re.search(r"\b(?:note|letter|goodbye)s?\b", low) or _AWAY.search(low)):
            return None  # "i've left a note for my mum" names mum, but as a goodbye; "my sister's away till sunday" is out of reach
        if slot == "professionals" and not (_PROFESSIONAL.search(low) or _PLAIN_YES.match(low)):
            return None  # "safe enough i guess" names no one who could help
        if slot in ("coping", "warning_signs", "safer_surroundings") and _NO_ONE.search(low):
            return None  # "i don't really want to call anyone": about people, not what helps on their own
        if slot == "safer_surroundings" and _NOTE_TOLD.search(low):
            return None
        return words

    def _scope(self, c: _Compose, flag: safety.ScopeFlag, resume: bool = True) -> None:
        s = c.state
        if s.phase == "closing" and s.stage == "referred":  # referred already: said kindly once, not argued
            self._referred_goodbye(c)
            return
        limit = getattr(self.lib.scope, flag.kind)
        res = limit.resources.get(self.settings.locale.upper()) or limit.resources.get("default") or []
        c.exact = True
        question = s.last_question if limit.then == "continue" and resume else ""
        told = limit.told if flag.reason.endswith("told") else []
        c.say(told or limit.lines, f"scope.{flag.kind}", resources=_spoken(res) or c.resources, step_question=question)
        if flag.kind != "ask_if_human":
            s.notes.append(f"referral: {flag.kind} ({flag.reason})")
            c.event("referral", kind=flag.kind, reason=flag.reason, resources=[r.model_dump() for r in res])
        if limit.then == "close":  # no more work today: who could help them get that care, then a kind goodbye
            c.set_phase("closing")
            s.stage = "referred"
            c.line("referred_ask")
        elif question and question not in c.text:
            c.parts.append((_tidy(question), "session.resume"))

    # ------------------------------------------------------------------ pacing
    def _elapsed_min(self, s: SessionState) -> float:
        return (self.clock.now() - s.started_at) / 60.0

    def _minutes_left(self, s: SessionState) -> str:
        return str(max(1, round(self.settings.session_minutes - self._elapsed_min(s))))


RULE_SCOPE_FIRST = frozenset({"medication", "psychosis_mania", "compulsion"})  # preferred to a semantic-only concern
def _guard_kind(step: str) -> str | None:
    """How the output guard reads a line: crisis lines may ask about means, referral and disclosure
    lines may name medication; every other line may carry the person's words (reflections, drafts,
    cards, summaries, recall), so a drug, dose or means in it is never said back."""
    if step.startswith("crisis."):
        return "crisis"
    if step.startswith("scope.") or step == "session.disclosure":
        return None
    if any(k in step for k in ("card", "summary", "recall", "draft", "balanced")):
        return "card"  # a read-back may quote their own story in the first person
    return "reflection"


BRIDGES = frozenset({"session.reflect_feeling", "session.reflect_positive", "session.reflect_key", "session.reflections",
                     "session.acknowledgements", "session.name_later", "session.mood_words", "crisis.stay"})
POSITIVE_FEELINGS = frozenset({"calm", "calmer", "relieved", "better", "hopeful", "happy", "lighter"})
# an idiom's violence ("i could murder my flatmate") is never said back, in a reflection or a summary
_VIOLENT_IDIOM = re.compile(r"\b(?:murder\w*|kill\w*|strangl\w*|throttl\w*|stab\w*|shoot\w*|lol|lmao)\b", re.I)
HARSH = re.compile(r"\b(failure|useless|worthless|stupid|idiot|loser|pathetic|ugly|burden|disgusting|hate yourself|inadequate|small|"
                   r"deserve|fault|mess|weak|broken|crazy|kill|die|dead)\b|" + _VIOLENT_IDIOM.pattern, re.I)
_FEELING_FIX = re.compile(r"\b(?:not|wasn'?t|isn'?t|no)\b[^.?!]{0,30}\b(?:exactly|really|quite|so much)?\W+(?:(?:it'?s|it was|i was|i'?m|i felt)"
                          r" )?(?:more (?:like )?|actually |rather |closer to )(?P<new>[a-z ]{3,30})")
_THIS_ONE = re.compile(r"\b(?:not|never) (?:doing|gonna do|going to do|trying) (?:that|this)(?: one| bit| part)?\b|\b(?:skip|pass on)"
                       r" (?:that|this)(?: one| bit| part)?\b|\bi (?:won'?t|will not|don'?t want to|do not want to) do (?:that|this)(?: one)?\b")
DECLINE_WORDS = re.compile(r"^\W*(?:nah|no|nope)\W*$|\bfeels? (?:daft|silly|stupid|weird)\b")
_LITTLE_TIME = re.compile(r"\b(?:(?:only|just|literally) (?:have|got|'?ve got|have got)|(?:i'?ve|i have) (?:only |just |literally )*got)"
                          r" (?:like |about |maybe |around )?(?:two|three|four|five|ten|fifteen|twenty|a few|a couple of|\d+) (?:minutes|mins)\b(?! (?:of|worth)\b)"
                          r"|\bdon'?t have (?:much |long|a lot of )?time\b|\bin a (?:rush|hurry)\b"
                          r"|\b(?:can'?t|cannot) (?:be|stay|talk) (?:long|for long)\b|\bon my (?:fifteen|ten|lunch|break|lunch break)\b")
_NUMBER_WORD = (r"(?:\d{1,3}|zero|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty"
                r"|ninety|hundred)")
_ONLY_RATINGS = re.compile(r"(?:\W*(?:(?:the |my )?(?:(?:old|new) )?(?:thought|belief|feeling|one)|[a-z]+)?\W*(?:like |about |maybe |around"
                           r" |at |is )?" + _NUMBER_WORD + r"(?: percent|%)?(?: now)?\W*)+")
_BOTH_SIDES = re.compile(r"\bfor\s*[:\-][\s\S]*\bagainst\s*[:\-]|\bon the other hand\b")
_GRAVE_NEWS = re.compile(r"\b(?:cancer|tumou?r|diagnos\w+|terminal|(?<!nearly )(?<!almost )(?<!phone )(?<!phone had )(?<!phone had just )(?<!battery )died(?! (?:of|from) (?:embarrassment|shame"
                         r"|laughter|laughing|boredom|cringe))|passed away|in (?:the )?hospital|intensive care|accident"
                         r"|miscarr\w+|stroke|heart attack|dementia|funeral)\b")
_JUST_TALK_HERE = re.compile(r"\bi (?:just )?(?:want|need|wanna) to (?:talk|talk to someone|be heard|get it out)\b")
_ONLY_THANKS = re.compile(r"(?:\W*\b(?:thanks|thank you|thankyou|cheers|ta|night|nite|goodnight|good night|bye|goodbye|bye bye"
                          r"|see you|see ya|ok|okay|no|nope|nah|nothing|that'?s it|that'?s all|all good|take care|x+)\b)+\W*")
_MIDDLE = re.compile(r"\b(?:(?:somewhere |right |about |around )?in the middle|halfway|half way|middling|middle of the road"
                     r"|not (?:great|good),? not (?:terrible|awful|bad)|so so|fifty fifty|50 50)\b")
_NOT_A_FEELING = re.compile(r"(?:\W*\b(?:yes|yeah|yep|yup|no|nope|nah|ok|okay|sure|please|thanks|thank you|alright|now|then|\d+|"
                            + _NUMBER_WORD + r")\b)+\W*")
EXERCISE_WORDS = re.compile(r"\b(breath\w*|breathing|grounding|exercises?|meditat\w*|senses|(?:close|shut|closing|shutting) (?:my|the|your) eyes"
                            r"|eyes (?:closed|shut))\b")
_HAS_SUBJECT = re.compile(r"\b(?:you|you're|you've|you'd|you'll|he|she|he's|she's|they|they're|it|it's|we|your \w+)\s+[a-z']{2,}", re.I)
_TOPIC_LEAD = re.compile(
    r"^\W*(?:(?:actually|honestly|um+|uh+|well|so|but|and|sorry|look|ok|okay)\W+)*(?:(?:the )?(?:bigger|real|actual|main) "
    r"(?:thing|problem|issue) (?:is|here is)|there'?s something else(?: (?:too|as well))?|something else (?:is|has been) \w+ (?:me|on my mind)|"
    r"(?:can|could) (?:i|we) (?:talk about|bring up)|i (?:want|need|wanna) to talk about|what'?s really (?:bothering|getting to|bugging) me is)\W*",
    re.I)
PARTIAL_SLOTS = ("situation", "event", "trigger", "best_hopes", "body_notice")  # what a session that stopped early was about
DRAFT_WORDS = 35
LONG_REPLY_WORDS = 30  # a reply this long needs no acknowledgement in front of it
SPOKEN_CARD_WORDS = 60
CARD_STEP_WORDS = 45  # read as a step, the card is followed by the closing question: the action they just said can go
RECALL_WORDS = 30
# A turn that says nothing a safety plan could hold: "yeah", "i guess", "five", "ok sure".
_NEEDS_CARE = re.compile(r"\b(?:bleeding|won'?t stop|deep|stitches|hospital|a&e|er\b|emergency|infected|pus|blister\w*|yes|yeah"
                         r"|need (?:help|a doctor|care)|hurts? (?:a lot|badly|so much)|took|swallowed|overdos\w*)\b")
_NO_CARE = re.compile(r"\b(?:not (?:infected|deep|bleeding|bad|serious)|no(?:t)? need|it'?s small|it'?s fine|i'?m fine|band.?aid|plaster"
                      r"|cleaned it|healing|no,? i'?m (?:ok|okay|fine))\b")
_BODY_SIGN = re.compile(r"\b(?:dizz\w*|faint\w*|black(?:ed|ing)? out|blackouts?|periods?|chest (?:pain|hurts?)|heart (?:racing|pounding"
                        r"|skipping)|palpitations|numb\w*|tingl\w*|blood|bleed\w*|vomit\w*|throwing up|losing weight|lost weight|hair"
                        r" (?:falling|coming) out|short of breath|can'?t breathe|lump|fever|rash|seizures?|(?:throat|teeth|tooth|gums?|stomach"
                        r"|chest|head|jaw|back)(?:'s| is| has| have| are)? (?:been )?(?:\w+ ){0,2}(?:sore|hurt\w*|ach\w*|weird|bleed\w*|sensitive"
                        r"|swollen|burn\w*|funny|strange)|swollen (?:cheeks|glands|face))\b")
_SHELTERING = re.compile(r"\b(?:i'?ve|i have|i) (?:locked|barricaded|shut) (?:it|myself|the door|me)\b|\blocked in (?:my|the) \w+\b"
                         r"|\bi'?m (?:in|hiding in|locked in|sat in|sitting in) (?:my|the) (?:bedroom|room|bathroom|toilet|loo|car"
                         r"|wardrobe|closet|garage)\b|\bhiding\b")
_PLACE_ELSEWHERE = re.compile(r"\b(?:neighbou?r|friend'?s?|mum'?s|mom'?s|dad'?s|sister'?s|brother'?s|nan'?s|aunt\w*|shelter|refuge"
                              r"|hotel|motel|next door|down the road|over the road|across the road)\b")
_POLICE_FEAR = re.compile(r"\b(?:can'?t|cannot|won'?t|don'?t want to|not going to|wouldn'?t|couldn'?t) (?:ring|call|phone|get|involve)"
                          r" (?:the )?(?:police|cops|guards|gardai|triple zero|000|999|911|112)\b|\b(?:police|cops|guards) (?:will|would|'ll)"
                          r" (?:take|arrest|lock|put)\b")
_MY_PERSON = re.compile(r"\bmy (?P<who>(?:(?:best|big|little|older|younger|old) )?(?:mum|mom|mam|mother|dad|father|sister|brother|aunt|auntie"
                        r"|uncle|nan|nana|gran|granny|grandma|grandad|grandpa|cousin|wife|husband|partner|girlfriend|boyfriend|friend"
                        r"|mate|flatmate|roommate|housemate|neighbou?r|son|daughter|therapist|counsell?or|doctor|gp|key ?worker|buddy|bff"
                        r"|sponsor|mentor|workmate|pastor|chaplain))\b"
                        r"(?:,? (?P<name>[a-z]{2,12})\b)?")
_NOT_A_NAME = frozenset("i im he she they who and but or so she's he's is was will would could can the a an at in on maybe "
                        "probably i'd i'll then too lives just only who's".split())
_HELP_COMING = re.compile(r"\b(?:he|she|they|\w+) (?:is|are|'s|'re) (?:on (?:his|her|their|the) way|coming(?! (?:back|home later|up))"
                          r"|driving over|heading over|coming over|coming to get me)\b|\bwait(?:ing)? for (?:him|her|them|my \w+) (?:now|to come"
                          r"|to get here)\b|\b(?:he|she|they) said (?:to )?stay (?:put|here|where i am)\b")
_PUT_AWAY = re.compile(r"\b(?:put|putting|move|moving|give|giving|hand|handing|lock|locking|throw|throwing|bin|binning|get rid|hide"
                       r"|take (?:them|it) (?:to|out|down|away)|leave (?:them|it) (?:in|at|with|outside)|ask \w+ to (?:keep|hold|take)"
                       r"|(?:keep|hold) (?:them|it|onto)|another room|the kitchen|outside|downstairs|the car)\b")
_UNSURE = re.compile(r"(?:(?:um+|uh+|hm+|well|honestly|i mean)\W+)*(?:i (?:really )?(?:don'?t|do not) know|i dunno|dunno|not sure|i'?m not sure"
                     r"|no idea|i have no idea|i can'?t think(?: of anyone)?)(?:\W+(?:really|to be honest|honestly|tbh))?")
_NOTHING_TO_HOLD = re.compile(r"^\W*(?:(?:yeah|yes|yep|yup|ok|okay|sure|fine|right|mm+|hm+|um+|uh+|i guess|i suppose|i dunno|dunno"
                          r"|i don'?t know|not sure|maybe|probably|no idea|whatever|i think so|so|and|well|like|\d+|zero|one|two"
                          r"|three|four|five|six|seven|eight|nine|ten|[a-z]+ty(?:[ -]?ish)?|-?ish)\W*)+$")
# Someone to reach: a relation, a role, a place with people, or a name said with a verb of reaching ("kirsty knocked").
_AWAY = re.compile(r"\b(?:she|he|they)(?:'s| is|'re| are) (?:away|abroad|overseas|not around|not here|on holiday|out of town|working"
                   r"|at work|on shift|in hospital)\b|\b(?:'s|is|are) away (?:till|until|for)\b|\bcan'?t (?:reach|get hold of|get through to)\b")
_PROFESSIONAL = re.compile(r"\b(?:doctor|doc|gp|therapist|counsell?or|psychiatrist|psychologist|nurse|crisis (?:line|team)|helpline"
                           r"|lifeline|samaritans|hotline|mental health|key ?worker|social worker|care coordinator|a and e|a&e|hospital"
                           r"|clinic|service|line|number|988|999|911|111|116|triple zero|1737|13 11 14|shout|text line|team)\b")
_NOTE_TOLD = re.compile(r"\b(?:wrote|written|writing|left|leaving|finished) (?:a |the |my |some |a few |a couple of |two |three )?"
                        r"(?:goodbye )?(?:note|letter)s?\b")
_NO_ONE = re.compile(r"\b(?:no ?one|nobody|there'?s no one|(?:no point|what'?s the point|why bother)(?: in| of)? (?:ringing|calling|texting"
                     r"|telling|talking to|bothering) (?:anyone|anybody|someone|them|people)|(?:don'?t|do not|won'?t|can'?t|not going to|not gonna)"
                     r" (?:really |even |actually )?(?:want to |wanna )?(?:ring|call|text|tell|talk to|bother|reach|contact) (?:anyone|anybody|someone|them|people|a helpline"
                     r"|the helpline|helplines|a hotline|a crisis line|the crisis line|the line|the samaritans|samaritans|strangers|a stranger))\b")
def _name_reached(verbs: str, also_not: str = "") -> str:
    """ "i'll text ray", "maybe call jo": a name after a verb of reaching, said as a plan (never "call it", "ring back")."""
    not_names = ("the|a|an|it|them|him|her|anyone|someone|anybody|somebody|back|out|up|round|around|in|me|you|this|that|now"
                 "|tonight|later|today|tomorrow|again|emergency|ambulance|police|cops" + (f"|{also_not}" if also_not else ""))
    return (rf"(?:i'?ll|i will|i could|i can|i might|i'?d|i would|maybe|gonna|going to|to|then) (?:{verbs})"
            rf" (?!(?:{not_names})\b)[a-z]{{2,12}}\b")


_PERSON = re.compile(
    r"\b(?:mum|mom|mam|mother|dad|father|parents?|sister|brother|sis|bro|siblings?|aunt\w*|uncle|gran\w*|nan|nana|grandma"
    r"|grandpa|cousin|wife|husband|partner|girlfriend|boyfriend|fianc\w*|friends?|mates?|pal|bestie|flatmates?|roommates?"
    r"|housemates?|neighbou?rs?|colleague|coworker|boss|manager|teacher|tutor|coach|pastor|priest|vicar|imam|rabbi|doctor"
    r"|bud(?:dy|dies)|homie|bff|lads|sponsor|mentor|workmates?|chaplain|youth worker"
    r"|" + _name_reached("text|call|ring|message|phone|visit") +
    r"|gp|nurse|therapist|counsell?or|psychiatrist|social worker|key ?worker|helpline|lifeline|samaritans|crisis line|someone"
    r"|somebody|anyone|(?:he|she|they)(?:'s|'re| is| are) (?:here|home|downstairs|upstairs|with me|next door|around|in|coming|on (?:her|his|their) way)|(?:with|call|text|ring|tell|ask|phone|message) (?:him|her|them)|son|daughter|kids?|child|people|family|group|church|team|cafe|library|pub"
    r"|gym|club|work|office|[a-z]+ (?:knocked|texted|called|rang|messaged|checks?|came|comes|said|asked|is|would|could|will))\b")
_ASKS_BACK = re.compile(r"\?\s*$|^\W*(what|why|how|huh|sorry|pardon)\b", re.I)


def _warm() -> None:
    """Load the safety screen's and the turn interpreter's models before the first turn needs them."""
    from attune.dialogue import turn_model

    safety.warm()
    with contextlib.suppress(turn_model.Unavailable):  # the rules work alone
        turn_model.load()


_DID_IT = re.compile(r"(?:^|[.!?]\s*)(?![^.!?]*\b(?:didn'?t|did not|couldn'?t|never|not yet|haven'?t|wasn'?t able)\b)[^.!?]*\b(?:i (?:did|actually|finally)"
                     r" (?:it|do it|call\w*|go|went|ring|rang|text\w*|ask\w*|talk\w*|spoke|tr(?:y|ied)|manage\w*|send|sent|email\w*)"
                     r"|i (?:managed to|went and|got round to|went ahead)|^\W*(?:(?:yeah|yes|yep|so|well|hey|um+)\W+)*i (?:went|called"
                     r"|rang|texted|spoke|asked|sent|tried|booked|wrote|emailed|told|did)\b)\b")
_GOOD_NEWS = re.compile(
    r"^(?![^.!?]*\b(?:not|no|didn'?t|don'?t|never|if|hope|hoping|wish|when)\b[^.!?]*\b(?:got|news|said yes|accepted)\b)"
    r".*(?:\b(?:we|i) (?:just )?(?:got|won|passed|landed|bagged|nailed|aced|sold) (?:it|the (?:one|flat|house|job|place|offer"
    r"|apartment|contract|role|promotion|part|visa|loan|mortgage|all clear))\b(?=[^.?]*(?:!|$))"
    r"|\b(?:good|great|amazing|brilliant|fantastic|wonderful|exciting|the best) news\b(?! would)"
    r"|\bthey (?:said yes|accepted (?:me|us|our offer))\b|\b(?:our|my) (?:offer|bid) (?:was |got |has been )?accepted\b)")
# an answer to "a thought that keeps coming back, a feeling in your body, a relationship, or feeling stuck with work?"
_MENU_PICK = (
    ("cbt", re.compile(r"\b(?:the|a|that) (?:thought|thinking)\b|^\W*(?:thought|thoughts|thinking|my thoughts)\W*$|\bin my head\b")),
    ("gestalt", re.compile(r"\b(?:body|physical|in my (?:chest|stomach|throat|shoulders))\b")),
    ("efit", re.compile(r"\b(?:the|a) relationship\b|^\W*relationship\W*$")),
    ("sfbt", re.compile(r"\b(?:stuck with work|feeling stuck|the work one|burn(?:ed|t)? ?out|small steps?)\b|^\W*(?:work|stuck)\W*$")),
    ("express", re.compile(r"\b(?:just )?(?:talk|talking) (?:it )?through\b|^\W*(?:just )?(?:talk|talking|to talk)\W*$|\bjust (?:to )?talk\b")),
)
_REACH = re.compile(r"\b(?:tell|ring|call|text|phone|message|talk to|speak to|go to|stay with|be with|reach out to|get hold of)"
                    r" (?:my|me|a|an|her|him|them|the|one of)\b")
_MEANS_HERE = re.compile(r"\b(?:they'?re|it'?s|they are|it is|the (?:pills|tablets|blades?|rope|gun|knife)(?: are| is)?) (?:in|on|under|beside|by|next to|right next to)"
                         r" (?:my|the|me)\b|\b(?:right )?next to me\b|\bin my (?:bag|pocket|hand|lap|drawer)\b")
_BECAUSE = re.compile(r"\b(?:because|cause|'cause|cos|since|as) (.{8,})$", re.I)
_PLAIN_NO = re.compile(r"^\W*(?:(?:um+|uh+|well|honestly)\W+)*(?:no|nope|nah|not really)\b")
_PLAIN_YES = re.compile(r"^\W*(?:(?:um+|uh+|well|honestly)\W+)*(?:yes|yeah|yep|yup|i do|i have|i am|i'?m going to|i will)\b")
_AT_THE_EDGE = re.compile(r"\b(?:the |that )?(?:drop|edge|ledge|cliff|cliffs|bridge|tracks|railway|water|river|fall)(?:'?s| is)?"
                          r" (?:right |just )?(?:there|here|below me|under me|in front of me|next to me)\b"
                          r"|\bi (?:keep|kept|can'?t stop) (?:looking|staring) (?:at|down at|over) (?:the )?(?:drop|edge|water|river|tracks"
                          r"|ledge|cliff)\b")
_KEEPS_NUMBER = re.compile(r"\b(?:save|saved|saving|keep|keeping|write down|wrote down|writing down|note|noted|put) (?:the|that|those"
                           r"|this|your) (?:number|numbers|line)\b|\b(?:number|numbers)(?:'s| is| are)? (?:saved|in my phone|written down)\b")
_WOULDNT_ACT = re.compile(r"\b(?:would(?:n'?t| not)|wo(?:n'?t| not)|never|will not|could(?:n'?t| not)) (?:ever |actually |really )?"
                          r"(?:act on (?:it|them)|do it|do anything(?: about it| like that)?|go through with it|try anything"
                          r"|hurt myself|do that(?: to (?:the kids|my kids|my family|them|her|him|my \w+))?)\b")
# someone to reach, named as such: "my buddy ray", "i'll text ray tonight" (not "the kids are at their mom's")
_NAMED_CONTACT = re.compile(r"\bmy (?:best |big |little |older |younger |old )?(?:buddy|friend|mate|pal|bff|sister|brother|mum|mom|mam"
                            r"|dad|cousin|aunt|auntie|uncle|nan|gran|grandma|grandad|partner|wife|husband|girlfriend|boyfriend|flatmate"
                            r"|roommate|housemate|neighbou?r|sponsor|mentor|pastor|therapist|counsell?or)\b"
                            r"|\b" + _name_reached("text|call|ring|message|phone", also_not="hotline|helpline|lifeline"))
_ADVICE_OPTIONS = re.compile(r"\b(?:should i|would you|shall i|do i|would i|could i|is it better to)\s+(?P<a>[a-z' ]{3,40}?)"
                             r"\s+or\s+(?:should i |do i |would you |shall i )?(?:just |maybe )?(?P<b>[a-z' ]{2,40}?)\s*(?:\?|$|\.|,)")


def _advice_options(text: str) -> tuple[str, str] | None:
    """The two options a question back names ("would you reply to him or just leave it?"), in the second person."""
    m = _ADVICE_OPTIONS.search(text.lower().replace("\u2019", "'"))
    if not m or "not" in m.group("b").split():
        return None
    said = [tx.second_person(m.group(k).strip(), 8) or "" for k in ("a", "b")]
    return (said[0], said[1]) if all(said) and all(len(x.split()) <= 8 for x in said) else None


_PUT_IDEA = re.compile(r"\b(?:put|plant|give|putting|planting|giving) (?:the|that|an|her|him|them) (?:idea|thought)s?\b|\bmake (?:it|things)"
                       r" worse (?:if|by) (?:i )?ask|\bwon'?t (?:asking|that|it) make (?:it|her|him|them|things) worse\b")
_MEANS_AT_HOME = re.compile(r"\b(?:paracetamol|tylenol|ibuprofen|pills|tablets|medicines?|meds|razors?|blades?|knives|knife|rope|guns?"
                            r"|rifle|insulin|bleach)\b[^.?!]{0,40}\b(?:in|on|under|at) (?:the|my|our|her|his) (?:kitchen|bathroom|drawer"
                            r"|cupboard|cabinet|house|room|shed|garage|bedroom|car)\b")
# "i'm going down to her now", "i'll go and sit with him", "gonna ring him right now": going to the person at risk
_GOING_TO_THEM = re.compile(
    r"\b(?:i'?m|i am|i'?ll|i will|gonna|going to|let me|i need to|i have to|i should|i'?d better|i better|off to|time to)\b"
    r"[^.?!]{0,20}?\b(?:go|going|head|heading|run|running|nip|pop|get up|knock|knocking)\b(?! for\b)[^.?!]{0,25}?"
    r"\b(?:her|him|them|(?:her|his|their) (?:door|room|bedroom|place|flat|house))\b"
    r"|\b(?:i'?m|i am|i'?ll|i will|gonna|going to) (?:go and |go )?(?:call|ring|phone|text) (?:her|him|them) (?:now|right now|straight away)\b")
# "ok i'm gonna ring the cops", "i'll call 999", "calling an ambulance now": emergency help for the person at risk
_CALLING_HELP = re.compile(
    r"\b(?:i'?m|i am|i'?ll|i will|gonna|going to|should i|shall i|i need to|i have to|let me)(?: just)? (?:go )?(?:ring|call|phone"
    r"|ringing|calling|phoning|get|getting)(?: up)? (?:the )?(?:cops|police|ambulance|emergency|paramedics|nine one one|nine nine nine"
    r"|triple zero|nine eleven|one one one|nine one one|9 ?1 ?1|9 ?9 ?9|0 ?0 ?0|1 ?1 ?[12])\b")
# "what do i even say to him?", "how do i bring it up?": how to ask someone about suicide
_WHAT_TO_SAY = re.compile(r"\bwhat (?:do|should|would|can|could) i (?:even )?(?:say|tell|ask)\b|\bhow (?:do|should|would|can) i (?:even )?"
                          r"(?:ask|bring (?:it|this) up|talk to|start|approach|raise)\b|\bwhat (?:to|should i) say\b"
                          r"|\b(?:should i|i should|do i|i need to|i have to) (?:just )?ask (?:her|him|them)\b")
# the means of the person at risk, spoken of as theirs or the household's: "his sleeping tablets", "mam keeps paracetamol"
_THEIR_MEANS = re.compile(r"\b(?:his|her|their|mam'?s|mum'?s|mom'?s|dad'?s)\b[^.?!]{0,30}\b(?:tablets|pills|meds|medication|paracetamol"
                          r"|sleeping tablets|painkillers|insulin|razors?|blades?|knives|rope|gun)\b|\b(?:how many|how much) (?:of )?"
                          r"(?:those|them|these)\b[^.?!]{0,60}|\bshould i (?:be )?count\w*\b[^.?!]{0,30}")
# "she's downstairs", "he's in his room", "yes she's home": near enough to go to now
_NEAR_THEM = re.compile(
    r"\b(?:she|he|they) (?:lives?|stays?|is staying|'s staying) with (?:me|us)\b|"
    r"\b(?:she|he|they)(?:'s| is|'re| are) (?:just )?(?:downstairs|upstairs|home|at home|here|in (?:her|his|their|the) (?:room|bedroom"
    r"|kitchen|lounge|living room)|in the (?:next|other) room|next door|asleep|in bed|in the house|with me|right here)\b"
    r"|\b(?:in the (?:next|other) room|down the hall|at home with me|sat next to me|in the house)\b")
# "he's not answering", "she's at her dad's in leeds", "i don't know where he is": out of reach now
_OUT_OF_REACH = re.compile(
    r"\b(?:not|isn'?t|won'?t be|wont be) (?:answering|picking up|replying|responding)\b|\bno answer\b|\bwon'?t (?:answer|pick up|reply)\b"
    r"|\b(?:don'?t|do not) know where (?:she|he|they) (?:is|are)\b|\b(?:lives?|living|is|'s|are) (?:miles away|in another|abroad|overseas)\b"
    r"|\bphone(?:'s| is) (?:off|dead|going to voicemail)\b|\bvoicemail\b|\bblocked me\b")
# who is at risk, as they are spoken of: "my daughter", "he", "my mate" (them when unclear)
_THEM_WORD = re.compile(r"\b(?P<her>daughter|girlfriend|wife|sister|mum|mom|mother|niece|granddaughter|she|her|aunt|auntie)\b"
                        r"|\b(?P<him>son|boyfriend|husband|brother|dad|father|nephew|grandson|he|him|uncle)\b")
# the person at risk is young: a child of theirs, a pupil, an age under twenty
_YOUNG = re.compile(r"\b(?:daughter|son|kid|kids|child|teen|teenager|teenage|pupil|student|stepdaughter|stepson|grandson|granddaughter"
                    r"|niece|nephew|little (?:brother|sister)|(?:she|he)(?:'s| is) (?:only )?(?:eleven|twelve|thirteen|fourteen|fifteen"
                    r"|sixteen|seventeen|1[1-7]))\b")
_ASKS_ABOUT_US = frozenset({"privacy", "human", "time", "how", "repeat", "normal", "why", "permission"})
_POLICE_ASK = re.compile(r"\b(?:cops|police|report|section\w*|committed|locked up|put away)\b")
_SCREEN_TOLD = (
    # "i've looked stuff up once or twice": the how has been researched
    ("method", True, re.compile(r"(?<!not )(?<!never )(?<!n't )\b(?:looked (?:stuff|things|it|ways|methods|that|into it|into ways) up"
                                r"|looked into (?:it|ways|methods|how)|googled (?:it|ways|how|stuff|methods)|researched (?:it|ways|how|methods)"
                                r"|search(?:ed)? (?:for |up )?(?:ways|methods|how to)|read up on (?:it|ways|how))\b")),
    ("method", True, re.compile(r"\b(?:take|taking|swallow|swallowing|down|downing) (?:them all|all of them|the lot|all (?:the |my |of my )?"
                                r"(?:pills|tablets|meds)|the whole (?:bottle|box|packet))\b|\b(?:jump|jumping) (?:off|from|in front)\b"
                                r"|\bhang(?:ing)? myself\b|\bcut (?:my|both) (?:wrists?|throat)\b")),
    ("plan", False, re.compile(r"\b(?:no plans?|not (?:made|got) (?:a |any )?plans?|have(?:n'?t| not) (?:made (?:a |any )?plans?"
                               r"|planned)|not planned|nothing planned|no plan or anything)\b")),
    ("method", False, re.compile(r"\b(?:have(?:n'?t| not) thought (?:about )?how|(?:don'?t|do not) know how|not (?:thought|"
                                 r"thinking) (?:about )?how|no idea how)\b")),
    ("intent", True, re.compile(r"^(?!.*\b(?:not|never|no|wouldn'?t|won'?t|alright|all right|okay|ok|fine|safe)\b)"
                                r"(?!(?!.*\b(?:do it|end it|go through|kill|die|pills)\b).*\b(?:text|call|ring|phone|message|see|visit|talk to)"
                                r" (?:him|her|them|my \w+|someone|\w+ tonight)\b).*\b(?:tonight|today|this (?:evening|afternoon|weekend)"
                                r"|right now|after (?:they|everyone|she|he) (?:go|goes|leave|leaves)|when (?:they|everyone) (?:go|leave)"
                                r"|as soon as)\b")),
    ("intent", False, _WOULDNT_ACT),
    # round 14: at the place, looking at it ("the drop's right there. i keep looking at it"): the how, and ready at hand
    ("method", True, _AT_THE_EDGE),
    ("method", True, re.compile(r"\bthere'?s (?:the|a|this|that) (?:bridge|cliff|drop|overpass|flyover|tracks|railway|river|quarry"
                                r"|car park|multi.?storey)\b|\bi (?:always )?slow down (?:there|at it|on it|near it|when i pass)\b")),
    ("preparation", True, _AT_THE_EDGE),
    # self-harm told apart from suicide ("it's not a suicide thing, i don't want to die"): no to the thoughts question
    ("thoughts", False, re.compile(r"\b(?:(?:it'?s|it is) not (?:a |about )?(?:suicide|suicidal|dying|wanting to die)(?: thing)?"
                                   r"|i'?m not (?:suicidal|trying to (?:die|kill myself|end it))|i (?:don'?t|do not) want to (?:die|be dead"
                                   r"|kill myself|end (?:it|my life))|not (?:to|about) (?:die|dying|end it|kill myself))\b")),
    ("preparation", True, re.compile(r"\b(?:blades?|razors?|pills|tablets|rope|gun|knife) (?:are|is) (?:in|under|hidden|in my)"
                                     r"|\b(?:i'?ve|i have|i'?m|i am) (?:got|bought|saved|saved up|kept|been saving|been saving up|saving|saving up|been keeping"
                                     r"|stockpiled|been stockpiling|stockpiling|hidden|been collecting|collected) (?:some |a |the |my |all my |up )?"
                                     r"(?:[a-z']+ ){0,2}(?:pills|tablets|blades?|razors?|rope|meds|medication|painkillers|prescriptions?|scripts"
                                     r"|sleeping pills|sleepers|antidepressants|insulin|paracetamol|tylenol|codeine)\b|\bi (?:bought|got|hid) (?:some |a |the )?(?:pills"
                                     r"|tablets|blades?|razors?|rope)\b|\b(?:wrote|written|writing|left|leaving) (?:a |the |my |some |a few |a couple of |two |three )?"
                                     r"(?:goodbye )?(?:note|letter)s?\b"
                                     # "my nan's old prescriptions in a drawer. just in case": means kept back for later
                                     r"|\b(?:pills|tablets|meds|medication|prescriptions?|painkillers|blades?|razors?|rope)\b[^?!]{0,60}\bjust in case\b")),
)


_WILL_RING = re.compile(r"\bi(?:'?ll| will|'?m going to|'?m gonna| am going to) (?:ring|call|phone|text|contact) (?:them|him|her|my \w+"
                         r"|the samaritans|samaritans|988|999|911|the lifeline|lifeline|that number|the number|it|the helpline|the crisis line)\b"
                         r"|\bi'?m (?:ringing|calling|phoning) (?:them|him|her|my \w+|now|the)\b|^\W*(?:it'?s|it is|phone'?s) ringing\b")
_NOT_ME = re.compile(r"\bnot (?:about )?me\b|\bit'?s (?:about |for )?my (?:friend|mate|brother|sister|son|daughter|partner|mum|mom"
                     r"|mam|dad|boyfriend|girlfriend|husband|wife|flatmate|roommate|cousin|kid|niece|nephew)\W*$|\bit'?s (?:him|her|them|my (?:friend|mate|brother|sister|son|daughter|partner|mum|mom|dad"
                     r"|boyfriend|girlfriend|husband|wife|flatmate|roommate))\b[^.?!]{0,30}\b(?:worried|scared|concerned|about)\b"
                     r"|\b(?:i'?m|i am) (?:really |so )?(?:worried|scared|concerned) (?:about|for) (?:him|her|them|my \w+)\b")
_NOT_SAFE = re.compile(r"\b(?:not|n'?t|never) (?:feel(?:ing)? |really |very )?safe\b|\bunsafe\b")


def _screen_told(text: str) -> dict[str, bool]:
    """Other screener questions a turn answers as it goes ("no, no plan or anything"): not asked again."""
    low = text.lower().replace("\u2019", "'")
    return {item: value for item, value, rx in _SCREEN_TOLD if rx.search(low)}


def _left_status(s: SessionState) -> str:
    """A session left during its close, after the card was made, is completed (its card is what the next session
    recalls); left any earlier, it is abandoned and never replaces the last completed one."""
    return "completed" if s.phase == "closing" and s.card and s.crisis is None else "abandoned"


_NUMBER_AGAIN = re.compile(r"\b(?:(?:give|tell|say|read) me (?:that|the|those|a) (?:number|numbers|line)(?: again)?|what(?:'?s| is| was)"
                           r" (?:that|the) (?:number|line)|what number (?:do|should|can) i|(?:repeat|say again) (?:that|the) (?:number|numbers)|which number"
                           r"|who (?:do|can|should) i (?:even )?(?:call|ring|phone))\b")


# Answers to "are you having thoughts of ending your life?" that say when rather than whether.
_WHEN_ANSWER = re.compile(
    r"^\W*(?:(?:(?:this |next |on |by )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)|tonight|tomorrow|soon"
    r"|later tonight)\W*(?:i reckon|i think|probably|maybe|i guess|i suppose)?(?:\W*$|[.,;]|\s+(?:after|once|when|before)\b)"
    r"|after (?:the |my |our )?\w+(?:'s| is| has| are)? (?:gone|away|left|asleep|out)\b"
    r"|when (?:the |my |our |everyone )?\w+(?:'s| is| are| has| have)? (?:gone|away|out|asleep|at work)\b"
    # "not tonight probably. i dunno": not now, so later
    r"|(?:probably |maybe |prob )?not (?:tonight|today|yet|this week|right now)\b(?![^.?!]*\b(?:never|no plans?|wouldn'?t|won'?t|not ever)\b))")
_NO_POINT = re.compile(r"\bwhat(?:'s| is) the point\b|\bno point\b|\bwhy bother\b|\bwho cares\b|\bdoesn'?t matter (?:anymore|now)\b"
                       r"|\bnothing matters\b")
# "what's that number again?" outside a crisis: the lines, whatever step it is ("which number?" about a scale is not)
_HELPLINE_ASK = re.compile(
    r"\b(?:(?:give|tell|say|read) me (?:that|the|those) (?:number|numbers|line)(?! (?:out of|from))|what(?:'?s| is| was) that"
    r" (?:number|line)\b|what(?:'?s| is| was) the (?:number|line) (?:again|to call|for (?:the )?(?:crisis|help|helpline))"
    r"|(?:repeat|say again) (?:that|the) (?:number|numbers)|(?:crisis|help|hot|support) ?line number"
    r"|who (?:do|can|should) i (?:call|ring|phone) (?:if|when|for help|tonight|now)\b"
    r"|\bis there (?:a|some|any) (?:number|line|helpline|hotline|crisis line)\b|\b(?:a )?number (?:i can|i could|to) (?:call|ring|text)\b)")


def _check_key(category: str | None) -> str:
    """The direct question that fits the unclear signal: suicide, danger from someone, the body, or means."""
    return {"means_request": "means_concern", "danger_from_others": "concern_check_danger",
            "medical": "concern_check_medical"}.get(category or "", "concern_check")


def _asks_back(text: str) -> bool:
    return bool(_ASKS_BACK.search(text.strip()))


def _opener(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower())[:3])


def _has_number(text: str, emergency: str, line: str = "") -> bool:
    """The reply already says the emergency number (and the crisis line, when one is given)."""
    return bool(emergency and emergency in text and (not line or line in text))


def _fit(templates: list[str], fields: dict[str, str], max_words: int) -> str:
    """The first template whose fields are all known and whose text fits in ``max_words``."""
    for template in _filled(templates, fields):
        line = _tidy(template.format(**{**{p: "" for p in placeholders(template)}, **fields}))
        if len(line.split()) <= max_words:
            return line
    return ""


_MOMENT = re.compile(
    r"\b(?:yesterday|today|tonight|last (?:night|week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|this (?:morning|afternoon|evening)|(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: morning| afternoon| evening| night)?"
    r"|(?:a|an|one|two|three|few|couple of) (?:days?|hours?|minutes?) ago|the other (?:day|night)|earlier today|just now)\b")
SWITCH_ONLY = re.compile(r"\b(?:vent|rant|let (?:it|off) (?:out|steam)|off my chest|need to talk|want to talk)\b", re.I)
# A step said as a bare instruction to oneself: "email three letting agents tomorrow morning", "maybe call mum tonight".
_IMPERATIVE = re.compile(r"^\W*(?:(?:um+|uh+|so|well|ok|okay|maybe|probably|i guess|i think|tomorrow|tonight|first)\W+)*(?:email"
                         r"|call|text|ring|phone|write|send|ask|book|go|take|make|start|try|talk to|message|apply|visit|see"
                         r"|sort|clean|plan|put|get|walk|sleep|rest|stop|leave|finish|check|read|practi[cs]e|do|look for|sit down"
                         r"|have a (?:chat|talk|word)|work out|budget|drop|cancel|buy|bring"
                         r"|look at|tidy|cook|join|sign up|reply|apologi[sz]e|pay|fill in|set|say sorry|say thank\w*|tell (?:him|her"
                         r"|them|my \w+))\b")
_NO_EXERCISES = re.compile(r"\b(?:(?:don'?t|do not|dont) (?:want|need|feel like) (?:to do )?(?:any |the |an? )?(?:exercises?|breathing"
                           r"|grounding|meditat\w*)|no (?:exercises?|breathing (?:stuff|exercises?|thing))|without (?:any )?"
                           r"(?:exercises?|the breathing)|not (?:a |any |the )?(?:big |more |another )?(?:exercises?|breathing)"
                           # round 14: "i don't want a whole program thing", "i don't need fixing", "i'd rather just talk"
                           r"|(?:don'?t|do not|dont) (?:want|need) (?:a |any )?(?:whole )?(?:program|programme|course|structure|plan)(?: thing)?"
                           r"|(?:don'?t|do not|dont) need (?:fixing|to be fixed|solutions|advice)|i'?d rather just (?:talk|vent|chat))\b")
# a legal or money question: for a free advice service, never answered here
_LEGAL_MONEY = re.compile(r"\b(?:the law|legal(?:ly)?|lawyer|solicitor|attorney|sue|suing|small claims|court|tribunal|deposit|loan|loans"
                          r"|debt|debts|credit card|mortgage|bankrupt\w*|invest\w*|tax|taxes|benefits claim|visa|immigration"
                          r"|contract|evict\w*|allowed to keep|rights)\b")
_ASKS_WHAT_TO_DO = re.compile(r"\b(?:should i|can i|could i|do i have to|am i allowed|is (?:he|she|it|that|they) allowed"
                              r"|what(?:'s| is) the law|is (?:it|that|this) legal|what are my rights|would you)\b"
                              r"(?! (?:just )?(?:talk|tell you|mention|bring (?:it|this|that) up|say|ask you|go back|vent|rant)\b)")
_SORRY_LAST_TIME = re.compile(r"\bsorry (?:about|for) (?:running off|rushing off|leaving|going|disappearing|bailing|ducking out"
                              r"|last time|before|the other day)\b")
_LEAVING = re.compile(r"\b(?:bye|goodbye|(?:gotta|got to|have to|need to|must) go(?! (?:home|to|back|in|into|out|and|for|at|on|with|"
                      r"through|somewhere|there|every|tomorrow|later|next|this|tonight|after|before|when))|i'?m off|i'?ll let you go|see you|"
                      r"talk (?:to you )?later|cheers then|bus is here|train is here|that'?s my (?:bus|train|stop|ride))\b")
PLAN = re.compile(r"(?<!where )(?<!what )(?<!how )(?<!whether )(?<!if )(?<!why )(?<!who )\bi(?:'ll| will|'m going to| am going to|'m gonna| could| can| might| want to| plan to)\s+(?:just |probably |maybe |try (?:to |and )?)?"
                  r"(?!not\b|never\b|be\b|feel\b|think\b|say\b|tell\b|see\b|guess\b|do it\b|believe\b|accept\b|agree\b|buy\b"
                  r"|live with\b|go with\b|relate\b|understand\b|imagine\b|hear\b|sense\b|murder\b|kill\b|scream\b|cry\b|die\b"
                  r"|eat a horse\b|sleep for (?:a|about)\b|do with (?:a|some)\b|end up\b|ever\b|lose\b|fail\b|mess (?:it|this|up)\b"
                  r"|screw (?:it|this|up)\b|get (?:fired|sacked|kicked|evicted|dumped|caught|found out|hurt|left)\b)[a-z]{2,}")
BARE_NUMBER = re.compile(r"^\W*(?:(?:um+|uh+|about|around|like|maybe|a|an|i'?d say|probably|roughly|so|well|it'?s|its|honestly)\W+)*"
                         r"(?:\d{1,3}|zero|one|two|three|four|five|six|seven|eight|nine|ten|[a-z]+ty(?:[ -][a-z]+)?|a hundred|hundred)"
                         r"(?:\W+(?:out of (?:ten|10|a hundred|100)|percent|ish|maybe|i guess|i think))*\W*$")
_REQUEST_WORDS = frozenset("""vent venting rant ranting need needed want wanted talk talking just steam chest express support
    quick help something anything today bit someone listen heard""".split())
_EVENT_VERB = re.compile(r"\b(?:[a-z]{3,}ed|said|told|got|had|went|came|did|made|left|lost|sent|took|gave|saw|broke|fell|"
                         r"caught|forgot|found|heard|met|ran|threw|wrote|hit|cut|quit|fought|blew|tore|shut|kept|bit|spoke)\b")


def _substance_of(text: str) -> int:
    """Content words left in a turn (fillers and function words don't count)."""
    return sum(1 for w in re.findall(r"[a-z']{3,}", text.lower()) if w not in tx.FUNCTION_WORDS and w not in _NAME_MOOD_WORDS)


_NAME_MOOD_WORDS = frozenset("sorry forgot say name mood okay fine meh".split())


def _topic_answers(expectation: str, topic: str) -> str:
    """The part of what they told about the problem that answers a step asking what happened ("" if none).

    A situation step needs a moment (when or where); any other needs an event told in a few words
    ("my sister and I had a huge fight last night", not "I just need to vent")."""
    topic = ", ".join(cl for cl in split_clauses(topic) if not _LITTLE_TIME.search(cl.lower()))  # "only got five minutes"
    n = " " + topic.lower().replace("\u2019", "'") + " "
    if expectation == "situation":
        if not _MOMENT.search(n):  # "at work" is a place, not a moment
            return ""
        return tx.own_words(extract(topic, "situation").get("situation", ""))
    content = [w for w in re.findall(r"[a-z']{3,}", n) if w not in tx.FUNCTION_WORDS and w not in _REQUEST_WORDS]
    if len(content) >= 4 or (len(content) >= 2 and (_EVENT_VERB.search(n) or _TIME_PHRASE.search(n))):
        return tx.own_words(topic)
    return ""


def _repeats(said: str, then: str) -> bool:
    """``then`` would mostly repeat ``said`` (most of its content words were just spoken)."""
    content = lambda t: {w for w in re.findall(r"[a-z']{3,}", t.lower()) if w not in tx.FUNCTION_WORDS}  # noqa: E731
    new = content(then)
    return bool(new) and len(new & content(said)) >= 0.6 * len(new)


def _without_request(text: str) -> str:
    """The parts of a turn that are not the request for an approach: "can we do CBT? it's my flatmate" and
    "my flatmate screamed at me and I just need to vent" both keep what happened."""
    parts = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if not asks_for_modality(sentence):
            parts.append(sentence)
            continue
        clauses = re.split(r"\s*(?:,|;|\band\b|\bbut\b|\bso\b)\s*", sentence)
        parts += [cl for cl in clauses if cl.strip() and not asks_for_modality(cl) and not SWITCH_ONLY.search(cl)]
    return tx.own_words(", ".join(p.strip(" ,.") for p in parts)) if parts else ""


# about to drive ("im gonna drive over there", "im totally fine to drive", "i'll just jump in the car"), and drink or drugs
_DRIVING = re.compile(r"\b(?:(?:i'?m|im|i am|i'?ll|ill|i will|gonna|going to|about to|gotta|i could|i can|i should|let me)(?: just)?"
                      r" (?:drive|driving|get in the car|jump in the car|hop in the car|take the car|get behind the wheel)"
                      r"|(?:fine|ok|okay|good|alright|sober enough) to drive|(?:drive|driving) (?:over|home|there|to (?:hers|his|theirs|her|him)))\b")
_WONT_DRIVE = re.compile(r"\b(?:won'?t|wont|will not|not gonna|not going to|i'?ll not|never) (?:drive|be driving)\b")
_DRINKING = re.compile(r"\b(?:beers?|pints?|drunk|pissed|wasted|hammered|tipsy|smashed|had a few|had a drink|been drinking|drinking"
                       r"|wine|vodka|whisk(?:e)?y|shots|high|stoned|baked|off my face|mashed|pills)\b")
# words of harm from someone: what a danger check needs before it is asked on a model's guess alone
_HARM_FROM_SOMEONE = re.compile(r"\b(?:hit|hits|hitting|hurt|hurts|hurting|beat|beats|beating|punch\w*|slap\w*|kick\w*|shov\w*|push\w*"
                                r"|grab\w*|chok\w*|strangl\w*|threat\w*|scared of (?:him|her|them)|afraid of (?:him|her|them)"
                                r"|frightened of|violent|violence|abus\w*|weapon|knife|gun|lock(?:ed|s)? me|won'?t let me (?:leave|go|out)"
                                r"|follow\w* me|stalk\w*|bang\w* on|smash\w*|broke (?:the|my)|police|cops|restraining|unsafe|not safe"
                                r"|kill (?:me|us)|coming (?:for|after) me|screaming at me|rage|raging|drunk and|angry and"
                                r"|(?:don'?t|do not|never) feel safe|scared (?:to go|of going) home|afraid (?:to go|of going) home"
                                r"|(?:he|she|they)(?:'s| is|'re| are) (?:outside|at the door|here again|watching)|won'?t leave me alone"
                                r"|watch(?:es|ing) me|track(?:s|ing)? (?:me|my)|control\w*|isolat\w*|take my (?:phone|money|keys))\b")
_MIC_CHECK = re.compile(r"\b(?:is this (?:thing )?(?:on|working)|can you hear me|are you there|testing(?: testing)?|hello hello)\b", re.I)


def _without_name_and_number(text: str) -> str:
    """The rest of an opening turn once the name and a rating are taken out ("hey, i'm priya. mood's a five maybe, but
    my chest has been tight" -> "my chest has been tight"): clauses that only greet, name or rate are dropped."""
    kept = []
    for clause in re.split(r"(?<=[.!?;,])\s+", text.strip()):
        if _MIC_CHECK.search(clause) or (len(clause.split()) == 1 and tx._as_name(clause.strip(" ,.!?"), strict=True)):
            continue  # "is this thing on?", "william,": no topic in it
        bare = re.sub(r"\b(?:hey|hi|hiya|hello|oh|um+|uh+|sorry|yeah|ok|okay|so|well|and|but|call me|my name is|my name's"
                      r"|everyone (?:says|calls me)|people call me|i go by|short for|right"
                      r"|name's|i'?m|i am|it'?s|this is|by the way|btw|(?:my )?mood(?:'s| is)?|about|around|like|maybe|a|at"
                      r"|i'?d say|probably|i guess|i think|ish|out of|zero|one|two|three|four|five|six|seven|eight|nine|ten"
                      r"|\d{1,3}|/)\b", " ", clause, flags=re.I)
        words = re.findall(r"[A-Za-z']+", bare)
        if len(words) == 1 and tx._as_name(words[0], strict=True) and not tx.feeling_word(words[0]):
            continue  # "but everyone says bill"
        if len(words) > 1 or (words and not re.search(r"\b(?:i'?m|i am|it'?s|call me|name|mood)\b", clause, re.I)):
            kept.append(clause)
    rest = " ".join(kept)
    rest = re.sub(r"^\W*(?:(?:but|and|so|um+|uh+|well|also)\W+)+", "", rest, flags=re.I)
    return re.sub(r"\s{2,}", " ", rest).strip(" ,.")
