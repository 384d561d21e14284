"""Semantic crisis-risk layer, inference: a small classifier over all-MiniLM-L6-v2 sentence embeddings (numpy only).

The rule screen in ``dialogue/safety.py`` runs first; this model is asked only when the rules found nothing
and no veto (idiom, negation, someone else, resolved past) fired, so it catches paraphrases outside the
rule lexicons ("i'm just waiting for it all to be over", "the marks on my arms are from me").

Model (round 3): a class-balanced one-hidden-layer ReLU network (256 units, input dropout, L2) on the 384-d
embedding, blended with a nearest-neighbour margin (mean similarity to the k nearest risk examples minus the k
nearest hard negatives); older weights (logistic regression in place of the network) still load.  ``margins``: the
extra probability a sentence needs when it has only everyday risk words or none (``safety.semantic_tier``).  Training lives in ``dialogue/risk_train.py`` (it needs the rule screen to pick thresholds for
rules + model together); imports run one way only: ``risk_train -> safety -> risk_model``.  This module
imports neither of the others.

Training data (``TRAIN_FILES``, all under tests/data): ``crisis_train.jsonl`` + ``crisis_eval.jsonl`` +
``crisis_train_signs.jsonl`` (warning signs, preparatory behaviour, imminent risk and short-post phrasings
written for issue 7) + ``crisis_train_signs2.jsonl`` (issue 7 round 2: paraphrases of the weak sign classes and
composed hard negatives) + ``crisis_train_spoken3.jsonl`` (issue 7 round 3: spoken and post-style sentences in
British, Australian, Indian and American English, each risk kind in many surface forms, with as many hard
negatives: idioms and jokes, everyday distress, grief for others, medical, media and work talk, look-alikes of
preparatory behaviour) + ``crisis_train_round4.jsonl`` (issue 7 round 4: about 900 hand-written speech-shaped and
post-style rows, no dev, held-out or probe row copied or paraphrased; risk kinds: passive and active ideation, plans
and methods without a risk keyword, means and lethality questions, preparatory acts after the C-SSRS behaviour items,
IS PATH WARM and the 988 warning signs, imminent risk, self-harm in indirect words, burden and entrapment, danger
from others, hedged answers ("now and then but i wouldn't act on it"), euphemisms ("checking out", "sleep for
good"); as many hard negatives: idioms, everyday distress, past resolved, someone else's risk being handled, media,
work and medical talk, preparatory look-alikes and their everyday twins ("i wrote letters to my grandma"), therapy
exercise answers, denials, conversational closings and support-seeking chat) + ``crisis_train_round5.jsonl`` (issue 7
round 5: about 590 new hand-written rows, spoken-shaped and post-style with slang, for the classes the round-4 screen
missed on crisis_dev4_* and crisis_dev3_*, each written in new words (no dev, held-out or probe row copied): screener
answers that carry their own content, passive wishes for an accident or illness, euphemisms of switching off or leaving
for good, plans without a risk word (water, woods, staged accidents, a firearm or a drug in reach, timing), means
questions about a drop with no barrier, preparatory acts (timed messages, letters "for after", affairs tidied for the
family, secret goodbyes), imminent risk, self-harm in indirect words, danger at home; and as many hard negatives: a past
that is over in many surface forms, someone else's risk already handled, idioms and hangovers, media, game and work talk,
medical questions, preparatory look-alikes, therapy exercise answers and hedged answers to everyday questions) +
``crisis_train_round6.jsonl`` (issue 7 round 6: about 1,100 hand-written rows for the error classes of ``crisis_dev5_*``,
which is spent by it: methods stated as errands, means questions asked as trivia, preparatory acts, euphemisms that deny a
future, self-harm named only by the act, danger at home, risk inside an ordinary answer; as many twins that share their
cue words (car parks, hoses, charcoal, cameras, insurance, rehoming, timetables, doses); no dev5 row copied, word-set
Jaccard to any dev5 row at most 0.41).
``tests/data/crisis_dev*_*.jsonl``, ``crisis_heldout.jsonl`` and the Moore probes are never trained on (``crisis_dev5_*``'s
error classes, not its rows, shaped round 6's data; see its README).

Rebuild the shipped weights (``dialogue/risk_model.npz``) reproducibly with::

    python -m dialogue.risk_train                # writes dialogue/risk_model.npz, prints CV figures
    python -m dialogue.risk_model train          # the same (runs the command above in a new process)
    python -m dialogue.risk_model score "text"   # probability, level and category of one sentence
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
WEIGHTS = HERE / "risk_model.npz"
DATA = HERE.parent / "tests" / "data"
TRAIN_FILES = ("crisis_train.jsonl", "crisis_eval.jsonl", "crisis_train_signs.jsonl", "crisis_train_signs2.jsonl",
               "crisis_train_spoken3.jsonl", "crisis_train_round4.jsonl", "crisis_train_round5.jsonl",
               "crisis_train_round6.jsonl")
CATEGORIES = ("suicide", "self_harm", "danger_from_others", "medical")
SEED = 13
FPR_CONCERN = 0.05  # out-of-fold false alarms allowed for rules + model on our (deliberately hard) negatives


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------

# Round 2 lowered the cross-validated "concern" threshold by 10 % (chosen with dev2 in view, so dev2 no longer
# measures it cleanly).  Weights trained since round 3 store their own factor (``lean``; round 3: 1.0, the out-of-fold
# threshold; round 4: 0.977, chosen on crisis_dev2_* and the ESConv valid seekers with crisis_dev3_* in view; round 5: 0.94,
# chosen on crisis_dev2_*..dev4_* with crisis_heldout false alarms held, see ``risk_train.SHIPPED_LEAN``);
# this default applies to older weights only.
CONCERN_LEAN = 0.90

@dataclass(frozen=True)
class RiskScore:
    p: float  # probability-like score in [0, 1]
    level: str  # "none" | "concern" | "crisis"
    category: str | None
    nearest: str  # the most similar training example of risk (for the reason in session notes)


class RiskModel:
    def __init__(self, path: Path = WEIGHTS) -> None:
        z = np.load(path, allow_pickle=False)
        if "W1" in z.files:  # round 3: a one-hidden-layer network (ReLU) on the embedding
            self.W1 = z["W1"].astype(np.float32)
            self.b1 = z["b1"].astype(np.float32)
            self.w = z["w2"].astype(np.float32)
            self.b = float(z["b2"])
        else:  # earlier weights: logistic regression
            self.W1 = self.b1 = None
            self.w = z["w"].astype(np.float32)
            self.b = float(z["b"])
        self.pos = z["pos"].astype(np.float32)  # (P, 384) risk examples
        self.neg = z["neg"].astype(np.float32)  # (N, 384) hard negatives
        self.pos_cat = z["pos_cat"].astype(np.int64)
        self.pos_text = [t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in z["pos_text"].tolist()]
        self.k = int(z["k"])
        self.alpha = float(z["alpha"])  # weight of the classifier in the blend with the nearest-neighbour margin
        self.knn_scale = float(z["knn_scale"])
        lean = float(z["lean"]) if "lean" in z.files else CONCERN_LEAN
        self.t_concern = float(z["t_concern"]) * lean
        self.t_crisis = float(z["t_crisis"])
        # extra probability a sentence needs when its only risk words are everyday ones ("plans", "done"), and when
        # it has no risk word at all ("i'm at the top of the multi storey"); chosen out of fold with the threshold
        self.margins = tuple(float(m) for m in z["margins"]) if "margins" in z.files else (0.0, 0.06, 1.0)

    def classifier(self, X: np.ndarray) -> np.ndarray:
        H = np.maximum(X @ self.W1 + self.b1, 0.0) if self.W1 is not None else X
        return _sigmoid(H @ self.w + self.b)

    def proba(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(blended probability, index of the nearest risk example) for unit embeddings X (n, 384)."""
        sp = X @ self.pos.T
        sn = X @ self.neg.T
        margin = _topk_mean(sp, self.k) - _topk_mean(sn, self.k)
        knn = _sigmoid(self.knn_scale * margin)
        return self.alpha * self.classifier(X) + (1 - self.alpha) * knn, sp.argmax(1)

    def category(self, x: np.ndarray) -> str:
        sims = self.pos @ x
        top = np.argsort(-sims)[: max(self.k, 5)]
        votes = np.zeros(len(CATEGORIES))
        for i in top:
            votes[self.pos_cat[i]] += sims[i]
        return CATEGORIES[int(votes.argmax())]

    def score_embeddings(self, X: np.ndarray) -> list[RiskScore]:
        p, near = self.proba(X)
        out = []
        for i in range(len(X)):
            level = "crisis" if p[i] >= self.t_crisis else "concern" if p[i] >= self.t_concern else "none"
            cat = self.category(X[i]) if level != "none" else None
            out.append(RiskScore(float(p[i]), level, cat, self.pos_text[int(near[i])]))
        return out

    def score(self, texts: list[str]) -> list[RiskScore]:
        from attune.dialogue.embed import embed
        return self.score_embeddings(embed(texts)) if texts else []


@lru_cache(maxsize=1)
def load() -> RiskModel:
    """The shipped model, loaded once per process."""
    return RiskModel(WEIGHTS)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def _topk_mean(S: np.ndarray, k: int) -> np.ndarray:
    k = min(k, S.shape[1])
    return np.partition(S, S.shape[1] - k, axis=1)[:, -k:].mean(1)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:  # training imports the rule screen, which imports this module: run it apart
        os.execv(sys.executable, [sys.executable, "-m", "attune.dialogue.risk_train", *argv[1:]])
    if argv[:1] == ["score"] and len(argv) > 1:
        for text, s in zip(argv[1:], load().score(argv[1:])):
            print(f"{s.p:.3f} {s.level:8s} {s.category or '-':20s} {text!r} ~ {s.nearest!r}")
        return 0
    print("usage: python -m dialogue.risk_model train [--cache FILE] [--fpr F] | score TEXT...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
