"""Who is asking, how often, and what the browser may do with our pages.

Identity is anonymous and per browser: a server-issued token in an HttpOnly, SameSite=Strict
cookie (``__Host-``-prefixed and ``Secure`` behind TLS).  The token is 256 random bits plus an
HMAC tag made with a server key, so a token the server never issued is refused and replaced
(no session fixation with made-up tokens).  The token is the only key to that person's data; the
store never sees it — it sees ``user_id_for(token)``, a one-way hash, so logs and the database
cannot be turned back into a working cookie.

Limits (:class:`ServerLimits`): token buckets per IP and per identity, pending offers per IP,
connection caps, header/body timeouts, ICE candidate rules, trusted reverse proxies.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import math
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from aiohttp import web

from attune.dialogue.settings import ServerLimits

log = logging.getLogger("attune.web")

ID_COOKIE = "attune_id"
CONSENT_COOKIE = "attune_consent"
SECURE_PREFIX = "__Host-"   # behind TLS: Secure, Path=/, no Domain — a sibling site cannot plant it
CONSENT_VERSION = "1"
COOKIE_MAX_AGE = 400 * 24 * 3600
SERVER_NAME = "attune"
TOKEN = web.RequestKey("token", str)
USER_ID = web.RequestKey("user_id", str)
NEW_IDENTITY = web.RequestKey("new_identity", bool)
ROTATE = web.RequestKey("rotate_identity", str)  # browsers cap cookie lifetime at 400 days
CLIENT_IP = web.RequestKey("client_ip", str)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_SIGNED_RE = re.compile(r"^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{22})$")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob: mediastream:; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "microphone=(self), camera=(), geolocation=(), payment=(), usb=()",
}


# ---------------------------------------------------------------------------------- limits

def proxy_networks(limits: ServerLimits) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(p, strict=False) for p in limits.trusted_proxies]


def parse_ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        ip = ipaddress.ip_address(text.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def in_networks(ip_text: str | None, networks: Iterable) -> bool:
    ip = parse_ip(ip_text)
    return ip is not None and any(ip in n for n in networks)


class TokenBucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class RateLimiter:
    """Token buckets keyed by any string (``ip:…``, ``id:…``). ``take`` returns 0 when allowed, else
    the seconds until a token is available (for Retry-After)."""

    def __init__(self, rate_per_min: float, burst: int, *, max_keys: int = 100_000) -> None:
        self.rate = rate_per_min / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: dict[str, TokenBucket] = {}

    def take(self, key: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        b = self._buckets.get(key)
        if b is None:
            if len(self._buckets) >= self.max_keys:
                self._prune(now)
            b = self._buckets[key] = TokenBucket(self.burst, now)
        else:
            b.tokens = min(self.burst, b.tokens + (now - b.stamp) * self.rate)
            b.stamp = now
        if b.tokens >= 1.0:
            b.tokens -= 1.0
            return 0.0
        return (1.0 - b.tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.stamp) * self.rate >= self.burst]
        for k in full:
            del self._buckets[k]
        if len(self._buckets) >= self.max_keys:  # still full: forget the oldest half
            for k in list(self._buckets)[: self.max_keys // 2]:
                del self._buckets[k]


class ClientErrorLog:
    """Malformed client requests: one log line per kind per interval, never a traceback."""

    def __init__(self, interval_s: float = 60.0, logger: logging.Logger | None = None) -> None:
        self.interval_s = interval_s
        self.log = logger or log
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def note(self, kind: str, detail: str = "", remote: str | None = None) -> bool:
        now = time.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval_s:
            self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
            return False
        if len(self._last) > 1000:
            self._last.clear()
        self._last[kind] = now
        more = self._suppressed.pop(kind, 0)
        self.log.warning("client error (%s) from %s: %s%s", kind, remote or "?", detail[:200],
                         f" (+{more} more since last report)" if more else "")
        return True


# ---------------------------------------------------------------------------------- identity

def new_token() -> str:
    """An unsigned random token (kept for callers outside the app; the app issues signed ones)."""
    return secrets.token_urlsafe(32)  # 43 characters


def valid_token(token: str | None) -> bool:
    return bool(token) and bool(_TOKEN_RE.match(token) or _SIGNED_RE.match(token))  # type: ignore[arg-type]


def user_id_for(token: str) -> str:
    """The store's user id for a browser token (one-way; 128 bits)."""
    return "w_" + hashlib.sha256(b"attune-web-identity\0" + token.encode()).hexdigest()[:32]


class IdentitySigner:
    """Issues ``<43 random chars>.<22-char HMAC-SHA256 tag>`` tokens and checks them."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("identity signing key must be at least 32 bytes")
        self._key = key

    def _tag(self, body: str) -> str:
        mac = hmac.new(self._key, b"attune/web-identity/v1\0" + body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:16]).rstrip(b"=").decode()

    def new_token(self) -> str:
        body = secrets.token_urlsafe(32)
        return f"{body}.{self._tag(body)}"

    def verify(self, token: str | None) -> bool:
        m = _SIGNED_RE.match(token or "")
        return bool(m) and hmac.compare_digest(m.group(2), self._tag(m.group(1)))


def _hkdf(ikm: bytes, info: bytes) -> bytes:
    prk = hmac.new(b"attune-web", ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def identity_key(settings: Any) -> bytes:
    """The server key for identity tokens, derived from the master key (``ATTUNE_KEY`` or
    ``<data_dir>/key``) — so it survives restarts and dies with the data it opens — or, when no
    master key existed at first start (no store), a random key in ``<data_dir>/web_identity.key``
    (created 0600, then kept)."""
    info = b"attune/v1/web-identity-hmac"
    master = settings.key
    if master:
        return _hkdf(str(master).strip().encode(), info)
    data_dir = Path(settings.data_dir).expanduser()
    path = data_dir / "web_identity.key"
    if path.is_file() and path.stat().st_size >= 32:  # made before the master key existed: keep it
        return path.read_bytes()
    key_file = data_dir / "key"
    if key_file.is_file():
        text = key_file.read_text(encoding="ascii", errors="replace").strip()
        if text:
            return _hkdf(text.encode(), info)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raw = path.read_bytes()
        if len(raw) >= 32:
            return raw
        raise RuntimeError(f"{path} is damaged (shorter than 32 bytes); delete it to issue new browser identities")
    raw = secrets.token_bytes(32)
    try:
        os.write(fd, raw)
        os.fsync(fd)
    finally:
        os.close(fd)
    return raw


def _cookie_name(base: str, request: web.BaseRequest) -> str:
    return SECURE_PREFIX + base if request.secure else base


def set_identity_cookie(resp: web.StreamResponse, request: web.Request, token: str) -> None:
    resp.set_cookie(_cookie_name(ID_COOKIE, request), token, max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                    samesite="Strict", secure=request.secure)


def set_consent_cookie(resp: web.StreamResponse, request: web.Request) -> None:
    resp.set_cookie(_cookie_name(CONSENT_COOKIE, request), CONSENT_VERSION, max_age=COOKIE_MAX_AGE, path="/",
                    httponly=True, samesite="Strict", secure=request.secure)


def has_consent(request: web.Request) -> bool:
    return (request.cookies.get(_cookie_name(CONSENT_COOKIE, request)) == CONSENT_VERSION
            and not request.get(NEW_IDENTITY))


def json_error(status: int, message: str, **extra: Any) -> web.Response:
    body = {"error": message, "status": status, **extra}
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, default=str))


def too_many(retry_after: float, what: str = "too many requests; please slow down") -> web.Response:
    secs = max(1, math.ceil(retry_after))
    resp = json_error(429, what, retry_after=secs)
    resp.headers["Retry-After"] = str(secs)
    return resp


def _is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/offer" or path == "/healthz"


# ---------------------------------------------------------------------------------- middlewares

def forwarded(limits: ServerLimits):
    """Outermost: the real client address and scheme. ``X-Forwarded-For``/``-Proto``/``-Host`` are
    believed only when the connection comes from one of ``limits.trusted_proxies``."""
    networks = proxy_networks(limits)

    @web.middleware
    async def middleware(request: web.Request, handler):
        peer = request.remote or ""
        if networks and in_networks(peer, networks):
            changes: dict[str, Any] = {}
            hops = [h.strip() for h in ",".join(request.headers.getall("X-Forwarded-For", [])).split(",") if h.strip()]
            client = peer
            for hop in reversed(hops):  # the right-most address our proxies did not add
                if parse_ip(hop) is None:
                    break
                client = hop
                if not in_networks(hop, networks):
                    break
            if client != peer:
                changes["remote"] = str(parse_ip(client))
            proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
            if proto in ("http", "https"):
                changes["scheme"] = proto
            fhost = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
            if fhost:
                changes["host"] = fhost
            if changes:
                request = request.clone(**changes)
        request[CLIENT_IP] = request.remote or peer
        return await handler(request)
    return middleware


def hardened_headers(limits: ServerLimits, errors: ClientErrorLog | None = None):
    """Security headers on every answer, JSON errors on the API, a generic Server header, HSTS on
    HTTPS, and no traceback for a client's mistakes."""
    errors = errors or ClientErrorLog(limits.client_error_log_interval_s)

    @web.middleware
    async def middleware(request: web.Request, handler):
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            if _is_api(request.path) or exc.status >= 400:
                resp = json_error(exc.status, exc.reason or "error") if _is_api(request.path) else _html_error(exc)
                for h in ("Retry-After", "Allow"):
                    if h in exc.headers:
                        resp.headers[h] = exc.headers[h]
            else:
                resp = exc  # redirects etc.
        except RecursionError:
            errors.note("too deeply nested", request.path, request.remote)
            resp = json_error(400, "request too deeply nested")
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            resp = json_error(500, "internal error") if _is_api(request.path) else _html_error(web.HTTPInternalServerError())
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        resp.headers["Server"] = SERVER_NAME
        if request.secure and limits.hsts_max_age:
            resp.headers["Strict-Transport-Security"] = f"max-age={limits.hsts_max_age}"
        if _is_api(request.path):
            resp.headers.setdefault("Cache-Control", "no-store")
        else:
            resp.headers.setdefault("Cache-Control", "no-cache")
        return resp
    return middleware


security_headers = hardened_headers(ServerLimits())  # the default (kept for importers)


def _html_error(exc: web.HTTPException) -> web.Response:
    text = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{exc.status}</title>"
            f"<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"page\">"
            f"<h1>{exc.status} {exc.reason}</h1><p><a href=\"/\">Back to Attune</a></p></main></body></html>")
    return web.Response(status=exc.status, text=text, content_type="text/html")


def identity_middleware(signer: IdentitySigner, known_user=None):
    """Attach ``request[USER_ID]``; issue a fresh signed token to browsers with none, a forged one
    or one this server never issued. ``known_user(user_id) -> bool`` (blocking) lets identities
    from before signed tokens keep their data: an unsigned token is kept only if the store
    already holds that person."""
    import asyncio

    @web.middleware
    async def middleware(request: web.Request, handler):
        name = _cookie_name(ID_COOKIE, request)
        token = request.cookies.get(name)
        ok = signer.verify(token)
        if not ok and token and known_user is not None and _TOKEN_RE.match(token):
            try:
                ok = bool(await asyncio.to_thread(known_user, user_id_for(token)))
            except Exception:
                ok = False
        new = not ok
        if new:
            token = signer.new_token()
        request[TOKEN] = token  # type: ignore[assignment]
        request[USER_ID] = user_id_for(token)  # type: ignore[arg-type]
        request[NEW_IDENTITY] = new
        resp = await handler(request)
        rotated = request.get(ROTATE)
        if rotated:
            set_identity_cookie(resp, request, rotated)
            resp.del_cookie(_cookie_name(CONSENT_COOKIE, request), path="/")
        elif new:
            set_identity_cookie(resp, request, token)  # type: ignore[arg-type]
        return resp
    return middleware


def rate_limits(limits: ServerLimits):
    """Token buckets on ``/offer`` and the JSON APIs, per client IP and per identity → 429."""
    offers_ip = RateLimiter(limits.offer_rate_per_min, limits.offer_burst)
    offers_id = RateLimiter(limits.offer_rate_per_min, limits.offer_burst)
    api_ip = RateLimiter(limits.api_rate_per_min, limits.api_burst)
    api_id = RateLimiter(limits.api_rate_per_min, limits.api_burst)

    @web.middleware
    async def middleware(request: web.Request, handler):
        path = request.path
        if path == "/offer":
            ip_b, id_b = offers_ip, offers_id
        elif path.startswith("/api/"):
            ip_b, id_b = api_ip, api_id
        else:
            return await handler(request)
        wait = ip_b.take("ip:" + (request.get(CLIENT_IP) or request.remote or "?"))
        if not wait and not request.get(NEW_IDENTITY, True):
            wait = id_b.take("id:" + request[USER_ID])
        if wait:
            return too_many(wait)
        return await handler(request)
    return middleware


MAX_JSON_BODY = 128 * 1024


@web.middleware
async def same_origin(request: web.Request, handler):
    """Refuse state-changing requests that another site's page sent (SameSite cookies are the main
    defence; this also covers requests that carry no cookie at all, such as starting a call).
    The Origin must match scheme and host; JSON APIs take only ``application/json`` (a cross-site
    form or ``text/plain`` fetch cannot send that without a CORS preflight we never grant)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("Origin")
        if origin and origin != "null":
            parts = urlsplit(origin)
            if (parts.scheme.lower() != request.scheme.lower()
                    or parts.netloc.lower() != (request.host or "").lower()):
                return json_error(403, "cross-origin request refused")
        elif origin == "null":
            return json_error(403, "cross-origin request refused")
        site = request.headers.get("Sec-Fetch-Site")
        if site and site not in ("same-origin", "none"):
            return json_error(403, "cross-site request refused")
        if request.path == "/offer" or request.path.startswith("/api/"):
            if request.content_length is not None and request.content_length > MAX_JSON_BODY:
                return json_error(413, f"request too large (limit {MAX_JSON_BODY} bytes)")
            if request.content_type != "application/json":
                return json_error(415, "send the body as application/json")
    return await handler(request)


_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _bind_is_loopback(settings) -> bool:
    bind = str(settings.host).strip("[]")
    return bind in ("127.0.0.1", "localhost", "::1")


def allowed_hosts(settings, limits: ServerLimits | None = None) -> "web.middleware":
    """Answer only requests addressed to names we serve.

    Bound to loopback with no ``allowed_hosts``: loopback names only. This defeats DNS rebinding (a
    web page whose domain is re-pointed at 127.0.0.1 could otherwise drive a local Attune from the
    person's own browser). With ``allowed_hosts`` set: those names (plus loopback names on a
    loopback bind). Otherwise (a public bind with no names) the reverse proxy owns the Host check."""
    loopback_only = _bind_is_loopback(settings)
    names = {h.lower() for h in (limits.allowed_hosts if limits else [])}
    if loopback_only:
        names |= _LOOPBACK_NAMES
    check_on = loopback_only or bool(names)

    @web.middleware
    async def check(request: web.Request, handler):
        if check_on:
            host = (request.host or "").lower()
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
            if name not in names and host not in names:
                return json_error(421, "this server does not answer to that host name")
        return await handler(request)
    return check
