"""TurnTaker (voice/loop/voice_loop.py) without real models, in virtual time.

Like livekit-agents' own tests (``tests/fake_vad.py``, ``tests/fake_stt.py``), the pipeline around
the component is replaced by small fakes and the component gets real livekit ``VADEvent`` /
``SpeechEvent`` objects:

* ``FakeVAD`` replays the state machine of ``voice.speech.vad.WebRtcVAD`` (one INFERENCE_DONE per
  20 ms frame, START_OF_SPEECH after ``vad_min_speech_s`` of voiced frames, END_OF_SPEECH after
  ``endpoint_silence_s`` without) on a script of frames; each frame carries int16 PCM (a voice-like
  tone or faint noise) so the energy tracker sees speech and silence. webrtcvad's hangover (frames
  it still calls voiced after the voice stopped) is scripted too.
* ``FakeSTT`` stands in for ``voice.internals.stt_flush``: every flush yields exactly one
  FINAL_TRANSCRIPT (what was said since the previous flush, "" if nothing) after a latency the
  test chooses, like ``WhisperSTT`` in ``manual_flush`` mode.
* ``FakeSession`` / ``FakeHandle`` / ``FakeAudioOutput`` / ``FakeAgent`` record what the turn-taker
  asks of livekit, the sink and the agent; ``FakeVoiceLoop`` has exactly the attributes TurnTaker
  reads (``__slots__``: a new reach into the loop fails here first).
* Time is virtual: ``TurnTaker._now`` and the event loop's clock read one ``FakeClock``, and timers
  (``call_later``) fire at their exact due time while the script advances, so a 3 s conversation
  runs in a few milliseconds.
"""
from __future__ import annotations

import asyncio
import dataclasses
import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import stt as lk_stt
from livekit.agents import vad as lk_vad

from attune.voice import internals
from attune.voice.loop.voice_loop import TurnOptions, TurnTaker

FRAME = 0.02          # webrtcvad frame (and INFERENCE_DONE cadence) used by WebRtcVAD by default
RATE = 16000
HANGOVER = 0.15       # webrtcvad keeps calling audio voiced this long after the voice stops
STT_LATENCY = 0.05    # flush -> FINAL_TRANSCRIPT (the final was decoded speculatively)
EPS = 1e-6


def make_options(**overrides: float) -> TurnOptions:
    """Production options: from ``Settings`` when TurnOptions reads them, else its own defaults."""
    if hasattr(TurnOptions, "from_settings"):
        from attune.dialogue.settings import Settings

        opts = TurnOptions.from_settings(Settings())
    else:
        opts = TurnOptions()
    return dataclasses.replace(opts, **overrides)


def due(conv: "Conversation", end: float, patience: float) -> float:
    """When a turn that ended at ``end`` commits: after ``patience`` of silence, and never before the final
    transcript of the last flush is in."""
    return max(end + patience, conv.stt.flushes[-1] + STT_LATENCY)


def _opt(o: TurnOptions, *names: str) -> float:
    for n in names:
        if hasattr(o, n):
            return float(getattr(o, n))
    raise AttributeError(f"TurnOptions has none of {names}")


# ================================================================== virtual time
class FakeClock:
    def __init__(self, start: float = 100.0) -> None:
        self.now = start


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An asyncio loop whose clock is the test's; timers fire when the test advances past them."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock
        self._timers: list[list[Any]] = []  # [when, handle, fired]

    def time(self) -> float:
        return self.clock.now

    def call_at(self, when: float, callback: Callable[..., Any], *args: Any, context: Any = None) -> Any:
        entry: list[Any] = [when, None, False]

        def fire(*a: Any) -> None:
            entry[2] = True
            callback(*a)

        entry[1] = super().call_at(when, fire, *args, context=context)
        self._timers.append(entry)
        return entry[1]

    def run(self, fn: Callable[[], Any] | None = None) -> None:
        """Run ``fn`` inside the loop, then whatever became ready (due timers, call_soon)."""

        async def go() -> None:
            if fn is not None:
                fn()

        self.run_until_complete(go())
        self.run_until_complete(asyncio.sleep(0))

    def advance_to(self, t: float) -> None:
        """Move the clock to ``t``, firing each timer due on the way at its own time."""
        while True:
            self._timers = [e for e in self._timers if not e[2] and not e[1].cancelled()]
            due = [e for e in self._timers if e[0] <= t + EPS]
            if not due:
                break
            nxt = min(e[0] for e in due)
            self.clock.now = max(self.clock.now, nxt)
            self.run()
        self.clock.now = max(self.clock.now, t)


# ================================================================== fakes around TurnTaker
class FakeHandle:
    """A livekit ``SpeechHandle`` as TurnTaker uses it."""

    def __init__(self, loop: VirtualTimeLoop, user_input: str) -> None:
        self._loop = loop
        self.user_input = user_input
        self.interrupts: list[bool] = []   # the ``force`` of each interrupt() call
        self._done = False
        self._callbacks: list[Callable[[Any], None]] = []

    def add_done_callback(self, cb: Callable[[Any], None]) -> None:
        if self._done:
            self._loop.call_soon(cb, self)
        else:
            self._callbacks.append(cb)

    def done(self) -> bool:
        return self._done

    def interrupt(self, *, force: bool = False) -> FakeHandle:
        self.interrupts.append(force)
        self._loop.call_soon(self.finish)  # livekit ends the speech task a little later
        return self

    def finish(self) -> None:
        if not self._done:
            self._done = True
            for cb in self._callbacks:
                cb(self)


@dataclass
class Commit:
    t: float
    text: str
    kwargs: dict
    handle: FakeHandle


class FakeSession:
    """The part of ``AgentSession`` TurnTaker calls: generate_reply, interrupt, current_speech."""

    def __init__(self, loop: VirtualTimeLoop, clock: FakeClock) -> None:
        self._loop = loop
        self._clock = clock
        self.commits: list[Commit] = []
        self.interrupts: list[tuple[float, bool]] = []
        self.current_speech: FakeHandle | None = None
        self.on_interrupt: Callable[[], None] | None = None

    def generate_reply(self, *, user_input: str, **kw: Any) -> FakeHandle:
        h = FakeHandle(self._loop, user_input)
        self.commits.append(Commit(self._clock.now, user_input, kw, h))
        return h

    def interrupt(self, *, force: bool = False) -> Any:
        self.interrupts.append((self._clock.now, force))
        if self.on_interrupt is not None:
            self._loop.call_soon(self.on_interrupt)  # livekit stops the reply asynchronously
        fut = self._loop.create_future()
        fut.set_result(None)
        return fut


class FakeAudioOutput:
    """The sink controls TurnTaker uses, with ``QueueAudioOutput``'s semantics (clear ends a hold)."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self.calls: list[tuple[float, str]] = []
        self.held = False
        self.paused = False

    def _rec(self, name: str) -> None:
        self.calls.append((self._clock.now, name))

    def hold(self) -> None:
        self._rec("hold")
        self.held = True

    def release(self) -> None:
        self._rec("release")
        self.held = False

    def pause(self) -> None:
        self._rec("pause")
        self.paused = True

    def resume(self) -> None:
        self._rec("resume")
        self.paused = False

    def clear_buffer(self) -> None:
        self._rec("clear_buffer")
        self.held = self.paused = False

    @property
    def stopped(self) -> bool:
        return self.held or self.paused

    def names(self) -> list[str]:
        return [n for _, n in self.calls]

    def first(self, name: str) -> float | None:
        return next((t for t, n in self.calls if n == name), None)


class FakeAgent:
    def __init__(self) -> None:
        self.prepared: list[str] = []
        self.kept: list[str | None] = []
        self.expects = "text"

    def prepare(self, text: str) -> None:
        self.prepared.append(text)

    def forget_prepared(self, keep: str | None = None) -> None:
        self.kept.append(keep)

    def expectation(self) -> str:
        return self.expects


@dataclass
class FakeDraft:
    """The part of ``voice.loop.agent.SpokenReply`` that ``on_undelivered`` reads."""

    user_text: str


class FakeVoiceLoop:
    """Exactly what TurnTaker reads from its VoiceLoop (slots: anything else is an AttributeError)."""

    __slots__ = ("session", "audio_output", "agent", "audible", "ended", "stt_final_at", "events",
                 "reply_text", "_clock")

    def __init__(self, session: FakeSession, out: FakeAudioOutput, clock: FakeClock) -> None:
        self.session = session
        self.audio_output = out
        self.agent = FakeAgent()
        self.audible = False
        self.ended = asyncio.Event()
        self.stt_final_at = 0.0
        self.events: list[dict] = []
        self.reply_text = ""
        self._clock = clock

    def t(self, mono: float | None = None) -> float:
        return round(mono if mono is not None else self._clock.now, 6)

    def emit(self, type: str, t: float | None = None, **fields: Any) -> None:
        self.events.append({"t": t if t is not None else self.t(), "type": type, **fields})

    def agent_reply_text(self) -> str:
        return self.reply_text


class FakeVAD:
    """``WebRtcVAD``'s event state machine (no webrtcvad, no Silero) on scripted voiced flags."""

    def __init__(self, clock: FakeClock, *, min_speech_s: float, min_silence_s: float,
                 resume_frames: int = 2) -> None:
        self._clock = clock
        self._need = max(1, round(min_speech_s / FRAME))
        self._end_frames = max(1, math.ceil(min_silence_s / FRAME - 1e-9))
        self._resume = resume_frames
        self._window: deque[bool] = deque(maxlen=self._need + 2)
        self.speaking = False
        self._run = 0          # consecutive voiced frames
        self._speech_n = 0     # frames since START
        self._silence_n = 0    # frames since END (or stream start)
        self._raw_speech_n = 0
        self._raw_silence_n = 0
        self._samples = 0

    def _ev(self, type: lk_vad.VADEventType, frame: rtc.AudioFrame, **kw: Any) -> lk_vad.VADEvent:
        return lk_vad.VADEvent(type=type, samples_index=self._samples, timestamp=self._samples / RATE,
                               frames=[frame], inference_duration=0.0, **kw)

    def push(self, pcm: np.ndarray, voiced: bool) -> list[lk_vad.VADEvent]:
        frame = rtc.AudioFrame(data=pcm.tobytes(), sample_rate=RATE, num_channels=1, samples_per_channel=len(pcm))
        self._samples += len(pcm)
        self._window.append(voiced)
        self._run = self._run + 1 if voiced else 0
        start = end = False
        if not self.speaking:
            self._silence_n += 1
            if voiced:
                self._raw_speech_n += 1
                self._raw_silence_n = 0
            else:
                self._raw_speech_n = 0
                self._raw_silence_n += 1
            if voiced and sum(self._window) >= self._need:
                start = True
                self.speaking = True
                self._speech_n = max(sum(self._window), self._raw_speech_n)
                self._silence_n = 0
        else:
            self._speech_n += 1
            if voiced and self._run >= self._resume:
                self._raw_silence_n = 0
                self._raw_speech_n += 1
            else:
                self._raw_silence_n += 1
                if not voiced:
                    self._raw_speech_n = 0
            end = self._raw_silence_n >= self._end_frames
        T = lk_vad.VADEventType
        end_speech = max(0, self._speech_n - self._raw_silence_n) * FRAME
        evs = [self._ev(T.INFERENCE_DONE, frame,
                        speech_duration=end_speech if end else self._speech_n * FRAME,
                        silence_duration=self._raw_silence_n * FRAME if end else self._silence_n * FRAME,
                        speaking=self.speaking and not end,
                        raw_accumulated_silence=self._raw_silence_n * FRAME,
                        raw_accumulated_speech=self._raw_speech_n * FRAME)]
        if start:
            evs.append(self._ev(T.START_OF_SPEECH, frame, speech_duration=self._speech_n * FRAME,
                                silence_duration=0.0, speaking=True,
                                raw_accumulated_speech=self._raw_speech_n * FRAME))
        if end:
            self.speaking = False
            evs.append(self._ev(T.END_OF_SPEECH, frame, speech_duration=end_speech,
                                silence_duration=self._raw_silence_n * FRAME, speaking=False,
                                raw_accumulated_silence=self._raw_silence_n * FRAME))
            self._silence_n = self._raw_silence_n
            self._speech_n = 0
        return evs


def final(text: str) -> lk_stt.SpeechEvent:
    return lk_stt.SpeechEvent(type=lk_stt.SpeechEventType.FINAL_TRANSCRIPT,
                              alternatives=[lk_stt.SpeechData(language="en", text=text)])


def interim(text: str) -> lk_stt.SpeechEvent:
    return lk_stt.SpeechEvent(type=lk_stt.SpeechEventType.INTERIM_TRANSCRIPT,
                              alternatives=[lk_stt.SpeechData(language="en", text=text)])


class FakeSTT:
    """Replaces ``voice.internals.stt_flush``: one FINAL_TRANSCRIPT per flush, after a latency."""

    def __init__(self, loop: VirtualTimeLoop, clock: FakeClock, deliver: Callable[[lk_stt.SpeechEvent], None]) -> None:
        self._loop = loop
        self._clock = clock
        self._deliver = deliver
        self.heard: list[str] = []          # words in the audio since the last flush
        self.latency = STT_LATENCY
        self.latencies: deque[float] = deque()  # per-flush overrides, in order
        self.flushes: list[float] = []
        self.sessions: list[Any] = []

    def flush(self, session: Any) -> bool:
        self.sessions.append(session)
        self.flushes.append(self._clock.now)
        text, self.heard = " ".join(self.heard), []
        lat = self.latencies.popleft() if self.latencies else self.latency
        self._loop.call_later(lat, self._deliver, final(text))
        return True


# ================================================================== the harness
SPEECH_PCM = (3000 * np.sin(2 * np.pi * np.arange(320) * 220 / RATE)
              + 1200 * np.sin(2 * np.pi * np.arange(320) * 660 / RATE)).astype(np.int16)  # ~ -22 dBFS
_rng = np.random.default_rng(7)
QUIET_PCM = [_rng.normal(0, 8, 320).astype(np.int16) for _ in range(16)]  # ~ -72 dBFS room noise


class Conversation:
    """One TurnTaker, its fakes and a script of frames in virtual time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, opts: TurnOptions, *, echo_cancelled: bool = True) -> None:
        self.o = opts
        self.clock = FakeClock()
        self.loop = VirtualTimeLoop(self.clock)
        self.out = FakeAudioOutput(self.clock)
        self.session = FakeSession(self.loop, self.clock)
        self.vl = FakeVoiceLoop(self.session, self.out, self.clock)
        self.tt = TurnTaker(self.vl, opts, echo_cancelled=echo_cancelled)  # type: ignore[arg-type]
        monkeypatch.setattr(self.tt, "_now", lambda: self.clock.now)
        self.stt = FakeSTT(self.loop, self.clock, self.tt.on_stt)
        monkeypatch.setattr(internals, "stt_flush", self.stt.flush)
        self.vad = FakeVAD(self.clock, min_speech_s=_opt(opts, "vad_min_speech_s"),
                           min_silence_s=_opt(opts, "endpoint_silence_s", "vad_end_silence_s"))
        self.session.on_interrupt = self._reply_stopped
        self.t0 = self.clock.now
        self._n = 0

    def close(self) -> None:
        self.tt._disarm()
        self.loop.close()

    # ---- the script
    def _frame(self, pcm: np.ndarray, voiced: bool) -> None:
        t = self.t0 + (self._n + 1) * FRAME  # frame n is delivered when it has been captured
        self._n += 1
        self.loop.advance_to(t)
        evs = self.vad.push(pcm, voiced)
        self.loop.run(lambda: [self.tt.on_vad(e) for e in evs])

    def speak(self, seconds: float, text: str = "") -> float:
        """Voiced frames with speech energy; ``text`` is what the STT will hear in them.
        Returns the time of the last frame with speech energy."""
        if text:
            self.stt.heard.append(text)
        for _ in range(round(seconds / FRAME)):
            self._frame(SPEECH_PCM, True)
        return self.clock.now

    def say(self, text: str, seconds: float, hangover: float = HANGOVER) -> float:
        end = self.speak(seconds, text)
        for _ in range(round(hangover / FRAME)):
            self._frame(QUIET_PCM[self._n % len(QUIET_PCM)], True)  # quiet, but webrtcvad still says voiced
        return end

    def pause(self, seconds: float) -> None:
        for _ in range(round(seconds / FRAME)):
            self._frame(QUIET_PCM[self._n % len(QUIET_PCM)], False)

    def stt_event(self, ev: lk_stt.SpeechEvent) -> None:
        self.loop.run(lambda: self.tt.on_stt(ev))

    # ---- the assistant's side
    def assistant_speaking(self, text: str = "Let's slow down and take one breath together.") -> None:
        """A reply is being heard (as VoiceLoop does on the sink's playback_started)."""
        self.vl.reply_text = text
        self.vl.audible = True
        self.loop.run(self.tt.on_playback_started)

    def play(self, commit: Commit) -> None:
        """The committed reply starts playing."""
        self.session.current_speech = commit.handle
        self.vl.reply_text = f"(reply to: {commit.text})"
        self.vl.audible = True
        self.loop.run(self.tt.on_playback_started)

    def _reply_stopped(self) -> None:
        """livekit after ``session.interrupt()``: clears the sink, playback_finished."""
        self.out.clear_buffer()
        if self.vl.audible:
            self.vl.audible = False
            self.tt.on_reply_finished(self.vl.reply_text)

    # ---- reading the record
    @property
    def commits(self) -> list[Commit]:
        return self.session.commits

    def texts(self) -> list[str]:
        return [c.text for c in self.commits]

    def events(self, type: str) -> list[dict]:
        return [e for e in self.vl.events if e["type"] == type]


@pytest.fixture
def opts() -> TurnOptions:
    return make_options()


@pytest.fixture
def make_conv(monkeypatch: pytest.MonkeyPatch, opts: TurnOptions):
    made: list[Conversation] = []

    def make(**kw: Any) -> Conversation:
        c = Conversation(monkeypatch, kw.pop("opts", opts), **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def conv(make_conv) -> Conversation:
    return make_conv()


# ================================================================== (1) a finished sentence
def test_finished_sentence_commits_once_after_patience(conv: Conversation) -> None:
    text = "I had a really rough day at work today."
    end = conv.say(text, 1.5)
    conv.pause(conv.o.turn_patience_s - HANGOVER - 2 * FRAME)
    assert conv.commits == [], "committed before turn_patience_s of silence"
    conv.pause(1.5)

    assert conv.texts() == [text]
    c = conv.commits[0]
    assert c.t == pytest.approx(due(conv, end, conv.o.turn_patience_s), abs=FRAME)
    assert c.kwargs == {"input_modality": "audio"}
    # the early final: one flush, after turn_flush_silence_s of silence by energy, before the VAD's end
    assert len(conv.stt.flushes) == 1 and conv.stt.sessions == [conv.session]
    vad_end = end + HANGOVER + _opt(conv.o, "endpoint_silence_s", "vad_end_silence_s")
    if conv.o.turn_flush_silence_s < vad_end - end:
        assert conv.stt.flushes[0] == pytest.approx(end + conv.o.turn_flush_silence_s, abs=FRAME)
    # the reply prepared for this text (if any) is kept
    assert conv.vl.agent.kept == [text]
    assert [e["text"] for e in conv.events("turn_end")] == [text]
    assert conv.tt.buffer == [] and conv.tt.pending is not None and conv.tt.pending.handle is c.handle


# ================================================================== (2) a pause mid-sentence
def test_pause_after_unfinished_words_waits_and_joins_both_parts(conv: Conversation) -> None:
    o = conv.o
    assert o.turn_patience_s + 0.1 < o.turn_patience_unfinished_s
    gap = (o.turn_patience_s + o.turn_patience_unfinished_s) / 2  # longer than a finished sentence's patience
    end1 = conv.say("I went to the shop and", 1.2)
    conv.pause(gap - HANGOVER)
    assert conv.commits == [], "committed in the pause after 'and'"
    assert conv.clock.now - end1 > o.turn_patience_s  # a finished sentence would have been committed
    end2 = conv.say("bought milk.", 0.6)
    conv.pause(2.0)

    assert conv.texts() == ["I went to the shop and bought milk."]
    assert conv.commits[0].t == pytest.approx(due(conv, end2, o.turn_patience_s), abs=FRAME)
    assert conv.events("reply_cancelled") == []


def test_same_pause_after_a_finished_sentence_commits_in_the_pause(conv: Conversation) -> None:
    """The control for the test above: only the unfinished words made the loop wait."""
    o = conv.o
    gap = (o.turn_patience_s + o.turn_patience_unfinished_s) / 2
    end1 = conv.say("I went to the shop.", 1.2)
    conv.pause(gap - HANGOVER)
    assert conv.texts() == ["I went to the shop."]
    assert conv.commits[0].t == pytest.approx(due(conv, end1, o.turn_patience_s), abs=FRAME)


# ================================================================== (3) backchannel over the reply
@pytest.mark.parametrize("word", ["Mm-hmm.", "Yeah."])
def test_backchannel_over_the_reply_resumes_it(conv: Conversation, word: str) -> None:
    conv.assistant_speaking()
    conv.say(word, 0.4)
    conv.pause(2.0)

    assert conv.session.interrupts == []
    assert conv.commits == []
    assert conv.out.names()[:1] == ["hold"]  # stopped at once while it was not yet known what it was
    assert "resume" in conv.out.names() and "release" in conv.out.names()
    assert not conv.out.stopped, "the reply stayed paused after a backchannel"
    assert conv.out.first("resume") <= conv.stt.flushes[0] + STT_LATENCY + EPS  # as soon as the words are in
    assert [e["text"] for e in conv.events("backchannel")] == [word]
    assert conv.events("barge_in_confirmed") == []
    assert conv.tt.buffer == [] and conv.tt.idle()


# ================================================================== (4) a real barge-in
@pytest.mark.parametrize("words,seconds,why", [
    ("Wait, stop, that's wrong.", 0.55, "person spoke over the reply"),  # judged once its words are in
    ("No, that's not it at all, I meant my brother, not my dad.", 2.2, "long speech over the reply"),
])
def test_barge_in_pauses_at_once_interrupts_and_becomes_the_next_turn(conv: Conversation, words: str,
                                                                      seconds: float, why: str) -> None:
    conv.assistant_speaking()
    onset = conv.clock.now
    end = conv.say(words, seconds)
    conv.pause(2.0)

    hold_t = conv.out.first("hold")
    assert hold_t is not None and hold_t - onset <= conv.o.vad_min_speech_s + FRAME + EPS  # at START_OF_SPEECH
    assert len(conv.events("barge_in")) == 1
    assert [f for _, f in conv.session.interrupts] == [False]
    assert "resume" not in conv.out.names() and "release" not in conv.out.names()  # no resuming the reply
    assert conv.texts() == [words]
    assert conv.session.interrupts[0][0] <= conv.commits[0].t
    # once its words are in and judged an interruption: not before the patience, not long after
    assert due(conv, end, conv.o.turn_patience_s) - EPS <= conv.commits[0].t <= due(conv, end, conv.o.overlap_quiet_s) + 0.15
    assert conv.events("backchannel") == []
    assert [e["why"] for e in conv.events("barge_in_confirmed")] == [why]


def test_interim_words_over_the_reply_interrupt_before_the_person_stops(conv: Conversation) -> None:
    conv.assistant_speaking()
    conv.speak(0.5, "no no that is wrong")
    assert conv.session.interrupts == []
    conv.stt_event(interim("No, no, that is wrong"))
    assert len(conv.session.interrupts) == 1
    interrupted_at = conv.clock.now
    end = conv.say("", 0.5)
    conv.pause(2.0)
    assert len(conv.session.interrupts) == 1
    assert interrupted_at < end
    assert conv.texts() == ["no no that is wrong"]


def test_without_echo_cancellation_voice_alone_does_not_pause_and_echo_is_ignored(make_conv) -> None:
    conv = make_conv(echo_cancelled=False)
    conv.assistant_speaking("Let's slow down and take one breath together.")
    conv.say("take one breath", 0.5)  # the microphone hears the loudspeaker
    conv.pause(2.0)
    assert conv.out.calls == []
    assert conv.session.interrupts == [] and conv.commits == []
    assert [e["text"] for e in conv.events("echo_ignored")] == ["take one breath"]


def test_without_echo_cancellation_real_words_over_the_reply_interrupt(make_conv) -> None:
    conv = make_conv(echo_cancelled=False)
    conv.assistant_speaking("Let's slow down and take one breath together.")
    end = conv.say("Can we talk about my mother?", 0.5)
    conv.pause(2.0)
    assert "hold" not in conv.out.names() and "pause" not in conv.out.names()  # waited for the words
    assert len(conv.session.interrupts) == 1 and conv.session.interrupts[0][0] > end
    assert conv.texts() == ["Can we talk about my mother?"]


# ================================================================== (5) a late final transcript
def test_late_final_holds_the_commit_and_the_commit_carries_it(conv: Conversation) -> None:
    o = conv.o
    text = "My sister called me yesterday and it upset me."
    late = o.turn_patience_s + 0.5
    conv.stt.latency = late
    end = conv.say(text, 1.6)
    conv.pause(o.turn_flush_silence_s + late - HANGOVER - 3 * FRAME)
    assert conv.clock.now > end + o.turn_patience_s  # the silence has elapsed...
    assert conv.commits == [], "committed without the final transcript"  # ...but the words are not in
    conv.pause(2.0)

    assert conv.texts() == [text]
    final_t = conv.stt.flushes[0] + late
    assert conv.commits[0].t == pytest.approx(final_t, abs=EPS)  # at once when it arrives
    assert conv.vl.stt_final_at == pytest.approx(final_t, abs=EPS)


def test_a_lost_final_does_not_hang_the_turn(conv: Conversation) -> None:
    o = conv.o
    conv.say("I keep thinking about the wedding.", 1.2)
    conv.pause(o.turn_flush_silence_s - HANGOVER + 2 * FRAME)  # flushed, then they go on
    conv.stt.latencies.append(1e6)  # the STT never answers the second flush
    conv.say("And my brother.", 0.8)
    conv.pause(o.final_timeout_s - 1.0)
    assert conv.commits == []
    conv.pause(2.0)
    assert conv.texts() == ["I keep thinking about the wedding."]
    waited = conv.commits[0].t - conv.stt.flushes[-1]
    assert o.final_timeout_s <= waited <= o.final_timeout_s + 0.5


def test_second_part_final_late_is_not_split_from_the_first(conv: Conversation) -> None:
    o = conv.o
    conv.say("I keep thinking about the wedding.", 1.2)
    conv.pause(o.turn_patience_s - HANGOVER - 0.15)  # resumes before the first part is committed
    conv.stt.latencies.append(o.turn_patience_s + 0.6)
    conv.say("My brother will not be there.", 1.2)
    conv.pause(o.turn_patience_s + 1.0)
    assert conv.texts() == ["I keep thinking about the wedding. My brother will not be there."]
    assert conv.events("reply_cancelled") == []


# ================================================================== (6) a short answer
@pytest.mark.parametrize("answer,expects", [("Seven.", "mood"), ("Yes, I do.", "yesno"), ("Priya.", "name"),
                                            ("Not much.", "text")])
def test_short_answer_uses_the_short_patience(make_conv, answer: str, expects: str) -> None:
    conv = make_conv(opts=make_options(turn_flush_silence_s=0.06))  # a final ready before any patience runs out
    o = conv.o
    conv.vl.agent.expects = expects
    assert o.turn_patience_short_s + FRAME < o.turn_patience_s
    end = conv.say(answer, 0.5, hangover=0.06)
    conv.pause(1.5)
    assert conv.texts() == [answer]
    assert conv.events("turn_end")[0]["end_level"] == "short"
    assert conv.commits[0].t == pytest.approx(due(conv, end, o.turn_patience_short_s), abs=FRAME)
    assert conv.commits[0].t < end + o.turn_patience_s - FRAME


def test_a_number_to_a_question_that_did_not_ask_for_one_is_not_short(make_conv) -> None:
    conv = make_conv(opts=make_options(turn_flush_silence_s=0.06))
    conv.vl.agent.expects = "situation"
    end = conv.say("It was about twenty past seven in the evening.", 1.5, hangover=0.06)
    conv.pause(1.5)
    assert conv.events("turn_end")[0]["end_level"] == "finished"
    assert conv.commits[0].t == pytest.approx(due(conv, end, conv.o.turn_patience_s), abs=FRAME)


# ================================================================== (7) resuming before the reply is heard
def test_resuming_before_the_reply_plays_cancels_it_and_carries_the_words(conv: Conversation) -> None:
    o = conv.o
    first = "I feel anxious about tomorrow."
    conv.say(first, 1.2)
    conv.pause(o.turn_patience_s + 0.1 - HANGOVER)
    assert conv.texts() == [first]
    reply = conv.commits[0].handle
    assert not conv.vl.audible  # committed, not heard yet

    resume_t = conv.clock.now
    conv.speak(o.resume_guard_s + FRAME)  # first voiced frames, before the VAD confirms speech
    assert conv.out.held, "the unheard reply was not held when the person went on"
    assert conv.out.first("hold") - resume_t <= o.resume_guard_s + FRAME + EPS
    assert reply.interrupts == []  # only held, not yet cancelled
    end = conv.say("Because I have a job interview.", 1.2)
    assert reply.interrupts == [True], "the unheard reply was not cancelled once speech was confirmed"
    assert not conv.out.stopped and "clear_buffer" in conv.out.names()
    assert [e["user_text"] for e in conv.events("reply_cancelled")] == [first]
    conv.pause(2.0)

    assert conv.texts() == [first, "I feel anxious about tomorrow. Because I have a job interview."]
    assert conv.commits[1].t == pytest.approx(due(conv, end, o.turn_patience_s), abs=FRAME)
    assert conv.session.interrupts == []  # nothing audible was interrupted


def test_a_knock_before_the_reply_plays_holds_it_briefly_and_lets_it_play(conv: Conversation) -> None:
    o = conv.o
    conv.say("I feel anxious about tomorrow.", 1.2)
    conv.pause(o.turn_patience_s + 0.1 - HANGOVER)
    reply = conv.commits[0]
    conv.speak(o.resume_guard_s + 2 * FRAME)  # too short for START_OF_SPEECH
    assert conv.out.held
    quiet_at = conv.clock.now
    conv.pause(o.hold_release_s + 0.1)
    assert not conv.out.held and conv.out.first("release") - quiet_at <= o.hold_release_s + 2 * FRAME
    assert reply.handle.interrupts == [] and conv.events("reply_cancelled") == []
    conv.play(reply)
    conv.pause(1.0)
    assert conv.texts() == ["I feel anxious about tomorrow."] and conv.tt.pending is None


def test_held_reply_that_ends_unheard_releases_the_sink(conv: Conversation) -> None:
    o = conv.o
    conv.say("I feel anxious about tomorrow.", 1.2)
    conv.pause(o.turn_patience_s + 0.1 - HANGOVER)
    conv.speak(o.resume_guard_s + FRAME)  # held...
    assert conv.out.held
    conv.loop.run(conv.commits[0].handle.finish)  # ...and the reply ends without a sound (empty reply)
    assert conv.tt.pending is None and not conv.out.held


def test_reply_cut_before_it_was_heard_carries_the_words_into_the_next_turn(conv: Conversation) -> None:
    """The agent drops a reply interrupted within ``min_heard_s`` and calls ``on_undelivered``."""
    conv.say("I could not sleep last night.", 1.0)
    conv.pause(1.0)
    first = conv.commits[0]
    conv.play(first)
    stopped = conv.session.on_interrupt

    def dropped() -> None:
        stopped()
        conv.tt.on_undelivered(FakeDraft(user_text=first.text))

    conv.session.on_interrupt = dropped
    end = conv.say("Sorry, one more thing about my sister and her wedding.", 1.6)
    conv.pause(1.5)
    assert len(conv.session.interrupts) == 1
    assert conv.texts() == [first.text, "I could not sleep last night. Sorry, one more thing about my sister and her wedding."]
    assert conv.commits[1].t == pytest.approx(due(conv, end, conv.o.turn_patience_s), abs=FRAME)


# ================================================================== (8) after the session ended
def test_nothing_is_committed_after_the_session_ended(conv: Conversation) -> None:
    end = conv.say("Thank you, goodbye.", 1.0, hangover=0.0)
    conv.pause(conv.o.turn_patience_short_s - 2 * FRAME)
    assert conv.commits == [] and conv.clock.now < end + conv.o.turn_patience_short_s
    conv.vl.ended.set()
    conv.pause(1.5)
    assert conv.commits == []
    assert [e["text"] for e in conv.events("turn_ignored")] == ["Thank you, goodbye."]
    assert conv.tt.buffer == [] and conv.tt.idle()


# ================================================================== two bugs this file found (fixed)
def test_backchannel_shorter_than_backchannel_max_is_not_cut_by_the_silence_after_it(conv: Conversation) -> None:
    assert 0.7 < conv.o.backchannel_max_s
    conv.assistant_speaking()
    conv.say("Oh okay yeah.", 0.7)
    conv.pause(2.0)
    assert conv.session.interrupts == []
    assert [e["text"] for e in conv.events("backchannel")] == ["Oh okay yeah."]
    assert conv.commits == []


def test_without_echo_cancellation_long_echo_of_the_reply_does_not_interrupt_it(make_conv) -> None:
    conv = make_conv(echo_cancelled=False)
    said = "Let's slow down and take one breath together, in through the nose and out slowly."
    conv.assistant_speaking(said)
    conv.say("slow down and take one breath together in through the nose", 2.0)  # the loudspeaker
    conv.pause(2.0)
    assert conv.session.interrupts == []
    assert conv.commits == []
