"""The local-microphone door: the no-device paths (real, on this machine), and a full session on a
fake ``sounddevice`` whose "microphone" plays a real recording (real models, ~16 s)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from attune.voice.doors.microphone import run_local
from attune.voice.audio import read_wav, resample

FIX = Path(__file__).resolve().parents[1] / "fixtures"


async def test_no_device_here_is_one_line_exit_2(settings, engine, capsys):
    rc = await run_local(settings, engine, None)
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1
    # this machine has no PortAudio library; one with the library but no device names the device
    assert "libportaudio2" in err or "microphone" in err or "speaker" in err


class FakeSoundDevice:
    """Just enough of ``sounddevice``: device queries and a duplex ``RawStream`` whose callback is
    driven every 20 ms by a thread, with ``mic`` (int16, ``rate`` Hz) as the microphone."""

    def __init__(self, mic: np.ndarray | None = None, rate: int = 16000, inputs: int = 1, outputs: int = 1):
        self.mic = mic if mic is not None else np.zeros(0, np.int16)
        self.rate = rate
        self.inputs, self.outputs = inputs, outputs
        self.played: list[np.ndarray] = []
        sd = self

        class RawStream:
            def __init__(self, *, samplerate, blocksize, channels, dtype, callback):
                assert dtype == "int16" and channels == 1 and samplerate == sd.rate
                self.block, self.callback = blocksize, callback
                self._stop = threading.Event()

            def __enter__(self):
                self._t = threading.Thread(target=self._run, daemon=True)
                self._t.start()
                return self

            def __exit__(self, *exc):
                self._stop.set()
                self._t.join()

            def _run(self):
                i, t0, k = 0, time.monotonic(), 0
                while not self._stop.is_set():
                    chunk = sd.mic[i:i + self.block]
                    i += self.block
                    chunk = np.pad(chunk, (0, self.block - len(chunk))).astype(np.int16)
                    out = bytearray(self.block * 2)
                    self.callback(chunk.tobytes(), memoryview(out), self.block, None, None)
                    sd.played.append(np.frombuffer(bytes(out), np.int16))
                    k += 1
                    time.sleep(max(0.0, t0 + k * self.block / sd.rate - time.monotonic()))

        self.RawStream = RawStream

    def query_devices(self, kind=None):
        n = self.inputs if kind == "input" else self.outputs
        if not n:
            raise ValueError(f"No {kind} device")  # what PortAudio says, more or less
        return {"name": f"fake {kind}", f"max_{kind}_channels": n, "default_samplerate": self.rate}


async def test_missing_microphone_or_speaker_is_named(settings, engine, capsys):
    assert await run_local(settings, engine, None, sd=FakeSoundDevice(inputs=0)) == 2
    assert "no microphone" in capsys.readouterr().err
    assert await run_local(settings, engine, None, sd=FakeSoundDevice(outputs=0)) == 2
    assert "no speaker" in capsys.readouterr().err


async def test_session_on_a_fake_microphone(settings, engine, capsys):
    x, r = read_wav(FIX / "LJ001-0002.wav")
    clip = (resample(x, r, 16000) * 32767).astype(np.int16)
    mic = np.concatenate([np.zeros(16000 * 6, np.int16), clip, np.zeros(16000 * 30, np.int16)])
    sd = FakeSoundDevice(mic)
    rc = await run_local(settings, engine, "local-test", sd=sd, max_seconds=9.0)
    err = capsys.readouterr().err
    assert rc == 0
    assert "you: " in err and "modern" in err.lower()
    assert err.count("attune: ") >= 2  # listening notice + the greeting (+ the reply)
    played = np.concatenate(sd.played).astype(np.float32) / 32768
    rms = np.sqrt(np.mean(played.reshape(-1, 320) ** 2, axis=1))
    assert (rms > 0.01).sum() * 0.02 > 4.0  # chime, greeting and reply reached the speaker
    # the reply came after the person's turn (at ~7.9 s): sound after 8 s
    assert (rms[int(8.5 / 0.02):] > 0.01).sum() > 25
