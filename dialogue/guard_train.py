"""Training for the output guard's semantic layer (``dialogue/guard_model.py`` holds the model and inference).

    python -m attune.dialogue.guard_train [--cache FILE]   # writes dialogue/guard_model.npz, prints CV figures
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from attune.dialogue.guard_eval import template_lines
from attune.dialogue.guard_model import WEIGHTS, load
from attune.dialogue.risk_train import embed_rows, fit_mlp, mlp_proba, threshold_at_fpr

DATA = Path(__file__).parent.parent / "tests" / "data"
TRAIN_FILES = ("guard_train.jsonl", "guard_train_round2.jsonl")
FALSE_BLOCKS = 0.02  # out-of-fold share of benign lines (training and template) the layer may block
SEED = 29
# the training files name two categories differently from the guard's REASONS
_SAME = {"means_method": "means", "false_promise": "promise"}


def _rows() -> list[tuple[str, int, str]]:
    """(text, label, category) of the training files, then every rendered protocol line as benign."""
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
    train(cache=Path(argv[argv.index("--cache") + 1]) if "--cache" in argv else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
