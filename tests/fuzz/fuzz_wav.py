"""atheris: the WAV reader every door and bench uses (``voice.audio.read_wav``).

``python tests/fuzz/fuzz_wav.py [-max_total_time=N] [-runs=N] [CORPUS_DIR | FILE ...]``

Each input is written to a file (in /dev/shm when there is one) and read. It must either raise
``WavError`` (a one-line message for the person) or return mono float32 samples and a rate in
``MIN_RATE..MAX_RATE`` — with the allocation bounded by the file's real size:

* a PCM file the ``wave`` module opens: at most one sample per byte of the file;
* anything else (decoded by PyAV: float, A-law/µ-law, ADPCM …): at most ``DECODE_FACTOR``
  samples per byte (ADPCM packs 2 samples in a byte; a compressed stream may pack more).

Any other exception (``ZeroDivisionError``, ``ValueError``, ``MemoryError`` …), or going over
libFuzzer's ``-rss_limit_mb``, is a crash.
"""
from __future__ import annotations

import os
import sys
import tempfile
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _harness  # noqa: E402

atheris = _harness.atheris

import av  # noqa: E402,F401  (imported first: not instrumented)
import numpy as np  # noqa: E402

with atheris.instrument_imports(include=["attune.voice.audio"]):
    from attune.voice.audio import MAX_RATE, MIN_RATE, WavError, read_wav  # noqa: E402

DECODE_FACTOR = 16
_DIR = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
_FD, _NAME = tempfile.mkstemp(prefix="attune-fuzz-", suffix=".wav", dir=_DIR)
os.unlink(_NAME)  # nothing left behind however libFuzzer exits; read through the fd's magic link
PATH = f"/proc/self/fd/{_FD}"


def _pcm_by_wave(path: str) -> bool:
    try:
        with wave.open(path, "rb") as w:
            w.getparams()
        return True
    except Exception:  # noqa: BLE001
        return False


def TestOneInput(data: bytes) -> None:
    os.ftruncate(_FD, 0)
    os.pwrite(_FD, data, 0)
    size = len(data)
    try:
        x, rate = read_wav(PATH)
    except WavError as e:
        assert str(e) and "\n" not in str(e).strip(), f"WavError is not one line: {e!r}"
        return
    assert isinstance(x, np.ndarray) and x.dtype == np.float32 and x.ndim == 1, (type(x), getattr(x, "dtype", None))
    assert MIN_RATE <= rate <= MAX_RATE, f"rate {rate} returned"
    assert len(x) > 0
    bound = size if _pcm_by_wave(PATH) else DECODE_FACTOR * size
    assert len(x) <= bound, f"{len(x)} samples from a {size}-byte file (bound {bound})"


if __name__ == "__main__":
    _harness.main(TestOneInput, "wav")
