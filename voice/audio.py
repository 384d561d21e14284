"""Audio in one place: the resampler and the WAV reader/writer every room uses.

One resampler (PyAV's libswresample) serves all: a door's inbound frames (any layout and rate),
the assistant's outbound voice (Piper's 22.05 kHz up to a door's rate), a microphone at 48 kHz down
to the 16 kHz the VAD and Whisper need, and whole recordings. Streams keep the filter state between
chunks, so chunk edges add no clicks; :func:`resample` is the one-shot form for a whole signal.

The WAV reader is bounded by the file's real size and refuses headers that would make it allocate
more than the file could hold (a rate of 0 or 1 Hz, a truncated data chunk), with a :class:`WavError`
whose text is the one line shown to the person.
"""
from __future__ import annotations

import fractions
import struct
import wave
from pathlib import Path

import av
import numpy as np

MIN_RATE = 4_000      # below this no WAV holds speech; a header claiming it is broken
MAX_RATE = 384_000
MAX_DECODE_PER_BYTE = 16  # compressed WAV codecs (ADPCM, G.711) give at most 2 samples per byte


class WavError(Exception):
    """A WAV file that cannot be used, as one line naming the file and what is wrong."""


def mono(pcm: np.ndarray, channels: int) -> np.ndarray:
    """Interleaved samples of ``channels`` channels mixed down to one (same dtype)."""
    if channels <= 1:
        return pcm
    x = pcm[: len(pcm) // channels * channels].reshape(-1, channels).mean(axis=1)
    return x.astype(pcm.dtype) if pcm.dtype != np.float32 else x.astype(np.float32)


class Resampler:
    """Streaming conversion to mono at ``rate``: int16 in → int16 out, float32 in → float32 out.

    ``pcm(x, src)`` takes mono samples at ``src`` Hz (the filter is rebuilt if ``src`` changes, as
    when a door switches devices); ``frame(f)`` takes a PyAV frame of any layout and format;
    ``flush()`` returns what the filter still holds at the end of a stream."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._r: av.AudioResampler | None = None
        self._key: tuple | None = None
        self._pts = 0

    def _resampler(self, key: tuple, fmt: str) -> av.AudioResampler:
        if self._r is None or key != self._key:
            self._r = av.AudioResampler(format=fmt, layout="mono", rate=self.rate)
            self._key = key
            self._pts = 0
        return self._r

    def pcm(self, x: np.ndarray, src: int) -> np.ndarray:
        x = np.asarray(x).reshape(-1)
        floats = x.dtype != np.int16
        fmt, dtype = ("flt", np.float32) if floats else ("s16", np.int16)
        if src == self.rate and self._r is None:
            return x.astype(dtype, copy=False)
        if not x.size:
            return np.zeros(0, dtype)
        r = self._resampler((src, fmt), fmt)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x, dtype=dtype).reshape(1, -1), format=fmt,
                                           layout="mono")
        frame.sample_rate = src
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, src)
        self._pts += x.size
        return self._collect(r.resample(frame), dtype)

    def frame(self, f: av.AudioFrame) -> np.ndarray:
        """A decoded frame (e.g. aiortc's 48 kHz stereo Opus output) as mono int16 at ``rate``."""
        if f.sample_rate == self.rate and f.layout.name == "mono" and f.format.name == "s16":
            return f.to_ndarray().reshape(-1).astype(np.int16, copy=False)
        r = self._resampler(("frame", f.sample_rate, f.layout.name, f.format.name), "s16")
        return self._collect(r.resample(f), np.int16)

    def flush(self) -> np.ndarray:
        if self._r is None or self._key is None:
            return np.zeros(0, np.int16)
        dtype = np.float32 if "flt" in self._key else np.int16
        out = self._collect(self._r.resample(None), dtype)
        self._r = self._key = None
        return out

    @staticmethod
    def _collect(frames: list[av.AudioFrame], dtype: type) -> np.ndarray:
        parts = [f.to_ndarray().reshape(-1) for f in frames]
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def resample(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    """A whole mono signal from ``src`` to ``dst`` Hz, same dtype, length ``round(n * dst / src)``."""
    x = np.asarray(x).reshape(-1)
    if src == dst or not x.size:
        return x if x.dtype == np.int16 else x.astype(np.float32, copy=False)
    r = Resampler(dst)
    y = np.concatenate([r.pcm(x, src), r.flush()])
    n = int(round(x.size * dst / src))
    return np.pad(y, (0, max(0, n - y.size)))[:n]


def read_wav(path: Path | str) -> tuple[np.ndarray, int]:
    """Mono float32 samples and the sample rate of a WAV file; :class:`WavError` otherwise."""
    path = Path(path)
    if not path.exists():
        raise WavError(f"input not found: {path}")
    if not path.is_file():
        raise WavError(f"input is not a file: {path}")
    with open(path, "rb") as f:
        head = f.read(12)
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX", b"RF64") or head[8:12] != b"WAVE":
        raise WavError(f"not a WAV file: {path}")
    try:
        with wave.open(str(path), "rb") as w:
            ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            _check_header(path, ch, rate)
            raw = w.readframes(min(n, path.stat().st_size // max(1, ch * width)))  # bounded by the file
    except (wave.Error, EOFError, RuntimeError, struct.error) as e:  # the wave module's ways to fail
        x, rate = _read_wav_av(path, e)
    else:
        x = mono(_samples(raw, width, path), ch)
    if not len(x):
        raise WavError(f"WAV file holds no audio: {path}")
    return x.astype(np.float32, copy=False), rate


def _check_header(path: Path, channels: int, rate: int) -> None:
    if not MIN_RATE <= rate <= MAX_RATE:
        raise WavError(f"WAV header claims {rate} Hz, which no recording uses: {path} (re-export the file)")
    if not 1 <= channels <= 32:
        raise WavError(f"WAV header claims {channels} channels: {path} (re-export the file)")


def _samples(raw: bytes, width: int, path: Path) -> np.ndarray:
    raw = raw[: len(raw) // width * width]  # a file cut mid-sample keeps its whole samples
    if width == 1:
        return (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    if width == 2:
        return np.frombuffer(raw, "<i2").astype(np.float32) / 32768
    if width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        i = b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8) | (b[:, 2].astype(np.int32) << 16)
        return ((i << 8) >> 8).astype(np.float32) / 8388608
    if width == 4:
        return np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648
    raise WavError(f"unsupported WAV sample width {width} bytes: {path}")


def _read_wav_av(path: Path, err: Exception) -> tuple[np.ndarray, int]:
    """Float and other encodings the ``wave`` module refuses, decoded by PyAV."""
    try:
        with av.open(str(path)) as c:
            s = c.streams.audio[0]
            rate = s.rate
            _check_header(path, s.channels or 1, rate)
            r = Resampler(rate)
            limit = MAX_DECODE_PER_BYTE * max(path.stat().st_size, 1)
            parts, n = [], 0
            for fr in c.decode(s):
                parts.append(r.frame(fr).astype(np.float32) / 32768)
                n += len(parts[-1])
                if n > limit:  # a header that makes a few bytes decode into a flood of samples
                    raise WavError(f"WAV file decodes to far more audio than its size allows: {path} "
                                   f"(re-export it as 16-bit PCM)")
            parts.append(r.flush().astype(np.float32) / 32768)
    except WavError:
        raise
    except Exception as e2:
        raise WavError(f"unreadable WAV file {path}: {err or e2}") from e2
    return np.concatenate(parts), rate


def write_wav(path: Path | str, data: np.ndarray, rate: int) -> None:
    """int16 or float samples, shape (n,) or (n, channels), as 16-bit PCM."""
    a = np.asarray(data)
    if a.dtype != np.int16:
        a = (np.clip(a, -1, 1) * 32767).astype(np.int16)
    ch = 1 if a.ndim == 1 else a.shape[1]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(ch)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(a).tobytes())
