"""Who is asking, and what the browser may do with our pages.

Identity is anonymous and per browser: a random 256-bit token in an HttpOnly, SameSite=Strict
cookie.  The token is the only key to that person's data; the store never sees it — it sees
``user_id_for(token)``, a one-way hash, so logs and the database cannot be turned back into a
working cookie.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

log = logging.getLogger("attune.web")

ID_COOKIE = "attune_id"
CONSENT_COOKIE = "attune_consent"
CONSENT_VERSION = "1"
COOKIE_MAX_AGE = 400 * 24 * 3600
TOKEN = web.RequestKey("token", str)
USER_ID = web.RequestKey("user_id", str)
NEW_IDENTITY = web.RequestKey("new_identity", bool)
ROTATE = web.RequestKey("rotate_identity", str)  # browsers cap cookie lifetime at 400 days
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")

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


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 43 characters


def valid_token(token: str | None) -> bool:
    return bool(token) and bool(_TOKEN_RE.match(token))  # type: ignore[arg-type]


def user_id_for(token: str) -> str:
    """The store's user id for a browser token (one-way; 128 bits)."""
    return "w_" + hashlib.sha256(b"attune-web-identity\0" + token.encode()).hexdigest()[:32]


def json_error(status: int, message: str, **extra: Any) -> web.Response:
    body = {"error": message, "status": status, **extra}
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, default=str))


def _is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/offer" or path == "/healthz"


def set_identity_cookie(resp: web.StreamResponse, request: web.Request, token: str) -> None:
    resp.set_cookie(ID_COOKIE, token, max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                    samesite="Strict", secure=request.secure)


def set_consent_cookie(resp: web.StreamResponse, request: web.Request) -> None:
    resp.set_cookie(CONSENT_COOKIE, CONSENT_VERSION, max_age=COOKIE_MAX_AGE, path="/", httponly=True,
                    samesite="Strict", secure=request.secure)


def has_consent(request: web.Request) -> bool:
    return request.cookies.get(CONSENT_COOKIE) == CONSENT_VERSION and not request.get(NEW_IDENTITY)


@web.middleware
async def security_headers(request: web.Request, handler):
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
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        resp = json_error(500, "internal error") if _is_api(request.path) else _html_error(web.HTTPInternalServerError())
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    if _is_api(request.path):
        resp.headers.setdefault("Cache-Control", "no-store")
    else:
        resp.headers.setdefault("Cache-Control", "no-cache")
    return resp


def _html_error(exc: web.HTTPException) -> web.Response:
    text = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{exc.status}</title>"
            f"<link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main class=\"page\">"
            f"<h1>{exc.status} {exc.reason}</h1><p><a href=\"/\">Back to Attune</a></p></main></body></html>")
    return web.Response(status=exc.status, text=text, content_type="text/html")


@web.middleware
async def identity(request: web.Request, handler):
    """Attach ``request["user_id"]``; issue a cookie to browsers that have none (or a forged one)."""
    token = request.cookies.get(ID_COOKIE)
    new = not valid_token(token)
    if new:
        token = new_token()
    request[TOKEN] = token
    request[USER_ID] = user_id_for(token)  # type: ignore[arg-type]
    request[NEW_IDENTITY] = new
    resp = await handler(request)
    rotated = request.get(ROTATE)
    if rotated:
        set_identity_cookie(resp, request, rotated)
        resp.del_cookie(CONSENT_COOKIE, path="/")
    elif new:
        set_identity_cookie(resp, request, token)  # type: ignore[arg-type]
    return resp


@web.middleware
async def same_origin(request: web.Request, handler):
    """Refuse state-changing requests that another site's page sent (SameSite cookies are the main
    defence; this also covers requests that carry no cookie at all, such as starting a call)."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("Origin")
        if origin and origin != "null":
            if urlsplit(origin).netloc.lower() != (request.host or "").lower():
                return json_error(403, "cross-origin request refused")
        elif origin == "null":
            return json_error(403, "cross-origin request refused")
        site = request.headers.get("Sec-Fetch-Site")
        if site and site not in ("same-origin", "none"):
            return json_error(403, "cross-site request refused")
    return await handler(request)


_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "[::1]"}


def allowed_hosts(settings) -> "web.middleware":
    """When Attune listens on loopback only, answer only requests addressed to loopback names.

    This defeats DNS rebinding (a web page whose domain is re-pointed at 127.0.0.1 could otherwise
    drive a local Attune from the person's own browser). On other addresses the operator's reverse
    proxy owns the Host check."""
    bind = str(getattr(settings, "host", "127.0.0.1")).strip("[]")
    loopback_only = bind in ("127.0.0.1", "localhost", "::1")

    @web.middleware
    async def check(request: web.Request, handler):
        if loopback_only:
            host = (request.host or "").lower()
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
            if name not in _LOOPBACK_NAMES:
                return json_error(421, "this server answers only on localhost")
        return await handler(request)
    return check
