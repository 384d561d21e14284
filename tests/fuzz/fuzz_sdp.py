"""atheris: the SDP offer filter of the browser door (``web.calls.check_offer``).

``python tests/fuzz/fuzz_sdp.py [-max_total_time=N] [-runs=N] [CORPUS_DIR ...]``
(no corpus dir given: the seeds in tests/fuzz/corpus/sdp are used, read-only).

The input bytes are the offer's text (invalid UTF-8 becomes lone surrogates, as JSON can send).
For two ICE policies (the default: public candidates only, at most 10; and a test setup: private
ones allowed, at most 2) each input must either raise ``BadOffer`` (the clean refusal the server
turns into a 400) or give an SDP that, *as aiortc reads it* (``SessionDescription.parse``, what
``setRemoteDescription`` uses):

* keeps at most ``max_remote_candidates`` candidates in all, every one UDP and allowed by the
  policy (a global address unless private ones are allowed) — the server sends STUN to each;
* keeps at least one sha-256 (or stronger) DTLS fingerprint and no weaker one;
* passes ``check_offer`` again with the same lines (the filter is idempotent).

Anything else — another exception type (the server would answer 500) or a broken property — is a
crash, saved by libFuzzer as ``crash-<sha1>`` in the working directory.
"""
from __future__ import annotations

import ipaddress
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _harness  # noqa: E402  (sets sys.path, imports atheris)

atheris = _harness.atheris

from aiortc.sdp import SessionDescription  # noqa: E402  (not instrumented: only our code is)

with atheris.instrument_imports(include=["attune.web.calls"]):
    from attune.web.calls import STRONG_FINGERPRINTS, BadOffer, IcePolicy, check_offer  # noqa: E402

POLICIES = (IcePolicy(), IcePolicy(max_remote_candidates=2, allow_private_candidates=True))


def _allowed_ip(address: str, ice: IcePolicy) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ice.allow_private_candidates and address.lower().endswith(".local")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return False
    return ip.is_global or ice.allow_private_candidates


def check(sdp: str, ice: IcePolicy) -> None:
    try:
        out = check_offer(sdp, ice)
    except BadOffer:
        return
    assert isinstance(out, str), type(out)
    assert check_offer(out, ice).splitlines() == out.splitlines(), "check_offer is not idempotent"
    try:
        desc = SessionDescription.parse(out)
    except Exception:  # noqa: BLE001 — the server turns this into BadOffer ("could not use the offer")
        return
    seen = [c for m in desc.media for c in m.ice_candidates]
    assert len(seen) <= ice.max_remote_candidates, (
        f"{len(seen)} remote candidates reach aiortc (cap {ice.max_remote_candidates}): "
        f"{[(c.ip, c.port) for c in seen][:5]}")
    for c in seen:
        assert (c.protocol or "").lower() == "udp", f"non-UDP candidate reaches aiortc: {c}"
        assert _allowed_ip(c.ip, ice), f"candidate {c.ip}:{c.port} reaches aiortc (policy {ice})"
    fps = [f for m in desc.media if m.dtls for f in m.dtls.fingerprints]  # session-level ones are copied in
    for f in fps:
        assert f.algorithm.lower() in STRONG_FINGERPRINTS, f"weak fingerprint reaches aiortc: {f.algorithm}"


def TestOneInput(data: bytes) -> None:
    sdp = data.decode("utf-8", "surrogateescape")
    for ice in POLICIES:
        check(sdp, ice)


if __name__ == "__main__":
    _harness.main(TestOneInput, "sdp")
