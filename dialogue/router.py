"""Which modality fits what the person asked for — with the reason recorded."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from protocols.schema import Modality

_SWITCH = re.compile(
    r"\b(switch|change|instead|try|rather|let's do|lets do|can we do|could we do|i want to do|i'd like to do|"
    r"i would like|prefer|go with|pick|choose|do the|use)\b"
)
MIN_SCORE = 1.0  # below this the request carries no clear signal
MARGIN = 0.5  # the winner must lead the runner-up by this much


@dataclass(frozen=True)
class Route:
    modality: str | None
    reason: str
    scores: dict[str, float] = field(default_factory=dict)
    by_name: bool = False


@lru_cache(maxsize=64)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _norm(text: str) -> str:
    return text.lower().replace("’", "'")


def named_modality(text: str, modalities: dict[str, Modality]) -> str | None:
    """A modality the person picked by name ("can we do CBT?")."""
    low = _norm(text)
    hits = [m.id for m in modalities.values() if any(_rx(a).search(low) for a in m.aliases)]
    return hits[0] if len(hits) == 1 else None


def asks_to_switch(text: str, modalities: dict[str, Modality], current: str | None) -> str | None:
    """A named modality other than the current one, asked for with switch words."""
    target = named_modality(text, modalities)
    if target and target != current and _SWITCH.search(_norm(text)):
        return target
    return None


def route(text: str, modalities: dict[str, Modality]) -> Route:
    """Score the request against each modality's cues; pick only with a clear lead."""
    named = named_modality(text, modalities)
    if named:
        return Route(named, f"chosen by name: {modalities[named].name}", by_name=True)
    low = _norm(text)
    scores: dict[str, float] = {}
    matched: dict[str, list[str]] = {}
    for m in modalities.values():
        total = 0.0
        for cue in m.cues:
            hit = _rx(cue.pattern).search(low)
            if hit:
                total += cue.weight
                matched.setdefault(m.id, []).append(hit.group(0))
        scores[m.id] = round(total, 2)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < MIN_SCORE or top - second < MARGIN:
        return Route(None, f"unclear: scores {dict(ranked[:3])}", scores)
    cues = ", ".join(repr(c) for c in matched[best][:4])
    return Route(best, f"cues {cues} (score {top} vs {second})", scores)
