"""Stand-ins the fuzzers' apps share: the brain's surface the web door uses, a store, and an offer
answer that stops after the checks (no peer connection: fuzzed candidates never get STUN)."""
from __future__ import annotations

import secrets
import time
from types import SimpleNamespace
from typing import Any

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the one fake engine, shared with the web tests
from web_fakes import FakeEngine  # noqa: E402,F401

ANSWER_SDP = ("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
              "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n")


class FakeStore:
    """In memory, no disk: what the web API calls of ``dialogue.memory``'s store."""

    def __init__(self) -> None:
        self.users: set[str] = set()

    def get_user(self, user_id: str):
        return {"id": user_id} if user_id in self.users else None

    def list_sessions(self, user_id: str) -> list:
        return []

    def export_user(self, user_id: str) -> dict:
        if user_id not in self.users:
            raise KeyError(user_id)
        return {"format": "attune-export", "version": 1, "exported_at": time.time(), "user": user_id, "sessions": []}

    def delete_user(self, user_id: str) -> bool:
        existed = user_id in self.users
        self.users.discard(user_id)
        return existed


def fake_answer(check_offer):
    """A ``CallManager.answer`` that runs the server's offer checks — ``check_offer`` and aiortc's
    own parse (``setRemoteDescription`` errors become ``BadOffer``) — then answers without a peer
    connection."""
    from aiortc.sdp import SessionDescription

    from attune.web.calls import BadOffer

    async def answer(self, user_id: str, offer_sdp: Any, *, ip: str | None = None):
        sdp = check_offer(offer_sdp, self.ice)
        try:
            desc = SessionDescription.parse(sdp)
        except Exception as exc:  # noqa: BLE001 — as CallManager.answer does
            raise BadOffer(f"could not use the offer: {exc}") from None
        if not any(m.kind == "audio" for m in desc.media):
            raise BadOffer("the offer has no audio")
        return SimpleNamespace(id=secrets.token_urlsafe(12)), ANSWER_SDP

    return answer
