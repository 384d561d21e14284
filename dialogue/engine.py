"""SessionEngine: one structured session per person, one turn at a time.

Every turn runs the same fixed order — safety screen → router → protocol step → phrasing →
output guard → persist — enforced by ``_turn`` below, not left to a prompt. ``propose`` is pure
(the voice loop may call it speculatively); ``commit`` persists the turn before the reply is
returned to the door.
"""
from __future__ import annotations

import asyncio
import re
import secrets
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from dialogue import safety, text as tx
from dialogue.distortions import rank_distortions
from dialogue.memory import SessionRecord, Store, open_store
from dialogue.phrasing import Draft, Phraser, TemplatePhraser, speak_line
from dialogue.router import asks_to_switch, route
from dialogue.settings import Settings
from dialogue.types import Event, Phase, Reply
from protocols.loader import Library, load_library
from protocols.schema import Modality, Resource, Step, placeholders

EMPTY_POSITIVE = re.compile(
    r"\b(everything|it all|it)('s| is|'ll| will|s)? (going to |gonna )?(be )?(fine|okay|ok|alright|great|perfect)\b|"
    r"\bjust (be positive|think positive|stay positive|cheer up)\b|\bnothing bad\b|\bgood vibes\b"
)


AGREES = re.compile(r"\b(true|fits|helps|helpful|right|agree|sounds (good|right)|makes sense|i like (it|that))\b")


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
    name: str | None = None
    topic: str = ""
    mood_open: int | None = None
    mood_close: int | None = None
    feedback: int | None = None
    feedback_comment: str | None = None
    card: dict[str, str] | None = None
    card_read: bool = False
    wrapping: bool = False  # time is nearly up: only the steps the card still needs
    used: list[int] = Field(default_factory=list)
    last_question: str = ""
    notes: list[str] = Field(default_factory=list)
    turns: int = 0


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

    def fields(self, **extra: str) -> dict[str, str]:
        s = self.state
        base = {k: "" for k in ("name", "echo", "feeling", "recall", "modality_name", "modality_list",
                                "distortion_name", "distortion_explanation", "draft", "card", "summary",
                                "minutes_left", "resources", "emergency", "step_question")}
        base.update({k: tx.reflect(v, 45) for k, v in s.slots.items()})
        base.update(name=s.name or "", draft=s.draft, step_question=s.last_question)
        if self.person:
            base.update(echo=tx.reflect(self.person), feeling=tx.feeling_word(self.person) or "")
        if s.modality:
            base["modality_name"] = self.lib.modalities[s.modality].name
        base.update(extra)
        return base

    def pick(self, variants: list[str], fields: dict[str, str]) -> str:
        """A variant not said yet this session, preferring ones whose placeholders are all filled."""
        full = _filled(variants, fields) or variants
        used = set(self.state.used)
        fresh = [v for v in full if zlib.crc32(v.encode()) not in used] or full
        start = zlib.crc32(f"{self.state.session_id}:{self.state.turns}:{len(self.parts)}".encode()) % len(fresh)
        chosen = fresh[start]
        self.state.used.append(zlib.crc32(chosen.encode()))
        return chosen

    def say(self, variants: list[str], step: str, **extra: str) -> str:
        fields = self.fields(**extra)
        line = _tidy(self.pick(variants, fields).format(**fields))
        self.parts.append((line, step))
        return line

    def line(self, key: str, **extra: str) -> str:
        return self.say(self.lib.session.lines[key], f"session.{key}", **extra)

    def event(self, type_: str, **data: Any) -> None:
        self.events.append(Event(type=type_, **data))

    def set_phase(self, phase: Phase) -> None:
        if self.state.phase != phase:
            self.state.phase = phase
            self.event("phase", phase=phase)

    @property
    def text(self) -> str:
        return " ".join(p for p, _ in self.parts)


def _tidy(line: str) -> str:
    line = re.sub(r"\b([a-z]{2,}) \1\b", r"\1", line, flags=re.IGNORECASE)
    line = re.sub(r"\s+([,.!?;:])", r"\1", line)
    line = re.sub(r",\s*([.!?])", r"\1", line)
    line = re.sub(r"([.!?])\s*\.", r"\1", line)
    line = re.sub(r"\s{2,}", " ", line).strip()
    return line[:1].upper() + line[1:] if line else line


def _filled(variants: list[str], fields: dict[str, str]) -> list[str]:
    """The variants whose placeholders all have a value (so nothing is said with a hole in it)."""
    return [v for v in variants if all(fields.get(p) for p in placeholders(v))]


def _inline(words: str) -> str:
    """Their words placed mid-sentence: "My boss" -> "my boss" (but "I" stays "I")."""
    first = words.split(" ", 1)[0]
    if first in ("I", "I'm", "I've", "I'd", "I'll") or first.isupper():
        return words
    return words[:1].lower() + words[1:]


def _spoken(resources: list[Resource], most: int = 2) -> str:
    """Lines to call, said aloud: the emergency number is spoken separately, so it is left out."""
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
    ) -> None:
        self.lib = library
        self.store = store
        self.settings = settings or Settings()
        self.phraser = phraser or TemplatePhraser()
        self.clock = clock or SystemClock()
        self._states: dict[str, SessionState] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def create(cls, settings: Settings, *, clock: Clock | None = None, phraser: Phraser | None = None) -> "SessionEngine":
        threading.Thread(target=safety.warm, name="attune-safety-warm", daemon=True).start()
        return cls(load_library(settings.protocols_dir), open_store(settings), settings=settings, clock=clock, phraser=phraser)

    # ------------------------------------------------------------------ public API
    async def open(self, user_id: str) -> Reply:
        """Start a session: disclosure for a first visit, recall for a returning person."""
        async with self._lock(user_id):
            await asyncio.to_thread(self._close_stale, user_id)
            user = await asyncio.to_thread(self.store.ensure_user, user_id)
            history = await asyncio.to_thread(self.store.list_sessions, user_id)
            state = SessionState(session_id="s_" + secrets.token_urlsafe(12), user_id=user_id,
                                 started_at=self.clock.now(), name=user.name)
            c = _Compose(self.lib, state)
            c.event("phase", phase="opening")
            recall = self._recall(history, user.name)
            if recall is not None:
                c.line("greet_returning", recall=recall)
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
                await asyncio.to_thread(self._save_session, state, "abandoned")

    def state_of(self, user_id: str) -> SessionState | None:
        return self._states.get(user_id)

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
                self._save_session(SessionState.model_validate(raw), "abandoned")
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
    async def _turn(self, state: SessionState, user_id: str, raw: str) -> Turn:
        """Safety screen → router → protocol step → phrasing → output guard (persist is commit)."""
        base = state.version
        text = tx.clean(raw)
        c = _Compose(self.lib, state, person=text[: tx.MAX_WORKING_CHARS])
        state.turns += 1
        meta: dict[str, Any] = {}
        if state.phase == "ended":
            c.line("ended")
            c.ended = True
            return await self._finish(c, user_id, raw, base)
        # 1. safety screen: on the whole message, always first, no LLM
        verdict = safety.screen(text, risk_earlier=state.risk_flag or state.crisis is not None)
        meta["safety"] = verdict.level
        if verdict.level == "crisis" or (verdict.level == "concern" and state.crisis is None):
            self._crisis(c, verdict)
            return await self._finish(c, user_id, raw, base, meta)
        if state.crisis is not None:
            self._crisis_continue(c, text)
            return await self._finish(c, user_id, raw, base, meta)
        if not text or not any(ch.isalnum() for ch in text) or not tx.looks_english(text):
            c.line("not_understood")
            return await self._finish(c, user_id, raw, base, meta)
        if len(text) > tx.TOO_LONG_CHARS:
            c.line("too_long")
            return await self._finish(c, user_id, raw, base, meta)
        scope = safety.screen_scope(text)
        if scope is not None:
            meta["scope"] = scope.kind
            self._scope(c, scope)
            return await self._finish(c, user_id, raw, base, meta)
        # 2. router and 3. protocol step
        if state.phase == "closing":
            self._closing(c, text)
        elif tx.matches_any(self.lib.session.end_patterns, text):
            self._start_closing(c, early=True)
        elif state.phase == "opening":
            self._opening(c, text)
        else:
            target = asks_to_switch(text, self.lib.modalities, state.modality)
            if target:
                self._start_modality(c, target, f"switched by name to {self.lib.modalities[target].name}", switched=True)
            else:
                self._working(c, text)
        return await self._finish(c, user_id, raw, base, meta)

    async def _finish(self, c: _Compose, user_id: str, raw: str, base: int,
                      meta: dict[str, Any] | None = None, opening: bool = False) -> Turn:
        """4. phrasing and 5. output guard, line by line; then the Reply."""
        lines = []
        for text, step in c.parts:
            line, _ = await speak_line(self.phraser, Draft(text=text, step=step, person_said=c.person,
                                                           may_rephrase=not c.exact), self.settings.llm_timeout_s)
            lines.append(line)
        reply_text = " ".join(lines)
        s = c.state
        s.version = base + 1 if base >= 0 else 0
        if c.ended and s.phase != "ended":
            c.set_phase("ended")
        q = _last_question(reply_text)
        if q:
            s.last_question = q
        reply = Reply(text=reply_text, phase=s.phase, modality=s.modality, events=c.events, pace=c.pace,
                      ended=s.phase == "ended")
        return Turn(user_id, raw, base if not opening else -1, s, reply, meta or {})

    # ------------------------------------------------------------------ opening
    def _opening(self, c: _Compose, text: str) -> None:
        s = c.state
        if s.stage == "name":
            s.name = tx.extract_name(text)
            c.line("greet_named") if s.name else c.line("acknowledgements")
            c.line("mood_open")
            s.stage = "mood"
        elif s.stage == "followup":
            s.slots["followup"] = tx.own_words(text)
            c.line("reflections") if len(text.split()) > 3 else c.line("acknowledgements")
            c.line("mood_open")
            s.stage = "mood"
        elif s.stage == "mood":
            answered, n = self._rating(c, text, 0, 10, "mood_reprompt")
            if not answered:
                return
            s.mood_open = n
            if n is not None:
                c.event("mood", when="open", value=n)
            rest = re.sub(r"\d+", " ", text)
            r = route(rest, self.lib.modalities) if len(rest.split()) >= 6 else None
            if r and r.modality:
                s.topic = tx.own_words(rest)
                self._start_modality(c, r.modality, r.reason)
            else:
                c.line("acknowledgements")
                c.line("ask_topic")
                s.stage = "topic"
        elif s.stage == "topic":
            s.topic = tx.own_words(text)
            r = route(text, self.lib.modalities)
            if r.modality:
                self._start_modality(c, r.modality, r.reason)
            else:
                s.notes.append(f"router: {r.reason}")
                c.line("clarify", modality_list=self._modality_list())
                s.stage = "clarify"
        elif s.stage == "clarify":
            r = route(f"{s.topic} {text}", self.lib.modalities)
            if r.modality:
                self._start_modality(c, r.modality, f"after a clarifying question: {r.reason}")
            else:
                self._start_modality(c, "express", "no clear signal after one clarifying question: "
                                     "express support lets them be heard first")

    def _modality_list(self) -> str:
        names = [m.name for m in self.lib.modalities.values()]
        return ", ".join(names[:-1]) + ", or " + names[-1]

    # ------------------------------------------------------------------ working
    def _start_modality(self, c: _Compose, mod_id: str, reason: str, switched: bool = False) -> None:
        s = c.state
        mod = self.lib.modalities[mod_id]
        s.modality, s.step, s.reprompts, s.router_reason = mod_id, 0, 0, reason
        s.modalities_used.append(mod_id)
        s.notes.append(f"modality {mod_id}: {reason}")
        c.set_phase("working")
        c.event("modality", modality=mod_id, name=mod.name, reason=reason)
        if switched:
            c.line("modality_switch")
        c.say(mod.intro, f"{mod_id}.intro")
        s.step = self._next_step(s, mod, -1)
        self._enter_step(c, mod)

    def _working(self, c: _Compose, text: str) -> None:
        s = c.state
        mod = self.lib.modalities[s.modality or "express"]
        step = mod.steps[s.step]
        outcome, value = self._interpret(c, step, text)
        if outcome == "again":
            s.reprompts += 1
            self._ask(c, mod, step, reprompt=True)
            return
        if outcome == "filled" and step.slot:
            s.slots[step.slot] = value
            if step.kind in ("text",) and len(text.split()) > 3 and s.turns % 2 == 0:
                c.line("reflections")
            elif step.kind not in ("statement", "artefact"):
                c.line("acknowledgements")
        elif outcome == "declined":
            c.line("decline_ok")
        s.reprompts = 0
        elapsed = self._elapsed_min(s)
        if elapsed >= self.settings.closing_minute:
            self._start_closing(c)
            return
        if elapsed >= self.settings.closing_minute - 3 and not s.wrapping:
            s.wrapping = True
            c.line("time_check", minutes_left=self._minutes_left(s))
        s.step = self._next_step(s, mod, s.step)
        if s.step >= len(mod.steps):
            self._start_closing(c)
        else:
            self._enter_step(c, mod)

    def _next_step(self, s: SessionState, mod: Modality, i: int) -> int:
        """The next step to run: `when` conditions hold; when time is short, skippable steps go,
        and when wrapping up, only what the person's card still needs."""
        short = self._elapsed_min(s) >= self.settings.closing_minute - 6
        needed = {p for t in mod.artefact.fields.values() for p in placeholders(t)}
        i += 1
        while i < len(mod.steps):
            st = mod.steps[i]
            wanted = all(s.slots.get(k) == v for k, v in st.when.items())
            if short and st.skip_when_short_of_time:
                wanted = False
            if s.wrapping and st.kind != "artefact" and not (st.slot in needed and not s.slots.get(st.slot)):
                wanted = False
            if wanted:
                return i
            i += 1
        return i

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

    def _ask(self, c: _Compose, mod: Modality, step: Step, reprompt: bool = False) -> None:
        variants = step.reprompts if reprompt and step.reprompts else step.prompts
        extra: dict[str, str] = {}
        if step.kind == "distortion" and c.state.candidates:
            d = self._distortion(c.state.candidates[min(c.state.offered, len(c.state.candidates) - 1)])
            extra = {"distortion_name": d.name, "distortion_explanation": d.explanation}
        if step.kind == "artefact":
            extra["card"] = self._card_sentence(c.state, mod)
            c.state.card_read = True
        if step.pace == "slow":
            c.pace = "slow"
        c.say(variants, f"{mod.id}.{step.id}", **extra)

    def _interpret(self, c: _Compose, step: Step, text: str) -> tuple[str, str]:
        """('filled', value) | ('declined', '') | ('again', '') for the person's answer."""
        s = c.state
        declined = self._declines(text)
        if step.kind in ("statement", "artefact"):
            return "filled", tx.own_words(text)
        if step.kind == "number":
            n = tx.parse_number(text, step.min or 0, step.max or 100)
            if n is not None:
                return "filled", str(n)
        elif step.kind == "yesno":
            yn = tx.yes_no(text)
            if yn is not None:
                return "filled", "yes" if yn else "no"
        elif step.kind == "choice":
            for choice, cues in step.choices.items():
                if tx.matches_any(cues, text):
                    return "filled", choice
        elif step.kind == "distortion":
            low = text.lower()
            for d in self.lib.distortions.distortions:
                if d.name.lower() in low or d.id.replace("_", " ") in low:
                    return "filled", d.name
            yn = tx.yes_no(text)
            if yn is True and s.candidates:
                return "filled", self._distortion(s.candidates[s.offered]).name
            if yn is False or declined:
                s.offered += 1
                if s.offered < len(s.candidates):
                    return "again", ""
                return "declined", ""
        elif step.kind == "adaptive_thought":
            yn = tx.yes_no(text)
            words = len(text.split())
            if EMPTY_POSITIVE.search(text.lower()) and s.reprompts < 2:
                return "again", ""
            agrees = yn is True and (words <= 8 or AGREES.search(text.lower()))
            if agrees and s.draft:
                return "filled", s.draft
            if words >= 6 and not declined:
                return "filled", tx.own_words(text)
            if s.reprompts < 1:
                return "again", ""
            return "filled", s.draft
        else:  # text
            if not declined and len(text.strip()) > 0:
                return "filled", tx.own_words(text)
        if declined and (step.optional or s.reprompts >= 1 or step.kind == "text"):
            return "declined", ""
        if s.reprompts >= 1:
            return "declined", ""
        return "again", ""

    def _rating(self, c: _Compose, text: str, lo: int, hi: int, reprompt: str) -> tuple[bool, int | None]:
        """A rating in [lo, hi]; asked once more when no number was heard. Returns (answered, value)."""
        n = tx.parse_number(text, lo, hi)
        if n is None and c.state.reprompts == 0 and not self._declines(text):
            c.state.reprompts = 1
            c.line(reprompt)
            return False, None
        c.state.reprompts = 0
        return True, n

    def _declines(self, text: str) -> bool:
        return tx.matches_any(self.lib.session.decline_patterns, text)

    def _distortion(self, did: str):
        return next(d for d in self.lib.distortions.distortions if d.id == did)

    def _draft(self, c: _Compose, mod: Modality) -> str:
        """A balanced thought built from *their* evidence, in the first person."""
        s = c.state
        fields = {k: _inline(s.slots.get(k, "")) for k in ("evidence_for", "evidence_against", "friend_advice")}
        if fields["friend_advice"]:
            core = re.sub(r"^(i would|i'd|i will|i'll|id)\s+(say|tell)\s+((to\s+)?(them|him|her|my friend|a friend|my mate))?\s*(that\s+)?,?\s*",
                          "", fields["friend_advice"], flags=re.I)
            fields["friend_advice"] = tx.reflect(core, max_words=30)
        if not mod.drafts:
            return fields["evidence_against"] or fields["friend_advice"]
        full = _filled(mod.drafts, fields) or mod.drafts[-1:]
        return _inline(_tidy(full[0].format(**fields)))

    def _make_card(self, c: _Compose, mod: Modality) -> None:
        s = c.state
        slots = {st.slot: "" for st in mod.steps if st.slot}
        fields = {**c.fields(), **slots, **s.slots}  # the card is theirs: kept in their own words
        card = {k: _tidy(v.format(**fields)) for k, v in mod.artefact.fields.items()}
        s.card = {"title": mod.artefact.title, "modality": mod.id, **card}
        c.event("coping_card", **s.card)

    def _card_sentence(self, s: SessionState, mod: Modality) -> str:
        if not s.card:
            return ""
        if mod.artefact.readback:
            fields = {k: tx.reflect(v, 45) for k, v in s.slots.items()}
            full = _filled(mod.artefact.readback, fields)
            if not full:
                return ""
            template = full[0]
            return _tidy(template.format(**{**{p: "" for p in placeholders(template)}, **fields}))
        return "; ".join(v for k, v in s.card.items() if k not in ("title", "modality") and v)

    # ------------------------------------------------------------------ closing
    def _start_closing(self, c: _Compose, early: bool = False) -> None:
        s = c.state
        c.set_phase("closing")
        if s.card is None and s.modality and s.slots:
            self._make_card(c, self.lib.modalities[s.modality])
        if early or self._elapsed_min(s) >= self.settings.closing_minute:
            c.line("closing_start", minutes_left=self._minutes_left(s))
        summary = self._summary(s)
        if summary:
            c.line("closing_summary", summary=summary)
            c.event("summary", text=summary)
        if s.card and not s.card_read and s.modality:
            c.line("closing_card", card=self._card_sentence(s, self.lib.modalities[s.modality]))
            s.card_read = True
        c.line("mood_close")
        s.stage, s.reprompts = "mood", 0

    def _closing(self, c: _Compose, text: str) -> None:
        s = c.state
        if tx.matches_any(self.lib.session.end_patterns, text) and s.stage != "comment":
            self._goodbye(c)
            return
        if s.stage == "mood":
            answered, n = self._rating(c, text, 0, 10, "mood_reprompt")
            if not answered:
                return
            s.mood_close = n
            if n is not None:
                c.event("mood", when="close", value=n)
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
            if not self._declines(text) and tx.yes_no(text) is not False:
                s.feedback_comment = tx.own_words(text, 80)
            self._goodbye(c)

    def _goodbye(self, c: _Compose) -> None:
        c.line("goodbye_after_crisis" if c.state.risk_flag else "goodbye")
        if c.state.feedback is not None:
            c.event("feedback", score=c.state.feedback, comment=c.state.feedback_comment)
        c.ended = True

    def _summary(self, s: SessionState) -> str:
        if not s.modality:
            return ""
        mod = self.lib.modalities[s.modality]
        c = _Compose(self.lib, s.model_copy(deep=True))
        fields = c.fields()
        full = _filled(mod.summary, fields)
        if not full:
            return ""
        return _tidy(full[0].format(**fields))

    def _recall(self, history: list[SessionRecord], name: str | None) -> str | None:
        """One sentence about last time, or None for a first visit."""
        if not history:
            return None
        last = history[0]
        card = last.card or {}
        notes = last.notes if isinstance(last.notes, dict) else {}
        topic = tx.reflect(notes.get("topic", ""), 14) if notes.get("topic") else ""
        mod = self.lib.modalities.get(last.modality or "")
        fields = {
            "name": name or "", "topic": topic, "modality_name": mod.name if mod else "",
            "new_thought": card.get("new_thought", ""), "action": card.get("action", ""),
            "small_step": card.get("small_step") or card.get("next_step") or card.get("action", ""),
        }
        r = self.lib.session.recall
        if fields["new_thought"] and "card" in r:
            key = "card"
        elif fields["small_step"] and "step" in r:
            key = "step"
        elif topic and "topic" in r:
            key = "topic"
        else:
            return ""
        template = r[key]
        return _tidy(template.format(**{**{p: "" for p in placeholders(template)}, **fields}))

    # ------------------------------------------------------------------ safety
    def _crisis(self, c: _Compose, verdict: safety.Screen) -> None:
        """A risk signal pre-empts everything in this same turn."""
        s = c.state
        cr = self.lib.crisis
        c.exact = True
        if verdict.level == "concern" and s.crisis is None:
            s.crisis = CrisisState(stage="check", category=verdict.category)
            s.notes.append(f"safety check: {verdict.reason}")
            c.say(cr.lines["concern_check"], "crisis.concern_check")
            c.event("safety_check", category=verdict.category, reason=verdict.reason)
            return
        first = s.crisis is None or s.crisis.stage == "check"
        if first:
            confirmed = {"thoughts": True} if s.crisis and s.crisis.stage == "check" else {}
            s.crisis = CrisisState(stage="screener", category=verdict.category, answers=confirmed)
        s.risk_flag = True
        s.notes.append(f"risk flag: {verdict.category} ({verdict.reason})")
        c.set_phase("crisis")
        self._crisis_event(c, verdict.level, verdict.category)
        key = {"self_harm": "self_harm", "danger_from_others": "danger_from_others", "medical": "medical",
               "means_request": "means_refusal"}.get(verdict.category or "", "acknowledge")
        if first or key != "acknowledge":
            c.say(cr.lines[key], f"crisis.{key}")
        if first or verdict.category in ("means_request", "medical", "danger_from_others"):
            self._resources_line(c)
        if verdict.category in ("medical", "danger_from_others") and "safe_now" not in s.crisis.answers:
            s.crisis.index = next(i for i, st in enumerate(cr.screener) if st.id == "safe_now")
        if s.crisis.stage == "screener":
            self._screener_ask(c)
        elif s.crisis.stage == "plan":
            self._plan_ask(c)
        else:
            c.say(cr.lines["stay"], "crisis.stay")

    def _crisis_event(self, c: _Compose, level: str, category: str | None) -> None:
        res = self._resources()
        c.event("crisis", level=level, category=category, emergency=self._emergency(),
                resources=[r.model_dump() for r in res])

    def _resources(self) -> list[Resource]:
        table = self.lib.crisis.resources
        return table.get(self.settings.locale.upper(), table["default"])

    def _emergency(self) -> str:
        nums = self.lib.crisis.emergency_numbers
        return nums.get(self.settings.locale.upper(), nums.get("default", "your local emergency number"))

    def _resources_line(self, c: _Compose) -> None:
        c.say(self.lib.crisis.lines["resources_spoken"], "crisis.resources", resources=_spoken(self._resources()),
              emergency=self._emergency())

    def _screener_ask(self, c: _Compose) -> None:
        cr, s = self.lib.crisis, c.state
        assert s.crisis is not None
        while s.crisis.index < len(cr.screener):
            st = cr.screener[s.crisis.index]
            if st.id in s.crisis.answers:
                s.crisis.index += 1
                continue
            if s.crisis.answers.get("thoughts") is False and st.id in ("method", "intent", "plan"):
                s.crisis.answers[st.id] = None
                s.crisis.index += 1
                continue
            c.say(st.prompts, f"crisis.{st.id}")
            return
        high = any(s.crisis.answers.get(k) for k in ("intent", "plan", "preparation")) or \
            s.crisis.answers.get("safe_now") is False
        if high:
            s.notes.append("high risk on screener: urged immediate contact")
            self._resources_line(c)
            c.say(cr.lines["trusted_person"], "crisis.trusted_person")
        s.crisis.stage, s.crisis.index = "plan", 0
        c.say(cr.lines["safety_plan_intro"], "crisis.safety_plan_intro")
        self._plan_ask(c)

    def _plan_ask(self, c: _Compose) -> None:
        cr, s = self.lib.crisis, c.state
        assert s.crisis is not None
        if s.crisis.index < len(cr.safety_plan):
            st = cr.safety_plan[s.crisis.index]
            c.say(st.prompts, f"crisis.plan.{st.id}")
            return
        s.crisis.stage = "stay"
        c.event("safety_plan", **s.crisis.plan)
        c.say(cr.lines["trusted_person"], "crisis.trusted_person")
        c.say(cr.lines["closing"], "crisis.closing")

    def _crisis_continue(self, c: _Compose, text: str) -> None:
        """Stay in the crisis protocol; no normal protocol work in these turns."""
        cr, s = self.lib.crisis, c.state
        assert s.crisis is not None
        c.exact = True
        if s.crisis.stage == "check":
            negated = re.search(r"\b(no|not|never|nope|nah)\b|n't\b", text.lower().replace("’", "'"))
            short = len(text.split()) <= 5  # "yes, I am" answers the question; "yes, and at work..." may not
            yn = True if tx.plain_yes(text) and short and not negated else (False if tx.yes_no(text) is False else None)
            if yn is True:
                self._crisis(c, safety.Screen(level="crisis", category=s.crisis.category or "suicide",
                                              reason="said yes to the direct question", matched=[]))
                return
            if yn is False or s.crisis.unclear >= 1:
                s.notes.append("safety check answered: no" if yn is False else "safety check unclear twice")
                s.crisis = None
                c.line("acknowledgements")
                if yn is None:
                    self._resources_line(c)
                if s.last_question:
                    c.parts.append((_tidy(s.last_question), "session.resume"))
                return
            s.crisis.unclear += 1
            c.say(cr.lines["concern_check"], "crisis.concern_check")
            return
        if tx.matches_any(self.lib.session.end_patterns, text):
            c.say(cr.lines["trusted_person"], "crisis.trusted_person")
            self._resources_line(c)
            c.line("goodbye_after_crisis")
            c.ended = True
            return
        if s.crisis.stage == "screener":
            st = cr.screener[s.crisis.index]
            s.crisis.answers[st.id] = tx.yes_no(text)
            s.crisis.index += 1
            c.say(cr.lines["stay"], "crisis.stay") if s.crisis.index % 2 == 0 else c.line("acknowledgements")
            self._screener_ask(c)
        elif s.crisis.stage == "plan":
            st = cr.safety_plan[s.crisis.index]
            if not self._declines(text):
                s.crisis.plan[st.slot or st.id] = tx.own_words(text)
            s.crisis.index += 1
            c.line("acknowledgements")
            self._plan_ask(c)
        else:
            c.say(cr.lines["stay"], "crisis.stay")
            if s.turns % 3 == 0:
                self._resources_line(c)

    def _scope(self, c: _Compose, flag: safety.ScopeFlag) -> None:
        s = c.state
        limit = getattr(self.lib.scope, flag.kind)
        res = limit.resources.get(self.settings.locale.upper()) or limit.resources.get("default") or []
        c.exact = True
        c.say(limit.lines, f"scope.{flag.kind}", resources=_spoken(res), emergency=self._emergency())
        if flag.kind != "ask_if_human":
            s.notes.append(f"referral: {flag.kind} ({flag.reason})")
            c.event("referral", kind=flag.kind, reason=flag.reason, resources=[r.model_dump() for r in res])
        if limit.then == "close":
            c.ended = True
        elif flag.kind != "ask_if_human" and s.last_question and s.last_question not in c.text:
            c.parts.append((_tidy(s.last_question), "session.resume"))

    # ------------------------------------------------------------------ pacing
    def _elapsed_min(self, s: SessionState) -> float:
        return (self.clock.now() - s.started_at) / 60.0

    def _minutes_left(self, s: SessionState) -> str:
        return str(max(1, round(self.settings.session_minutes - self._elapsed_min(s))))
