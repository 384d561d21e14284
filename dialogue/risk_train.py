"""Training for the semantic crisis-risk layer (``dialogue/risk_model.py`` holds the model and inference).

Imports run one way: this module uses the rule screen (``dialogue/safety.py``) to see which training rows the
rules already flag and which ones the model may look at, and ``safety`` uses ``risk_model`` at inference.

    python -m dialogue.risk_train [--cache FILE] [--fpr F]   # writes dialogue/risk_model.npz, prints CV figures
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from attune.dialogue import safety
from attune.dialogue.risk_model import (CATEGORIES, DATA, FPR_CONCERN, SEED, TRAIN_FILES, WEIGHTS, _sigmoid, _topk_mean,
                                 load)


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
    for r in rows:
        if int(r["label"]) == 1 and r.get("category") not in CATEGORIES:
            cat = safety.screen(r["text"]).category
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


def threshold_at_fpr(p: np.ndarray, y: np.ndarray, fpr: float) -> float:
    """Lowest threshold whose false-positive rate on the negatives is at most ``fpr``."""
    neg = np.sort(p[y == 0])[::-1]
    allowed = int(np.floor(fpr * len(neg)))
    return float(neg[allowed] + 1e-6) if allowed < len(neg) else 0.0


def _recall_at(p: np.ndarray, y: np.ndarray, t: float) -> float:
    return float((p[y == 1] >= t).mean())


def embed_rows(texts: list[str], cache: Path | None = None) -> np.ndarray:
    """Unit MiniLM embeddings of ``texts``; with ``cache``, rows embedded before are reused text by text (the
    embedding is deterministic), so adding a training file embeds only its new rows."""
    from attune.dialogue.embed import embed
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.exists():
        z = np.load(cache, allow_pickle=False)
        known = {str(t): x for t, x in zip(z["texts"].tolist(), z["X"])}
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if missing:
        known.update(zip(missing, embed(missing)))
    X = np.stack([known[t] for t in texts]).astype(np.float32)
    if cache is not None and missing:
        np.savez(cache, X=X, texts=np.array(texts))
    return X


def _rule_view(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text: (the rules alone flag it, the model may look at it, its ``safety.semantic_tier``)."""
    fired, open_, tier = [], [], []
    for text in texts:
        t = safety._prepare(text)
        vetoed: set[int] = set()
        hits = safety._apply_rules(t, safety._RULES, t.norm[:4000], vetoed)
        safety._psychotic_lines(t, vetoed)
        fired.append(bool(hits))
        open_.append(not hits and bool(safety._semantic_candidates(t, vetoed)))
        tier.append(safety.semantic_tier(t.norm))
    return np.array(fired), np.array(open_), np.array(tier)


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


def fit_mlp(X: np.ndarray, y: np.ndarray, hidden: int = 256, lam: float = 1e-3, steps: int = 600, lr: float = 3e-3,
            drop: float = 0.2, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Class-balanced one-hidden-layer ReLU network (full-batch Adam, input dropout, L2 on the weights)."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    pos = y.sum()
    sw = np.where(y == 1, n / (2 * max(pos, 1)), n / (2 * max(n - pos, 1)))
    sw = sw / sw.sum()
    P = [rng.normal(0, 1 / np.sqrt(d), (d, hidden)), np.zeros(hidden), rng.normal(0, 1 / np.sqrt(hidden), hidden),
         np.zeros(1)]
    M = [np.zeros_like(q) for q in P]
    S = [np.zeros_like(q) for q in P]
    for it in range(1, steps + 1):
        Xi = X * (rng.random(X.shape) > drop) / (1 - drop) if drop else X
        Z = Xi @ P[0] + P[1]
        H = np.maximum(Z, 0)
        g = sw * (_sigmoid(H @ P[2] + P[3][0]) - y)
        gH = np.outer(g, P[2]) * (Z > 0)
        G = [Xi.T @ gH + lam * P[0], gH.sum(0), H.T @ g + lam * P[2], np.array([g.sum()])]
        for q in range(4):
            M[q] = 0.9 * M[q] + 0.1 * G[q]
            S[q] = 0.999 * S[q] + 0.001 * G[q] ** 2
            P[q] -= lr * (M[q] / (1 - 0.9 ** it)) / (np.sqrt(S[q] / (1 - 0.999 ** it)) + 1e-8)
    return P[0], P[1], P[2], float(P[3][0])


def mlp_proba(W1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float, X: np.ndarray) -> np.ndarray:
    return _sigmoid(np.maximum(X @ W1 + b1, 0) @ w2 + b2)


def _oof_mlp(X: np.ndarray, y: np.ndarray, folds: np.ndarray) -> np.ndarray:
    out = np.zeros(len(y))
    for f in np.unique(folds):
        te, tr = folds == f, folds != f
        out[te] = mlp_proba(*fit_mlp(X[tr], y[tr]), X[te])
    return out


def _oof_knn(X: np.ndarray, y: np.ndarray, folds: np.ndarray, k: int, scale: float) -> np.ndarray:
    out = np.zeros(len(y))
    for f in np.unique(folds):
        te, tr = folds == f, folds != f
        P, N = X[tr][y[tr] == 1], X[tr][y[tr] == 0]
        out[te] = _sigmoid(scale * (_topk_mean(X[te] @ P.T, k) - _topk_mean(X[te] @ N.T, k)))
    return out


# Tier margins tried (``safety.semantic_tier``): sentences with only everyday risk words, and with none.  The
# training negatives are hard ones, so the CV alone under-prices everyday chat: its pick (0.06 / 0.20, 0.909
# out-of-fold recall) raised more direct questions on ESConv support turns than round 2 did.  Fixed at 0.12 / 0.25
# after the ESConv train split and the ESConv replay bound (tests/integration/test_esconv_replay.py) were checked.
MARGINS_1 = (0.12,)
MARGINS_2 = (0.25,)
# Round 4 (issue 7): the concern threshold is shipped at 0.977 x the out-of-fold one.  Chosen on crisis_dev2_* and the
# ESConv valid seekers (single-turn flag rate held at round 3's 0.9 %) with crisis_heldout false alarms no worse;
# crisis_dev3_* was in view while choosing, so it no longer measures this choice cleanly.  A tier-2 margin of 0.20 was
# better on those sets but raised one more crisis in the ESConv replay (tests/integration/test_esconv_replay.py, a
# no-risk-word line about a choice of university), so the shipped tier-2 margin stays at 0.25.
# Round 5: with crisis_train_round5.jsonl (hard negatives of its own) the out-of-fold threshold rose from 0.575 to 0.596;
# the lean is now 0.94 (shipped threshold 0.560), chosen on crisis_dev2_*, crisis_dev3_* and crisis_dev4_* (all spent
# for tuning) with crisis_heldout false alarms no worse than round 4's: below 0.54 the held-out false-alarm rate rises
# (0.006 -> 0.019), between 0.54 and 0.58 dev recall is flat, so the pick sits in the middle of the flat stretch.
# Then the ESConv replay (60 valid seekers, 872 turns) showed 14 false concerns at 0.94, above its 1.2 % bar; at 1.0
# (the out-of-fold threshold itself, no lean) it shows 6, with dev4 spoken unchanged (0.930 / 0.004) and dev3 spoken
# 0.958 -> 0.944. Shipped: 1.0, chosen on ESConv valid and the spent dev sets; crisis_dev5_* was not looked at.
SHIPPED_MARGIN_2 = 0.25
SHIPPED_LEAN = 1.0


def train(out: Path = WEIGHTS, cache: Path | None = None, fpr_concern: float | None = None, fpr_crisis: float = 0.002,
          verbose: bool = True) -> dict:
    """Fit on the training files; choose the blend, the tier margins and the thresholds by grouped 5-fold CV of the
    *combined* screen (rules + model), at ``fpr_concern`` false alarms on the (hard) negatives, out of fold;
    ``fpr_crisis``: false alarms allowed for the model's own "crisis" level."""
    fpr_concern = FPR_CONCERN if fpr_concern is None else fpr_concern
    rows = _read_rows()
    texts = [r["text"] for r in rows]
    y = np.array([int(r["label"]) for r in rows], dtype=np.float64)
    X = embed_rows(texts, cache).astype(np.float64)
    folds = _folds([r["family"] for r in rows])
    fired, open_, tier = _rule_view(texts)
    yb = y == 1
    mlp = _oof_mlp(X, y, folds)
    best: tuple[float, dict] | None = None
    report = []
    scale = 12.0
    for k in (3, 7):
        kn = _oof_knn(X, y, folds, k, scale)
        for alpha in (0.3, 0.5, 0.7):
            p = alpha * mlp + (1 - alpha) * kn
            for m1 in MARGINS_1:
                for m2 in MARGINS_2:
                    if m2 < m1:
                        continue
                    pe = p - np.array([0.0, m1, m2])[tier]
                    t = _combined_threshold(pe, y, fired, open_, fpr_concern)
                    rec = float(_combined(pe, fired, open_, t)[yb].mean())
                    cfg = {"k": k, "scale": scale, "alpha": alpha, "m1": m1, "m2": m2, "recall": round(rec, 4),
                           "t": round(t, 4)}
                    report.append(cfg)
                    if best is None or rec > best[0] + 1e-9:
                        best = (rec, {**cfg, "p": p, "pe": pe})
    assert best is not None
    cfg = best[1]
    p, pe = cfg.pop("p"), cfg.pop("pe")
    t_concern = _combined_threshold(pe, y, fired, open_, fpr_concern)
    model_only = open_ & ~fired
    t_crisis = max(threshold_at_fpr(np.where(model_only, pe, 0.0), y, fpr_crisis), t_concern)
    W1, b1, w2, b2 = fit_mlp(X, y)
    pos_idx = np.where(y == 1)[0]
    pos_cat = np.array([CATEGORIES.index(rows[i]["category"]) for i in pos_idx])
    np.savez_compressed(
        out, W1=W1.astype(np.float16), b1=b1.astype(np.float32), w2=w2.astype(np.float32), b2=np.float32(b2),
        pos=X[pos_idx].astype(np.float16), neg=X[y == 0].astype(np.float16), pos_cat=pos_cat.astype(np.int8),
        pos_text=np.array([texts[i].encode("utf-8") for i in pos_idx]), k=np.int32(cfg["k"]), alpha=np.float32(cfg["alpha"]),
        knn_scale=np.float32(cfg["scale"]), t_concern=np.float32(t_concern), t_crisis=np.float32(t_crisis),
        lean=np.float32(SHIPPED_LEAN), margins=np.array([0.0, cfg["m1"], min(cfg["m2"], SHIPPED_MARGIN_2)], dtype=np.float32))
    comb = _combined(pe, fired, open_, t_concern)
    sp3 = np.array([r["family"].startswith("crisis_train_spoken3") for r in rows])
    summary = {
        "rows": len(rows), "positives": int(y.sum()), "chosen": cfg, "t_concern": round(t_concern, 4),
        "t_crisis": round(t_crisis, 4), "shipped_margins": [0.0, cfg["m1"], min(cfg["m2"], SHIPPED_MARGIN_2)],
        "shipped_t_concern": round(t_concern * SHIPPED_LEAN, 4), "rules_recall": round(float(fired[yb].mean()), 4),
        "rules_fpr": round(float(fired[~yb].mean()), 4),
        "cv_combined_recall": round(float(comb[yb].mean()), 4), "cv_combined_fpr": round(float(comb[~yb].mean()), 4),
        "cv_spoken3_recall": round(float(comb[yb & sp3].mean()), 4),
        "cv_spoken3_fpr": round(float(comb[~yb & sp3].mean()), 4),
        "cv_model_recall": round(_recall_at(pe, y, t_concern), 4),
        "cv_model_fpr": round(float((pe[y == 0] >= t_concern).mean()), 4),
        "cv_recall_crisis": round(_recall_at(pe, y, t_crisis), 4),
        "cv_fpr_crisis": round(float((pe[y == 0] >= t_crisis).mean()), 4),
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
        argv = argv[1:]
    cache = Path(argv[argv.index("--cache") + 1]) if "--cache" in argv else None
    fpr = float(argv[argv.index("--fpr") + 1]) if "--fpr" in argv else FPR_CONCERN
    train(cache=cache, fpr_concern=fpr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
