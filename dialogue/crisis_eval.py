"""Evaluate the crisis screen on labelled utterances (``{"text": str, "label": 0|1}``).

What counts as a positive prediction: level "crisis" **or** "concern".  A concern makes the engine
stop normal work and ask the person directly (C-SSRS style) whether they are thinking of killing
themselves, so for someone at risk it is a catch, not a miss; for someone not at risk it is a false
alarm (one unnecessary question), and it is counted as one.  Counting only "crisis" would hide the
indirect statements that the product deliberately answers with a check rather than the banner.
The screen runs without ``risk_earlier`` (each row is the first thing the person says).
"""
from __future__ import annotations

from collections.abc import Iterable

from attune.dialogue.safety import screen

POSITIVE_LEVELS = frozenset({"crisis", "concern"})


def evaluate(rows: Iterable[dict]) -> tuple[dict, list[dict]]:
    """Return ({n, recall, precision, false_positive_rate, tp, fp, fn, tn}, misses).

    ``misses`` lists every false negative and false positive as
    ``{"text", "label", "predicted", "level", "category"}``.
    """
    tp = fp = fn = tn = 0
    misses: list[dict] = []
    for row in rows:
        text, label = str(row["text"]), int(row["label"])
        verdict = screen(text)
        predicted = int(verdict.level in POSITIVE_LEVELS)
        if predicted and label:
            tp += 1
        elif predicted:
            fp += 1
        elif label:
            fn += 1
        else:
            tn += 1
        if predicted != label:
            misses.append({"text": text, "label": label, "predicted": predicted,
                           "level": verdict.level, "category": verdict.category})
    n = tp + fp + fn + tn
    result = {
        "n": n,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "false_positive_rate": round(fp / (fp + tn), 4) if fp + tn else 0.0,
        "tp": tp, "fp": fp, "fn": fn, "tn": tn,
    }
    return result, misses
