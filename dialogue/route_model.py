"""The route model: which modality a first request fits, from its meaning rather than its keywords.

A small class-balanced softmax classifier (numpy only) over the all-MiniLM-L6-v2 embedding of the
request (``dialogue.embed``). Six labels: the five modalities plus ``unclear`` ("i don't know",
"just stuff"). It backs up the cue scores in ``dialogue.router.route``: cues decide when they are
clearly ahead, the model decides when its probability is high enough, otherwise the request is
unclear and the engine asks one clarifying question.

Trained only on ``tests/data/routing_train.jsonl`` (requests we wrote) plus each modality's one-line
``description`` from ``protocols/``; ``tests/data/routing_dev.jsonl`` is never used for training or
tuning. Rebuild the shipped weights with::

    python -m dialogue.route_model train     # writes dialogue/route_model.npz, prints 5-fold figures on train

If the weights or the embedding model are missing, ``load()`` raises ``Unavailable`` and the router
works from its cues alone.
"""
from __future__ import annotations

import argparse
import json
import threading
from pathlib import Path

import numpy as np

from attune.dialogue.softmax import fit_softmax as _fit, softmax as _softmax

HERE = Path(__file__).resolve().parent
WEIGHTS = HERE / "route_model.npz"
TRAIN = HERE.parent / "tests" / "data" / "routing_train.jsonl"
MODALITIES = ("cbt", "gestalt", "express", "efit", "sfbt")
UNCLEAR = "unclear"
LABELS = MODALITIES + (UNCLEAR,)
LAMBDA = 1e-3  # L2 penalty; chosen by 5-fold cross-validation on the train file only
ITERS = 600
LR = 4.0


class Unavailable(RuntimeError):
    """The weights or the embedding model are missing: the cues work alone."""


def _features(emb: np.ndarray) -> np.ndarray:
    return np.hstack([emb.astype(np.float64), np.ones((len(emb), 1))])


def fit_softmax(X: np.ndarray, y: np.ndarray, k: int, lam: float = LAMBDA, iters: int = ITERS,
                lr: float = LR) -> np.ndarray:
    return _fit(X, y, k, lam, iters, lr)


class RouteModel:
    def __init__(self, path: Path = WEIGHTS) -> None:
        if not path.exists():
            raise Unavailable(f"no route model at {path}")
        with np.load(path) as z:
            self.W = z["W"].astype(np.float32)
            labels = tuple(str(s) for s in z["labels"])
        if labels != LABELS:  # pragma: no cover - guards stale weights
            raise Unavailable(f"route model labels {labels} != {LABELS}")

    def probs_many(self, texts: list[str]) -> np.ndarray:
        """(len(texts), 6) probabilities over ``LABELS``."""
        from attune.dialogue import embed

        try:
            emb = embed.embed(list(texts))
        except Exception as exc:  # a broken install leaves the cues alone
            raise Unavailable(f"embedding failed: {exc}") from None
        return _softmax(_features(emb).astype(np.float32) @ self.W)

    def probs(self, text: str) -> dict[str, float]:
        p = self.probs_many([text])[0]
        return {label: float(p[i]) for i, label in enumerate(LABELS)}


_MODEL: RouteModel | None = None
_FAILED: str | None = None
_LOCK = threading.Lock()


def load() -> RouteModel:
    """The shared model, built once (thread-safe); raises ``Unavailable`` (and remembers it) on failure."""
    global _MODEL, _FAILED
    if _MODEL is not None:
        return _MODEL
    with _LOCK:
        if _MODEL is None:
            if _FAILED is not None:
                raise Unavailable(_FAILED)
            try:
                model = RouteModel()
                model.probs_many(["hello"])  # loads the embedding model too, so a broken install fails here
            except Unavailable as exc:
                _FAILED = str(exc)
                raise
            except Exception as exc:  # pragma: no cover - e.g. a corrupt npz
                _FAILED = f"route model failed to load: {exc}"
                raise Unavailable(_FAILED) from None
            _MODEL = model
        return _MODEL


def reset() -> None:
    """Forget the loaded model (tests; after retraining)."""
    global _MODEL, _FAILED
    with _LOCK:
        _MODEL, _FAILED = None, None


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _label(row: dict) -> int:
    m = row.get("modality")
    return LABELS.index(m if m in MODALITIES else UNCLEAR)


def _descriptions() -> list[dict]:
    try:
        from attune.protocols.loader import load_library

        return [{"text": m.description.lower(), "modality": m.id} for m in load_library().modalities.values()]
    except Exception:  # pragma: no cover - protocols broken: train on the rows alone
        return []


def training_set(path: Path = TRAIN) -> tuple[list[str], np.ndarray]:
    rows = read_rows(path) + _descriptions()
    return [r["text"].lower().replace("’", "'") for r in rows], np.array([_label(r) for r in rows])


def cross_val_probs(X: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 7, **kw) -> np.ndarray:
    """Out-of-fold probabilities: each row scored by a model that never saw it."""
    rng = np.random.default_rng(seed)
    fold = rng.permutation(len(y)) % folds
    P = np.zeros((len(y), len(LABELS)))
    for f in range(folds):
        tr, te = fold != f, fold == f
        W = fit_softmax(X[tr], y[tr], len(LABELS), **kw)
        P[te] = _softmax(X[te] @ W)
    return P


def train(out: Path = WEIGHTS, path: Path = TRAIN, folds: int = 5) -> dict:
    """Fit on the train file (+ descriptions); report 5-fold accuracy on it, then refit on all of it."""
    from attune.dialogue import embed

    texts, y = training_set(path)
    X = _features(embed.embed(texts))
    P = cross_val_probs(X, y, folds)
    cv_acc = float((P.argmax(1) == y).mean())
    W = fit_softmax(X, y, len(LABELS))
    np.savez_compressed(out, W=W.astype(np.float32), labels=np.array(LABELS))
    reset()
    return {"rows": len(texts), "folds": folds, "cv_accuracy_argmax": round(cv_acc, 4),
            "train_accuracy_argmax": round(float((_softmax(X @ W).argmax(1) == y).mean()), 4), "weights": str(out)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialogue.route_model")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="fit on tests/data/routing_train.jsonl and write the weights")
    t.add_argument("--out", type=Path, default=WEIGHTS)
    t.add_argument("--data", type=Path, default=TRAIN)
    args = ap.parse_args(argv)
    print(json.dumps(train(args.out, args.data)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
