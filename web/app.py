"""``attune serve``: the browser door — the page, WebRTC signalling and the person's own data.

Routes
  GET  /               the call page            GET /history   past sessions, coping cards, mood plot
  GET  /privacy        export / delete my data  GET /static/…  CSS, JS, icons (no CDN, no inline script)
  POST /offer          {"sdp", "type": "offer"} → {"sdp", "type": "answer", "call_id"}   (no trickle ICE)
  GET  /api/me         consent state, crisis resources for the configured locale, active call
  POST /api/consent    acknowledge the first-visit notice
  GET  /api/sessions   this browser's sessions (summaries, coping cards, moods)
  GET  /api/export     everything stored about this browser's person, as a JSON download
  POST /api/delete     {"confirm": "delete"}: erase it all and start a new anonymous identity
  POST /api/hangup     end this browser's call (fallback when the data channel is gone)
  GET  /healthz        liveness + call count (no personal data)

Limits (web.security.ServerLimits, ``limits=`` of :func:`create_app`): token buckets on /offer and
the JSON APIs (429 + Retry-After), unconnected offers per IP, a connect deadline, header and body
read timeouts, connection caps per IP and in total (see :func:`make_runner`), ICE candidate rules,
trusted reverse proxies. docs/deployment.md shows how to run it behind nginx or Caddy.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import json
import logging
import resource
import signal
import ssl
import sys
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any, Callable

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from attune.dialogue.memory import StoreError
from attune.web.media import roomy_default_executor
from attune.web.page import card_text
from attune.web.calls import (
    BadOffer,
    CallLimitReached,
    CallManager,
    CallTimeouts,
    IcePolicy,
    LoopFactory,
    MAX_SDP_BYTES,
    TooManyPending,
)
from attune.web.security import (
    CLIENT_IP,
    MAX_JSON_BODY,
    NEW_IDENTITY,
    ROTATE,
    SERVER_NAME,
    USER_ID,
    ClientErrorLog,
    IdentitySigner,
    ServerLimits,
    allowed_hosts,
    forwarded,
    hardened_headers,
    proxy_networks,
    has_consent,
    identity_key,
    identity_middleware,
    in_networks,
    json_error,
    parse_ip,
    rate_limits,
    same_origin,
    set_consent_cookie,
    too_many,
)

log = logging.getLogger("attune.web")

STATIC = Path(__file__).parent / "static"
MAX_BODY = MAX_JSON_BODY
SETTINGS_KEY = web.AppKey("settings", object)
ENGINE_KEY = web.AppKey("engine", object)
CALLS_KEY = web.AppKey("calls", CallManager)
STORE_KEY = web.AppKey("store", object)
RESOURCES_KEY = web.AppKey("resources", dict)
WARM_KEY = web.AppKey("warm_up", asyncio.Future)
LIMITS_KEY = web.AppKey("limits", ServerLimits)
SIGNER_KEY = web.AppKey("identity_signer", IdentitySigner)
ERRORS_KEY = web.AppKey("client_errors", ClientErrorLog)


# ---------------------------------------------------------------------------------- composition

def create_app(settings, *, engine, loop_factory: LoopFactory | None = None,
               timeouts=None, limits: ServerLimits | None = None) -> web.Application:
    """The aiohttp application; ``serve`` runs it, tests drive it directly.

    ``limits``: default ``ServerLimits.from_settings(settings)`` — the defaults, unless ``settings``
    (or ``ATTUNE_<FIELD>``) sets a field. Run it with :func:`make_runner` for the connection-level
    limits (header timeout, connection caps)."""
    if limits is None:
        limits = ServerLimits.from_settings(settings)
    store = engine.store
    errors = ClientErrorLog(limits.client_error_log_interval_s)
    signer = IdentitySigner(identity_key(settings))

    def known(user_id: str) -> bool:  # identities issued before tokens were signed keep their data
        return store.get_user(user_id) is not None

    app = web.Application(middlewares=[forwarded(limits), hardened_headers(limits, errors),
                                       allowed_hosts(settings, limits), identity_middleware(signer, known),
                                       rate_limits(limits), same_origin, store_errors],
                          client_max_size=MAX_BODY)
    app[SETTINGS_KEY] = settings
    app[ENGINE_KEY] = engine
    app[STORE_KEY] = store
    app[LIMITS_KEY] = limits
    app[SIGNER_KEY] = signer
    app[ERRORS_KEY] = errors
    app[RESOURCES_KEY] = _crisis_resources(engine)
    ice = IcePolicy(max_remote_candidates=limits.max_remote_candidates,
                    allow_private_candidates=limits.allow_private_candidates,
                    max_pending_offers_per_ip=limits.max_pending_offers_per_ip)
    app[CALLS_KEY] = CallManager(settings, engine, loop_factory or default_loop_factory(settings, engine),
                                 timeouts=timeouts or CallTimeouts(connect_s=limits.connect_deadline_s), ice=ice)
    app.router.add_get("/", _page("index.html"))
    app.router.add_get("/history", _page("history.html"))
    app.router.add_get("/privacy", _page("privacy.html"))
    app.router.add_get("/favicon.ico", _favicon)
    app.router.add_static("/static/", STATIC, follow_symlinks=False, show_index=False)
    app.router.add_post("/offer", offer)
    app.router.add_get("/api/me", me)
    app.router.add_post("/api/consent", consent)
    app.router.add_get("/api/sessions", sessions)
    app.router.add_get("/api/export", export)
    app.router.add_post("/api/delete", delete)
    app.router.add_post("/api/hangup", hangup)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/openapi.json", _openapi)
    app.on_shutdown.append(_on_shutdown)
    return app


@web.middleware
async def store_errors(request: web.Request, handler) -> web.StreamResponse:
    """A broken or full store answers 503 with a plain sentence (never a path or a traceback) and is
    logged once as one line: the person's data is intact, it just cannot be reached right now."""
    try:
        return await handler(request)
    except StoreError as exc:
        log.error("store: %s", exc)
        return json_error(503, "your saved sessions cannot be reached right now; nothing was lost — please "
                               "try again later")


def _crisis_resources(engine) -> dict[str, Any]:
    """The configured crisis resources (the brain's, for its locale), shown with the first-visit
    notice and in the crisis banner."""
    return {"locale": engine.settings.locale.upper(), "emergency": engine.emergency_number(),
            "resources": [r.model_dump() for r in engine.crisis_resources()]}


def default_loop_factory(settings, engine) -> LoopFactory:
    """The real voice loop (``voice.loop.voice_loop.build_voice_loop``) on the browser door's audio."""
    def factory(call):
        from attune.web.door import build_browser_loop
        return build_browser_loop(settings, engine, call)
    return factory


async def _on_shutdown(app: web.Application) -> None:
    await app[CALLS_KEY].close_all()


# ---------------------------------------------------------------------------------- pages

def _page(name: str):
    path = STATIC / name

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(path, headers={"Content-Type": "text/html; charset=utf-8"})
    return handler


async def _openapi(request: web.Request) -> web.StreamResponse:
    """The JSON API described in OpenAPI 3 (``web/static/openapi.json``; schemathesis tests against it)."""
    return web.FileResponse(STATIC / "openapi.json", headers={"Content-Type": "application/json"})


async def _favicon(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "icon.svg", headers={"Content-Type": "image/svg+xml"})


# ---------------------------------------------------------------------------------- API

async def _json_body(request: web.Request) -> Any:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    limits = request.app[LIMITS_KEY]
    errors = request.app[ERRORS_KEY]
    try:  # aiohttp enforces client_max_size (→ 413) when no length was sent
        raw = await asyncio.wait_for(request.read(), limits.body_timeout_s)
    except asyncio.TimeoutError:
        errors.note("slow body", request.path, request.get(CLIENT_IP))
        raise web.HTTPRequestTimeout(reason=f"the body did not arrive within {limits.body_timeout_s:g} s",
                                     headers={"Connection": "close"}) from None
    if not raw:
        raise _bad("empty body: send JSON")
    try:
        return json.loads(raw)
    except RecursionError:
        errors.note("deep JSON", request.path, request.get(CLIENT_IP))
        raise _bad("body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        errors.note("bad JSON", request.path, request.get(CLIENT_IP))
        raise _bad("body is not valid JSON") from None



def _body_error(exc: web.HTTPException) -> web.Response:
    resp = json_error(exc.status, exc.reason)
    if exc.status == 408:  # the rest of the body may still trickle in: do not wait for it
        resp.force_close()
    return resp


def _bad(msg: str) -> web.HTTPException:
    return web.HTTPBadRequest(reason=msg)


async def offer(request: web.Request) -> web.Response:
    calls = request.app[CALLS_KEY]
    if not has_consent(request):
        return json_error(403, "please read and accept the notice first", consent_required=True)
    try:
        body = await _json_body(request)
    except web.HTTPRequestEntityTooLarge:
        return json_error(413, f"request too large (limit {MAX_BODY} bytes)")
    except (web.HTTPBadRequest, web.HTTPRequestTimeout) as exc:
        return _body_error(exc)
    if not isinstance(body, dict):
        return json_error(400, "body must be a JSON object")
    if body.get("type") != "offer":
        return json_error(400, 'type must be "offer"')
    sdp = body.get("sdp")
    if isinstance(sdp, str) and len(sdp.encode("utf-8", "replace")) > MAX_SDP_BYTES:
        return json_error(413, f"sdp too large (limit {MAX_SDP_BYTES} bytes)")
    if calls.active >= calls.max_calls and calls.call_of(request[USER_ID]) is None:
        return _busy(30)
    warm = request.app.get(WARM_KEY)
    if warm is not None and not warm.done():  # first seconds after start-up: wait for the models
        try:
            await asyncio.wait_for(asyncio.shield(warm), 60)
        except Exception:
            return _busy(10)
    try:
        call, answer_sdp = await calls.answer(request[USER_ID], sdp, ip=request.get(CLIENT_IP) or request.remote)
    except CallLimitReached as exc:
        return _busy(exc.retry_after)
    except TooManyPending as exc:
        return too_many(exc.retry_after, "too many calls are still connecting from your address; please wait")
    except BadOffer as exc:
        request.app[ERRORS_KEY].note("bad offer", str(exc), request.get(CLIENT_IP))
        return json_error(400, str(exc))
    except asyncio.TimeoutError:
        resp = json_error(503, "could not prepare the connection in time", retry_after=5)
        resp.headers["Retry-After"] = "5"
        return resp
    return web.json_response({"sdp": answer_sdp, "type": "answer", "call_id": call.id})


def _busy(retry_after: int) -> web.Response:
    resp = json_error(503, "all lines are busy; please try again shortly", retry_after=retry_after)
    resp.headers["Retry-After"] = str(retry_after)
    return resp


async def me(request: web.Request) -> web.Response:
    call = request.app[CALLS_KEY].call_of(request[USER_ID])
    settings = request.app[SETTINGS_KEY]
    return web.json_response({
        "consented": has_consent(request),
        "in_call": call is not None,
        "crisis": request.app[RESOURCES_KEY],
        "session_minutes": settings.session_minutes,
    })


async def consent(request: web.Request) -> web.Response:
    resp = web.json_response({"consented": True})
    set_consent_cookie(resp, request)
    return resp


def session_view(rec: Any) -> dict[str, Any]:
    d = rec.to_dict() if hasattr(rec, "to_dict") else dict(rec)
    keep = ("id", "started_at", "ended_at", "modality", "status", "mood_open", "mood_close",
            "summary", "card", "turn_count", "risk_flag", "feedback_score")
    out = {k: d.get(k) for k in keep}
    out["card_text"] = card_text(d["card"]) if d.get("card") else ""
    return out


async def sessions(request: web.Request) -> web.Response:
    store = request.app[STORE_KEY]
    if request[NEW_IDENTITY]:
        return web.json_response({"sessions": []})
    recs = await asyncio.to_thread(store.list_sessions, request[USER_ID])
    return web.json_response({"sessions": [session_view(r) for r in recs]},
                             dumps=lambda o: json.dumps(o, default=str))


async def export(request: web.Request) -> web.Response:
    store = request.app[STORE_KEY]
    try:
        data = await asyncio.to_thread(store.export_user, request[USER_ID])
    except KeyError:  # nothing stored yet: say so rather than inventing records
        data = {"format": "attune-export", "version": 1, "exported_at": time.time(), "user": None, "sessions": []}
    day = _dt.date.today().isoformat()
    return web.Response(
        body=json.dumps(data, default=str, ensure_ascii=False, indent=2).encode("utf-8"),
        content_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="attune-my-data-{day}.json"'})


async def delete(request: web.Request) -> web.Response:
    store = request.app[STORE_KEY]
    try:
        body = await _json_body(request)
    except web.HTTPRequestEntityTooLarge:
        return json_error(413, "request too large")
    except (web.HTTPBadRequest, web.HTTPRequestTimeout) as exc:
        return _body_error(exc)
    if not isinstance(body, dict) or body.get("confirm") != "delete":
        return json_error(400, 'to delete everything, send {"confirm": "delete"}')
    user_id = request[USER_ID]
    call = request.app[CALLS_KEY].call_of(user_id)
    if call is not None:
        await call.close("data deleted")
    existed = await asyncio.to_thread(store.delete_user, user_id)
    request[ROTATE] = request.app[SIGNER_KEY].new_token()  # the old key opens nothing any more
    return web.json_response({"deleted": bool(existed)})


async def hangup(request: web.Request) -> web.Response:
    call = request.app[CALLS_KEY].call_of(request[USER_ID])
    with contextlib.suppress(Exception):
        body = await _json_body(request)
        wanted = body.get("call_id") if isinstance(body, dict) else None
        if call is not None and wanted and wanted != call.id:
            call = None
    if call is None:
        return web.json_response({"ended": False})
    await call.close("hung up")
    return web.json_response({"ended": True})


async def healthz(request: web.Request) -> web.Response:
    calls = request.app[CALLS_KEY]
    return web.json_response({"ok": True, "calls": len(calls.calls), "max_calls": calls.max_calls})


# ---------------------------------------------------------------------------------- connections

class ConnectionGuard:
    """Open HTTP connections per client IP and in total. A new connection over a cap first evicts
    the oldest *idle* connection (no request in progress: typically one that never finished its
    headers) of that IP — or of anyone, for the total cap — so a slow-loris cannot starve others;
    if none is idle, the new one is closed at once. The total cap is also kept under the process's
    open-file limit (with room for call sockets, the database and logs)."""

    def __init__(self, limits: ServerLimits, *, max_calls: int = 8, errors: ClientErrorLog | None = None) -> None:
        self.limits = limits
        self.per_ip = limits.max_connections_per_ip
        self.total = limits.max_connections
        with contextlib.suppress(Exception):
            soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
            if soft != resource.RLIM_INFINITY:
                self.total = max(16, min(self.total, soft - 64 - 8 * max_calls))
        self.proxies = proxy_networks(limits)
        self.errors = errors or ClientErrorLog(limits.client_error_log_interval_s)
        self.conns: dict[RequestHandler, str] = {}   # insertion order = age
        self.by_ip: dict[str, int] = {}
        self.refused = 0
        self.evicted = 0

    def _evict_one(self, ip: str | None) -> bool:
        for h, hip in self.conns.items():
            if (ip is None or hip == ip) and not h._request_in_progress and not h._messages:
                self.forget(h)
                self.evicted += 1
                h.force_close()
                return True
        return False

    def admit(self, handler: RequestHandler, ip: str) -> bool:
        capped_ip = not in_networks(ip, self.proxies)
        if capped_ip and self.by_ip.get(ip, 0) >= self.per_ip and not self._evict_one(ip):
            self.refused += 1
            self.errors.note("too many connections from one address", f"cap {self.per_ip}", ip)
            return False
        if len(self.conns) >= self.total and not self._evict_one(None):
            self.refused += 1
            self.errors.note("too many connections", f"cap {self.total}", ip)
            return False
        self.conns[handler] = ip
        self.by_ip[ip] = self.by_ip.get(ip, 0) + 1
        return True

    def forget(self, handler: RequestHandler) -> None:
        ip = self.conns.pop(handler, None)
        if ip is not None:
            left = self.by_ip.get(ip, 1) - 1
            if left > 0:
                self.by_ip[ip] = left
            else:
                self.by_ip.pop(ip, None)


class _GuardedHandler(RequestHandler):
    """aiohttp's connection handler with the guard, a generic Server header on its own error
    answers, and malformed requests logged once per kind without a traceback."""

    _guard: ConnectionGuard | None = None
    _admitted = False

    def connection_made(self, transport) -> None:  # type: ignore[override]
        guard = self._guard
        if guard is not None:
            peer = transport.get_extra_info("peername")
            ip = str(parse_ip(peer[0]) or peer[0]) if isinstance(peer, (tuple, list)) and peer else "?"
            if not guard.admit(self, ip):
                transport.abort()
                return
            self._admitted = True
        super().connection_made(transport)

    def connection_lost(self, exc) -> None:  # type: ignore[override]
        if self._guard is not None:
            if not self._admitted:
                return
            self._guard.forget(self)
        super().connection_lost(exc)

    def handle_error(self, request, status: int = 500, exc=None, message=None):  # type: ignore[override]
        if status < 500 and self._guard is not None:
            kind = type(exc).__name__ if exc is not None else f"HTTP {status}"
            self._guard.errors.note(f"malformed request: {kind}", str(message or exc or ""), request.remote)
            phrase = "Bad Request"
            with contextlib.suppress(ValueError):
                phrase = HTTPStatus(status).phrase
            resp = web.Response(status=status, text=f"{status} {phrase}\n", content_type="text/plain")
            resp.force_close()
        else:
            resp = super().handle_error(request, status, exc, message)
        resp.headers["Server"] = SERVER_NAME
        return resp


class HardenedRunner(web.AppRunner):
    """``web.AppRunner`` with the connection-level limits: the header timeout (aiohttp's keep-alive
    timer, which also runs before the first request is complete), the connection caps and quiet,
    generic low-level errors."""

    def __init__(self, app: web.Application, **kwargs: Any) -> None:
        limits = app.get(LIMITS_KEY) or ServerLimits()
        kwargs.setdefault("keepalive_timeout", limits.header_timeout_s)
        kwargs.setdefault("access_log", None)
        kwargs.setdefault("handle_signals", False)
        super().__init__(app, **kwargs)
        settings = app.get(SETTINGS_KEY)
        self.guard = ConnectionGuard(limits, max_calls=settings.max_calls,
                                     errors=app.get(ERRORS_KEY))

    async def _make_server(self):
        server = await super()._make_server()
        guard = self.guard
        handler_cls = type("GuardedHandler", (_GuardedHandler,), {"_guard": guard})
        plain_call = type(server).__call__

        class GuardedServer(type(server)):  # type: ignore[misc, valid-type]
            def __call__(self):
                try:
                    return handler_cls(self, loop=self._loop, **self._kwargs)
                except TypeError:
                    return plain_call(self)
        server.__class__ = GuardedServer
        return server


def make_runner(app: web.Application, **kwargs: Any) -> HardenedRunner:
    """The runner to serve ``app`` with (``run_server`` uses it; so should benches and tests that
    want the connection limits)."""
    return HardenedRunner(app, **kwargs)


def tls_context(settings) -> ssl.SSLContext | None:
    """In-process TLS when ``settings.tls_cert`` and ``settings.tls_key`` (PEM files) are set."""
    cert, key = settings.tls_cert, settings.tls_key
    if not cert:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(cert), str(key) if key else None)
    return ctx


# ---------------------------------------------------------------------------------- serve

async def warm_up(settings, load_models: Callable[[], Any]) -> None:
    """Load the speech models and pre-render the fixed phrases once, before the first call, so
    every call shares them and the first greeting is not late."""
    from attune.voice.loop.speech_text import shared_phrase_cache
    from attune.voice.speech.tts import PiperTTS

    models = await asyncio.to_thread(load_models)
    try:
        tts = PiperTTS(models=models)
        await shared_phrase_cache(tts, settings.phrases_manifest).prerender(tts)
    except Exception:
        log.warning("could not pre-render the fixed phrases; the first call will", exc_info=True)


async def run_server(settings, engine, *, load_models: Callable[[], Any] | None = None,
                     ready: asyncio.Event | None = None, stop: asyncio.Event | None = None, **app_kwargs) -> int:
    """Serve until ``stop`` (or SIGINT/SIGTERM). The page is reachable at once; calls wait for the
    one-time warm-up (speech models, pre-rendered phrases), which runs right after start-up."""
    t0 = time.monotonic()
    roomy_default_executor(settings.max_calls)
    app = create_app(settings, engine=engine, **app_kwargs)
    real_loop = app_kwargs.get("loop_factory") is None
    if real_loop:
        app[WARM_KEY] = asyncio.get_running_loop().create_future()
    limits = app[LIMITS_KEY]
    try:
        ssl_ctx = tls_context(settings)
    except (OSError, ssl.SSLError) as exc:
        print(f"attune serve: cannot load the TLS certificate/key: {exc}", file=sys.stderr)
        return 2
    bind = str(settings.host).strip("[]")
    if bind not in ("127.0.0.1", "localhost", "::1") and ssl_ctx is None:
        if not limits.allowed_hosts:
            log.warning("serving plain HTTP on %s with no allowed_hosts: the Host check is off. Put a TLS "
                        "reverse proxy in front and set ATTUNE_ALLOWED_HOSTS (see docs/deployment.md)",
                        settings.host)
        elif not limits.trusted_proxies:
            log.warning("serving plain HTTP on %s with no trusted_proxies: cookies will not be Secure "
                        "(see docs/deployment.md)", settings.host)
    runner = make_runner(app, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, ssl_context=ssl_ctx)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        print(f"attune serve: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    port = site._server.sockets[0].getsockname()[1] if settings.port == 0 else settings.port  # type: ignore[union-attr]
    scheme = "https" if ssl_ctx is not None else "http"
    url = f"{scheme}://[{host}]:{port}/" if ":" in host else f"{scheme}://{host}:{port}/"
    if real_loop:  # the real voice loop: load its models now, once
        print(f"Attune: listening on {url} — loading the voice models…", flush=True)
        try:
            await warm_up(settings, load_models)
            app[WARM_KEY].set_result(True)
        except Exception as exc:
            app[WARM_KEY].set_exception(exc)
            await runner.cleanup()
            print(f"attune serve: the voice models could not be loaded: {exc}", file=sys.stderr)
            return 1
    print(f"Attune is ready: open {url} in your browser "
          f"(started in {time.monotonic() - t0:.1f} s; Ctrl+C to stop)", flush=True)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        print("Attune: stopping (saving open sessions)…", flush=True)
        await runner.cleanup()
    return 0


def serve(settings, engine, load_models: Callable[[], Any]) -> int:
    """Run the web app on ``settings.host:settings.port`` until Ctrl+C / SIGTERM. Returns an exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aioice").setLevel(logging.WARNING)
    logging.getLogger("aiortc").setLevel(logging.WARNING)
    try:
        return asyncio.run(run_server(settings, engine, load_models=load_models))
    except KeyboardInterrupt:
        return 0
