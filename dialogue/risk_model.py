"""Semantic crisis-risk layer: a small classifier over all-MiniLM-L6-v2 sentence embeddings (numpy only).

The rule screen in ``dialogue/safety.py`` runs first; this model is asked only when the rules found nothing
and no veto (idiom, negation, someone else, resolved past) fired, so it catches paraphrases outside the
rule lexicons ("i'm just waiting for it all to be over", "the marks on my arms are from me").

Model: L2-regularised, class-balanced logistic regression on the 384-d embedding, blended with a
nearest-neighbour margin (mean similarity to the k nearest risk examples minus the k nearest hard
negatives); the variant and its hyper-parameters are picked by grouped cross-validation on
``tests/data/crisis_train.jsonl`` + ``tests/data/crisis_eval.jsonl`` + ``tests/data/crisis_train_signs.jsonl``
(warning signs, preparatory behaviour, imminent risk and short-post phrasings written for issue 7) +
``tests/data/crisis_train_signs2.jsonl`` (issue 7 round 2: paraphrases of the weak sign classes, and composed hard
negatives: idioms, games, medical and dental talk, third person, recovered past, tourism heights, grief, exhaustion,
medication-scope statements and ordinary therapy-session answers); augmented variants of one sentence stay in one
fold.  ``tests/data/crisis_dev*_*.jsonl`` and ``crisis_heldout.jsonl`` are never trained on.  Thresholds come from the out-of-fold scores:
``t_concern`` (the engine asks directly, C-SSRS style) at a small false-alarm rate and ``t_crisis`` only
where the model is very sure.  The category comes from the nearest risk examples.

Rebuild the shipped weights (``dialogue/risk_model.npz``) reproducibly with::

    python -m dialogue.risk_model train          # writes dialogue/risk_model.npz, prints CV figures
    python -m dialogue.risk_model score "text"   # probability, level and category of one sentence
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
WEIGHTS = HERE / "risk_model.npz"
DATA = HERE.parent / "tests" / "data"
TRAIN_FILES = ("crisis_train.jsonl", "crisis_eval.jsonl", "crisis_train_signs.jsonl", "crisis_train_signs2.jsonl")
CATEGORIES = ("suicide", "self_harm", "danger_from_others", "medical")
SEED = 13
FPR_CONCERN = 0.05  # out-of-fold false alarms allowed for rules + model on our (deliberately hard) negatives


# ---------------------------------------------------------------------------------------------
# inference
# ---------------------------------------------------------------------------------------------

# The cross-validated "concern" threshold, lowered by 10 %: a concern only makes Attune ask one direct
# question, which costs far less than a missed risk. Chosen with the dev2 sets' headline figures and the
# ESConv replay's question rate in view (dev2 spoken 0.81 -> 0.83 recall at 3.9 % false alarms, posts
# 0.72 -> 0.76 at 2.7 %; about one direct question per hundred replayed turns), so dev2 no longer measures
# it cleanly; crisis_heldout.jsonl stays at 1.2 % false alarms.
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
        self.w = z["w"].astype(np.float32)
        self.b = float(z["b"])
        self.pos = z["pos"].astype(np.float32)  # (P, 384) risk examples
        self.neg = z["neg"].astype(np.float32)  # (N, 384) hard negatives
        self.pos_cat = z["pos_cat"].astype(np.int64)
        self.pos_text = [str(t) for t in z["pos_text"]]
        self.k = int(z["k"])
        self.alpha = float(z["alpha"])  # weight of the logistic part in the blend
        self.knn_scale = float(z["knn_scale"])
        self.t_concern = float(z["t_concern"]) * CONCERN_LEAN
        self.t_crisis = float(z["t_crisis"])

    def proba(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(blended probability, index of the nearest risk example) for unit embeddings X (n, 384)."""
        lr = _sigmoid(X @ self.w + self.b)
        sp = X @ self.pos.T
        sn = X @ self.neg.T
        margin = _topk_mean(sp, self.k) - _topk_mean(sn, self.k)
        knn = _sigmoid(self.knn_scale * margin)
        return self.alpha * lr + (1 - self.alpha) * knn, sp.argmax(1)

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
        from dialogue.embed import embed
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


# ---------------------------------------------------------------------------------------------
# training
# ---------------------------------------------------------------------------------------------
def _read_rows() -> list[dict]:
    rows: list[dict] = []
    for name in TRAIN_FILES:
        for n, line in enumerate((DATA / name).read_text().splitlines()):
            if not line.strip():
                continue
            r = json.loads(line)
            r["family"] = f"{name}:{r.get('family', n)}"
            rows.append(r)
    # dev rows carry no category: take the rule screen's (it is exact on the dev set)
    from dialogue.safety import screen
    for r in rows:
        if int(r["label"]) == 1 and r.get("category") not in CATEGORIES:
            cat = screen(r["text"]).category
            r["category"] = "medical" if cat == "means_request" else "suicide" if cat == "imminent" else (cat or "suicide")
    return rows


def fit_logistic(X: np.ndarray, y: np.ndarray, lam: float, iters: int = 25) -> tuple[np.ndarray, float]:
    """Class-balanced L2 logistic regression by Newton's method (IRLS); the bias is not penalised."""
    n, d = X.shape
    pos = y.sum()
    sw = np.where(y == 1, n / (2 * max(pos, 1)), n / (2 * max(n - pos, 1)))
    A = np.hstack([X, np.ones((n, 1))]).astype(np.float64)
    theta = np.zeros(d + 1)
    reg = np.full(d + 1, lam)
    reg[-1] = 0.0
    for _ in range(iters):
        p = _sigmoid(A @ theta)
        g = A.T @ (sw * (p - y)) + reg * theta
        h = (A * (sw * p * (1 - p))[:, None]).T @ A + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(h, g)
        theta -= step
        if np.abs(step).max() < 1e-7:
            break
    return theta[:-1].astype(np.float32), float(theta[-1])


def _folds(families: list[str], k: int = 5) -> np.ndarray:
    uniq = sorted(set(families))
    rng = np.random.default_rng(SEED)
    perm = rng.permutation(len(uniq))
    fold_of = {uniq[i]: int(perm[i] % k) for i in range(len(uniq))}
    return np.array([fold_of[f] for f in families])


def _oof(X: np.ndarray, y: np.ndarray, folds: np.ndarray, lam: float, k: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold (logistic, knn) probabilities."""
    lr = np.zeros(len(y))
    kn = np.zeros(len(y))
    for f in np.unique(folds):
        te, tr = folds == f, folds != f
        w, b = fit_logistic(X[tr], y[tr], lam)
        lr[te] = _sigmoid(X[te] @ w + b)
        P, N = X[tr][y[tr] == 1], X[tr][y[tr] == 0]
        kn[te] = _sigmoid(scale * (_topk_mean(X[te] @ P.T, k) - _topk_mean(X[te] @ N.T, k)))
    return lr, kn


def threshold_at_fpr(p: np.ndarray, y: np.ndarray, fpr: float) -> float:
    """Lowest threshold whose false-positive rate on the negatives is at most ``fpr``."""
    neg = np.sort(p[y == 0])[::-1]
    allowed = int(np.floor(fpr * len(neg)))
    return float(neg[allowed] + 1e-6) if allowed < len(neg) else 0.0


def _recall_at(p: np.ndarray, y: np.ndarray, t: float) -> float:
    return float((p[y == 1] >= t).mean())


def embed_rows(texts: list[str], cache: Path | None = None) -> np.ndarray:
    from dialogue.embed import embed
    if cache is not None and cache.exists():
        z = np.load(cache, allow_pickle=False)
        if list(z["texts"]) == texts:
            return z["X"]
    X = embed(texts)
    if cache is not None:
        np.savez(cache, X=X, texts=np.array(texts))
    return X


def _rule_view(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text: (the rules alone flag it, the model may look at it: no veto and something to embed)."""
    from dialogue import safety
    fired, open_ = [], []
    for text in texts:
        t = safety._prepare(text)
        vetoed: set[int] = set()
        hits = safety._apply_rules(t, safety._RULES, t.norm[:4000], vetoed)
        fired.append(bool(hits))
        open_.append(not hits and bool(safety._semantic_candidates(t, vetoed)))
    return np.array(fired), np.array(open_)


def _combined(p: np.ndarray, fired: np.ndarray, open_: np.ndarray, t: float) -> np.ndarray:
    return fired | (open_ & (p >= t))


def _combined_threshold(p: np.ndarray, y: np.ndarray, fired: np.ndarray, open_: np.ndarray, fpr: float) -> float:
    """Lowest threshold at which rules + model keep the false-alarm rate on the negatives at most ``fpr``."""
    neg = y == 0
    base = int((fired & neg).sum())
    budget = int(np.floor(fpr * neg.sum())) - base
    cand = np.sort(p[neg & open_ & ~fired])[::-1]
    if budget < 0:
        return 1.0
    return float(cand[budget] + 1e-6) if budget < len(cand) else 0.0


def train(out: Path = WEIGHTS, cache: Path | None = None, fpr_concern: float | None = None, fpr_crisis: float = 0.002,
          verbose: bool = True) -> dict:
    """Fit on train + dev; choose the variant and thresholds by grouped 5-fold CV of the *combined* screen.

    ``fpr_concern``: false alarms allowed for rules + model together on the (hard) negatives, out of fold;
    ``fpr_crisis``: false alarms allowed for the model's own "crisis" level.
    """
    fpr_concern = FPR_CONCERN if fpr_concern is None else fpr_concern
    rows = _read_rows()
    texts = [r["text"] for r in rows]
    y = np.array([int(r["label"]) for r in rows], dtype=np.float64)
    X = embed_rows(texts, cache).astype(np.float64)
    folds = _folds([r["family"] for r in rows])
    fired, open_ = _rule_view(texts)
    yb = y == 1
    best: tuple[float, dict] | None = None
    report = []
    for lam in (0.3, 1.0, 3.0):
        for k in (3, 7):
            scale = 12.0
            lr, kn = _oof(X, y, folds, lam, k, scale)
            for alpha in (1.0, 0.7, 0.5, 0.3, 0.0):
                p = alpha * lr + (1 - alpha) * kn
                t = _combined_threshold(p, y, fired, open_, fpr_concern)
                rec = float(_combined(p, fired, open_, t)[yb].mean())
                cfg = {"lam": lam, "k": k, "scale": scale, "alpha": alpha, "recall": round(rec, 4), "t": round(t, 4)}
                report.append(cfg)
                if best is None or rec > best[0] + 1e-9:
                    best = (rec, {**cfg, "p": p})
    assert best is not None
    cfg = best[1]
    p = cfg.pop("p")
    t_concern = _combined_threshold(p, y, fired, open_, fpr_concern)
    model_only = open_ & ~fired
    t_crisis = max(threshold_at_fpr(np.where(model_only, p, 0.0), y, fpr_crisis), t_concern)
    w, b = fit_logistic(X, y, cfg["lam"])
    pos_idx = np.where(y == 1)[0]
    pos_cat = np.array([CATEGORIES.index(rows[i]["category"]) for i in pos_idx])
    np.savez_compressed(
        out, w=w, b=np.float32(b), pos=X[pos_idx].astype(np.float16), neg=X[y == 0].astype(np.float16),
        pos_cat=pos_cat.astype(np.int8), pos_text=np.array([texts[i] for i in pos_idx]), k=np.int32(cfg["k"]),
        alpha=np.float32(cfg["alpha"]), knn_scale=np.float32(cfg["scale"]), t_concern=np.float32(t_concern),
        t_crisis=np.float32(t_crisis))
    summary = {
        "rows": len(rows), "positives": int(y.sum()), "chosen": cfg, "t_concern": round(t_concern, 4),
        "t_crisis": round(t_crisis, 4), "rules_recall": round(float(fired[yb].mean()), 4),
        "rules_fpr": round(float(fired[~yb].mean()), 4),
        "cv_combined_recall": round(float(_combined(p, fired, open_, t_concern)[yb].mean()), 4),
        "cv_combined_fpr": round(float(_combined(p, fired, open_, t_concern)[~yb].mean()), 4),
        "cv_model_recall": round(_recall_at(p, y, t_concern), 4),
        "cv_model_fpr": round(float((p[y == 0] >= t_concern).mean()), 4),
        "cv_recall_crisis": round(_recall_at(p, y, t_crisis), 4),
        "cv_fpr_crisis": round(float((p[y == 0] >= t_crisis).mean()), 4),
    }
    if verbose:
        for r in sorted(report, key=lambda r: -r["recall"])[:8]:
            print("cv", r)
        print(json.dumps(summary))
    load.cache_clear()
    return summary


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        cache = Path(argv[argv.index("--cache") + 1]) if "--cache" in argv else None
        fpr = float(argv[argv.index("--fpr") + 1]) if "--fpr" in argv else FPR_CONCERN
        train(cache=cache, fpr_concern=fpr)
        return 0
    if argv[:1] == ["score"] and len(argv) > 1:
        for text, s in zip(argv[1:], load().score(argv[1:])):
            print(f"{s.p:.3f} {s.level:8s} {s.category or '-':20s} {text!r} ~ {s.nearest!r}")
        return 0
    print("usage: python -m dialogue.risk_model train [--cache FILE] | score TEXT...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
