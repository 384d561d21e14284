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
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from voice.browser import card_text
from web.calls import BadOffer, CallLimitReached, CallManager, LoopFactory, MAX_SDP_BYTES
from web.security import (
    NEW_IDENTITY,
    allowed_hosts,
    ROTATE,
    USER_ID,
    has_consent,
    identity,
    json_error,
    new_token,
    same_origin,
    security_headers,
    set_consent_cookie,
)

log = logging.getLogger("attune.web")

STATIC = Path(__file__).parent / "static"
MAX_BODY = 128 * 1024
SETTINGS_KEY = web.AppKey("settings", object)
ENGINE_KEY = web.AppKey("engine", object)
CALLS_KEY = web.AppKey("calls", CallManager)
STORE_KEY = web.AppKey("store", object)
RESOURCES_KEY = web.AppKey("resources", dict)
WARM_KEY = web.AppKey("warm_up", asyncio.Future)


# ---------------------------------------------------------------------------------- composition

def create_app(settings, *, engine=None, store=None, loop_factory: LoopFactory | None = None,
               timeouts=None) -> web.Application:
    """The aiohttp application; ``serve`` runs it, tests drive it directly."""
    if engine is None:
        from dialogue.engine import SessionEngine
        engine = SessionEngine.create(settings)
    if store is None:
        store = _store_of(engine, settings)
    app = web.Application(middlewares=[security_headers, allowed_hosts(settings), identity, same_origin],
                          client_max_size=MAX_BODY)
    app[SETTINGS_KEY] = settings
    app[ENGINE_KEY] = engine
    app[STORE_KEY] = store
    app[RESOURCES_KEY] = _crisis_resources(settings)
    app[CALLS_KEY] = CallManager(settings, engine, loop_factory or default_loop_factory(settings, engine),
                                 timeouts=timeouts)
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
    app.on_shutdown.append(_on_shutdown)
    return app


def _store_of(engine, settings):
    for attr in ("store", "_store", "memory"):
        s = getattr(engine, attr, None)
        if s is not None:
            return getattr(s, "store", s)  # unwrap AsyncStore
    try:
        from dialogue.memory import open_store
        return open_store(settings)
    except Exception:
        log.exception("no memory store: history, export and delete are unavailable")
        return None


def _crisis_resources(settings) -> dict[str, Any]:
    """The configured crisis resources, shown with the first-visit notice and in the crisis banner."""
    locale = getattr(settings, "locale", "US")
    try:
        import yaml

        from protocols.schema import CrisisProtocol
        folder = Path(getattr(settings, "protocols_dir", None) or Path(__file__).parents[1] / "protocols")
        crisis = CrisisProtocol.model_validate(yaml.safe_load((folder / "crisis.yaml").read_text(encoding="utf-8")))
        res = crisis.resources.get(locale) or crisis.resources["default"]
        emergency = crisis.emergency_numbers.get(locale) or crisis.emergency_numbers.get("default")
        return {"locale": locale, "emergency": emergency,
                "resources": [r.model_dump() if hasattr(r, "model_dump") else dict(r) for r in res]}
    except Exception as exc:
        log.warning("crisis resources unavailable from protocols (%s); using a generic line", exc)
        return {"locale": locale, "emergency": "your local emergency number", "resources": []}


def default_loop_factory(settings, engine) -> LoopFactory:
    """The real voice loop (``voice.session.build_voice_loop``) on the browser door's audio."""
    def factory(call):
        from voice.browser import build_browser_loop
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


async def _favicon(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "icon.svg", headers={"Content-Type": "image/svg+xml"})


# ---------------------------------------------------------------------------------- API

async def _json_body(request: web.Request) -> Any:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    raw = await request.read()  # aiohttp enforces client_max_size (→ 413) when no length was sent
    if not raw:
        raise _bad("empty body: send JSON")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise _bad("body is not valid JSON") from None



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
    except web.HTTPBadRequest as exc:
        return json_error(400, exc.reason)
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
        call, answer_sdp = await calls.answer(request[USER_ID], sdp)
    except CallLimitReached as exc:
        return _busy(exc.retry_after)
    except BadOffer as exc:
        return json_error(400, str(exc))
    except asyncio.TimeoutError:
        return json_error(503, "could not prepare the connection in time", retry_after=5)
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
        "session_minutes": getattr(settings, "session_minutes", 20.0),
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
    if store is None:
        return json_error(503, "history is unavailable (no memory store)")
    if request[NEW_IDENTITY]:
        return web.json_response({"sessions": []})
    recs = await asyncio.to_thread(store.list_sessions, request[USER_ID])
    return web.json_response({"sessions": [session_view(r) for r in recs]},
                             dumps=lambda o: json.dumps(o, default=str))


async def export(request: web.Request) -> web.Response:
    store = request.app[STORE_KEY]
    if store is None:
        return json_error(503, "export is unavailable (no memory store)")
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
    if store is None:
        return json_error(503, "delete is unavailable (no memory store)")
    try:
        body = await _json_body(request)
    except web.HTTPRequestEntityTooLarge:
        return json_error(413, "request too large")
    except web.HTTPBadRequest as exc:
        return json_error(400, exc.reason)
    if not isinstance(body, dict) or body.get("confirm") != "delete":
        return json_error(400, 'to delete everything, send {"confirm": "delete"}')
    user_id = request[USER_ID]
    call = request.app[CALLS_KEY].call_of(user_id)
    if call is not None:
        await call.close("data deleted")
    existed = await asyncio.to_thread(store.delete_user, user_id)
    request[ROTATE] = new_token()  # the old key opens nothing any more
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


# ---------------------------------------------------------------------------------- serve

async def warm_up(settings) -> None:
    """Load the speech models and pre-render the fixed phrases once, before the first call, so
    every call shares them and the first greeting is not late."""
    try:
        from voice.models import get_models
    except ImportError:
        log.warning("voice.models is missing: calls will load models lazily")
        return
    models = await asyncio.to_thread(get_models, settings)
    try:
        from voice.phrases import shared_phrase_cache
        from voice.tts import PiperTTS

        tts = PiperTTS(models=models)
        await shared_phrase_cache(tts, getattr(settings, "phrases_manifest", None)).prerender(tts)
    except Exception:
        log.warning("could not pre-render the fixed phrases; the first call will", exc_info=True)


async def run_server(settings, *, ready: asyncio.Event | None = None, stop: asyncio.Event | None = None,
                     **app_kwargs) -> int:
    """Serve until ``stop`` (or SIGINT/SIGTERM). The page is reachable at once; calls wait for the
    one-time warm-up (speech models, pre-rendered phrases), which runs right after start-up."""
    t0 = time.monotonic()
    from voice.browser import roomy_default_executor

    roomy_default_executor(int(getattr(settings, "max_calls", 8)))
    app = create_app(settings, **app_kwargs)
    real_loop = app_kwargs.get("loop_factory") is None
    if real_loop:
        app[WARM_KEY] = asyncio.get_running_loop().create_future()
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, shutdown_timeout=5)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        print(f"attune serve: cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    port = site._server.sockets[0].getsockname()[1] if settings.port == 0 else settings.port  # type: ignore[union-attr]
    url = f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
    if real_loop:  # the real voice loop: load its models now, once
        print(f"Attune: listening on {url} — loading the voice models…", flush=True)
        try:
            await warm_up(settings)
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


def serve(settings) -> int:
    """Run the web app on ``settings.host:settings.port`` until Ctrl+C / SIGTERM. Returns an exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aioice").setLevel(logging.WARNING)
    logging.getLogger("aiortc").setLevel(logging.WARNING)
    try:
        return asyncio.run(run_server(settings))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":  # python -m web.app [port]
    from dialogue.settings import Settings

    s = Settings()
    if len(sys.argv) > 1:
        s.port = int(sys.argv[1])
    raise SystemExit(serve(s))
