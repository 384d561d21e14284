"""The phone door: a SIP user agent server (``attune sip``) whose calls run through the voice loop.

Built on aiosipua (SIP over UDP) and aiortp (RTP/RTCP). The door only adapts audio:

* **In.** G.711 µ-law/A-law at 8 kHz → decoded by aiortp (arrival-driven, ``skip_audio_gaps`` and
  a one-frame prefetch: a lost packet is concealed and skipped, never waited for) → resampled to
  16 kHz (the VAD's and Whisper's rate) with ``voice.audio.Resampler``, the project's one
  resampler (streaming: the filter state is kept between packets) → a ``QueueAudioInput``. When
  the caller sends nothing (DTX, hold, the end of sipp's file) the door feeds 20 ms of silence per
  20 ms, so the turn-taker still sees the turn end.
* **Out.** The loop's ``PacedAudioOutput`` runs at 8 kHz (the framework resamples the TTS to the
  sink's rate, as for the browser door) and releases one 20 ms frame when it is due; the door
  encodes it and sends it at once as one RTP packet. Between replies the door sends G.711 silence
  20 ms after the last packet, so the stream is continuous; RTP timestamps follow a nominal 20 ms
  clock (a stall becomes a timestamp jump, never a shift).

Call handling: INVITE → 100/180/200 with an SDP answer; ACK; BYE both ways; CANCEL (487);
OPTIONS; retransmitted INVITE/BYE/CANCEL get the same answer again (de-duplicated by Call-ID,
Via branch and method); Record-Route is copied into 18x/2xx (:class:`_RecordRouteDialog`, the one
seam patched in aiosipua); codecs are chosen by name (PCMU, PCMA at 8 kHz) and the offered
telephone-event payload type is mirrored; 488 without a usable codec; 486 when ``max_calls``
calls are up; 403 for a source outside the allow-list (default: loopback only); a request that
cannot be parsed is dropped, one missing mandatory headers gets 400, and the process never dies.

Without a screen: the call opens with a line saying how to reach a crisis line and that 0 repeats
them; DTMF (RFC 4733) ``0`` says the crisis resources (digit by digit, with pauses) at any moment,
``*`` repeats the last thing Attune said.

Identity by caller number, only with consent (:class:`PhoneIdentity`): every call is anonymous
(``sip-<random>``) unless its caller agreed to be remembered. When the caller is a number
(P-Asserted-Identity, else From), the intro offers ``REMEMBER_OFFER`` ("press 1"); pressing 1
records consent as HMAC-SHA256(number) under a server key (``<data_dir>/phone_identity.key``, 0600,
created on first use) in ``<data_dir>/phone_identity.consent``; from the next call on that number
talks under ``tel-<hash>``, so the brain recalls its last session. 1 again, or 9, withdraws the
consent, and the memory kept under that id is deleted once the call is saved. The number itself is
never stored nor logged. (The call in which consent is given stays anonymous: its session was
opened before the key was pressed.)
"""
from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import re
import time
import uuid
from typing import Any

import numpy as np

from attune.dialogue.settings import SipOptions
from attune.voice import internals

log = logging.getLogger("attune.sip")

FRAME_S = 0.020
RATE = 8000
SAMPLES = 160          # one 20 ms G.711 frame
LOOP_INPUT_RATE = 16_000
_STATIC_PT = {"PCMU": 0, "PCMA": 8}


# ---------------------------------------------------------------------------------------------
# SDP: codec by name


def choose_codec(offer: Any, accepted: list[str]) -> tuple[int, str, int | None] | None:
    """(payload type, codec name, telephone-event payload type or None) from an SDP offer: the
    first offered codec (by name, at 8 kHz) we accept, in the offer's order; None if none."""
    audio = offer.audio if offer is not None else None
    if audio is None or not audio.port:
        return None
    ok = {c.upper() for c in accepted}
    chosen = None
    te = None
    for c in audio.codecs:
        name = (c.encoding_name or "").upper()
        if name == "TELEPHONE-EVENT" and (c.clock_rate or RATE) == RATE and te is None:
            te = c.payload_type
        elif chosen is None and name in ok and name in _STATIC_PT and (c.clock_rate or RATE) == RATE:
            chosen = (c.payload_type, name)
    if chosen is None:
        return None
    return chosen[0], chosen[1], te


def _media_addr_ok(addr: tuple[str, int] | None) -> bool:
    """An IP literal and a port: a host name in the SDP would make the RTP socket resolve it."""
    if addr is None or not 0 < int(addr[1]) < 65536:
        return False
    try:
        ip = ipaddress.ip_address(addr[0])
    except ValueError:
        return False
    return not (ip.is_unspecified or ip.is_multicast)


def _allowed(addr: str, nets: list[Any]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    if not nets:
        return ip.is_loopback
    return any(ip in n for n in nets)


# ---------------------------------------------------------------------------------------------
# speech without a screen


def spaced_digits(text: str) -> str:
    """Digits said one by one with a short pause: "9 8 8" / "988" → "9, 8, 8"."""
    def one(m: re.Match[str]) -> str:
        return ", ".join(re.sub(r"\D", "", m.group(0)))

    return re.sub(r"\d(?:[ \-]?\d)+", one, text)


def crisis_lines(engine: Any, settings: Any) -> tuple[str, str]:
    """(full crisis-resources text, short line for the greeting) from the engine's protocols
    (``protocols/crisis.yaml`` for ``settings.locale``)."""
    res, emergency = engine.crisis_resources(), engine.emergency_number()
    lines = [r for r in res if "emergency" not in r.name.lower()]
    parts = [f"If you are in danger, call {spaced_digits(emergency)}."]
    for r in lines:
        name = r.name if r.name.lower().startswith("the ") else f"the {r.name}"
        parts.append(f"You can reach {name}: {spaced_digits(r.text)}.")
    full = " ".join(parts) + " Press 0 at any time to hear this again."
    first = lines[0] if lines else None
    if first is not None:
        name = first.name if first.name.lower().startswith("the ") else f"the {first.name}"
        short = f"If you need a person right now, you can reach {name}: {spaced_digits(first.text)}."
    else:
        short = parts[0]
    return full, short


# ---------------------------------------------------------------------------------------------
# identity by caller number, only with the caller's consent

REMEMBER_KEY = "1"   # DTMF: remember me when I call from this number (again: forget me)
FORGET_KEY = "9"     # DTMF: forget me
REMEMBER_OFFER = "If you'd like me to remember you when you call from this number, press 1."
FORGET_OFFER = "I remember this number. Press 9 if you'd like me to forget it."
REMEMBERED_LINE = ("Thank you. I'll remember you when you call from this number. "
                   "Press 9 at any time if you'd like me to forget it.")
FORGOTTEN_LINE = "All right. I won't remember you when you call from this number."
KEY_FILE = "phone_identity.key"
CONSENT_FILE = "phone_identity.consent"
_NUMBER_CHARS = re.compile(r"^\+?[0-9().\- ]+$")


def caller_number(sip: Any) -> str | None:
    """The caller's number (digits, with a leading + if given) from P-Asserted-Identity or From, or
    None when the caller is not a number (``sip:alice@...``, anonymous, withheld)."""
    try:
        values = list(sip.invite.headers.get("p-asserted-identity") or [])
    except Exception:
        values = []
    try:
        values.append(sip.invite.headers.get_first("from") if hasattr(sip.invite.headers, "get_first")
                      else sip.invite.headers.get("from")[0])
    except Exception:
        pass
    for v in values:
        m = re.search(r"<?\s*(?:sips?|tel):([^@;>]+)", str(v or ""), re.I)
        if not m:
            continue
        user = m.group(1).strip()
        if not _NUMBER_CHARS.match(user):
            continue
        digits = re.sub(r"\D", "", user)
        if len(digits) < 3 or len(digits) > 20:
            continue
        return ("+" if user.startswith("+") else "") + digits
    return None


class PhoneIdentity:
    """Caller numbers as keyed hashes (HMAC-SHA256 under a server key kept 0600 in the data dir,
    created on first use), and the set of hashes whose caller agreed to be remembered. The number
    itself is never stored nor logged."""

    def __init__(self, data_dir: Any) -> None:
        from pathlib import Path

        self.dir = Path(data_dir)
        self.key_path = self.dir / KEY_FILE
        self.consent_path = self.dir / CONSENT_FILE
        self._key: bytes | None = None

    def _load_key(self) -> bytes:
        import os
        import secrets

        if self._key is None:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not self.key_path.exists():
                # written whole under a temporary name, then linked: a concurrent first use never
                # reads a half-written key, and the first one wins
                tmp = self.key_path.with_name(f".{KEY_FILE}.{uuid.uuid4().hex[:8]}")
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                try:
                    with os.fdopen(fd, "wb") as f:
                        f.write(secrets.token_bytes(32))
                        f.flush()
                        os.fsync(f.fileno())
                    with contextlib.suppress(FileExistsError):
                        os.link(tmp, self.key_path)
                finally:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
            self._key = self.key_path.read_bytes()
            if len(self._key) < 16:
                raise RuntimeError(f"{self.key_path} is damaged (too short)")
        return self._key

    def hash(self, number: str) -> str:
        import hashlib
        import hmac

        return hmac.new(self._load_key(), number.encode(), hashlib.sha256).hexdigest()

    def user_id(self, h: str) -> str:
        return f"tel-{h[:32]}"

    def _read(self) -> set[str]:
        try:
            return {ln.strip() for ln in self.consent_path.read_text().splitlines() if ln.strip()}
        except FileNotFoundError:
            return set()

    def consented(self, h: str) -> bool:
        return h in self._read()

    def set_consent(self, h: str, yes: bool) -> None:
        import os

        hashes = self._read()
        if (h in hashes) == yes:
            return
        hashes = hashes | {h} if yes else hashes - {h}
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.consent_path.with_name(self.consent_path.name + f".{uuid.uuid4().hex[:6]}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("".join(x + "\n" for x in sorted(hashes)))
        os.replace(tmp, self.consent_path)


# ---------------------------------------------------------------------------------------------
# one call


class _Call:
    """One phone call: its RTP session, audio adaptation and voice loop."""

    def __init__(self, door: _Door, call: Any, codec: tuple[int, str, int | None]) -> None:
        self.door = door
        self.sip = call
        self.call_id = call.call_id
        self.pt, self.codec_name, self.te_pt = codec
        self.user_id = f"sip-{uuid.uuid4().hex[:12]}"   # anonymous unless the caller agreed
        self.number_hash: str | None = None
        self.remembered = False          # this call runs under the caller's hashed id
        self.forget = False              # consent withdrawn during a remembered call: delete at the end
        try:
            number = caller_number(call)
            if number is not None:
                self.number_hash = door.identity.hash(number)
                del number
                if door.identity.consented(self.number_hash):
                    self.user_id = door.identity.user_id(self.number_hash)
                    self.remembered = True
        except Exception:
            log.exception("caller identity failed on %s: the call stays anonymous", self.call_id)
            self.number_hash = None
        self.rtp: Any = None
        self.vl: Any = None
        self.inp: Any = None
        self.out: Any = None
        self.answered = False
        self.gone = asyncio.Event()      # the caller hung up / cancelled / the call failed
        self.why = ""
        self.task: asyncio.Task[None] | None = None
        self.last_said = ""
        self._resampler: Any = None
        self._ts = 0
        self._tx_t: float | None = None   # nominal time of the last packet sent (its RTP clock)
        self._last_rx = 0.0
        self._any_rx = 0.0
        self._silence: bytes = b""
        self.tx_packets = 0
        self.rx_frames = 0
        self.dtmf: list[str] = []

    # ---- audio in
    def _on_audio(self, pcm: bytes, timestamp: int) -> None:
        now = time.monotonic()
        self._last_rx = self._any_rx = now
        if self.inp is None or not pcm:
            return
        out = self._resampler.pcm(np.frombuffer(pcm, np.int16), RATE)
        if len(out):
            self.inp.push_pcm(out)
            self.rx_frames += 1

    def _on_dtmf(self, digit: str, duration: int) -> None:
        self._any_rx = time.monotonic()
        self.dtmf.append(digit)
        self.door.event(self, {"type": "dtmf", "digit": digit})
        vl = self.vl
        if vl is None or not self.answered:
            return
        o = self.door.opts
        if digit == o.crisis_key:
            self._say(self.door.crisis_full, why="crisis resources")
        elif digit == o.repeat_key and self.last_said:
            self._say(self.last_said, why="repeat")
        elif digit in (REMEMBER_KEY, FORGET_KEY) and self.number_hash is not None:
            self._consent_key(digit)

    def _consent_key(self, digit: str) -> None:
        """1: remember this number from the next call on (1 again: forget it); 9: forget it."""
        ident = self.door.identity
        try:
            agreed = ident.consented(self.number_hash)
            yes = digit == REMEMBER_KEY and not agreed
            ident.set_consent(self.number_hash, yes)
        except Exception:
            log.exception("recording consent failed on %s", self.call_id)
            return
        # the memory of a remembered caller who withdraws is deleted when this call has been saved
        self.forget = not yes and self.remembered
        self.door.event(self, {"type": "consent", "remember": yes})
        self._say(REMEMBERED_LINE if yes else FORGOTTEN_LINE, why="remember" if yes else "forget")

    def _say(self, text: str, *, why: str) -> None:
        """Stop what is playing (it counts as heard up to here) and say ``text`` now."""
        vl = self.vl
        vl.interrupt()
        with contextlib.suppress(Exception):
            vl.say(text)
        self.door.event(self, {"type": "door_say", "why": why, "text": text})

    # ---- audio out
    def _send(self, payload: bytes, at: float | None = None) -> None:
        """One RTP packet. Its timestamp follows a nominal clock: a frame that continues the
        stream (sent within 1.5 frames of the last) is the next 20 ms, even if a busy event loop
        delivers it late or in a short burst; after a pause the clock jumps to now, so silence
        skipped by a stall is a timestamp jump, never a shift (RFC 3550)."""
        now = time.monotonic() if at is None else at
        last = self._tx_t
        if last is None:
            t = now
        elif now - last < 1.5 * FRAME_S:
            t = last + FRAME_S
            self._ts = (self._ts + SAMPLES) & 0xFFFFFFFF
        else:
            steps = max(1, round((now - last) / FRAME_S))
            t = last + steps * FRAME_S
            self._ts = (self._ts + steps * SAMPLES) & 0xFFFFFFFF
        self._tx_t = t
        self.rtp.send_audio(payload, self._ts)
        self.tx_packets += 1

    def _on_frame(self, frame: Any) -> None:
        if self.rtp is None or self.gone.is_set():
            return
        pcm = bytes(frame.data)
        self._send(self.rtp.codec.encode(pcm))

    def _on_clear(self) -> None:
        pass  # each frame is sent when due: nothing is queued on this side

    async def _tx_clock(self) -> None:
        """G.711 silence 20 ms after the last packet whenever no reply is being played (a
        continuous stream: trunks, NATs and PBX media timeouts expect one)."""
        while not self.gone.is_set():
            last = self._tx_t
            if last is None:
                await asyncio.sleep(FRAME_S)
                continue
            due = last + FRAME_S
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._tx_t != last or self.gone.is_set():
                continue  # the sink sent a frame meanwhile
            now = time.monotonic()
            if self.out is not None and self.out.playing and now - last < 3 * FRAME_S:
                await asyncio.sleep(0.01)  # a reply is playing: its next frame is due any moment
                continue
            try:
                # on the 20 ms grid unless a stall made it a whole frame late (then: from now on)
                self._send(self._silence, at=due if now - due < FRAME_S else now)
            except Exception:
                log.exception("sending silence failed on %s", self.call_id)

    async def _rx_clock(self) -> None:
        """Silence to the loop when the caller sends no audio (DTX, hold, a lost stream), so the
        turn-taker sees the end of a turn; hang up when the stream is dead."""
        loop = asyncio.get_running_loop()
        o = self.door.opts
        deadline = loop.time()
        silence16k = np.zeros(LOOP_INPUT_RATE // 50, np.int16)
        while not self.gone.is_set():
            deadline += FRAME_S
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            if loop.time() - deadline > 0.2:
                deadline = loop.time()  # the loop stalled: do not burst to catch up
            now = time.monotonic()
            try:
                if self.inp is not None and now - self._last_rx >= o.rx_silence_after_s:
                    self.inp.push_pcm(silence16k)
                if o.rtp_timeout_s and self.answered and now - self._any_rx > o.rtp_timeout_s:
                    self.end("no RTP from the caller")
            except Exception:
                log.exception("media clock tick failed on %s", self.call_id)

    # ---- lifecycle
    def end(self, why: str) -> None:
        if not self.gone.is_set():
            self.why = why
            self.gone.set()

    async def run(self) -> None:
        from aiortp import RTPSession, get_codec

        from attune.voice.loop.audio_io import PacedAudioOutput, QueueAudioInput
        from attune.voice.audio import Resampler
        from attune.voice.loop.voice_loop import build_voice_loop

        door, sip = self.door, self.sip
        clocks: list[asyncio.Task[None]] = []
        hang_up_ourselves = False
        try:
            remote = sip.sdp_offer.rtp_address
            codec = get_codec(_STATIC_PT[self.codec_name])
            self.rtp = await RTPSession.create(
                local_addr=(door.bind_host, 0), remote_addr=remote, payload_type=self.pt, codec=codec,
                dtmf_payload_type=self.te_pt if self.te_pt is not None else -1,
                jitter_capacity=16, jitter_prefetch=1, skip_audio_gaps=True, plc=True,
                symmetric_rtp=door.opts.symmetric_rtp, port_allocator=door.ports, cname="attune")
            self._ts = int.from_bytes(uuid.uuid4().bytes[:4], "big")
            self._silence = codec.encode(np.zeros(SAMPLES, np.int16).tobytes())
            self._resampler = Resampler(LOOP_INPUT_RATE)
            self.rtp.on_audio = self._on_audio
            self.rtp.on_dtmf = self._on_dtmf
            rtp_port = internals.rtp_port(self.rtp)
            self._last_rx = self._any_rx = time.monotonic()

            self.inp = QueueAudioInput(sample_rate=LOOP_INPUT_RATE, num_channels=1, label="SipInput")
            self.out = PacedAudioOutput(sample_rate=RATE, num_channels=1, on_frame=self._on_frame,
                                        on_clear=self._on_clear, label="SipOutput")
            self.vl = build_voice_loop(door.settings, door.engine, user_id=self.user_id, audio_input=self.inp,
                                       audio_output=self.out, on_event=lambda ev: door.event(self, ev),
                                       echo_cancelled=True, models=door.models,
                                       greet=not door.opts.spoken_intro)
            door.event(self, {"type": "loop_built"})  # for an observer (the bench): the call's loop exists
            clocks = [asyncio.create_task(self._rx_clock(), name=f"sip-rx-{self.call_id}"),
                      asyncio.create_task(self._tx_clock(), name=f"sip-tx-{self.call_id}")]
            if not self.gone.is_set():
                sip.ringing()
                await self.vl.prepare()  # brain session + first words of the greeting, while it rings
            if self.gone.is_set():
                return
            from aiosipua import negotiate_sdp

            answer, _ = negotiate_sdp(sip.sdp_offer, door.bind_host, rtp_port, supported_codecs=[self.pt],
                                      dtmf_payload_type=self.te_pt or 0, advertised_ip=door.advertised_host,
                                      session_name="Attune")
            sip.accept(answer)
            self.answered = True
            self._send(self._silence)  # the stream starts with the answer
            door.event(self, {"type": "answered", "codec": self.codec_name, "pt": self.pt,
                              "telephone_event": self.te_pt, "rtp_port": rtp_port,
                              "identified": self.remembered, "user_id": self.user_id,
                              "offer": None if self.number_hash is None else ("forget" if self.remembered else "remember")})
            await self.vl.start()
            if door.opts.spoken_intro:
                intro = door.crisis_intro
                if self.number_hash is not None:
                    intro = f"{intro} {FORGET_OFFER if self.remembered else REMEMBER_OFFER}"
                self.vl.say(intro)
                greeting = await self.vl.greet()
                door.event(self, {"type": "greeting", "text": getattr(greeting, "text", "")})
            waiters = [asyncio.create_task(self.gone.wait()), asyncio.create_task(self.vl.ended.wait())]
            if door.stop is not None:
                waiters.append(asyncio.create_task(door.stop.wait()))
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for t in waiters:
                    t.cancel()
            if not self.gone.is_set():  # the session ended, or the server stops: our BYE
                hang_up_ourselves = True
                if self.vl.ended.is_set():
                    idle = asyncio.create_task(self.vl.wait_idle(timeout=door.opts.end_grace_s))
                    gone = asyncio.create_task(self.gone.wait())
                    await asyncio.wait([idle, gone], return_when=asyncio.FIRST_COMPLETED)
                    idle.cancel()
                    gone.cancel()
                self.end("session ended" if self.vl.ended.is_set() else "server stopping")
        except Exception as e:
            log.exception("call %s failed", self.call_id)
            self.end(f"error: {e}")
            if not self.answered:
                with contextlib.suppress(Exception):
                    sip.reject(500, "Server Internal Error")
            else:
                hang_up_ourselves = True
        finally:
            if hang_up_ourselves and self.answered and not door.bye_from_caller(self):
                with contextlib.suppress(Exception):
                    sip.hangup()
                    internals.forget_sip_call(door.uas, self.call_id)
            self.gone.set()
            await self._close(clocks)

    async def _close(self, clocks: list[asyncio.Task[None]]) -> None:
        for clock in clocks:
            clock.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await clock
        if self.inp is not None:
            self.inp.close()
        if self.vl is not None:
            try:
                await self.vl.aclose()  # commits what was heard, then engine.hang_up saves the session
            except Exception:
                log.exception("closing the voice loop failed on %s", self.call_id)
        if self.forget and self.remembered and not self.door.identity.consented(self.number_hash or ""):
            try:
                await asyncio.to_thread(self.door.engine.store.delete_user, self.user_id)
                self.door.event(self, {"type": "forgotten"})
            except Exception:
                log.exception("forgetting the caller failed on %s", self.call_id)
        if self.out is not None:
            with contextlib.suppress(Exception):
                await self.out.aclose()
        if self.rtp is not None:
            stats = {}
            with contextlib.suppress(Exception):
                stats = dict(self.rtp.stats)
            with contextlib.suppress(Exception):
                await self.rtp.close()
            with contextlib.suppress(Exception):
                if internals.rtp_port(self.rtp) is not None:
                    await self.door.ports.release(internals.rtp_port(self.rtp))
            self.door.event(self, {"type": "call_end", "why": self.why, "tx_packets": self.tx_packets,
                                   "rx_frames": self.rx_frames,
                                   "rtp": {k: v for k, v in stats.items() if isinstance(v, int | float)}})
        else:
            self.door.event(self, {"type": "call_end", "why": self.why})


# ---------------------------------------------------------------------------------------------
# the door


class _Door:
    def __init__(self, settings: Any, engine: Any, opts: SipOptions, models: Any, stop: asyncio.Event | None,
                 observer: Any = None) -> None:
        from aiortp import PortAllocator

        self.observer = observer

        self.settings = settings
        self.engine = engine
        self.opts = opts
        self.models = models
        self.stop = stop
        self.bind_host = opts.host
        adv = opts.public_addr or opts.host
        if adv in ("0.0.0.0", "::", ""):
            log.warning("bound to %s without --public-addr: advertising 127.0.0.1 in Contact and SDP", opts.host)
            adv = "127.0.0.1"
        self.advertised_host = adv
        self.ports = PortAllocator((opts.rtp_port_min, opts.rtp_port_max))
        self.nets = [ipaddress.ip_network(n, strict=False) for n in opts.allow_from]
        self.identity = PhoneIdentity(settings.data_dir)
        self.calls: dict[str, _Call] = {}
        self._bye_from_caller: set[str] = set()
        self.crisis_full, short = crisis_lines(engine, settings)
        self.crisis_intro = (f"Hello, this is Attune. {short} "
                             f"Press {opts.crisis_key} at any time to hear crisis lines, "
                             f"and {'star' if opts.repeat_key == '*' else opts.repeat_key} to hear me again.")
        self.uas: Any = None

    def event(self, call: _Call, ev: dict) -> None:
        if self.observer is not None:
            try:
                self.observer(call, ev)
            except Exception:
                log.debug("observer failed", exc_info=True)
        t = ev.get("type")
        if t == "reply_text" and ev.get("text"):
            call.last_said = ev["text"]
        if t in ("transcript_final", "reply_text", "dtmf", "door_say", "answered", "call_end", "session_end",
                 "interrupted", "crisis", "error", "consent", "forgotten", "greeting"):
            log.info("sip %s %s %s", call.call_id, t, {k: v for k, v in ev.items() if k not in ("type", "t")})

    def bye_from_caller(self, call: _Call) -> bool:
        return call.call_id in self._bye_from_caller

    # ---- aiosipua callbacks
    def on_invite(self, sip: Any) -> None:
        try:
            self._on_invite(sip)
        except Exception:
            log.exception("INVITE handling failed")
            with contextlib.suppress(Exception):
                sip.reject(500, "Server Internal Error")

    def _on_invite(self, sip: Any) -> None:
        internals.use_record_route(sip)
        src = sip.source_addr[0]
        if not _allowed(src, self.nets):
            log.warning("INVITE from %s refused (not in the allow-list)", src)
            sip.reject(403, "Forbidden")
            return
        if len(self.calls) >= self.opts.max_calls:
            log.info("INVITE %s: busy (%d calls)", sip.call_id, len(self.calls))
            sip.reject(486, "Busy Here")
            return
        codec = choose_codec(sip.sdp_offer, self.opts.codecs)
        if codec is None or not _media_addr_ok(sip.sdp_offer.rtp_address):
            log.info("INVITE %s: no usable codec or media address in the offer", sip.call_id)
            sip.reject(488, "Not Acceptable Here")
            return
        call = _Call(self, sip, codec)
        self.calls[sip.call_id] = call
        call.task = asyncio.get_running_loop().create_task(call.run(), name=f"sip-call-{sip.call_id}")
        call.task.add_done_callback(lambda t, cid=sip.call_id: self._done(cid, t))

    def _done(self, call_id: str, task: asyncio.Task[None]) -> None:
        self.calls.pop(call_id, None)
        self._bye_from_caller.discard(call_id)
        if not task.cancelled() and task.exception() is not None:
            log.error("call %s task failed: %r", call_id, task.exception())

    def on_bye(self, sip: Any, request: Any) -> None:
        call = self.calls.get(sip.call_id)
        if call is not None:
            self._bye_from_caller.add(sip.call_id)
            call.end("caller hung up")

    def on_cancel(self, request: Any, addr: tuple[str, int]) -> None:
        call = self.calls.get(request.call_id or "")
        if call is not None:
            call.end("caller cancelled")

    def on_ack_timeout(self, sip: Any) -> None:
        call = self.calls.get(sip.call_id)
        if call is not None:
            call.end("no ACK")

    def on_reinvite(self, sip: Any) -> None:
        """A re-INVITE (refresh, hold): answer with the same SDP; follow a new remote address."""
        call = self.calls.get(sip.call_id)
        try:
            if call is not None and call.rtp is not None and sip.sdp_offer is not None:
                addr = sip.sdp_offer.rtp_address
                if addr is not None and addr[1]:
                    call.rtp.update_remote(addr)
            sip.accept(sip.sdp_answer)
        except Exception:
            log.exception("re-INVITE failed")
            with contextlib.suppress(Exception):
                internals.sip_error(self.uas, sip.invite, 500, "Server Internal Error")


async def run_sip(settings: Any, engine: Any, *, host: str | None = None, port: int | None = None,
                  rtp_ports: tuple[int, int] | None = None, public_addr: str | None = None,
                  max_calls: int | None = None, ready: asyncio.Event | None = None, stop: asyncio.Event | None = None,
                  models: Any = None, observer: Any = None) -> int:
    """``attune sip``: answer SIP calls on ``host:port`` (UDP) until ``stop`` is set (or the task
    is cancelled); returns the exit code (2 when the port cannot be bound).

    ``engine`` is the already-built ``dialogue.engine.SessionEngine`` every call talks to;
    ``ready`` is set once the socket is bound and the models and fixed phrases are loaded;
    ``models`` are the shared ``voice.speech.models.Models`` (default: ``get_models(settings)``).
    The keyword arguments win over ``settings.sip`` (``ATTUNE_SIP__<FIELD>``). ``observer(call, event)``,
    if given, sees every event of every call (the bench uses it: ``call.call_id``, ``call.vl``)."""
    import sys

    given = {"host": host, "port": port, "public_addr": public_addr, "max_calls": max_calls,
             "rtp_port_min": rtp_ports[0] if rtp_ports else None, "rtp_port_max": rtp_ports[1] if rtp_ports else None}
    opts = settings.sip.model_copy(update={k: v for k, v in given.items() if v is not None})
    from attune.voice.speech.models import get_models
    from attune.voice.loop.speech_text import shared_phrase_cache
    from attune.voice.speech.tts import PiperTTS

    models = models or await asyncio.to_thread(get_models, settings)
    tts = PiperTTS(models=models)
    await shared_phrase_cache(tts, settings.phrases_manifest).prerender(tts)

    door = _Door(settings, engine, opts, models, stop, observer)
    transport = internals.sip_transport((opts.host, opts.port))
    uas = internals.sip_server(transport, user_agent=opts.user_agent, advertised_addr=(door.advertised_host, opts.port))
    door.uas = uas
    uas.on_invite = door.on_invite
    uas.on_bye = door.on_bye
    uas.on_cancel = door.on_cancel
    uas.on_ack_timeout = door.on_ack_timeout
    uas.on_reinvite = door.on_reinvite
    try:
        await uas.start()
    except OSError as e:
        print(f"attune sip: cannot listen on {opts.host}:{opts.port}/udp: {e}", file=sys.stderr)
        return 2
    log.info("attune sip: listening on %s:%d/udp (advertised %s, RTP %d-%d, max %d calls)", opts.host, opts.port,
             door.advertised_host, opts.rtp_port_min, opts.rtp_port_max, opts.max_calls)
    if ready is not None:
        ready.set()
    try:
        if stop is not None:
            await stop.wait()
        else:
            await asyncio.Event().wait()
    finally:
        calls = list(door.calls.values())
        for c in calls:
            if not c.gone.is_set() and c.answered:
                with contextlib.suppress(Exception):
                    c.sip.hangup()
                    internals.forget_sip_call(uas, c.call_id)
            c.end("server stopping")
        tasks = [c.task for c in calls if c.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=20.0)
        with contextlib.suppress(Exception):
            await uas.stop()
    return 0


__all__ = ["SipOptions", "run_sip", "choose_codec", "crisis_lines", "spaced_digits"]
