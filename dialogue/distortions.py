"""CBT step 2: rank the thinking patterns (cognitive distortions) behind an automatic thought.

Usage::

    from attune.dialogue.distortions import rank_distortions, likeliest
    ranked = rank_distortions("she didn't text back so she must hate me", library.distortions)
    best, score = ranked[0]                      # Distortion, float
    offers = likeliest(text, library.distortions, k=3)   # [Distortion, ...] best first

How it scores
    The thought is normalised (lowercased, curly quotes straightened, contractions expanded:
    "I'm" -> "i am", "don't"/"dont" -> "do not", "can't"/"cannot" -> "can not", "gonna" -> "going to"
    ...), then every cue of every pattern (``protocols/distortions.yaml``) is searched. A cue that
    matches adds its weight once, plus a quarter of it for each further match (at most two more).
    All patterns are returned, best first; equal scores (including "nothing matched") fall back to
    ``PRIOR``, a fixed order of how often each pattern comes up in everyday thought records
    (broad, common patterns first), so the order is always deterministic.

    No learned model: the cues are hand-written linguistic markers and live in the YAML, where a
    clinician can read them. Regexes are compiled once and cached per distortion set.

Measuring
    ``evaluate(rows)`` takes dicts, either ``{"text", "label"}`` (our JSONL) or the CSV columns of
    Shreevastava & Foltz 2021 ("Distorted part", "Dominant Distortion", "Secondary Distortion
    (Optional)", falling back to "Patient Question"), and returns top-1/top-3 accuracy, per-label
    recall and the majority-class baseline. ``load_rows(path)`` reads either file type;
    ``evaluate_file(path)`` does both (for ``attune eval distortions FILE``).
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from attune.protocols.schema import Distortion, DistortionSet

__all__ = [
    "PRIOR",
    "normalize",
    "rank_distortions",
    "likeliest",
    "label_to_id",
    "load_rows",
    "evaluate",
    "evaluate_file",
    "format_report",
]

# Tie-break order (and the order offered when nothing matches): broad, everyday patterns first.
PRIOR: tuple[str, ...] = (
    "catastrophizing",
    "overgeneralization",
    "all_or_nothing",
    "mind_reading",
    "fortune_telling",
    "should_statements",
    "labeling",
    "personalization",
    "emotional_reasoning",
    "mental_filter",
    "discounting_positive",
)

MAX_CHARS = 20_000  # a spoken thought is a sentence or two; longer input is cut (keeps the end)
_REPEAT_BONUS = 0.25
_MAX_REPEATS = 2

# ------------------------------------------------------------------ normalisation

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'",
                         "\u201c": '"', "\u201d": '"', "\u2014": " - ", "\u2013": " - "})

# Order matters: specific forms before the generic n't / 'll / 're ...
_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bwon'?t\b", "will not"),
        (r"\bcan'?t\b", "can not"),
        (r"\bcannot\b", "can not"),
        (r"\bshan'?t\b", "shall not"),
        (r"\bain'?t\b", "is not"),
        (r"\b(do|does|did|is|are|was|were|has|have|had|would|should|could|must|need|might)n'?t\b", r"\1 not"),
        (r"(\w)n't\b", r"\1 not"),
        (r"\bi'?m\b", "i am"),
        (r"\bi'?ve\b", "i have"),
        (r"\bi'?ll\b", "i will"),
        (r"\bi'd\b", "i would"),
        (r"\b(you|we|they|he|she|it|that|there|who|what|everyone|everybody|nobody|people|things)'ll\b", r"\1 will"),
        (r"\b(you|we|they|who|what)'re\b", r"\1 are"),
        (r"\b(you|we|they|who|could|would|should|might|must)'ve\b", r"\1 have"),
        (r"\b(you|we|they|he|she|it|that|there|who)'d\b", r"\1 would"),
        (r"\b(it|he|she|that|there|what|who|where|here|everyone|everybody|nobody|everything|nothing|someone|something|life|this)'s\b", r"\1 is"),
        (r"\blet's\b", "let us"),
        (r"\bgonna\b", "going to"),
        (r"\bwanna\b", "want to"),
        (r"\bgotta\b", "got to"),
        (r"\bhafta\b", "have to"),
        (r"\bkinda\b", "kind of"),
        (r"\bsorta\b", "sort of"),
        (r"\bcuz\b|\b'cause\b|\bcause\b(?= (i|he|she|they|it|we|you|of)\b)", "because"),
    )
)
# apostrophe-less spellings common in typed and transcribed text
_BARE = {
    "youre": "you are", "theyre": "they are", "thats": "that is", "whats": "what is",
    "theres": "there is", "hes": "he is", "shes": "she is", "ive": "i have", "id": "i would",
    "isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not",
    "dont": "do not", "doesnt": "does not", "didnt": "did not", "havent": "have not",
    "hasnt": "has not", "hadnt": "had not", "wouldnt": "would not", "shouldnt": "should not",
    "couldnt": "could not", "mustnt": "must not", "im": "i am", "ill": None, "its": None,
}
_BARE_RE = re.compile(r"\b(" + "|".join(k for k, v in _BARE.items() if v) + r")\b")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lowercase, straighten quotes and expand contractions so cues can be written one way."""
    t = (text or "")[-MAX_CHARS:].translate(_QUOTES).lower()
    for pat, rep in _CONTRACTIONS:
        t = pat.sub(rep, t)
    t = _BARE_RE.sub(lambda m: _BARE[m.group(1)] or m.group(1), t)
    # "ill" is a word, "its" a possessive: only read them as contractions before a verb-ish word
    t = re.sub(r"\bill (never|not|be|get|have|just|always|probably|lose|end|die|fail|go|do|make|ever)\b", r"i will \1", t)
    t = re.sub(r"\bits (not|going|never|all|always|just|so|too|a|an|the|over|my|your|his|her|like|hopeless|pointless)\b", r"it is \1", t)
    return _SPACES.sub(" ", t).strip()


# ------------------------------------------------------------------ compiled table (cached)

@lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


class _Table:
    __slots__ = ("items",)

    def __init__(self, distortions: Sequence[Distortion]) -> None:
        order = {pid: i for i, pid in enumerate(PRIOR)}
        rows = []
        for pos, d in enumerate(distortions):
            prior = order.get(d.id, len(PRIOR) + pos)
            rows.append((prior, d, tuple((_compile(c.pattern), float(c.weight)) for c in d.cues)))
        self.items = tuple(rows)


_TABLES: dict[int, tuple[object, _Table]] = {}


def _as_list(library_distortions: Any) -> Sequence[Distortion]:
    obj = library_distortions
    if hasattr(obj, "distortions") and not isinstance(obj, DistortionSet):  # a Library
        obj = obj.distortions
    if isinstance(obj, DistortionSet):
        return obj.distortions
    return list(obj)


def _table(library_distortions: Any) -> _Table:
    key = id(library_distortions)
    hit = _TABLES.get(key)
    if hit is not None and hit[0] is library_distortions:
        return hit[1]
    table = _Table(_as_list(library_distortions))
    if len(_TABLES) >= 16:
        _TABLES.clear()
    _TABLES[key] = (library_distortions, table)  # holds a reference, so the id stays valid
    return table


# ------------------------------------------------------------------ ranking

def rank_distortions(text: str, library_distortions: Any) -> list[tuple[Distortion, float]]:
    """Every pattern with its score, best first; ties (and no evidence) follow ``PRIOR``.

    ``library_distortions`` is a ``DistortionSet`` (``library.distortions``), a ``Library`` or a
    list of ``Distortion``.
    """
    table = _table(library_distortions)
    t = normalize(text) if isinstance(text, str) else ""
    scored = []
    for prior, d, cues in table.items:
        s = 0.0
        if t:
            for rx, w in cues:
                n = 0
                for _ in rx.finditer(t):
                    n += 1
                    if n > _MAX_REPEATS:
                        break
                if n:
                    s += w * (1.0 + _REPEAT_BONUS * (n - 1))
        scored.append((-round(s, 6), prior, d, s))
    scored.sort(key=lambda r: (r[0], r[1]))
    return [(d, round(s, 4)) for _, _, d, s in scored]


def likeliest(text: str, distortions: Any, k: int = 3) -> list[Distortion]:
    """The ``k`` likeliest patterns, best first (offer the first; if it does not fit, the next)."""
    return [d for d, _ in rank_distortions(text, distortions)[: max(0, k)]]


# ------------------------------------------------------------------ evaluation

_LABELS = {
    "allornothing": "all_or_nothing", "allornothingthinking": "all_or_nothing", "blackandwhite": "all_or_nothing",
    "catastrophizing": "catastrophizing", "catastrophising": "catastrophizing", "magnification": "catastrophizing",
    "overgeneralization": "overgeneralization", "overgeneralisation": "overgeneralization",
    "mentalfilter": "mental_filter",
    "discountingthepositive": "discounting_positive", "discountingpositive": "discounting_positive",
    "disqualifyingthepositive": "discounting_positive",
    "mindreading": "mind_reading",
    "fortunetelling": "fortune_telling",
    "emotionalreasoning": "emotional_reasoning",
    "shouldstatements": "should_statements", "should": "should_statements",
    "labeling": "labeling", "labelling": "labeling", "mislabeling": "labeling",
    "personalization": "personalization", "personalisation": "personalization", "blame": "personalization",
    "personalizationblame": "personalization",
}


def label_to_id(label: str | None) -> str | None:
    """Map a dataset label ("Fortune-telling", "Magnification", "mind_reading"...) to our id, or None."""
    if not label:
        return None
    key = re.sub(r"[^a-z]", "", label.lower())
    return _LABELS.get(key)


def _row_fields(row: dict) -> tuple[str, str | None, str | None]:
    if "Distorted part" in row or "Dominant Distortion" in row:
        text = (row.get("Distorted part") or "").strip() or (row.get("Patient Question") or "").strip()
        return text, row.get("Dominant Distortion"), row.get("Secondary Distortion (Optional)")
    return (row.get("text") or "").strip(), row.get("label"), row.get("secondary")


def _default_set() -> DistortionSet:
    from attune.protocols.loader import BUNDLED, _load

    return _load(BUNDLED / "distortions.yaml", DistortionSet)


def evaluate(rows: Iterable[dict], distortions: Any = None) -> dict:
    """Top-1/top-3 accuracy on rows whose label maps to one of our patterns.

    Rows without a usable label ("No Distortion", empty) are skipped and counted. Returns
    ``n, top1, top3, per_label`` ({id: {n, top1, top3}}), ``secondary_n`` / ``secondary_top1`` /
    ``secondary_top3`` (hits on the optional secondary label, over rows that have one),
    ``either_top1`` (top-1 matches dominant or secondary), ``majority_label`` / ``majority_top1`` /
    ``majority_top3`` (always answering the most frequent labels), ``confusion`` (gold -> predicted
    top-1 counts) and ``skipped``.
    """
    dset = distortions if distortions is not None else _default_set()
    ids = {d.id for d in _as_list(dset)}
    n = top1 = top3 = skipped = 0
    sec_n = sec1 = sec3 = either1 = 0
    per: dict[str, dict[str, int]] = {}
    gold_counts: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = {}
    for row in rows:
        text, dom, sec = _row_fields(row)
        gold = label_to_id(dom)
        if gold is None or gold not in ids or not text:
            skipped += 1
            continue
        ranked = [d.id for d, _ in rank_distortions(text, dset)]
        n += 1
        gold_counts[gold] += 1
        p = per.setdefault(gold, {"n": 0, "top1": 0, "top3": 0})
        p["n"] += 1
        h1, h3 = ranked[0] == gold, gold in ranked[:3]
        top1 += h1
        top3 += h3
        p["top1"] += h1
        p["top3"] += h3
        confusion.setdefault(gold, Counter())[ranked[0]] += 1
        s = label_to_id(sec)
        if s is not None and s != gold:
            sec_n += 1
            sec1 += ranked[0] == s
            sec3 += s in ranked[:3]
        either1 += h1 or (s is not None and ranked[0] == s)
    common = [lab for lab, _ in sorted(gold_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    frac = (lambda x: round(x / n, 4)) if n else (lambda x: 0.0)
    return {
        "n": n,
        "top1": frac(top1),
        "top3": frac(top3),
        "per_label": {
            k: {"n": v["n"], "top1": round(v["top1"] / v["n"], 4), "top3": round(v["top3"] / v["n"], 4)}
            for k, v in sorted(per.items())
        },
        "secondary_n": sec_n,
        "secondary_top1": round(sec1 / sec_n, 4) if sec_n else 0.0,
        "secondary_top3": round(sec3 / sec_n, 4) if sec_n else 0.0,
        "either_top1": frac(either1),
        "majority_label": common[0] if common else None,
        "majority_top1": frac(sum(gold_counts[c] for c in common[:1])),
        "majority_top3": frac(sum(gold_counts[c] for c in common[:3])),
        "confusion": {g: dict(c.most_common()) for g, c in sorted(confusion.items())},
        "skipped": skipped,
    }


def load_rows(path: str | Path) -> list[dict]:
    """Rows from a CSV (header row; UTF-8 with or without BOM) or a JSONL file (one object a line)."""
    p = Path(path)
    if p.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        with p.open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    with p.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def evaluate_file(path: str | Path, distortions: Any = None) -> dict:
    return evaluate(load_rows(path), distortions)


def format_report(result: dict) -> str:
    """A short human-readable summary of ``evaluate``'s result."""
    lines = [
        f"n={result['n']}  top1={result['top1']:.3f}  top3={result['top3']:.3f}  "
        f"(majority '{result['majority_label']}': top1={result['majority_top1']:.3f} top3={result['majority_top3']:.3f})",
    ]
    if result["secondary_n"]:
        lines.append(
            f"secondary label (n={result['secondary_n']}): top1={result['secondary_top1']:.3f} "
            f"top3={result['secondary_top3']:.3f}; top1 hits dominant or secondary: {result['either_top1']:.3f}"
        )
    for lab, v in result["per_label"].items():
        lines.append(f"  {lab:22s} n={v['n']:4d}  top1={v['top1']:.3f}  top3={v['top3']:.3f}")
    lines.append(f"skipped (no usable label or text): {result['skipped']}")
    return "\n".join(lines)
