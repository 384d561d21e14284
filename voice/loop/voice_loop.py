"""The voice loop every door uses: ``build_voice_loop(...)`` → :class:`VoiceLoop`.

One livekit-agents ``AgentSession`` (no room) with Attune's plugins — ``WebRtcVAD``,
``WhisperSTT`` (streaming, ``manual_flush``), ``PiperTTS`` — and one :class:`TherapistAgent`.

Turn-taking is Attune's own (``turn_detection="manual"``); livekit runs the pipeline, the
speech queue and interruption plumbing. Why: livekit's VAD mode commits with a fixed delay and
may commit before the final transcript of the audio it just flushed (a split turn); its barge-in
cannot tell a backchannel from an interruption without its cloud model. :class:`TurnTaker`:

* **Early final.** The STT decodes the whole segment speculatively after 80 ms of its own
  silence; the loop flushes it after ``turn_flush_silence_s`` of silence measured on frame energy
  (webrtcvad's hangover would add 0.1-0.3 s), so the final is ready while the VAD still waits.
* **Patience that depends on what was said and how** (:mod:`voice.loop.turn_end`). The turn is
  committed once the final transcript of *all* flushed audio is in (no split turns) and the silence,
  dated from the last frame with speech energy (not the VAD's hangover), has lasted the patience the
  turn earns: ``turn_patience_short_s`` (0.2 s) for a whole answer to the question asked ("Seven.",
  "Yes, kind of."), ``turn_patience_s`` (0.5 s) when the words end a sentence (the reply is
  proposed and rendered meanwhile, so it is ready at about that moment anyway),
  ``turn_patience_unsure_s`` (0.8 s) when they do but the pitch is held or rising, and
  ``turn_patience_unfinished_s`` (1.2 s) when the words go on (trailing "and", "because", "um", a
  comma...). Meanwhile the reply is proposed and its first words rendered (speculation).
* **Never talk over a resuming person.** Voiced frames during the wait hold the commit; a reply
  that is committed but not yet audible is held silent and cancelled if speech is confirmed, and
  the person's words are carried into their continued turn (the brain never saw them).
* **Barge-in.** Speech over the assistant pauses the audio at once (the VAD confirms speech after
  ~0.15 s). If the final transcript is a backchannel ("mm-hmm", "yeah", "okay", "right"…) or
  empty, the reply resumes; otherwise it is interrupted and the brain commits what was heard.
  With ``echo_cancelled=False`` (speakers into a microphone) the loop does not pause on voice
  alone: it waits for words, and ignores transcripts that repeat what the assistant is saying.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from livekit.agents import stt as lk_stt
from livekit.agents import vad as lk_vad
from livekit.agents.voice import AgentSession, io

from attune.dialogue.settings import Settings
from attune.voice import internals
from attune.voice.loop.events import EventSink, EventType, make_event
from attune.voice.loop.agent import SpokenReply, NoLLM, TherapistAgent
from attune.voice.loop.speech_text import PhraseCache, load_sound, norm_text, shared_phrase_cache
from attune.voice.loop.turn_end import PitchTracker, TurnEnd, judge_turn_end

log = logging.getLogger("attune.voice")


class _QuietClose(logging.Filter):
    """livekit warns that it skips the user turn it commits itself while closing a manual-mode
    session; Attune owns turns, so that warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "speech scheduling is paused" not in record.getMessage()


logging.getLogger("livekit.agents").addFilter(_QuietClose())


BACKCHANNEL_WORDS = {
    "m", "mm", "mmm", "mhm", "hmm", "hm", "uh", "huh", "um", "uhhuh", "mmhmm", "yeah", "yes", "yep", "yup", "ya",
    "okay", "ok", "right", "sure", "alright", "all", "i", "see", "got", "it", "oh", "ah", "aha", "true",
    "exactly", "totally", "indeed", "go", "on", "know", "cool", "fine", "good",
}
_BACKCHANNEL_PHRASES = {
    "mm hmm", "uh huh", "mhm", "i see", "got it", "all right", "go on", "i know", "oh okay", "okay yeah",
    "yeah yeah", "right right", "oh i see", "yes yes",
}
_FLOOR_WORDS = {
    "no", "nope", "stop", "wait", "sorry", "hold", "hang", "what", "hey", "but", "actually", "excuse",
    "pardon", "listen", "help", "please", "why", "how", "hello", "look", "well", "um", "so", "i",
}
def is_backchannel(text: str) -> bool:
    """A short acknowledgement that should not take the floor ("mm-hmm", "yeah", "okay"...)."""
    n = norm_text(text)
    if not n:
        return False
    words = n.split()
    if len(words) > 3:
        return False
    if n in _BACKCHANNEL_PHRASES:
        return True
    return all(w in BACKCHANNEL_WORDS for w in words) and not (len(words) > 1 and words[-1] in {"i", "all", "go", "got"})


def _echo_of(text: str, said: str) -> bool:
    """Is ``text`` (heard by the microphone) mostly words of ``said`` (the assistant's reply)?"""
    w = norm_text(text).split()
    if not w:
        return False
    s = set(norm_text(said).split())
    return sum(x in s for x in w) / len(w) >= 0.6


class EnergyTracker:
    """Frame energy against the person's speech level and the noise floor.

    webrtcvad keeps calling audio "speech" 0.1-0.3 s after a voice stops (its hangover), which
    would add straight to the reply latency; the last frame with speech energy marks the end of
    speech more sharply. Used only to date the end (the VAD still decides what speech is)."""

    def __init__(self) -> None:
        self.floor = -70.0
        self.level = -35.0
        self.last_active: float | None = None

    def push(self, pcm: np.ndarray, now: float, speaking: bool) -> bool:
        if not len(pcm):
            return False
        rms = float(np.sqrt(np.mean(pcm.astype(np.float32) ** 2))) / 32768.0
        db = 20.0 * math.log10(max(rms, 1e-5))
        self.floor = db if db < self.floor else self.floor + 0.01  # fast down, ~0.5 dB/s up
        if speaking:
            self.level = max(db, self.level - 0.02)  # follows the voice, decays ~1 dB/s
        active = db > max(self.floor + 10.0, self.level - 30.0, -60.0)
        if active:
            self.last_active = now
        return active


@dataclass(frozen=True)
class TurnOptions:
    """Turn-taking knobs; each is the ``Settings`` field of the same name (defaults live there)."""

    turn_flush_silence_s: float
    stt_speculative_silence_s: float
    stt_interim_interval_s: float
    turn_patience_s: float
    turn_patience_unfinished_s: float
    turn_patience_unsure_s: float
    turn_patience_short_s: float
    endpoint_silence_s: float
    vad_min_speech_s: float
    resume_guard_s: float
    hold_release_s: float
    backchannel_max_s: float
    overlap_flush_silence_s: float
    overlap_quiet_s: float
    final_timeout_s: float
    min_heard_s: float

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: float) -> TurnOptions:
        values = {name: float(getattr(settings, name)) for name in cls.__dataclass_fields__}
        return cls(**{**values, **overrides})


@dataclass
class _Overlap:
    """The person speaking while the assistant is audible."""

    start_t: float
    paused: bool = False
    decided: bool = False
    texts: list[str] = field(default_factory=list)


@dataclass
class _Pending:
    handle: Any
    text: str
    committed_at: float
    audible: bool = False


class _TapVAD(lk_vad.VAD):
    """Passes a VAD through unchanged and shows every event to a listener first."""

    def __init__(self, inner: lk_vad.VAD, listener: Callable[[lk_vad.VADEvent], None]) -> None:
        super().__init__(capabilities=inner.capabilities)
        self.inner = inner
        self._listener = listener

    @property
    def model(self) -> str:
        return self.inner.model

    @property
    def provider(self) -> str:
        return self.inner.provider

    def stream(self) -> _TapVADStream:
        return _TapVADStream(self.inner.stream(), self._listener)


class _TapVADStream:
    def __init__(self, inner: Any, listener: Callable[[lk_vad.VADEvent], None]) -> None:
        self._inner = inner
        self._listener = listener

    def push_frame(self, frame: Any) -> None:
        self._inner.push_frame(frame)

    def flush(self) -> None:
        self._inner.flush()

    def end_input(self) -> None:
        self._inner.end_input()

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> _TapVADStream:
        return self

    async def __anext__(self) -> lk_vad.VADEvent:
        ev = await self._inner.__anext__()
        try:
            self._listener(ev)
        except Exception:
            log.exception("turn-taker failed on a VAD event")
        return ev


class TurnTaker:
    """Attune-owned endpointing and barge-in for one AgentSession in manual turn mode."""

    def __init__(self, loop: VoiceLoop, opts: TurnOptions, *, echo_cancelled: bool) -> None:
        self.vl = loop
        self.o = opts
        self.echo_cancelled = echo_cancelled
        self.speaking = False               # VAD says the person is speaking
        self.speech_end_at: float | None = None   # monotonic time of the last voiced frame
        self.onset = False                  # voiced frames after the end, not yet confirmed
        self.flushed_gap = False
        self.energy = EnergyTracker()
        self.pitch = PitchTracker()
        self.committed_in_hangover = False  # committed on energy silence while the VAD still says speech
        self.resume_run = 0.0               # energy-voiced time since, in that state
        self.quiet_for = 0.0
        self.seg_start = 0.0
        self.last_silence = 0.0
        self.awaiting = 0                   # flushes whose final transcript has not come
        self.last_flush_at = 0.0
        self.buffer: list[str] = []         # finals of the turn in progress
        self.pending: _Pending | None = None
        self.overlap: _Overlap | None = None
        self.held = False                   # output paused before a pending reply was heard
        self._timer: asyncio.TimerHandle | None = None
        self._hold_timer: asyncio.TimerHandle | None = None
        self._last_reply_text = ""
        self._last_reply_end = 0.0
        self.turns = 0

    # -------------------------------------------------------------- helpers
    @property
    def session(self) -> AgentSession:
        return self.vl.session

    @property
    def out(self) -> io.AudioOutput:
        return self.vl.audio_output

    def _now(self) -> float:
        return time.monotonic()

    def _audible(self) -> bool:
        return self.vl.audible and not self.held

    def _stop_out(self) -> None:
        """Stop the sound now (a hold that livekit's resume() cannot undo, where supported)."""
        hold = getattr(self.out, "hold", None)
        (hold or self.out.pause)()

    def _restart_out(self) -> None:
        release = getattr(self.out, "release", None)
        if release is not None:
            release()
        self.out.resume()

    def _flush_stt(self) -> None:
        """Ask the STT for the final transcript of the audio so far (in order with the audio)."""
        if internals.stt_flush(self.session):
            self.awaiting += 1
            self.last_flush_at = self._now()
        self.flushed_gap = True

    def _talking(self) -> bool:
        """The person is speaking: the VAD says so and frame energy has not gone quiet since the last
        flush (webrtcvad's hangover and ``endpoint_silence_s`` are not the person)."""
        return self.speaking and not (self.flushed_gap and self.quiet_for > 0)

    def _silent_for(self) -> float:
        return self.last_silence

    def _arm(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(max(0.0, delay), self.decide)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -------------------------------------------------------------- VAD
    def on_vad(self, ev: lk_vad.VADEvent) -> None:
        now = self._now()
        T = lk_vad.VADEventType
        if ev.type == T.START_OF_SPEECH:
            start = now - ev.speech_duration - ev.inference_duration
            self.seg_start = start
            self.speaking = True
            self.onset = False
            self.flushed_gap = False
            self._disarm()
            self.vl.emit("speech_start", t=self.vl.t(start))
            self._on_person_resumed(start)
        elif ev.type == T.INFERENCE_DONE:
            self.last_silence = ev.raw_accumulated_silence
            if ev.frames:
                frame = ev.frames[0]
                pcm = np.frombuffer(frame.data, np.int16)
                active = self.energy.push(pcm, now, self.speaking)
                if self.speaking:
                    self.pitch.push(pcm)
                    if self.committed_in_hangover:
                        self._watch_resume(active, len(pcm) / frame.sample_rate, now)
            else:
                active = ev.raw_accumulated_silence == 0.0
            if self.speaking:
                quiet_for = now - (self.energy.last_active or now)
                self.quiet_for = 0.0 if active else quiet_for
                flush_at = self.o.turn_flush_silence_s if self.overlap is None else self.o.overlap_flush_silence_s
                if active:
                    self.flushed_gap = False
                elif quiet_for >= flush_at and not self.flushed_gap:
                    # early final: the STT decodes while the VAD still waits out its silence
                    self.speech_end_at = self.energy.last_active
                    self._flush_stt()
                if self.overlap is not None and self.quiet_for >= self.o.overlap_quiet_s:
                    self._judge_overlap()
                if (self.overlap is not None and not self.overlap.decided and self.echo_cancelled
                        and ev.speech_duration - self.quiet_for >= self.o.backchannel_max_s):
                    self._interrupt("long speech over the reply")
            else:
                voiced = ev.raw_accumulated_speech >= self.o.resume_guard_s
                if voiced and not self.onset:
                    self.onset = True
                    self._hold_pending()
                elif not voiced and self.onset and ev.raw_accumulated_speech == 0.0:
                    self.onset = False
                    self._release_hold_soon()
                    self.decide()
        elif ev.type == T.END_OF_SPEECH:
            self.speaking = False
            self.onset = False
            self.committed_in_hangover = False
            self.resume_run = 0.0
            vad_end = now - ev.silence_duration - ev.inference_duration
            la = self.energy.last_active
            self.speech_end_at = min(vad_end, la) if la is not None and la > self.seg_start else vad_end
            if not self.flushed_gap:
                self._flush_stt()
            self.vl.emit("speech_end", t=self.vl.t(self.speech_end_at), speech_s=round(ev.speech_duration, 3),
                         awaiting=self.awaiting)
            self._judge_overlap()
            self.decide()

    def _watch_resume(self, active: bool, frame_s: float, now: float) -> None:
        """After a commit on energy silence the VAD's segment is still open, so it will not report the
        person going on: voiced energy does. ``resume_guard_s`` holds the unheard reply, ``vad_min_speech_s``
        confirms the resumption (as START_OF_SPEECH would), a false start releases the hold."""
        if not active:
            if self.resume_run:
                self.resume_run = 0.0
                self._release_hold_soon()
            return
        self.resume_run += frame_s
        if self.resume_run >= self.o.resume_guard_s:
            self._hold_pending()
        if self.resume_run >= self.o.vad_min_speech_s:
            start = now - self.resume_run
            self.committed_in_hangover = False
            self.resume_run = 0.0
            self.seg_start = start
            self.flushed_gap = False
            self.vl.emit("speech_start", t=self.vl.t(start))
            self._on_person_resumed(start)

    def _on_person_resumed(self, start: float) -> None:
        p = self.pending
        if p is not None and not p.audible:
            # they went on talking: the reply they have not heard is dropped, their words carried
            self._cancel_pending("person resumed")
        if self._audible() and (self.overlap is None or self.overlap.decided):
            self.overlap = _Overlap(start_t=start)
            if self.echo_cancelled:
                self._stop_out()
                self.overlap.paused = True
                self.vl.emit("barge_in", speech_t=self.vl.t(start), stop_t=self.vl.t(self._now()))

    # -------------------------------------------------------------- hold / cancel a reply not yet heard
    def _hold_pending(self) -> None:
        if self.pending is not None and not self.pending.audible and not self.held:
            self.held = True
            self._stop_out()
            if self._hold_timer is not None:
                self._hold_timer.cancel()

    def _release_hold_soon(self) -> None:
        if not self.held:
            return
        if self._hold_timer is not None:
            self._hold_timer.cancel()
        self._hold_timer = asyncio.get_running_loop().call_later(self.o.hold_release_s, self._release_hold)

    def _release_hold(self) -> None:
        self._hold_timer = None
        voiced = (self.speaking and not self.committed_in_hangover) or self.onset or self.resume_run > 0
        if self.held and not voiced:
            self.held = False
            self._restart_out()

    def _cancel_pending(self, why: str) -> None:
        p = self.pending
        if p is None:
            return
        self.pending = None
        with contextlib.suppress(Exception):
            p.handle.interrupt(force=True)
        self.buffer.insert(0, p.text)
        if self.held:
            self.held = False
            if not self.vl.audible:
                self.out.clear_buffer()  # drop what it may have queued; livekit's own clear may never come
            self._restart_out()
        self.vl.emit("reply_cancelled", why=why, user_text=p.text)

    def on_playback_started(self) -> None:
        p = self.pending
        if p is not None and self.session.current_speech is p.handle:
            p.audible = True
            self.pending = None
        if self.held:  # the sink could not be held (not ours): it is playing, so say so
            self.held = False

    def on_undelivered(self, draft: SpokenReply) -> None:
        """The agent dropped a reply that was barely heard: carry the person's words on."""
        if draft.user_text:
            self.buffer.insert(0, draft.user_text)

    def on_reply_finished(self, text: str) -> None:
        self._last_reply_text = text
        self._last_reply_end = self._now()

    # -------------------------------------------------------------- STT
    def on_stt(self, ev: lk_stt.SpeechEvent) -> None:
        T = lk_stt.SpeechEventType
        text = ev.alternatives[0].text.strip() if ev.alternatives else ""
        if ev.type == T.INTERIM_TRANSCRIPT:
            if text:
                self.vl.emit("transcript_partial", text=text)
                if self.overlap is None and (not self.speaking or self._silent_for() >= 0.1):
                    # the STT's speculative final (decoded on a short silence): prepare the reply
                    self.vl.agent.prepare(" ".join(self.buffer + [text]))
                ov = self.overlap
                if ov is not None and not ov.decided and self.echo_cancelled:
                    extra = [w for w in norm_text(text).split() if w not in BACKCHANNEL_WORDS and len(w) > 1]
                    if len(extra) >= 3:
                        self._interrupt("words over the reply")
        elif ev.type == T.FINAL_TRANSCRIPT:
            self.awaiting = max(0, self.awaiting - 1)
            if text:
                self.vl.emit("transcript_final", text=text, awaiting=self.awaiting)
            self.vl.stt_final_at = self._now()
            self._on_final(text)
            self.decide()

    def _on_final(self, text: str) -> None:
        ov = self.overlap
        if not self.echo_cancelled and text and self._is_echo(text):
            self.vl.emit("echo_ignored", text=text)
            text = ""
        if ov is None:
            if text:
                self.buffer.append(text)
            return
        if ov.decided:
            if text:
                self.buffer.append(text)
            if not self._talking() and self.awaiting == 0:
                self.overlap = None
            return
        if text:
            ov.texts.append(text)
        self._judge_overlap()

    def _looks_like_backchannel(self, said: str, ov: _Overlap) -> bool:
        """One short unclear word over the reply (tiny.en hears "mm-hmm" as "NMO", "M M"...)
        is a backchannel unless it is a word people use to take the floor."""
        words = norm_text(said).split()
        dur = (self.speech_end_at or self._now()) - ov.start_t
        return len(words) == 1 and dur <= 0.9 and words[0] not in _FLOOR_WORDS

    def _judge_overlap(self) -> None:
        """Once the speech over the reply is over and transcribed: backchannel or interruption?"""
        ov = self.overlap
        if ov is None or ov.decided or self.awaiting > 0:
            return
        if self.speaking and (self.quiet_for < self.o.overlap_quiet_s or not self.flushed_gap):
            return  # still talking, or their words are not transcribed yet
        said = " ".join(ov.texts)
        self.overlap = None
        if not said or is_backchannel(said) or self._looks_like_backchannel(said, ov):
            if ov.paused:
                self._restart_out()
            self.vl.emit("backchannel", text=said)
            return
        self._interrupt("person spoke over the reply", ov)
        self.buffer.append(said)

    def _is_echo(self, text: str) -> bool:
        if self._audible():
            return _echo_of(text, self.vl.agent_reply_text())
        return self._now() - self._last_reply_end < 1.5 and _echo_of(text, self._last_reply_text)

    def _interrupt(self, why: str, ov: _Overlap | None = None) -> None:
        ov = ov or self.overlap
        if ov is not None:
            if ov.decided:
                return
            ov.decided = True
        with contextlib.suppress(Exception):
            self.session.interrupt(force=False)
        self.vl.emit("barge_in_confirmed", why=why)

    # -------------------------------------------------------------- endpointing
    def decide(self) -> None:
        """Commit the person's turn when it is safely over."""
        self._disarm()
        now = self._now()
        if self.awaiting and now - self.last_flush_at > self.o.final_timeout_s:
            log.warning("STT final transcript did not come; continuing without it")
            self.awaiting = 0
        ov = self.overlap
        if ov is not None and ov.decided and not self._talking() and not self.awaiting:
            self.overlap = None  # the interruption is over: what they said is a normal turn
        self._judge_overlap()
        if self._talking() or self.onset or self.awaiting or not self.buffer or self.overlap is not None:
            if self.awaiting:
                self._arm(self.o.final_timeout_s)
            return
        text = " ".join(self.buffer).strip()
        judged = judge_turn_end(text, self.vl.agent.expectation(), self.pitch.final_ratio())
        end = self.speech_end_at if self.speech_end_at is not None else now
        wait = end + self._patience(judged) - now
        la = self.energy.last_active
        if wait <= 0.005 and la is not None and la > end + 0.01 and now - la < self.o.resume_guard_s:
            wait = self.o.resume_guard_s  # a sound right now may be them going on: commit only if it stays a blip
        if wait > 0.005:
            self.vl.agent.prepare(text)  # speculation: propose + render the first sentence now
            self._arm(wait)
            return
        self.committed_in_hangover = self.speaking
        self.resume_run = 0.0
        self._commit(text, judged=judged, silence=now - end)

    def _patience(self, judged: TurnEnd) -> float:
        """Silence to wait before answering: short for a whole answer to the question asked or a sentence
        that ends (falling pitch), long when the words go on, between when only the pitch hesitates."""
        o = self.o
        return {"short": o.turn_patience_short_s, "finished": o.turn_patience_s,
                "unsure": o.turn_patience_unsure_s, "unfinished": o.turn_patience_unfinished_s}[judged.level]

    def _commit(self, text: str, *, judged: TurnEnd, silence: float) -> None:
        self.buffer = []
        self.pitch.reset()
        if self.vl.ended.is_set():
            self.vl.emit("turn_ignored", text=text, why="session ended")
            return
        if self.pending is not None:
            self._cancel_pending("superseded")
            text = " ".join(self.buffer + [text]).strip() if self.buffer else text
            self.buffer = []
        self.turns += 1
        self.vl.agent.forget_prepared(keep=text)
        self.vl.emit("turn_end", text=text, sounds_unfinished=judged.level == "unfinished", end_level=judged.level,
                     end_why=judged.why, pitch_ratio=None if judged.pitch_ratio is None else round(judged.pitch_ratio, 2),
                     silence_s=round(silence, 3),
                     final_after_end_s=round(self.vl.stt_final_at - (self.speech_end_at or 0), 3))
        handle = self.session.generate_reply(user_input=text, input_modality="audio")
        self.pending = _Pending(handle=handle, text=text, committed_at=self._now())
        handle.add_done_callback(self._on_handle_done)

    def _on_handle_done(self, handle: Any) -> None:
        p = self.pending
        if p is not None and p.handle is handle:
            self.pending = None  # ended without being heard (empty reply or error)
            if self.held:
                self.held = False
                self._restart_out()

    def idle(self) -> bool:
        return (not self.speaking and not self.onset and not self.awaiting and not self.buffer
                and self.pending is None and self.overlap is None)


class VoiceLoop:
    """One conversation on one door. ``await start()``, then ``await aclose()``."""

    def __init__(self, settings: Any, engine: Any, *, user_id: str, audio_input: io.AudioInput,
                 audio_output: io.AudioOutput, on_event: EventSink, echo_cancelled: bool = False,
                 t0: float | None = None, greet: bool = True, models: Any = None,
                 turn_options: TurnOptions | None = None, phrases: PhraseCache | None = None) -> None:
        self.settings = settings
        self.engine = engine
        self.user_id = user_id
        self.audio_input = audio_input
        self.audio_output = audio_output
        self._on_event = on_event
        self.t0 = t0
        self.opts = turn_options or TurnOptions.from_settings(settings)
        self.ended = asyncio.Event()
        self.audible = False
        self.stt_final_at = 0.0
        self._closed = False
        self._started = False
        self._sound_handles: list[Any] = []

        from attune.voice.speech.models import get_models
        from attune.voice.speech.stt import WhisperSTT
        from attune.voice.speech.tts import PiperTTS
        from attune.voice.speech.vad import WebRtcVAD

        self.models = models or get_models(settings)
        self.stt = WhisperSTT.from_settings(settings, models=self.models,
                                            speculative_silence_s=self.opts.stt_speculative_silence_s,
                                            interim_interval_s=self.opts.stt_interim_interval_s)
        self.tts = PiperTTS(models=self.models)
        self.vad = WebRtcVAD.from_settings(settings, min_silence_duration=self.opts.endpoint_silence_s,
                                           min_speech_duration=self.opts.vad_min_speech_s)
        self.phrases = phrases or shared_phrase_cache(self.tts, settings.phrases_manifest)
        self.turns = TurnTaker(self, self.opts, echo_cancelled=echo_cancelled)
        self.agent = TherapistAgent(
            engine, user_id=user_id, emit=self.emit, phrases=self.phrases, greet_on_enter=greet,
            min_heard_s=self.opts.min_heard_s, on_stt_event=self.turns.on_stt,
            on_undelivered=self.turns.on_undelivered, on_ended=self.ended.set, tts=self.tts,
            on_exercise=self._on_exercise)
        self.session: AgentSession = AgentSession(
            stt=self.stt,
            vad=_TapVAD(self.vad, self.turns.on_vad),
            tts=self.tts,
            llm=NoLLM(),
            turn_handling={
                "turn_detection": "manual",
                "endpointing": {"min_delay": 0.0, "max_delay": 3.0},
                "interruption": {"enabled": True, "mode": "vad", "min_duration": 0.2,
                                 "discard_audio_if_uninterruptible": False,
                                 "resume_false_interruption": False, "false_interruption_timeout": None},
                "preemptive_generation": {"enabled": False},
            },
            aec_warmup_duration=None,  # barge-in is ours; livekit must never mute the STT
            user_away_timeout=None,
            session_close_transcript_timeout=0.2,  # words cut off by a hang-up are not waited for
            tts_text_transforms=None,
        )
        self.session.input.audio = audio_input
        self.session.output.audio = audio_output
        audio_output.on("playback_started", self._on_playback_started)
        audio_output.on("playback_finished", self._on_playback_finished)
        self.session.on("error", lambda ev: self.emit("error", where="session", message=str(getattr(ev, "error", ev))))

    # -------------------------------------------------------------- events
    def t(self, mono: float | None = None) -> float:
        base = self.t0 if self.t0 is not None else 0.0
        return round((mono if mono is not None else time.monotonic()) - base, 3)

    def emit(self, type: str, t: float | None = None, **fields: Any) -> None:
        ev = make_event(type, t if t is not None else self.t(), **fields)
        try:
            self._on_event(ev)
        except Exception:
            log.exception("door event sink failed")

    def agent_reply_text(self) -> str:
        d = self.agent._playing
        return d.reply.text if d is not None else ""

    def _on_playback_started(self, ev: Any) -> None:
        self.audible = True
        self.turns.on_playback_started()

    def _on_playback_finished(self, ev: Any) -> None:
        self.audible = False
        self.emit(EventType.REPLY_AUDIO_END)
        self.turns.on_reply_finished(self.agent_reply_text())

    # -------------------------------------------------------------- lifecycle
    async def prepare(self) -> None:
        """Pre-render the fixed phrases in the active voice (once per process and voice), open the
        session with the brain and render the first words of its greeting."""
        await self.phrases.prerender(self.tts)
        await self.agent.open_session()

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        await self.prepare()
        if self.t0 is None:
            self.t0 = time.monotonic()
        await self.session.start(self.agent, record=False)

    async def greet(self) -> Any:
        return await self.agent.greet()

    def interrupt(self) -> None:
        """Stop what is playing now (it counts as heard up to here); a door's own command, e.g. a key press."""
        with contextlib.suppress(Exception):
            self.session.interrupt(force=True)

    def say(self, text: str) -> Any:
        """Say a fixed line outside the brain (not committed anywhere)."""
        return self.session.say(text, add_to_chat_ctx=False)

    def play_sound(self, name: str, repeat: int = 1) -> Any:
        """Play one of Attune's sounds (chime_start, chime_end, breath_pacer), ``repeat`` times."""
        from livekit import rtc

        pcm, rate = load_sound(name)

        async def frames():
            step = rate // 10
            for _ in range(max(1, repeat)):
                for i in range(0, len(pcm), step):
                    c = pcm[i:i + step]
                    yield rtc.AudioFrame(c.tobytes(), rate, 1, len(c))

        h = self.session.say("", audio=frames(), add_to_chat_ctx=False)
        self._sound_handles.append(h)
        return h

    def _on_exercise(self, ev: dict) -> None:
        """A breathing exercise in the reply just heard: pace it with the breathing sound
        (in 4 s, out 6 s) for ``breath_pacer_cycles`` cycles; speaking over it stops it."""
        cycles = self.settings.breath_pacer_cycles
        if cycles > 0 and not self._closed:
            self.play_sound("breath_pacer", repeat=cycles)

    def idle(self) -> bool:
        """Nobody is speaking, nothing is queued and no turn is in progress."""
        return (self.turns.idle() and not self.audible and self.session.current_speech is None
                and not self.agent._commits)

    async def wait_idle(self, timeout: float = 30.0, settle: float = 0.3) -> bool:
        """Wait until the conversation is quiet (e.g. the last reply played out)."""
        deadline = time.monotonic() + timeout
        quiet_since: float | None = None
        while time.monotonic() < deadline:
            if self.idle():
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= settle:
                    return True
            else:
                quiet_since = None
            await asyncio.sleep(0.05)
        return False

    async def aclose(self, *, hang_up: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        self.turns._disarm()
        await self.agent.close(hang_up=hang_up)
        with contextlib.suppress(Exception):
            await self.session.aclose()
        with contextlib.suppress(Exception):
            await self.stt.aclose()


def build_voice_loop(settings: Any, engine: Any, *, user_id: str, audio_input: io.AudioInput,
                     audio_output: io.AudioOutput, on_event: EventSink, echo_cancelled: bool = False,
                     **kw: Any) -> VoiceLoop:
    """The loop for one conversation on one door (see :class:`VoiceLoop` for extra keywords:
    ``t0`` (monotonic time of t=0 in events), ``greet`` (greet on start), ``models``,
    ``turn_options``, ``phrases``)."""
    return VoiceLoop(settings, engine, user_id=user_id, audio_input=audio_input, audio_output=audio_output,
                     on_event=on_event, echo_cancelled=echo_cancelled, **kw)
