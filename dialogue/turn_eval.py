"""Evaluate the turn interpreter on labelled turns (``attune eval turns FILE``).

Rows: ``{"expects", "text", "label", "ask"?, "modality"?, "slots"?}`` (tests/data/README_turns.md).
Reports per-class precision and recall, accuracy, a confusion table, the accuracy of the question
kind and of the switch target, and slot agreement on rows that carry slots.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from attune.dialogue.interpret import KINDS, interpret_turn

_SLOT_KEYS = ("name", "mood", "emotion", "intensity", "yes")


def _slot_match(key: str, want: Any, got: Any) -> bool:
    if key == "name":
        return (want or None) == (got or None) if want is None or got is None else str(want).lower() == str(got).lower()
    if key == "emotion":
        return got is not None and str(want).lower() in str(got).lower() or str(got).lower() in str(want).lower()
    return want == got


def evaluate(rows: Iterable[dict]) -> tuple[dict, list[dict]]:
    """Return (report, misses)."""
    confusion: Counter[tuple[str, str]] = Counter()
    ask_ok = ask_n = mod_ok = mod_n = 0
    slot_ok: Counter[str] = Counter()
    slot_n: Counter[str] = Counter()
    misses: list[dict] = []
    for row in rows:
        r = interpret_turn(str(row["text"]), str(row.get("expects", "text")))
        gold = str(row["label"])
        confusion[(gold, r.kind)] += 1
        if gold == "question" and r.kind == "question":
            ask_n += 1
            ask_ok += int(r.ask == row.get("ask"))
        if gold == "switch" and r.kind == "switch":
            mod_n += 1
            mod_ok += int(r.modality == row.get("modality"))
        for key in _SLOT_KEYS:
            if key in (row.get("slots") or {}) and gold == r.kind:
                slot_n[key] += 1
                slot_ok[key] += int(_slot_match(key, row["slots"][key], r.slots.get(key)))
        if r.kind != gold:
            misses.append({"text": row["text"], "expects": row.get("expects"), "label": gold, "predicted": r.kind})
    n = sum(confusion.values())
    per_class = {}
    for k in KINDS:
        tp = confusion[(k, k)]
        pred = sum(v for (g, p), v in confusion.items() if p == k)
        gold = sum(v for (g, p), v in confusion.items() if g == k)
        per_class[k] = {"n": gold, "precision": round(tp / pred, 3) if pred else 0.0,
                        "recall": round(tp / gold, 3) if gold else 0.0}
    report = {
        "n": n,
        "accuracy": round(sum(confusion[(k, k)] for k in KINDS) / n, 4) if n else 0.0,
        "per_class": per_class,
        "question_kind_accuracy": round(ask_ok / ask_n, 3) if ask_n else None,
        "switch_target_accuracy": round(mod_ok / mod_n, 3) if mod_n else None,
        "slots": {k: {"n": slot_n[k], "accuracy": round(slot_ok[k] / slot_n[k], 3)} for k in _SLOT_KEYS if slot_n[k]},
        "confusion": {g: {p: confusion[(g, p)] for p in KINDS if confusion[(g, p)]} for g in KINDS},
    }
    return report, misses


def format_report(report: dict) -> str:
    lines = [f"turns: {report['n']}  accuracy {report['accuracy']:.3f}  question kind {report['question_kind_accuracy']}"
             f"  switch target {report['switch_target_accuracy']}", "",
             f"{'class':<11} {'n':>4} {'precision':>9} {'recall':>7}"]
    for k, v in report["per_class"].items():
        lines.append(f"{k:<11} {v['n']:>4} {v['precision']:>9.3f} {v['recall']:>7.3f}")
    lines += ["", "slots: " + ", ".join(f"{k} {v['accuracy']:.3f} (n {v['n']})" for k, v in report["slots"].items()), "",
              "confusion (gold → predicted):"]
    head = "".join(f"{k[:6]:>7}" for k in KINDS)
    lines.append(f"{'':<11}{head}")
    for g in KINDS:
        row = report["confusion"].get(g, {})
        lines.append(f"{g:<11}" + "".join(f"{row.get(p, 0) or '.':>7}" for p in KINDS))
    return "\n".join(lines)
