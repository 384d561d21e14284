"""The turn model: a small softmax classifier over all-MiniLM-L6-v2 sentence embeddings (numpy only).

It settles what the interpreter's rules are unsure of (``dialogue.interpret.interpret_turn``):
"bananas are on sale" to a question about evidence is unclear, "is someone actually listening to
this" is a question back. Input: the embedding of the turn, plus a one-hot of what was asked. Trained
only on ``tests/data/turns_train.jsonl`` (sentences we wrote); ``tests/data/turns_dev.jsonl`` is never
used for training. Rebuild the shipped weights with::

    python -m dialogue.turn_model train     # writes dialogue/turn_model.npz, prints held-out figures
"""
from __future__ import annotations

import argparse
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attune.dialogue.types import KINDS
from attune.dialogue.softmax import fit_softmax as _fit, softmax as _softmax

HERE = Path(__file__).resolve().parent
WEIGHTS = HERE / "turn_model.npz"
TRAIN = HERE.parent / "tests" / "data" / "turns_train.jsonl"
EXPECTS = ("name", "mood", "rating", "yesno", "feeling", "situation", "thought", "evidence", "action", "topic", "text",
           "choice", "none")
ASKS = ("advice", "human", "repeat", "time", "other")
MODALITIES = ("cbt", "gestalt", "express", "efit", "sfbt")


class Unavailable(RuntimeError):
    """The weights or the embedding model are missing: the rules work alone."""


@dataclass(frozen=True)
class Guess:
    kind: str
    p: float
    ask: str | None = None
    modality: str | None = None


def _features(emb: np.ndarray, expects: list[str]) -> np.ndarray:
    onehot = np.zeros((len(expects), len(EXPECTS)), dtype=np.float32)
    for i, e in enumerate(expects):
        onehot[i, EXPECTS.index(e) if e in EXPECTS else EXPECTS.index("text")] = 1.0
    return np.hstack([emb.astype(np.float32), onehot * 0.5, np.ones((len(expects), 1), dtype=np.float32)])


def fit_softmax(X: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    return _fit(X, y, k, lam=1e-3, iters=400, lr=2.0)


class TurnModel:
    def __init__(self, path: Path = WEIGHTS) -> None:
        if not path.exists():
            raise Unavailable(f"no turn model at {path}")
        with np.load(path) as z:
            self.W_kind, self.W_ask, self.W_mod = z["kind"], z["ask"], z["modality"]

    def classify(self, text: str, expects: str) -> Guess | None:
        from attune.dialogue import embed

        try:
            emb = embed.embed([text])
        except Exception as exc:  # pragma: no cover - a broken install leaves the rules alone
            raise Unavailable(str(exc)) from None
        X = _features(emb, [expects])
        p = _softmax(X @ self.W_kind)[0]
        kind = KINDS[int(p.argmax())]
        ask = ASKS[int((X @ self.W_ask)[0].argmax())] if kind == "question" else None
        modality = MODALITIES[int((X @ self.W_mod)[0].argmax())] if kind == "switch" else None
        return Guess(kind=kind, p=float(p.max()), ask=ask, modality=modality)


_MODEL: TurnModel | None = None
_LOCK = threading.Lock()


def load() -> TurnModel:
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            _MODEL = TurnModel()
        return _MODEL


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def train(out: Path = WEIGHTS, path: Path = TRAIN, holdout: float = 0.2, seed: int = 7) -> dict:
    """Fit on the train file; report accuracy on a held-out fifth of it, then refit on all of it."""
    from attune.dialogue import embed

    rows = _rows(path)
    emb = embed.embed([r["text"] for r in rows])
    X = _features(emb, [r.get("expects", "text") for r in rows]).astype(np.float64)
    y = np.array([KINDS.index(r["label"]) for r in rows])
    rng = np.random.default_rng(seed)
    test = rng.random(len(rows)) < holdout
    W = fit_softmax(X[~test], y[~test], len(KINDS))
    acc = float((_softmax(X[test] @ W).argmax(1) == y[test]).mean())
    W = fit_softmax(X, y, len(KINDS))
    qi = np.array([i for i, r in enumerate(rows) if r["label"] == "question" and r.get("ask") in ASKS])
    si = np.array([i for i, r in enumerate(rows) if r["label"] == "switch" and r.get("modality") in MODALITIES])
    W_ask = fit_softmax(X[qi], np.array([ASKS.index(rows[i]["ask"]) for i in qi]), len(ASKS))
    W_mod = fit_softmax(X[si], np.array([MODALITIES.index(rows[i]["modality"]) for i in si]), len(MODALITIES))
    np.savez_compressed(out, kind=W.astype(np.float32), ask=W_ask.astype(np.float32), modality=W_mod.astype(np.float32))
    return {"rows": len(rows), "holdout_rows": int(test.sum()), "holdout_accuracy": round(acc, 4), "weights": str(out)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialogue.turn_model")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--out", type=Path, default=WEIGHTS)
    args = ap.parse_args(argv)
    print(json.dumps(train(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
