"""``TherapistAgent``: the one livekit ``Agent`` through which the voice loop reaches the brain.

* ``llm_node`` streams the reply sentences of ``dialogue.SessionEngine``. It only calls the pure
  ``engine.propose()``: livekit may call ``llm_node`` speculatively and drop the result.
* The brain's turn is committed only for a reply that was actually heard: when its audio has
  played out, or — after a barge-in — with ``heard`` = the words played before the stop.
  A reply interrupted before ``min_heard_s`` of audio reached the person counts as never said
  (nothing is committed; the session carries the person's words into their next turn).
* ``tts_node`` synthesises sentence by sentence (the first sentence is heard while the rest is
  synthesised), plays fixed phrases and speculatively prepared sentences from memory, and slows
  the voice for replies with ``pace == "slow"``.
* ``stt_node`` passes the STT events through unchanged and shows each to the turn-taker
  (``on_stt_event``), including empty finals, which livekit does not surface.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from livekit import rtc
from livekit.agents import llm, stt
from livekit.agents.voice import Agent, ModelSettings, io

from attune.dialogue.types import split_sentences
from attune.voice import internals
from attune.voice.loop.speech_text import PACE_SPEED, PhraseCache, norm_text, speech_pieces, synthesize

log = logging.getLogger("attune.agent")

EmitFn = Callable[..., None]


def _split_complete(buf: str) -> tuple[list[str], str]:
    """Whole sentences in streamed text ``buf`` (by ``split_sentences``) and the unfinished rest."""
    parts = split_sentences(buf)
    if not parts:
        return [], buf
    if buf[-1:].isspace() and parts[-1][-1:] in ".!?…\"')]":
        return parts, ""
    return parts[:-1], buf[buf.rfind(parts[-1]):]


def heard_text(pieces: list[tuple[str, float]], position: float) -> str:
    """Words of ``pieces`` ((sentence, seconds of audio) in play order) played by ``position``."""
    out: list[str] = []
    t = 0.0
    for sentence, dur in pieces:
        if t + dur <= position + 0.06:
            out.append(sentence)
        elif position > t and dur > 0:
            words = sentence.split()
            k = int(len(words) * (position - t) / dur)
            if k:
                out.append(" ".join(words[:k]))
            break
        else:
            break
        t += dur
    return " ".join(out)


@dataclass
class SpokenReply:
    """A reply the loop may speak: a proposed turn (or an already committed reply)."""

    reply: Any                      # dialogue Reply
    turn: Any = None                # dialogue Turn from propose(); None = nothing to commit
    user_text: str | None = None    # what the person said (None for greeting / say)
    pieces: list[tuple[str, float]] = field(default_factory=list)
    started_at: float | None = None
    created_at: float = field(default_factory=time.monotonic)
    proposed_at: float | None = None
    first_audio_at: float | None = None
    tts_s: float | None = None
    finished: bool = False
    emitted: set[str] = field(default_factory=set)
    exercise: dict | None = None

    @property
    def pace(self) -> str:
        return getattr(self.reply, "pace", "normal") or "normal"


class TherapistAgent(Agent):
    """Speaks for ``engine`` to one person (``user_id``)."""

    def __init__(self, engine: Any, *, user_id: str, emit: EmitFn, phrases: PhraseCache | None = None,
                 greet_on_enter: bool = True, min_heard_s: float = 0.4,
                 on_stt_event: Callable[[stt.SpeechEvent], None] | None = None,
                 on_undelivered: Callable[[SpokenReply], None] | None = None,
                 on_ended: Callable[[], None] | None = None, tts: Any = None,
                 on_exercise: Callable[[dict], None] | None = None) -> None:
        super().__init__(instructions="Attune: replies come from dialogue.SessionEngine via llm_node.")
        self.engine = engine
        self.user_id = user_id
        self._emit = emit
        self.phrases = phrases
        self.greet_on_enter = greet_on_enter
        self.min_heard_s = min_heard_s
        self.on_stt_event = on_stt_event
        self.on_undelivered = on_undelivered
        self.on_ended = on_ended
        self.on_exercise = on_exercise
        self._drafts: dict[str | None, SpokenReply] = {}
        self._prepared: dict[str, asyncio.Task[Any]] = {}
        self._playing: SpokenReply | None = None
        self._engine_lock = asyncio.Lock()
        self._commits: set[asyncio.Task[None]] = set()
        self._commit_seq = 0  # bumps on every brain commit: older speculation is stale
        self._output: io.AudioOutput | None = None
        self._opening: asyncio.Future[Any] | None = None
        self._warmup: asyncio.Future[Any] | None = None
        self._synth: dict[tuple[str, str], asyncio.Future[Any]] = {}
        self._tts: Any = tts
        self.rtf = 0.15  # Piper seconds of compute per second of audio (EMA, measured)
        self.last_propose_s = 0.0
        self.head_budget_s = 0.15  # target synthesis time of a reply's first piece
        self._plans: dict[tuple[str, bool], list[str]] = {}
        self.ended = False

    # ------------------------------------------------------------------ lifecycle
    async def on_enter(self) -> None:
        out = self.session.output.audio
        if out is not None and out is not self._output:
            self._output = out
            out.on("playback_started", self._on_playback_started)
            out.on("playback_finished", self._on_playback_finished)
        if self.greet_on_enter:
            await self.greet()

    async def open_session(self) -> Any:
        """Open the session with the brain (it commits its greeting) and render the greeting's
        first words, so that it can start at once. Idempotent."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open())
        return await self._opening

    async def _open(self) -> Any:
        async with self._engine_lock:
            reply = await self.engine.open(self.user_id)
        # the brain's first propose pays its lazy set-up (~2.6 s measured); propose is pure, so
        # pay it now, not on the person's first turn
        self._warmup = asyncio.ensure_future(self._warm_engine())
        sentences = getattr(reply, "sentences", None) or []
        if sentences and self._tts is not None:
            await self.render(self.pieces(sentences[0], first=True)[0], getattr(reply, "pace", "normal") or "normal",
                              urgent=True)
        return reply

    async def _warm_engine(self) -> None:
        try:
            async with self._engine_lock:
                await self.engine.propose(self.user_id, "Hello.")
        except Exception:
            log.debug("engine warm-up propose failed", exc_info=True)

    async def greet(self) -> Any:
        """Say the brain's greeting (opening the session first if ``open_session`` was not called)."""
        reply = await self.open_session()
        self.say_reply(reply)
        return reply

    def say_reply(self, reply: Any, *, audio: AsyncIterable[rtc.AudioFrame] | None = None) -> Any:
        """Say an already committed reply (greeting, fixed phrase)."""
        handle = self.session.say(reply.text, audio=audio) if audio is not None else self.session.say(reply.text)
        self._drafts[handle.id] = SpokenReply(reply=reply)
        return handle

    async def drain_commits(self) -> None:
        while self._commits:
            await asyncio.gather(*list(self._commits), return_exceptions=True)

    async def close(self, *, hang_up: bool = True) -> None:
        """Commit what was heard of a reply still playing, then tell the brain the person left."""
        d = self._playing
        if d is not None and not d.finished and self._output is not None:
            pos = getattr(self._output, "position", 0.0)
            self._finish(d, interrupted=True, position=pos)
        for t in self._prepared.values():
            t.cancel()
        self._prepared.clear()
        await self.drain_commits()
        if hang_up:
            with contextlib.suppress(Exception):
                async with self._engine_lock:
                    await self.engine.hang_up(self.user_id)

    # ------------------------------------------------------------------ speculation
    def prepare(self, text: str) -> None:
        """Speculatively propose a reply to ``text`` and pre-render its first sentence."""
        text = text.strip()
        if not text or text in self._prepared:
            return
        if len(self._prepared) > 8:
            for k in list(self._prepared)[:-4]:
                self._prepared.pop(k).cancel()
        task = asyncio.create_task(self._prepare(text))
        task.commit_seq = self._commit_seq  # type: ignore[attr-defined]
        self._prepared[text] = task

    def expectation(self) -> str:
        """What the brain's last question asked for ("mood", "yesno", "name"... or "text")."""
        return self.engine.expects(self.user_id)

    def forget_prepared(self, keep: str | None = None) -> None:
        for k in list(self._prepared):
            if k != keep:
                self._prepared.pop(k).cancel()

    async def _propose(self, text: str) -> Any:
        await self.drain_commits()
        async with self._engine_lock:
            t = time.monotonic()
            turn = await self.engine.propose(self.user_id, text)
            self.last_propose_s = time.monotonic() - t
            return turn

    async def _prepare(self, text: str) -> Any:
        """The proposed turn (resolves as soon as the brain answers); its first pieces are
        rendered in the background, and ``tts_node`` joins those renders."""
        turn = await self._propose(text)
        sentences = turn.reply.sentences
        if sentences and self._tts is not None:
            pace = getattr(turn.reply, "pace", "normal") or "normal"
            pieces = self.pieces(sentences[0], first=True)
            if len(pieces) == 1 and len(sentences) > 1:
                pieces += self.pieces(sentences[1], first=False)[:1]

            async def head() -> None:
                await self.render(pieces[0], pace, urgent=True)
                if len(pieces) > 1:  # the next piece too: no gap after a short head
                    await self.render(pieces[1], pace)

            t = asyncio.ensure_future(head())
            t.add_done_callback(lambda f: f.cancelled() or f.exception())
        return turn

    async def _timed_synth(self, text: str, pace: str, urgent: bool = False) -> Any:
        tts = self._tts or self.session.tts
        t = time.monotonic()
        pcm = await synthesize(tts, text, speed=PACE_SPEED.get(pace, 1.0), urgent=urgent)
        audio_s = len(pcm) / tts.sample_rate
        if audio_s > 0.3:
            self.rtf = 0.7 * self.rtf + 0.3 * min(2.0, (time.monotonic() - t) / audio_s)
        return pcm

    def pieces(self, sentence: str, *, first: bool) -> list[str]:
        """How a sentence is synthesised: at clause commas; and when synthesis is slow (busy
        CPU), the first piece is cut so that it renders in about ``head_budget_s``."""
        key = (sentence, first)
        parts = self._plans.get(key)  # decided once: the prepared head must match what is spoken
        if parts is None:
            budget_words = int(self.head_budget_s / max(self.rtf * 0.33, 1e-3))  # ~0.33 s a word
            parts = speech_pieces(sentence, first=first, max_head_words=budget_words)
            self._plans[key] = parts
            while len(self._plans) > 64:
                self._plans.pop(next(iter(self._plans)))
        return parts

    async def render(self, text: str, pace: str = "normal", *, urgent: bool = False) -> Any:
        """PCM of ``text`` in the active voice: from the cache, from a synthesis already under
        way, or synthesised now (and cached)."""
        pcm = self.phrases.get(text, pace) if self.phrases is not None else None
        if pcm is not None:
            return pcm
        key = (norm_text(text), pace)
        task = self._synth.get(key)
        if task is None:
            task = self._synth[key] = asyncio.ensure_future(self._timed_synth(text, pace, urgent))

            def done(t: asyncio.Future, key=key) -> None:
                self._synth.pop(key, None)
                if not t.cancelled() and t.exception() is None and self.phrases is not None and len(text) < 160:
                    self.phrases.put(text, pace, t.result())  # replies reuse their openers a lot

            task.add_done_callback(done)
        return await asyncio.shield(task)

    async def _turn_for(self, text: str) -> Any:
        task = self._prepared.get(text)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                turn = await asyncio.shield(task)
                # still valid only if the brain committed nothing since it was proposed
                if getattr(task, "commit_seq", -1) == self._commit_seq and not self._commits:
                    return turn
        return await self._propose(text)

    # ------------------------------------------------------------------ nodes
    async def llm_node(self, chat_ctx: llm.ChatContext, tools: list[Any], model_settings: ModelSettings):
        """Stream the brain's reply to the person's last message, sentence by sentence."""
        text = ""
        for item in reversed(chat_ctx.items):
            if getattr(item, "type", None) == "message" and item.role == "user":
                text = (item.text_content or "").strip()
                break
        if not text:
            return
        t_call = time.monotonic()
        turn = await self._turn_for(text)
        draft = SpokenReply(reply=turn.reply, turn=turn, user_text=text, created_at=t_call)
        draft.proposed_at = time.monotonic()
        self._drafts[internals.current_speech_id()] = draft
        while len(self._drafts) > 16:  # speculative drafts that never played
            self._drafts.pop(next(iter(self._drafts)))
        for s in turn.reply.sentences:
            yield s + " "

    async def tts_node(self, text: AsyncIterable[str], model_settings: ModelSettings):
        draft = self._drafts.get(internals.current_speech_id())
        pace = draft.pace if draft is not None else "normal"
        tts = self._tts or self.session.tts
        first = True
        buf = ""

        async def speak(sentence: str):
            nonlocal first
            t_syn = time.monotonic()
            pcm = await self.render(sentence, pace, urgent=first)
            if first and draft is not None:
                draft.first_audio_at = time.monotonic()
                draft.tts_s = draft.first_audio_at - t_syn
            if first:
                pcm = _trim_leading_silence(pcm, tts.sample_rate)
                first = False
            if draft is not None:
                draft.pieces.append((sentence, len(pcm) / tts.sample_rate))
            step = tts.sample_rate // 10  # 100 ms frames
            for i in range(0, len(pcm), step):
                chunk = pcm[i:i + step]
                yield rtc.AudioFrame(chunk.tobytes(), tts.sample_rate, 1, len(chunk))

        async def speak_sentence(sentence: str):
            for part in self.pieces(sentence, first=first):
                async for f in speak(part):
                    yield f

        async for chunk in text:
            buf += chunk
            done, buf = _split_complete(buf)
            for s in done:
                async for f in speak_sentence(s):
                    yield f
        if buf.strip():
            async for f in speak_sentence(buf.strip()):
                yield f

    async def stt_node(self, audio: AsyncIterable[rtc.AudioFrame], model_settings: ModelSettings):
        async for ev in Agent.default.stt_node(self, audio, model_settings):
            if self.on_stt_event is not None:
                try:
                    self.on_stt_event(ev)
                except Exception:
                    log.exception("turn-taker failed on an STT event")
            yield ev

    # ------------------------------------------------------------------ playback → brain
    def _on_playback_started(self, ev: io.PlaybackStartedEvent) -> None:
        sp = self.session.current_speech
        draft = self._drafts.get(sp.id) if sp is not None else None
        if draft is None or draft.started_at is not None:
            return
        draft.started_at = time.time()
        self._playing = draft
        self._emit("reply_text", text=draft.reply.text, phase=getattr(draft.reply, "phase", None),
                   modality=getattr(draft.reply, "modality", None), pace=draft.pace,
                   user_text=draft.user_text)
        now = time.monotonic()
        timing = {}
        if draft.proposed_at is not None:
            timing["propose_s"] = round(draft.proposed_at - draft.created_at, 3)
        if draft.tts_s is not None:
            timing["tts_s"] = round(draft.tts_s, 3)
        if draft.first_audio_at is not None:
            timing["queue_s"] = round(now - draft.first_audio_at, 3)
        timing["since_llm_node_s"] = round(now - draft.created_at, 3)
        timing["engine_propose_s"] = round(self.last_propose_s, 3)
        timing["rtf"] = round(self.rtf, 3)
        self._emit("reply_audio_start", **timing)
        self._emit_brain_events(draft, draft.reply)

    def _on_playback_finished(self, ev: io.PlaybackFinishedEvent) -> None:
        draft = self._playing
        if draft is None or draft.finished:
            return
        self._finish(draft, interrupted=ev.interrupted, position=ev.playback_position)

    def _finish(self, draft: SpokenReply, *, interrupted: bool, position: float) -> None:
        draft.finished = True
        self._playing = None
        for k, d in list(self._drafts.items()):
            if d is draft:
                del self._drafts[k]
        heard = heard_text(draft.pieces, position) if interrupted else None
        if interrupted:
            self._emit("interrupted", heard=heard, position=round(position, 3), text=draft.reply.text)
        if draft.turn is None:  # greeting/fixed phrase: the brain already has it
            self._after_reply(draft, interrupted)
            return
        if interrupted and position < self.min_heard_s:
            # nothing meaningful reached the person: as if never said
            self._emit("reply_dropped", position=round(position, 3), user_text=draft.user_text)
            if self.on_undelivered is not None:
                self.on_undelivered(draft)
            return
        self._commit_seq += 1
        self.forget_prepared()
        task = asyncio.get_running_loop().create_task(self._commit(draft, heard, interrupted))
        self._commits.add(task)
        task.add_done_callback(self._commits.discard)

    async def _commit(self, draft: SpokenReply, heard: str | None, interrupted: bool = False) -> None:
        try:
            async with self._engine_lock:
                reply = await self.engine.commit(draft.turn, heard=heard)
        except Exception as e:
            log.exception("engine.commit failed")
            self._emit("error", where="engine.commit", message=str(e))
            return
        if reply is not None:
            self._emit_brain_events(draft, reply)
            draft.reply = reply
        self._after_reply(draft, interrupted)

    def _after_reply(self, draft: SpokenReply, interrupted: bool = False) -> None:
        if draft.exercise is not None and not interrupted and self.on_exercise is not None:
            self.on_exercise(draft.exercise)
        if getattr(draft.reply, "ended", False) and not self.ended:
            self.ended = True
            self._emit("session_end")
            if self.on_ended is not None:
                self.on_ended()

    def _emit_brain_events(self, draft: SpokenReply, reply: Any) -> None:
        for e in getattr(reply, "events", None) or []:
            data = e.model_dump() if hasattr(e, "model_dump") else dict(e)
            key = repr(sorted(data.items(), key=lambda kv: kv[0]))
            if key in draft.emitted:
                continue
            draft.emitted.add(key)
            etype = data.pop("type", "event")
            if etype == "exercise":
                draft.exercise = data
            self._emit(etype, **data)


def _trim_leading_silence(pcm: np.ndarray, rate: int, threshold: int = 300, keep_s: float = 0.02) -> np.ndarray:
    """Drop the synthesiser's leading silence (it is pure latency), keeping ``keep_s``."""
    if not len(pcm):
        return pcm
    idx = np.flatnonzero(np.abs(pcm) > threshold)
    if not len(idx):
        return pcm
    start = max(0, int(idx[0]) - int(keep_s * rate))
    return pcm[start:]


class NoLLM(llm.LLM):
    """AgentSession needs an LLM object; Attune's replies never come from it."""

    @property
    def model(self) -> str:
        return "attune-brain"

    @property
    def provider(self) -> str:
        return "attune"

    def chat(self, **kwargs: Any) -> Any:
        raise RuntimeError("NoLLM.chat() called: Attune's replies must come from TherapistAgent.llm_node "
                           "(dialogue.SessionEngine); something bypassed the agent")


__all__ = ["TherapistAgent", "NoLLM", "SpokenReply", "heard_text", "norm_text"]
