"""The browser door: one call's voice loop wired to its media (``web.media``) and page (``web.page``)."""
from __future__ import annotations

import logging

import numpy as np

from attune.voice.loop.audio_io import PacedAudioOutput, QueueAudioInput
from attune.voice.loop.voice_loop import build_voice_loop
from attune.web.media import OutboundAudioTrack

log = logging.getLogger("attune.browser")

BROWSER_OUTPUT_RATE = 48_000  # what the loop's sink is asked to produce (the framework resamples TTS)


class BrowserLoop:
    """One call's voice loop with its door IO: ``start()`` / ``aclose()`` (idempotent).

    ``aclose`` lets the loop commit what was heard and call ``engine.hang_up`` (``hangs_up``)."""

    hangs_up = True

    def __init__(self, loop, audio_input, audio_output) -> None:
        self.loop = loop
        self.audio_input = audio_input
        self.audio_output = audio_output
        self._closed = False

    async def start(self) -> None:
        await self.loop.start()

    def idle(self) -> bool:
        """Nobody speaking and nothing left to play (e.g. the goodbye has been heard)."""
        return self.loop.idle()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.audio_input.close()
        except Exception:
            log.exception("closing the loop input failed")
        try:
            await self.loop.aclose()
        finally:
            try:
                await self.audio_output.aclose()
            except Exception:
                log.exception("closing the loop output failed")


def build_browser_loop(settings, engine, call, *, on_event=None, **loop_kw) -> BrowserLoop:
    """Wire the voice loop (``voice.loop.voice_loop.build_voice_loop``) to a browser call (``web.calls.Call``).

    The microphone (already resampled by :class:`InboundAudio` to ``call.input_rate``) feeds a
    ``QueueAudioInput``; the loop's ``PacedAudioOutput`` hands each due 20 ms frame to the call's
    :class:`OutboundAudioTrack` and clears it on barge-in; events go to ``on_event`` (default: the
    call's data channel). ``loop_kw`` goes to ``build_voice_loop`` (e.g. ``models``).
    """
    track: OutboundAudioTrack = call.track
    audio_input = QueueAudioInput(sample_rate=call.input_rate, num_channels=1, label="BrowserInput")

    def on_frame(frame) -> None:
        track.write(np.frombuffer(frame.data, dtype=np.int16), frame.sample_rate)

    audio_output = PacedAudioOutput(sample_rate=BROWSER_OUTPUT_RATE, num_channels=1,
                                    on_frame=on_frame, on_clear=track.clear, label="BrowserOutput")
    loop = build_voice_loop(settings, engine, user_id=call.user_id, audio_input=audio_input,
                            audio_output=audio_output, on_event=on_event or call.emit, echo_cancelled=True,
                            **loop_kw)
    call.input_sink = lambda pcm, rate: audio_input.push_pcm(pcm)
    return BrowserLoop(loop, audio_input, audio_output)
