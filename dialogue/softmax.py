"""A class-balanced softmax classifier in numpy: what the turn and route models fit over sentence embeddings."""
from __future__ import annotations

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_softmax(X: np.ndarray, y: np.ndarray, k: int, lam: float, iters: int, lr: float) -> np.ndarray:
    """Multinomial logistic regression by full-batch gradient descent, classes weighted to balance, no
    penalty on the last column (the bias). Small data: a second or two."""
    W = np.zeros((X.shape[1], k), dtype=np.float64)
    Y = np.eye(k)[y]
    counts = np.bincount(y, minlength=k).astype(np.float64)
    weight = (len(y) / (k * np.maximum(counts, 1)))[y][:, None]
    reg = np.ones((X.shape[1], 1))
    reg[-1] = 0.0
    for _ in range(iters):
        P = softmax(X @ W)
        W -= lr * (X.T @ ((P - Y) * weight) / len(y) + lam * W * reg)
    return W
