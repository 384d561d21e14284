"""Scripted clients: run a bank of realistic people through the real engine and judge the sessions.

Each client is a YAML file (``tests/clients/*.yaml``, schema below and in
``tests/clients/README.md``): one or more sessions of person turns, plus expectations a
clinician would check — the name that was stored, the modality chosen, the events that did or
did not happen, what the coping card holds and must never hold, what was said and must never be
said, whether the session ended, the risk flag, referrals, and the recall sentence of a
returning session. Expectations never depend on the engine's exact wording.

The runner drives ``SessionEngine`` in text mode with the real protocols and a real encrypted
store in a temporary data folder, a ``ManualClock`` advanced ``turn_seconds`` per turn; the
sessions of one client share the user id, so memory between sessions is real.

Besides pass/fail per client it measures the style of every assistant reply in the bank:
``ack_share`` (replies opening with a stock acknowledgement), ``same_opener_twice``
(consecutive replies in a session with the same first three words), ``mean_words`` and
``long_replies`` (over ordinary working replies: not the opening, crisis, summary or final ones).

Used by ``attune eval sessions DIR`` (``main_sessions``) and ``tests/integration/test_clients.py``.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from attune.dialogue.types import split_sentences
from attune.protocols.loader import read_yaml

# ----------------------------------------------------------------------------- style limits
ACK_SHARE_MAX = 0.25
SAME_OPENER_TWICE_MAX = 0
MEAN_WORDS_MAX = 25.0
LONG_REPLY_WORDS = 40

STOCK_ACK = re.compile(
    r"^\W*(thank you|thanks|i hear you|i'm with you|i am with you|okay|ok|i see|got it|that makes sense|"
    r"right|sure|mm+(?:-?hm+)?)\b",
    re.IGNORECASE,
)

# ----------------------------------------------------------------------------- schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Phrase(_Strict):
    """Something said (or never said) in a window of replies.

    ``any_of``: words or phrases, matched case-insensitively on whole words (``pill*`` also
    matches "pills"; digits spoken apart, "9 8 8", match "988"); ``pattern``: a regular
    expression instead. ``from_turn``/``to_turn``: 0-based indices into ``turns``; the reply to
    ``turns[i]`` has index i (the opening reply is before turn 0 and only counts when
    ``from_turn`` is unset). ``to_turn`` is inclusive.
    """

    any_of: list[str] = Field(default_factory=list)
    pattern: str | None = None
    from_turn: int | None = None
    to_turn: int | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Phrase":
        if bool(self.any_of) == bool(self.pattern):
            raise ValueError("give exactly one of any_of or pattern")
        if self.pattern:
            re.compile(self.pattern)
        return self

    def describe(self) -> str:
        what = f"/{self.pattern}/" if self.pattern else " | ".join(repr(a) for a in self.any_of)
        if self.from_turn is not None or self.to_turn is not None:
            what += f" (turns {self.from_turn if self.from_turn is not None else 'open'}.."
            what += f"{self.to_turn if self.to_turn is not None else 'end'})"
        return what


def _phrase(v: Any) -> Any:
    return {"any_of": [v]} if isinstance(v, str) else v


class TextCheck(_Strict):
    """Checks on one text (a card field, the summary): all of ``contains``, at least one of
    ``any_of``, none of ``not_contains``. Same matching as ``Phrase``."""

    contains: list[str] = Field(default_factory=list)
    any_of: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)


class Recall(_Strict):
    """The recall sentence in the first reply of a returning session: the sentence that
    mentions one of ``any_of`` (words from the earlier session's card or step)."""

    any_of: list[str]
    max_words: int = 30
    second_person: bool = True  # says "you/your", never the person's own "I'm/my/I'll"


Phases = Literal["opening", "working", "crisis", "closing", "ended"]


class Expect(_Strict):
    name: str | None = None  # stored name; null = no name (only checked when given)
    name_not: list[str] = Field(default_factory=list)  # the stored name must not be any of these
    modality: str | list[str] | None = None  # first modality chosen; null = none chosen
    last_modality: str | None = None  # the modality the session ends on
    events: list[str] = Field(default_factory=list)
    no_events: list[str] = Field(default_factory=list)
    card: dict[str, TextCheck] = Field(default_factory=dict)  # key "any" = all fields together
    no_card: bool = False
    never_recorded: list[str] = Field(default_factory=list)  # in no card field and no summary (passes when none)
    card_complete: bool = False  # a card, when one is made, has no empty field
    summary: TextCheck | None = None  # the `summary` event's text (fails when there is none)
    said: list[Phrase] = Field(default_factory=list)  # each: some reply in its window matches
    never_said: list[Phrase] = Field(default_factory=list)  # each: no reply in its window matches
    opening_said: list[str] = Field(default_factory=list)  # all must be in the first reply
    ended: bool | None = None
    risk_flag: bool | None = None
    referrals: dict[str, int] = Field(default_factory=dict)  # exact count of referral events by kind
    phase_at: dict[int, Phases | list[Phases]] = Field(default_factory=dict)  # phase of the reply to turns[i]
    repeats_question_at: list[int] = Field(default_factory=list)  # reply i asks again the question of reply i-1
    mood_open: int | None = None
    mood_close: int | None = None
    recall: Recall | None = None

    @field_validator("said", "never_said", mode="before")
    @classmethod
    def _phrases(cls, v: Any) -> Any:
        return [_phrase(x) for x in v] if isinstance(v, list) else v


class SessionScript(_Strict):
    turn_seconds: float = 50.0
    gap_hours: float = 24.0  # clock advance before this session (after the previous one)
    turns: list[str]
    expect: Expect = Field(default_factory=Expect)


class Client(_Strict):
    about: str
    user: str | None = None
    locale: str = "US"
    sessions: list[SessionScript] = Field(min_length=1)

    @property
    def n_checks(self) -> int:
        return sum(len(s.expect.model_fields_set) for s in self.sessions)


def load_client(path: Path) -> Client:
    return Client.model_validate(read_yaml(path.read_text(encoding="utf-8")))


def load_bank(directory: str | Path) -> dict[str, Client]:
    """Every ``*.yaml`` in the folder, by file stem. A bad file raises with its name."""
    bank: dict[str, Client] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            bank[path.stem] = load_client(path)
        except (ValidationError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: {exc}") from None
    return bank


# ----------------------------------------------------------------------------- matching

_DIGIT_GAP = re.compile(r"(?<=\d)[\s,.\-]+(?=\d)")


def norm(text: str) -> str:
    t = (text or "").lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    t = _DIGIT_GAP.sub("", t)
    return re.sub(r"\s+", " ", t)


def _needle_re(needle: str) -> re.Pattern[str]:
    n = norm(needle).strip()
    star = n.endswith("*")
    n = n.rstrip("*")
    body = re.escape(n).replace(r"\ ", r"\s+")
    head = r"(?<![\w'])" if n[:1].isalnum() else ""
    tail = r"[\w']*" if star else (r"(?![\w])" if n[-1:].isalnum() else "")
    return re.compile(head + body + tail)


def has(text: str, needle: str) -> bool:
    return bool(_needle_re(needle).search(norm(text)))


def phrase_hit(text: str, p: Phrase) -> str | None:
    if p.pattern:
        m = re.search(p.pattern, norm(text))
        return m.group(0) if m else None
    for a in p.any_of:
        if has(text, a):
            return a
    return None


def text_check(text: str, check: TextCheck) -> list[str]:
    problems = []
    for c in check.contains:
        if not has(text, c):
            problems.append(f"lacks {c!r}")
    if check.any_of and not any(has(text, a) for a in check.any_of):
        problems.append(f"has none of {check.any_of!r}")
    for c in check.not_contains:
        if has(text, c):
            problems.append(f"contains {c!r}")
    return problems


def words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text or "")


def first_three(text: str) -> tuple[str, ...]:
    return tuple(w.lower().replace("’", "'") for w in words(text)[:3])


_FIRST_PERSON = re.compile(r"(?<![\w'])(my|mine|myself|i'm|i'll|i've|i'd|i am|i will)(?![\w'])")
_SECOND_PERSON = re.compile(r"(?<![\w'])(you|your|you're|you've|you'd|you'll|yourself)(?![\w'])")

# ----------------------------------------------------------------------------- running


@dataclass
class TurnLog:
    index: int  # -1 = the opening reply
    person: str | None
    reply: str
    phase: str
    events: list[dict[str, Any]]
    ended: bool


@dataclass
class SessionLog:
    turns: list[TurnLog] = field(default_factory=list)
    unused_turns: int = 0
    name: str | None = None
    risk_flag: bool | None = None
    error: str | None = None

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for t in self.turns for e in t.events if e.get("type") == kind]


@dataclass
class ClientResult:
    client: str
    about: str
    sessions: list[SessionLog]
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


async def _run_client(cid: str, client: Client, data_root: Path, *, llm: Any = None,
                      turn_ms: list[float] | None = None) -> list[SessionLog]:
    """``llm``: a ``_LLMRun`` (``compare_llm``) whose model settings and phraser this client's engine uses;
    ``turn_ms``: filled with each turn's wall time (ms)."""
    import time

    from attune.dialogue.engine import ManualClock, SessionEngine
    from attune.dialogue.settings import Settings

    settings = Settings(data_dir=data_root / cid, locale=client.locale, **(llm.fields if llm is not None else {}))
    clock = ManualClock(start=1_700_000_000.0)
    ids = (f"s_{cid}_{n}" for n in itertools.count())  # the same wording on every run: results are reproducible
    engine = SessionEngine.create(settings, clock=clock, new_session_id=lambda: next(ids),
                                  **(llm.engine_kw(settings) if llm is not None else {}))
    user = client.user or cid
    logs: list[SessionLog] = []
    try:
        for n, script in enumerate(client.sessions):
            if n:
                clock.advance(script.gap_hours * 3600)
            log = SessionLog()
            logs.append(log)
            state = None
            try:
                r = await engine.open(user)
                log.turns.append(_turn_log(-1, None, r))
                ended = r.ended
                for i, line in enumerate(script.turns):
                    if ended:
                        log.unused_turns = len(script.turns) - i
                        break
                    clock.advance(script.turn_seconds)
                    t0 = time.monotonic()
                    r = await engine.handle(user, line)
                    if turn_ms is not None:
                        turn_ms.append((time.monotonic() - t0) * 1000)
                    log.turns.append(_turn_log(i, line, r))
                    ended = r.ended
                state = engine.state_of(user)
                if state is not None:
                    log.name = getattr(state, "name", None)
                    log.risk_flag = getattr(state, "risk_flag", None)
                if not ended:
                    await engine.hang_up(user)
            except Exception as exc:  # a crash is a failure of this client, not of the bank
                import traceback

                where = traceback.extract_tb(exc.__traceback__)[-1]
                log.error = f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
                try:
                    await engine.hang_up(user)
                except Exception:
                    pass
            if state is None and log.error is None:
                rec = engine.store.get_user(user)
                log.name = getattr(rec, "name", None) if rec else None
    finally:
        engine.store.close()
        if llm is not None:
            llm.close()
    return logs


def _turn_log(i: int, person: str | None, reply: Any) -> TurnLog:
    return TurnLog(index=i, person=person, reply=reply.text, phase=reply.phase,
                   events=[e.model_dump() for e in reply.events], ended=bool(reply.ended))


# ----------------------------------------------------------------------------- judging


def _excerpt(log: SessionLog, around: int | None = None, width: int = 2) -> str:
    turns = log.turns
    if around is not None:
        pos = next((k for k, t in enumerate(turns) if t.index == around), len(turns) - 1)
        turns = turns[max(0, pos - width): pos + width]
    else:
        turns = turns[-2 * width:]
    out = []
    for t in turns:
        if t.person is not None:
            out.append(f"  [{t.index}] you: {t.person}")
        ev = ",".join(sorted({e['type'] for e in t.events} - {"phase"}))
        out.append(f"      attune ({t.phase}{'; ' + ev if ev else ''}): {t.reply}")
    return "\n".join(out)


def _in_window(t: TurnLog, p: Phrase) -> bool:
    if p.from_turn is not None and t.index < p.from_turn:
        return False
    if p.to_turn is not None and t.index > p.to_turn:
        return False
    return True


def _card(log: SessionLog) -> dict[str, str] | None:
    cards = log.events("coping_card")
    if not cards:
        return None
    return {k: str(v) for k, v in cards[-1].items() if k not in ("type", "title", "modality") and v is not None}


def judge_session(e: Expect, log: SessionLog) -> list[tuple[str, str, int | None]]:
    """(expectation, what went wrong, turn index to show) for each failed expectation."""
    bad: list[tuple[str, str, int | None]] = []
    if log.error:
        bad.append(("runs", f"engine raised {log.error}", None))
        return bad
    fs = e.model_fields_set
    last = log.turns[-1]
    if "name" in fs and (log.name or None) != e.name and not (
            e.name and log.name and log.name.strip().lower() == e.name.lower()):
        bad.append(("name", f"stored name {log.name!r}, expected {e.name!r}", None))
    for nn in e.name_not:
        if log.name and log.name.strip().lower() == nn.lower():
            bad.append(("name_not", f"stored name is {log.name!r}", None))
    mods = [ev.get("modality") for ev in log.events("modality")]
    if "modality" in fs:
        want = e.modality if isinstance(e.modality, list) else [e.modality]
        got = mods[0] if mods else None
        if got not in want:
            bad.append(("modality", f"first modality {got!r}, expected {e.modality!r} (all: {mods})", None))
    if e.last_modality is not None and (mods[-1] if mods else None) != e.last_modality:
        bad.append(("last_modality", f"modalities {mods}, expected to end on {e.last_modality!r}", None))
    types = [ev.get("type") for t in log.turns for ev in t.events]
    for k in e.events:
        if k not in types:
            bad.append(("events", f"no {k!r} event", None))
    for k in e.no_events:
        hit = next((t for t in log.turns if any(ev.get("type") == k for ev in t.events)), None)
        if hit is not None:
            bad.append(("no_events", f"a {k!r} event happened", hit.index))
    card = _card(log)
    if e.no_card and card is not None:
        bad.append(("no_card", f"a coping card was made: {card}", None))
    for key, check in e.card.items():
        if card is None:
            bad.append((f"card.{key}", "no coping card", None))
            continue
        if key == "any":
            text = " | ".join(card.values())
        elif key in card:
            text = card[key]
        else:
            bad.append((f"card.{key}", f"card has no field {key!r} (fields: {sorted(card)})", None))
            continue
        for problem in text_check(text, check):
            bad.append((f"card.{key}", f"{problem}: {text!r}", None))
    if e.card_complete and card is not None:
        empty = [k for k, v in card.items() if not re.search(r"\w", v)]
        if empty:
            bad.append(("card_complete", f"card has empty field(s) {empty}: {card}", None))
    recorded = [("card", v) for v in (card or {}).values()] + [("summary", str(s.get("text", ""))) for s in log.events("summary")]
    for w in e.never_recorded:
        hit = next((f"{where} {text!r}" for where, text in recorded if has(text, w)), None)
        if hit:
            bad.append(("never_recorded", f"{w!r} recorded in the {hit}", None))
    if e.summary is not None:
        if not log.events("summary"):
            bad.append(("summary", "no summary event", None))
        for s in log.events("summary"):
            for problem in text_check(str(s.get("text", "")), e.summary):
                bad.append(("summary", f"{problem}: {s.get('text')!r}", None))
    for p in e.said:
        if not any(phrase_hit(t.reply, p) for t in log.turns if _in_window(t, p)):
            bad.append(("said", f"never said {p.describe()}", p.from_turn))
    for p in e.never_said:
        for t in log.turns:
            hit = phrase_hit(t.reply, p) if _in_window(t, p) else None
            if hit:
                bad.append(("never_said", f"said {hit!r} ({p.describe()})", t.index))
                break
    if log.turns:
        first = log.turns[0].reply
        for s in e.opening_said:
            if not has(first, s):
                bad.append(("opening_said", f"first reply lacks {s!r}", -1))
    if e.ended is not None and bool(last.ended) != e.ended:
        bad.append(("ended", f"session {'ended' if last.ended else 'did not end'} "
                    f"(unused turns: {log.unused_turns})", last.index))
    if e.risk_flag is not None and bool(log.risk_flag) != e.risk_flag:
        bad.append(("risk_flag", f"risk flag {log.risk_flag}, expected {e.risk_flag}", None))
    if e.referrals:
        counts: dict[str, int] = {}
        for r in log.events("referral"):
            counts[r.get("kind", "?")] = counts.get(r.get("kind", "?"), 0) + 1
        for kind, n in e.referrals.items():
            if counts.get(kind, 0) != n:
                bad.append(("referrals", f"{counts.get(kind, 0)} {kind!r} referral(s), expected {n} (all: {counts})", None))
    by_index = {t.index: t for t in log.turns}
    for i, want in e.phase_at.items():
        allowed = want if isinstance(want, list) else [want]
        t = by_index.get(i)
        if t is None:
            bad.append(("phase_at", f"no reply to turn {i} (session ended earlier)", None))
        elif t.phase not in allowed:
            bad.append(("phase_at", f"reply to turn {i} in phase {t.phase!r}, expected {want!r}", i))
    for i in e.repeats_question_at:
        t, prev = by_index.get(i), by_index.get(i - 1)
        if t is None or prev is None:
            bad.append(("repeats_question_at", f"no replies {i - 1}/{i}", None))
            continue
        qs = re.findall(r"[^.!?]*\?", prev.reply)
        if not qs:
            bad.append(("repeats_question_at", f"reply {i - 1} asked no question", i))
            continue
        q = set(w.lower() for w in words(qs[-1]))
        best = max((len(q & set(w.lower() for w in words(s))) / max(1, len(q))
                    for s in re.findall(r"[^.!?]*\?", t.reply)), default=0.0)
        if best < 0.6:
            bad.append(("repeats_question_at", f"reply {i} does not ask again {qs[-1].strip()!r}", i))
    moods = {m.get("when"): m.get("value") for m in log.events("mood")}
    for when, want in (("open", e.mood_open), ("close", e.mood_close)):
        if want is not None and moods.get(when) != want:
            bad.append((f"mood_{when}", f"mood {when} {moods.get(when)!r}, expected {want}", None))
    if e.recall is not None and log.turns:
        first = log.turns[0].reply
        sentences = split_sentences(first)
        hits = [s for s in sentences if any(has(s, a) for a in e.recall.any_of)]
        if not hits:
            bad.append(("recall", f"first reply recalls none of {e.recall.any_of!r}", -1))
        else:
            s = hits[0]
            if len(words(s)) > e.recall.max_words:
                bad.append(("recall", f"recall sentence has {len(words(s))} words (> {e.recall.max_words}): {s!r}", -1))
            if e.recall.second_person:
                fp = _FIRST_PERSON.search(norm(s))
                if fp or not _SECOND_PERSON.search(norm(s)):
                    why = f"first person {fp.group(0)!r}" if fp else "no 'you'"
                    bad.append(("recall", f"recall sentence not in the second person ({why}): {s!r}", -1))
    return bad


def judge(cid: str, client: Client, logs: list[SessionLog]) -> ClientResult:
    res = ClientResult(cid, client.about, logs)
    for n, (script, log) in enumerate(zip(client.sessions, logs)):
        for what, why, at in judge_session(script.expect, log):
            res.failures.append({"client": cid, "session": n + 1, "expectation": what, "problem": why,
                                 "excerpt": _excerpt(log, at)})
    return res


# ----------------------------------------------------------------------------- style


def style(results: list[ClientResult]) -> dict[str, Any]:
    replies = ack = same = 0
    counted: list[int] = []
    for res in results:
        for log in res.sessions:
            prev: tuple[str, ...] | None = None
            for k, t in enumerate(log.turns):
                replies += 1
                if STOCK_ACK.match(t.reply or ""):
                    ack += 1
                ft = first_three(t.reply)
                if prev is not None and len(ft) == 3 and ft == prev:
                    same += 1
                prev = ft
                types = {ev.get("type") for ev in t.events}
                if (k == 0 or t.phase == "crisis" or types & {"crisis", "safety_check", "summary"}
                        or t.ended or t.phase == "ended"):
                    continue
                counted.append(len(words(t.reply)))
    mean = round(sum(counted) / len(counted), 2) if counted else 0.0
    return {
        "ack_share": round(ack / replies, 3) if replies else 0.0,
        "same_opener_twice": same,
        "mean_words": mean,
        "long_replies": sum(1 for n in counted if n > LONG_REPLY_WORDS),
        "replies": replies,
    }


def style_ok(fig: dict[str, Any]) -> bool:
    return (fig["ack_share"] <= ACK_SHARE_MAX and fig["same_opener_twice"] <= SAME_OPENER_TWICE_MAX
            and fig["mean_words"] <= MEAN_WORDS_MAX)


# ----------------------------------------------------------------------------- public API


@dataclass
class BankReport:
    results: list[ClientResult]
    figures: dict[str, Any]

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.results) and style_ok(self.figures)

    def to_json(self) -> dict[str, Any]:
        passed = [r.client for r in self.results if r.passed]
        return {
            "clients": len(self.results),
            "passed": len(passed),
            "failed": len(self.results) - len(passed),
            **self.figures,
            "limits": {"ack_share": ACK_SHARE_MAX, "same_opener_twice": SAME_OPENER_TWICE_MAX,
                       "mean_words": MEAN_WORDS_MAX},
            "style_ok": style_ok(self.figures),
            "failures": [f for r in self.results for f in r.failures],
        }


async def run_bank_async(directory: str | Path, *, only: list[str] | None = None,
                         data_dir: str | Path | None = None, llm: Any = None,
                         turn_ms: list[float] | None = None) -> BankReport:
    bank = load_bank(directory)
    if only is not None:
        bank = {k: v for k, v in bank.items() if k in only}
    results: list[ClientResult] = []
    with tempfile.TemporaryDirectory(prefix="attune-clients-") as tmp:
        root = Path(data_dir) if data_dir else Path(tmp)
        for cid, client in bank.items():
            logs = await _run_client(cid, client, root, llm=llm, turn_ms=turn_ms)
            results.append(judge(cid, client, logs))
    return BankReport(results, style(results))


def run_bank(directory: str | Path, **kw: Any) -> BankReport:
    """Run every client in the folder (synchronously; not from inside a running event loop)."""
    return asyncio.run(run_bank_async(directory, **kw))


def transcript(res: ClientResult) -> str:
    lines = [f"# {res.client}: {res.about}", ""]
    for n, log in enumerate(res.sessions, 1):
        lines.append(f"## session {n}")
        for t in log.turns:
            if t.person is not None:
                lines.append(f"[{t.index}] YOU: {t.person}")
            extra = [e for e in t.events if e.get("type") != "phase"]
            lines.append(f"    ATTUNE ({t.phase}, {len(words(t.reply))} w): {t.reply}")
            for ev in extra:
                data = {k: v for k, v in ev.items() if k not in ("type", "resources")}
                lines.append(f"      [{ev['type']}] {json.dumps(data, ensure_ascii=False)}")
        if log.unused_turns:
            lines.append(f"    ({log.unused_turns} scripted turn(s) left unsaid: the session ended)")
        if log.error:
            lines.append(f"    ERROR: {log.error}")
        lines.append(f"    (name={log.name!r}, risk_flag={log.risk_flag})")
        lines.append("")
    if res.failures:
        lines.append("## failed expectations")
        for f in res.failures:
            lines.append(f"- session {f['session']} {f['expectation']}: {f['problem']}")
    else:
        lines.append("## all expectations hold")
    return "\n".join(lines) + "\n"


def write_transcripts(directory: str | Path, out_dir: str | Path, *, report: BankReport | None = None) -> BankReport:
    """Run the bank (unless a report is given) and write one readable transcript per client."""
    report = report or run_bank(directory)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for res in report.results:
        (out / f"{res.client}.txt").write_text(transcript(res), encoding="utf-8")
    return report


def format_table(report: BankReport) -> str:
    rows = [f"{'client':<28} {'result':<6} first failed expectation"]
    for r in report.results:
        first = f"s{r.failures[0]['session']} {r.failures[0]['expectation']}: {r.failures[0]['problem']}" if r.failures else ""
        if len(first) > 110:
            first = first[:107] + "..."
        rows.append(f"{r.client:<28} {'pass' if r.passed else 'FAIL':<6} {first}")
    j = report.to_json()
    rows.append("")
    rows.append(f"clients {j['clients']}, passed {j['passed']}, failed {j['failed']}")
    f = report.figures
    rows.append(f"style: ack_share {f['ack_share']} (<= {ACK_SHARE_MAX}), same_opener_twice {f['same_opener_twice']}"
                f" (== 0), mean_words {f['mean_words']} (<= {MEAN_WORDS_MAX}), long_replies {f['long_replies']}"
                f" (> {LONG_REPLY_WORDS} words), replies {f['replies']} -> {'ok' if style_ok(f) else 'OVER LIMIT'}")
    fails = [x for x in j["failures"]]
    if fails:
        rows.append("")
        rows.append("failures:")
        for x in fails:
            rows.append(f"- {x['client']} s{x['session']} {x['expectation']}: {x['problem']}")
            rows.append(x["excerpt"])
    return "\n".join(rows)


def main_sessions(dir: str, *, as_json: bool = False, transcripts: str | None = None) -> int:
    """``attune eval sessions DIR``: print the table (or one JSON object); 0 only when every client
    passes and the style limits hold."""
    try:
        report = run_bank(dir)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if transcripts:
        write_transcripts(dir, transcripts, report=report)
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print(format_table(report))
    return 0 if report.ok else 1


# ----------------------------------------------------------------------------- with and without the model


class _LLMRun:
    """The model side of ``compare_llm``: every client's engine gets a phraser and understander built from the
    same model settings (``dialogue.llm.build_llm``); their counters are summed here."""

    FIELDS = ("llm_base_url", "llm_model", "llm_api_key", "llm_timeout_s", "llm_first_sentence_s")

    def __init__(self, settings: Any) -> None:
        from attune.dialogue.llm import Breaker, LLMStats

        self.fields = {k: getattr(settings, k) for k in self.FIELDS}
        self.stats = LLMStats()
        self.breakers = (Breaker(), Breaker())  # one server process would keep one pair for every session
        self._open: list[Any] = []

    def engine_kw(self, settings: Any) -> dict[str, Any]:
        from attune.dialogue.llm import build_llm

        phraser, understander = build_llm(settings)
        phraser.stats = understander.stats = self.stats  # one set of counters for the whole bank
        phraser.breaker, understander.breaker = self.breakers
        self._open.append(understander)
        return {"phraser": phraser, "understander": understander}

    def close(self) -> None:
        while self._open:
            self._open.pop().close()


def _pct(vals: list[float], q: float) -> float | None:
    if not vals:
        return None
    vals = sorted(vals)
    return round(vals[min(len(vals) - 1, int(q * len(vals)))], 1)


def _side(report: BankReport, turn_ms: list[float]) -> dict[str, Any]:
    j = report.to_json()
    return {"clients": j["clients"], "passed": j["passed"], "failed": j["failed"],
            "failed_expectations": len(j["failures"]), "ack_share": j["ack_share"], "mean_words": j["mean_words"],
            "same_opener_twice": j["same_opener_twice"], "long_replies": j["long_replies"], "replies": j["replies"],
            "turn_ms_p50": _pct(turn_ms, 0.5), "turn_ms_p90": _pct(turn_ms, 0.9)}


async def compare_llm_async(bank_dir: str | Path, settings: Any, *, only: list[str] | None = None) -> dict[str, Any]:
    if not settings.llm_base_url:
        raise ValueError("compare_llm needs a model: set ATTUNE_LLM_BASE_URL (or --llm-base-url)")
    plain_ms: list[float] = []
    template = await run_bank_async(bank_dir, only=only, turn_ms=plain_ms)
    run = _LLMRun(settings)
    model_ms: list[float] = []
    model = await run_bank_async(bank_dir, only=only, llm=run, turn_ms=model_ms)
    st = run.stats.to_json()
    side_t, side_m = _side(template, plain_ms), _side(model, model_ms)
    side_t.update(guard_fallbacks=0, model_replies=0, model_first_sentence_ms_p50=None, model_phrase_ms_p50=None)
    side_m.update(guard_fallbacks=st["guard_fallbacks"], model_replies=st["model_replies"],
                  model_first_sentence_ms_p50=st["first_sentence_ms_p50"], model_phrase_ms_p50=st["phrase_ms_p50"])
    return {"template": side_t, "model": side_m, "llm": st,
            "model_settings": {k: v for k, v in run.fields.items() if k != "llm_api_key"},
            "failures_with_model": [f for r in model.results for f in r.failures]}


def compare_llm(bank_dir: str | Path, settings: Any, **kw: Any) -> dict[str, Any]:
    """Run the client bank twice, templates only and with the model of ``settings`` (``llm_base_url`` and the other
    ``llm_*`` fields), and return both sets of figures (``format_compare`` prints them side by side). Synchronous:
    not from inside a running event loop."""
    return asyncio.run(compare_llm_async(bank_dir, settings, **kw))


_COMPARE_ROWS = [
    ("clients passed (all expectations held)", "passed"),
    ("failed expectations", "failed_expectations"),
    ("ack share", "ack_share"),
    ("mean words (working replies)", "mean_words"),
    ("same opener twice", "same_opener_twice"),
    ("replies over 40 words", "long_replies"),
    ("replies said as the model wrote them", "model_replies"),
    ("guard fallbacks", "guard_fallbacks"),
    ("turn latency p50 (ms)", "turn_ms_p50"),
    ("turn latency p90 (ms)", "turn_ms_p90"),
    ("model first sentence p50 (ms)", "model_first_sentence_ms_p50"),
    ("model phrasing step p50 (ms)", "model_phrase_ms_p50"),
]


def format_compare(result: dict[str, Any]) -> str:
    """``compare_llm``'s figures as a two-column table, then the model's counters."""
    t, m = result["template"], result["model"]
    rows = [f"{'':<40} {'templates':>12} {'with model':>12}"]
    for label, key in _COMPARE_ROWS:
        a, b = t.get(key), m.get(key)
        rows.append(f"{label:<40} {'-' if a is None else a!s:>12} {'-' if b is None else b!s:>12}")
    st = result["llm"]
    rows.append("")
    rows.append(f"model {result['model_settings'].get('llm_model')} at {result['model_settings'].get('llm_base_url')}"
                f" (first sentence budget {result['model_settings'].get('llm_first_sentence_s')} s)")
    rows.append(f"phrase requests {st['phrase_requests']}, model replies {st['model_replies']}, template-only turns "
                f"(crisis/referral/disclosure) {st['template_exact']}, fallbacks {st['fallbacks']} = timeouts "
                f"{st['timeouts']} + guard {st['guard_fallbacks']} + errors {st['errors']} + invalid JSON "
                f"{st['invalid_json']}")
    rows.append(f"understanding requests {st['understand_requests']}, used {st['understood_used']}, late "
                f"{st['understood_late']}; model skipped on {st['skipped']} turn(s) after repeated misses")
    return "\n".join(rows)


if __name__ == "__main__":  # python -m dialogue.session_eval DIR [--json] [--transcripts OUT]
    import argparse

    ap = argparse.ArgumentParser(prog="python -m dialogue.session_eval")
    ap.add_argument("dir")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--transcripts", help="write one transcript per client into this folder")
    a = ap.parse_args()
    sys.exit(main_sessions(a.dir, as_json=a.json, transcripts=a.transcripts))
