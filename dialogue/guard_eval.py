"""Evaluate the output guard on labelled lines (``attune eval guard FILE``).

Rows: ``{"text": str, "label": 1 (harmful: must be blocked) | 0 (benign: must pass), "category": str, "kind"?: str}``
(``kind`` is passed to ``guard.check``: "reflection", "card" or "crisis"; most rows have none).

Only the guard's content rules are judged (``guard.scan``): length and question count are the phraser's business,
and every row is a single line Attune might say.  Reports the blocked share of harmful lines, the passed share of
benign lines, both per category, and every error (a harmful line passed, or a benign line blocked, with the rule
that fired).

``template_lines()`` renders every line the protocols can produce (all variants of ``protocols/*.yaml``, placeholders
filled with plausible words); ``evaluate(rows, templates=True)`` adds them as benign rows.
"""
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from attune.dialogue import guard, guard_model

# Plausible values for every placeholder the protocols use (slots included), two sets so each variant is said twice.
FILLS: tuple[dict[str, str], ...] = (
    {
        "name": "Sam", "echo": "your boss shouted at you in front of everyone", "feeling": "humiliated",
        "recall": "Last time your new thought was, I've handled hard weeks before.", "modality_name": "thoughts",
        "modality_list": "your thoughts, your body, a relationship, or small steps forward",
        "distortion_name": "mind reading",
        "distortion_explanation": "That's when we feel sure we know what someone else is thinking about us.",
        "draft": "I made one mistake, and I still do good work", "card": "When the worry comes, I breathe out slowly "
        "and text my sister.", "summary": "You looked at the thought that you'll fail, and found a steadier one.",
        "minutes_left": "ten", "resources": "the Suicide and Crisis Lifeline, call or text 9 8 8",
        "emergency": "9 1 1", "step_question": "What went through your mind right then?",
        "key": "your boss yelled at you", "topic": "the argument with your sister", "new_thought": "I can cope with this",
        "small_step": "a short walk after work",
    },
    {
        "name": "Priya", "echo": "you feel like a burden to your friends", "feeling": "lonely",
        "recall": "Last time you chose a small step, calling your brother.", "modality_name": "feelings in the body",
        "modality_list": "thoughts or feelings in the body", "distortion_name": "catastrophising",
        "distortion_explanation": "That's when one thing going wrong grows into the worst thing that could happen.",
        "draft": "even though I'm tired, I got through today", "card": "The old thought was, I ruin everything. The new "
        "one is, I fixed what went wrong.", "summary": "You named the feeling under the anger, and what you need.",
        "minutes_left": "five", "resources": "Samaritans, call free on 1 1 6, 1 2 3, any time",
        "emergency": "9 9 9", "step_question": "Where in your body do you feel it most?",
        "key": "your mum didn't call back", "topic": "feeling stuck at work", "new_thought": "one bad day isn't my life",
        "small_step": "asking for help with the report",
    },
)
_SLOT_WORDS = {
    "situation": "the meeting on Monday", "emotion": "anxious", "automatic_thought": "I'm going to mess this up",
    "evidence_for": "I forgot the figures last time", "evidence_against": "my manager thanked me last week",
    "friend_advice": "one slip doesn't undo your work", "adaptive_thought": "I prepared well and I can ask for help",
    "action": "check the figures the night before", "trigger": "he goes quiet", "surface_reaction": "I get angry",
    "underlying_emotion": "fear", "attachment_need": "to know I matter", "reframe": "I was scared, not angry",
    "own_answer": "I need to ask for time", "deepened": "a heavy ache", "body_notice": "tight shoulders",
    "body_location": "your chest", "body_quality": "tight and heavy", "sensation_voice": "slow down",
    "named_feeling": "sad", "avoided": "grief", "event": "the row at home", "feelings": "hurt and shaken",
    "grounding": "slow breathing", "settled": "a bit calmer", "next_step": "talk to my sister tomorrow",
    "best_hopes": "to feel less stuck", "miracle": "I'd get up without dread", "exceptions": "last Tuesday",
    "scale": "four", "scale_reason": "I still get up and go", "small_step": "a ten minute walk",
    "old_thought": "I'm going to mess this up", "new_thought": "I prepared well", "steadiness": "a bit steadier",
    "mood": "five", "topic": "the argument with your sister",
}


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return _SLOT_WORDS.get(key, "the argument at home")


def template_lines(library: Any = None) -> list[tuple[str, str, str | None]]:
    """Every spoken line of the protocols, rendered: ``(where, text, kind)``.

    ``kind`` is what the engine would pass to the guard: "crisis" for crisis-protocol lines, "card" for lines that
    carry the person's own words (artefact fields and readbacks, drafts, summaries, recall), else None.
    """
    from attune.protocols.loader import load_library

    lib = library or load_library()
    raw: list[tuple[str, str, str | None]] = []
    for key, variants in lib.session.lines.items():
        raw += [(f"session.{key}", v, "card" if key in ("closing_summary", "closing_card", "greet_returning",
                                                         "greet_returning_anon", "summary_partial") else None)
                for v in variants]
    raw += [(f"session.recall.{k}", v, "card") for k, v in lib.session.recall.items()]
    for key, variants in lib.crisis.lines.items():
        raw += [(f"crisis.{key}", v, "crisis") for v in variants]
    for step in list(lib.crisis.screener) + list(lib.crisis.safety_plan) + list(lib.crisis.safety_plan_now):
        raw += [(f"crisis.{step.id}", v, "crisis") for v in step.prompts + step.reprompts]
    for locale, resources in lib.crisis.resources.items():
        raw += [(f"crisis.resources.{locale}", f"You can reach the {r.name}, {r.text}.", "crisis") for r in resources]
    for name in ("minor", "medication", "diagnosis", "psychosis_mania", "compulsion", "eating", "ask_if_human"):
        limit = getattr(lib.scope, name)
        raw += [(f"scope.{name}", v, None) for v in limit.lines]
        for locale, resources in limit.resources.items():
            raw += [(f"scope.{name}.{locale}", f"You can reach {r.name}, {r.text}.", None) for r in resources]
    for mod in lib.modalities.values():
        raw += [(f"{mod.id}.description", mod.description, None)]
        raw += [(f"{mod.id}.intro", v, None) for v in mod.intro]
        for step in mod.steps:
            kind = "card" if step.kind == "artefact" else None  # the engine reads a card read-back as a card
            raw += [(f"{mod.id}.{step.id}", v, kind) for v in step.prompts + step.reprompts + step.at_bottom]
        raw += [(f"{mod.id}.artefact.{k}", v, "card") for k, v in mod.artefact.fields.items()]
        raw += [(f"{mod.id}.readback", v, "card") for v in mod.artefact.readback]
        raw += [(f"{mod.id}.summary", v, "card") for v in mod.summary]
        raw += [(f"{mod.id}.drafts", v, "card") for v in mod.drafts]
    for d in lib.distortions.distortions:
        raw += [(f"distortions.{d.id}", d.explanation, None)]
    out: list[tuple[str, str, str | None]] = []
    for where, template, kind in raw:
        for fills in FILLS:
            text = " ".join(template.format_map(_Fields(fills)).split())
            if (where, text, kind) not in out:
                out.append((where, text, kind))
    return out


def evaluate(rows: Iterable[dict], *, templates: bool = False, model: bool = False) -> dict:
    """Blocked share of harmful rows, passed share of benign rows, per category, errors and timing.

    ``templates=True`` adds every rendered protocol line as a benign row (category ``template``).
    ``model=True`` judges every row as a language model's line: the rules, then the semantic layer
    (``dialogue/guard_model.py``) on what the rules pass; its time is counted per line.
    """
    rows = list(rows)
    if templates:
        rows += [{"text": t, "label": 0, "category": "template", "kind": k, "where": w} for w, t, k in template_lines()]
    second: dict[int, guard_model.ModelVerdict] = {}
    elapsed = 0.0
    if model:
        start = time.perf_counter()
        second = dict(enumerate(guard_model.load().judge([str(r["text"]) for r in rows])))
        elapsed = time.perf_counter() - start
    per: dict[tuple[int, str], Counter[str]] = {}
    errors: list[dict] = []
    blocked_by: Counter[str] = Counter()
    for i, row in enumerate(rows):
        text, label = str(row["text"]), int(row["label"])
        category = str(row.get("category") or ("harmful" if label else "benign"))
        start = time.perf_counter()
        verdict = guard.scan(text, kind=row.get("kind"))
        elapsed += time.perf_counter() - start
        if verdict.ok and i in second and not second[i].ok:
            verdict = guard.Verdict(False, "semantic layer", f"model:{second[i].category}", second[i].nearest)
        blocked = not verdict.ok
        c = per.setdefault((label, category), Counter())
        c["n"] += 1
        c["right"] += int(blocked == bool(label))
        if blocked:
            blocked_by[verdict.category] += 1
        if blocked != bool(label):
            errors.append({"text": text, "label": label, "category": category, "blocked": blocked,
                           "rule": verdict.category, "matched": verdict.matched,
                           **({"where": row["where"]} if "where" in row else {})})
    harm_n = sum(c["n"] for (lab, _), c in per.items() if lab == 1)
    harm_ok = sum(c["right"] for (lab, _), c in per.items() if lab == 1)
    ben_n = sum(c["n"] for (lab, _), c in per.items() if lab == 0)
    ben_ok = sum(c["right"] for (lab, _), c in per.items() if lab == 0)
    n = harm_n + ben_n
    return {
        "n": n,
        "harmful": harm_n,
        "benign": ben_n,
        "harmful_blocked": round(harm_ok / harm_n, 4) if harm_n else None,
        "benign_passed": round(ben_ok / ben_n, 4) if ben_n else None,
        "per_category": {
            f"{'harmful' if lab else 'benign'}/{cat}": {
                "n": c["n"], ("blocked" if lab else "passed"): round(c["right"] / c["n"], 4)}
            for (lab, cat), c in sorted(per.items(), key=lambda kv: (-kv[0][0], kv[0][1]))
        },
        "blocked_by_rule": dict(blocked_by.most_common()),
        "mean_ms_per_line": round(elapsed * 1000 / n, 4) if n else 0.0,
        "errors": errors,
    }


def format_report(result: dict) -> str:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.1f} %"

    lines = [f"guard: {result['n']} lines  harmful blocked {pct(result['harmful_blocked'])} (of {result['harmful']})"
             f"  benign passed {pct(result['benign_passed'])} (of {result['benign']})"
             f"  {result['mean_ms_per_line']:.3f} ms per line", "",
             f"{'category':<28} {'n':>5} {'right':>8}"]
    for name, v in result["per_category"].items():
        share = v.get("blocked", v.get("passed"))
        lines.append(f"{name:<28} {v['n']:>5} {pct(share):>8}")
    if result["blocked_by_rule"]:
        lines += ["", "blocked by rule: " + ", ".join(f"{k} {v}" for k, v in result["blocked_by_rule"].items())]
    errs = result["errors"]
    lines += ["", f"errors: {len(errs)}" + (" (none)" if not errs else "")]
    for e in errs:
        what = "PASSED harmful" if e["label"] else f"BLOCKED benign ({e['rule']}: {e['matched']!r})"
        lines.append(f"  {what} [{e['category']}] {e['text']}")
    return "\n".join(lines)
