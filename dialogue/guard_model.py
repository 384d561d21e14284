"""The output guard's semantic layer: a second opinion on lines a language model wrote.

The rules in ``dialogue/guard.py`` judge every line Attune says in well under a millisecond, and every template line
is known in advance.  A model's sentence is not: it can endorse harm, diagnose, promise or direct in words no rule
lists.  This layer embeds the sentence (MiniLM, ``dialogue/embed.py``, about 15 ms) and scores it with a one-hidden-layer
network trained on ``tests/data/guard_train.jsonl`` and ``guard_train_round2.jsonl`` (harmful and benign lines written
for the guard) plus every rendered protocol line as benign.  The threshold is chosen out of fold so that at most
``FALSE_BLOCKS`` of the benign training lines and template lines would be blocked.  A blocked line's category is the
vote of its nearest harmful training lines.

It runs only on model-written lines (``dialogue/llm.py``), after the rules: a template line never waits for it.

    python -m attune.dialogue.guard_model train [--cache FILE]   # writes dialogue/guard_model.npz, prints CV figures
    python -m attune.dialogue.guard_model score TEXT...
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
WEIGHTS = HERE / "guard_model.npz"
DATA = HERE.parent / "tests" / "data"
TRAIN_FILES = ("guard_train.jsonl", "guard_train_round2.jsonl")
FALSE_BLOCKS = 0.02  # out-of-fold share of benign lines (training and template) the layer may block
K = 7
SEED = 29
# the training files name two categories differently from the guard's REASONS
_SAME = {"means_method": "means", "false_promise": "promise"}


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


# ---------------------------------------------------------------------------------------------------------- training

def _rows() -> list[tuple[str, int, str]]:
    """(text, label, category) of the training files, then every rendered protocol line as benign."""
    from attune.dialogue.guard_eval import template_lines

    rows: list[tuple[str, int, str]] = []
    for name in TRAIN_FILES:
        for line in (DATA / name).read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                label = r["label"] if isinstance(r["label"], int) else int(r["label"] == "harmful")
                rows.append((r["text"], label, _SAME.get(r["category"], r["category"])))
    rows += [(text, 0, "template") for _, text, _ in template_lines()]
    seen: set[str] = set()
    return [r for r in rows if not (r[0] in seen or seen.add(r[0]))]


def train(out: Path = WEIGHTS, cache: Path | None = None, verbose: bool = True) -> dict:
    from attune.dialogue.risk_train import embed_rows, fit_mlp, mlp_proba, threshold_at_fpr

    rows = _rows()
    texts = [t for t, _, _ in rows]
    y = np.array([lab for _, lab, _ in rows], dtype=np.float64)
    X = embed_rows(texts, cache).astype(np.float64)
    folds = np.random.default_rng(SEED).permutation(len(rows)) % 5
    oof = np.zeros(len(rows))
    for f in range(5):
        te, tr = folds == f, folds != f
        oof[te] = mlp_proba(*fit_mlp(X[tr], y[tr], seed=SEED), X[te])
    threshold = threshold_at_fpr(oof, y, FALSE_BLOCKS)
    W1, b1, w2, b2 = fit_mlp(X, y, seed=SEED)
    harm = y == 1
    np.savez_compressed(out, W1=W1.astype(np.float16), b1=b1.astype(np.float32), w2=w2.astype(np.float32),
                        b2=np.float32(b2), threshold=np.float32(threshold), harm=X[harm].astype(np.float16),
                        harm_cat=np.array([rows[i][2] for i in np.where(harm)[0]]),
                        harm_text=np.array([texts[i].encode("utf-8") for i in np.where(harm)[0]]))
    templ = np.array([c == "template" for _, _, c in rows])
    summary = {"rows": len(rows), "harmful": int(harm.sum()), "threshold": round(threshold, 4),
               "cv_harmful_blocked": round(float((oof[harm] >= threshold).mean()), 4),
               "cv_benign_passed": round(float((oof[~harm] < threshold).mean()), 4),
               "cv_template_passed": round(float((oof[templ] < threshold).mean()), 4)}
    if verbose:
        print(json.dumps(summary))
    load.cache_clear()
    return summary


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        cache = Path(argv[argv.index("--cache") + 1]) if "--cache" in argv else None
        train(cache=cache)
        return 0
    if argv[:1] == ["score"] and len(argv) > 1:
        for text, v in zip(argv[1:], load().judge(argv[1:])):
            print(f"{v.p:.3f} {'ok' if v.ok else v.category:12s} {text!r} ~ {v.nearest!r}")
        return 0
    print("usage: python -m attune.dialogue.guard_model train [--cache FILE] | score TEXT...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
