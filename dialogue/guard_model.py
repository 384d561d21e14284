"""The output guard's semantic layer: a second opinion on lines a language model wrote.

The rules in ``dialogue/guard.py`` judge every line Attune says in well under a millisecond, and every template line
is known in advance.  A model's sentence is not: it can endorse harm, diagnose, promise or direct in words no rule
lists.  This layer embeds the sentence (MiniLM, ``dialogue/embed.py``, about 15 ms) and scores it with a one-hidden-layer
network trained on ``tests/data/guard_train.jsonl`` and ``guard_train_round2.jsonl`` (harmful and benign lines written
for the guard) plus every rendered protocol line as benign.  The threshold is chosen out of fold so that at most
2 % of the benign training lines and template lines would be blocked (``dialogue/guard_train.py``).  A blocked line's category is the
vote of its nearest harmful training lines.

It runs only on model-written lines (``dialogue/llm.py``), after the rules: a template line never waits for it.

    python -m attune.dialogue.guard_model train [--cache FILE]   # dialogue/guard_train.py: writes guard_model.npz
    python -m attune.dialogue.guard_model score TEXT...
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
WEIGHTS = HERE / "guard_model.npz"
K = 7  # harmful training lines that vote on a blocked line's category


@dataclass(frozen=True)
class ModelVerdict:
    ok: bool
    p: float
    category: str  # "" when ok
    nearest: str  # the most similar harmful training line, for logs and the eval report


class GuardModel:
    def __init__(self, path: Path = WEIGHTS) -> None:
        z = np.load(path, allow_pickle=False)
        self.W1 = z["W1"].astype(np.float32)
        self.b1 = z["b1"].astype(np.float32)
        self.w2 = z["w2"].astype(np.float32)
        self.b2 = float(z["b2"])
        self.threshold = float(z["threshold"])
        self.harm = z["harm"].astype(np.float32)
        self.harm_cat = [str(c) for c in z["harm_cat"].tolist()]
        self.harm_text = [t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in z["harm_text"].tolist()]

    def proba(self, X: np.ndarray) -> np.ndarray:
        H = np.maximum(X @ self.W1 + self.b1, 0.0)
        return 1.0 / (1.0 + np.exp(-np.clip(H @ self.w2 + self.b2, -40, 40)))

    def judge_embeddings(self, X: np.ndarray) -> list[ModelVerdict]:
        p = self.proba(X)
        sims = X @ self.harm.T
        out = []
        for i in range(len(X)):
            top = np.argsort(-sims[i])[:K]
            votes: dict[str, float] = {}
            for j in top:
                votes[self.harm_cat[j]] = votes.get(self.harm_cat[j], 0.0) + float(sims[i, j])
            blocked = p[i] >= self.threshold
            out.append(ModelVerdict(not blocked, float(p[i]), max(votes, key=votes.__getitem__) if blocked else "",
                                    self.harm_text[int(top[0])]))
        return out

    def judge(self, lines: list[str]) -> list[ModelVerdict]:
        from attune.dialogue.embed import embed
        return self.judge_embeddings(embed(lines)) if lines else []


@lru_cache(maxsize=1)
def load() -> GuardModel:
    """The shipped weights, loaded once per process."""
    return GuardModel(WEIGHTS)


def judge(line: str) -> ModelVerdict:
    """The semantic verdict on one line (CPU-bound: call it off the event loop)."""
    return load().judge([line])[0]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:  # training reads the template lines through guard_eval, which imports guard: run it apart
        os.execv(sys.executable, [sys.executable, "-m", "attune.dialogue.guard_train", *argv[1:]])
    if argv[:1] == ["score"] and len(argv) > 1:
        for text, v in zip(argv[1:], load().judge(argv[1:])):
            print(f"{v.p:.3f} {'ok' if v.ok else v.category:12s} {text!r} ~ {v.nearest!r}")
        return 0
    print("usage: python -m attune.dialogue.guard_model train [--cache FILE] | score TEXT...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
