"""`attune` — the composition root: the only module that knows every package.

Heavy imports (models, aiortc) happen inside the command that needs them, so `attune chat`
starts fast.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from attune.dialogue.settings import Settings  # first: attune.dialogue keeps numpy's OpenBLAS to one thread


class CliError(Exception):
    """A clear one-line error for the person at the terminal."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for name in ("data_dir", "locale", "llm_base_url", "llm_model", "host", "port", "max_calls", "protocols_dir",
                 "fresh_store"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings(**overrides)


def _local_user(settings: Settings) -> str:
    """The default person on this machine's terminal, remembered so the next session recalls."""
    from attune.dialogue.memory import open_store

    path = settings.data_dir / "local-user"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    store = open_store(settings)
    _tell_new_key(store)
    uid = store.new_user_id()
    store.close()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(uid, encoding="utf-8")
    return uid


def _stdin_lines():
    """Lines from stdin as text; invalid UTF-8 becomes replacement characters, never a traceback."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


# ---------------------------------------------------------------------------- chat
def _chat_logging(verbose: bool) -> None:
    """The conversation owns the terminal: the engine's operational log (a guard fallback, a model
    timeout) stays off it unless --verbose; only warnings and errors are shown otherwise."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(levelname)s %(name)s] %(message)s" if verbose else "attune: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_attune_chat", False)]:
        root.removeHandler(old)
    handler._attune_chat = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("attune").setLevel(logging.DEBUG if verbose else logging.NOTSET)


async def _chat(args: argparse.Namespace) -> int:
    from attune.dialogue.engine import ManualClock

    _chat_logging(bool(getattr(args, "verbose", False)))
    settings = _settings(args)
    clock = ManualClock() if args.turn_seconds else None
    with _engine(settings, clock=clock) as engine:
        return await _converse_text(args, engine, args.user or _local_user(settings), clock)


async def _converse_text(args: argparse.Namespace, engine: Any, user: str, clock: Any) -> int:
    """One text session: a script or stdin, one reply per line."""

    def show(reply) -> None:
        if args.json:
            print(json.dumps(reply.to_json(), ensure_ascii=False), flush=True)
        else:
            print(f"Attune: {reply.text}", flush=True)
            for e in reply.events:
                if e.type in ("crisis", "referral", "coping_card", "safety_plan"):
                    fields = {k: v for k, v in e.model_dump().items() if k != "type"}
                    print(f"  [{e.type}] {json.dumps(fields, ensure_ascii=False)}", flush=True)

    show(await engine.open(user))
    if args.script:
        try:
            lines = Path(args.script).read_bytes().decode("utf-8", errors="replace").splitlines()
        except OSError as exc:
            raise CliError(f"cannot read script {args.script}: {exc.strerror}") from None
        source = iter(lines)
    else:
        source = _stdin_lines()
        if sys.stdin.isatty():
            print("(type to talk; Ctrl-D to leave)", file=sys.stderr)
    ended = False
    for line in source:
        if args.script and not line.strip():
            continue
        if args.script and not args.json:
            print(f"You: {line}", flush=True)
        if clock is not None:
            clock.advance(args.turn_seconds)
        reply = await engine.handle(user, line)
        show(reply)
        if reply.ended:
            ended = True
            break
    if not ended:
        await engine.hang_up(user)
    return 0


# ---------------------------------------------------------------------------- eval
def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    try:
        data = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CliError(f"{path}:{n}: not JSON: {exc.msg}") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise CliError(f"{path}:{n}: expected an object with a string 'text'")
        rows.append(row)
    return rows


def _eval_crisis(args: argparse.Namespace) -> int:
    from attune.dialogue.crisis_eval import evaluate

    rows = _read_jsonl(Path(args.file))
    for n, row in enumerate(rows, 1):
        if row.get("label") not in (0, 1):
            raise CliError(f"{args.file}: row {n}: 'label' must be 0 or 1")
    result, misses = evaluate(rows)
    for miss in misses:
        print(json.dumps(miss, ensure_ascii=False), file=sys.stderr)
    print(json.dumps(result))
    return 0


def _eval_turns(args: argparse.Namespace) -> int:
    from attune.dialogue.turn_eval import evaluate, format_report

    rows = _read_jsonl(Path(args.file))
    for n, row in enumerate(rows, 1):
        if not isinstance(row.get("label"), str):
            raise CliError(f"{args.file}: row {n}: 'label' must be a turn class")
    report, misses = evaluate(rows)
    for miss in misses:
        print(json.dumps(miss, ensure_ascii=False), file=sys.stderr)
    print(json.dumps(report) if args.json else format_report(report))
    return 0


def _eval_guard(args: argparse.Namespace) -> int:
    from attune.dialogue.guard_eval import evaluate, format_report

    rows = _read_jsonl(Path(args.file))
    for n, row in enumerate(rows, 1):
        row["label"] = {"harmful": 1, "benign": 0}.get(row.get("label"), row.get("label"))  # words or numbers
        if row.get("label") not in (0, 1):
            raise CliError(f"{args.file}: row {n}: 'label' must be 1 or \"harmful\", 0 or \"benign\"")
    report = evaluate(rows, templates=args.templates, model=args.model)
    print(json.dumps(report) if args.json else format_report(report))
    return 0


def _eval_routing(args: argparse.Namespace) -> int:
    from attune.dialogue.router import evaluate, format_report

    rows = _read_jsonl(Path(args.file))
    report = evaluate(rows)
    print(json.dumps(report) if args.json else format_report(report))
    return 0


def _eval_sessions(args: argparse.Namespace) -> int:
    from attune.dialogue.session_eval import compare_llm, format_compare, main_sessions

    if not Path(args.dir).is_dir():
        raise CliError(f"{args.dir}: not a folder of clients")
    if not args.llm:
        return main_sessions(args.dir, as_json=args.json)
    settings = _settings(args)
    if not settings.llm_base_url:
        raise CliError("--llm needs a model server: set ATTUNE_LLM_BASE_URL or --llm-base-url", code=2)
    result = compare_llm(args.dir, settings)
    print(json.dumps(result) if args.json else format_compare(result))
    return 0


def _eval_distortions(args: argparse.Namespace) -> int:
    from attune.dialogue.distortions import evaluate_file

    print(json.dumps(evaluate_file(Path(args.file))))
    return 0


# ---------------------------------------------------------------------------- data
def _data(args: argparse.Namespace) -> int:
    from attune.dialogue.memory import open_store

    store = open_store(_settings(args))
    _tell_new_key(store)
    try:
        if args.action == "export":
            try:
                data = store.export_user(args.user)
            except KeyError:
                raise CliError(f"no data for user {args.user!r}") from None
            print(json.dumps(data, ensure_ascii=False, indent=2))
            for row in data.get("unreadable", []):
                print(f"attune: could not decrypt {row['table']} {row['id']} ({row['reason']}); "
                      f"everything else was exported", file=sys.stderr)
        else:
            deleted = store.delete_user(args.user)
            print(json.dumps({"user": args.user, "deleted": deleted}))
            if not deleted:
                return 1
    finally:
        store.close()
    return 0


def _protocols_check(args: argparse.Namespace) -> int:
    from attune.protocols.loader import load_library

    lib = load_library(Path(args.dir) if args.dir else _settings(args).protocols_dir)
    steps = sum(len(m.steps) for m in lib.modalities.values())
    print(f"ok: {len(lib.modalities)} modalities ({', '.join(lib.modalities)}), {steps} steps, "
          f"{len(lib.distortions.distortions)} distortions, crisis locales {sorted(lib.crisis.resources)}")
    return 0


# ---------------------------------------------------------------------------- voice and web
def _engine(settings: Settings, **kw: Any):
    """The one place a brain is built (doors and benches receive it), with the optional language
    model when ``llm_base_url`` is set (the client library is not even imported otherwise)."""
    from attune.dialogue.engine import SessionEngine
    from attune.dialogue.llm import build_llm

    phraser, understander = build_llm(settings)
    engine = SessionEngine.create(settings, phraser=phraser, understander=understander, **kw)
    _tell_new_key(engine.store)
    return engine


def _tell_new_key(store: Any) -> None:
    """At a terminal, a new master key is announced once, with where it is and why to back it up."""
    if store.key_created is not None and sys.stderr.isatty():
        print(f"attune: created a new encryption key at {store.key_created} — back it up; without it "
              f"the saved sessions cannot be read", file=sys.stderr)


def _models(settings: Settings):
    """The one place the speech models are loaded (shared by every call in the process)."""
    from attune.voice.speech.models import get_models

    return get_models(settings)


async def _talk(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if bool(args.in_wav) != bool(args.out_wav):
        raise CliError("--in and --out go together", code=2)
    with _engine(settings) as engine:
        if args.in_wav:
            from attune.voice.doors.wav import run_talk

            return await run_talk(settings, engine, Path(args.in_wav), Path(args.out_wav),
                                  Path(args.events) if args.events else None, args.user, models=_models(settings))
        from attune.voice.doors.microphone import run_local

        return await run_local(settings, engine, args.user, models=_models(settings))


def _bench(args: argparse.Namespace) -> int:
    from attune.voice.bench.latency import bench_latency, bench_load

    settings = _settings(args)
    with _engine(settings) as engine:
        models = _models(settings)
        if args.kind == "latency":
            return bench_latency(settings, engine, models, Path(args.data), door=args.door, as_json=args.json)
        return bench_load(settings, engine, models, args.sessions, Path(args.data), door=args.door,
                          as_json=args.json)


def _serve(args: argparse.Namespace) -> int:
    from attune.web.app import serve

    settings = _settings(args)
    with _engine(settings) as engine:
        return serve(settings, engine, lambda: _models(settings))


def _sip(args: argparse.Namespace) -> int:
    from attune.voice.doors.sip import run_sip

    settings = _settings(args)
    rtp = None
    if args.rtp_ports:
        try:
            lo, hi = (int(x) for x in args.rtp_ports.split("-"))
        except ValueError:
            raise CliError(f"--rtp-ports {args.rtp_ports!r}: expected FIRST-LAST, e.g. 40000-40999", code=2) from None
        if not (1024 <= lo < hi <= 65535):
            raise CliError(f"--rtp-ports {args.rtp_ports!r}: expected 1024 <= FIRST < LAST <= 65535", code=2)
        rtp = (lo, hi)

    async def serve_calls(engine) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)  # hang up every call politely, sessions saved
        return await run_sip(settings, engine, host=args.sip_host, port=args.sip_port, rtp_ports=rtp,
                             public_addr=args.public_addr, max_calls=args.sip_max_calls, stop=stop,
                             models=_models(settings))

    with _engine(settings) as engine:
        return asyncio.run(serve_calls(engine))


# ---------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, help="where sessions are stored (env ATTUNE_DATA_DIR)")
    common.add_argument("--locale", help="crisis-resource locale, e.g. US, UK, IE, EU (env ATTUNE_LOCALE)")
    common.add_argument("--llm-base-url", help="OpenAI-compatible endpoint for phrasing (env ATTUNE_LLM_BASE_URL)")
    common.add_argument("--llm-model", help="model name at that endpoint (env ATTUNE_LLM_MODEL)")
    common.add_argument("--protocols-dir", type=Path, help="alternative protocols folder (env ATTUNE_PROTOCOLS_DIR)")
    common.add_argument("--fresh-store", action="store_true", default=None,
                        help="begin a new database beside an existing key (env ATTUNE_FRESH_STORE)")

    p = argparse.ArgumentParser(prog="attune", description="Attune — a voice therapy assistant.")
    sub = p.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", parents=[common], help="a text session in the terminal")
    chat.add_argument("--user", help="your user id (default: this machine's local user)")
    chat.add_argument("--script", help="read one person turn per non-empty line from FILE")
    chat.add_argument("--json", action="store_true", help="one JSON object per assistant turn")
    chat.add_argument("--turn-seconds", type=float, default=0.0, help="advance the session clock S seconds per turn")
    chat.add_argument("-v", "--verbose", action="store_true",
                      help="show the engine's log on stderr (output guard fallbacks, model timeouts)")
    chat.set_defaults(run=lambda a: asyncio.run(_chat(a)))

    ev = sub.add_parser("eval", help="measure the safety screen, the turn interpreter, the client bank or the distortion ranking")
    evs = ev.add_subparsers(dest="what", required=True)
    crisis = evs.add_parser("crisis", parents=[common], help='JSONL {"text", "label": 0|1} -> recall, precision, FPR')
    crisis.add_argument("file")
    crisis.set_defaults(run=_eval_crisis)
    for what, arg, run, about in (
        ("turns", "file", _eval_turns, "labelled turns (JSONL) -> per-class precision and recall, confusion"),
        ("routing", "file", _eval_routing, 'JSONL {"text", "modality"} -> accuracy, per-modality precision and recall'),
        ("sessions", "dir", _eval_sessions, "a folder of scripted clients -> expectations and style figures"),
    ):
        measure = evs.add_parser(what, parents=[common], help=about)
        measure.add_argument(arg)
        measure.add_argument("--json", action="store_true", help="one JSON object instead of the report")
        if what == "sessions":
            measure.add_argument("--llm", action="store_true",
                                 help="run the bank with and without the configured language model, side by side")
        measure.set_defaults(run=run)
    grd = evs.add_parser("guard", parents=[common], help='JSONL {"text", "label": 1 harmful|0 benign} -> blocked and passed shares')
    grd.add_argument("file")
    grd.add_argument("--templates", action="store_true", help="also run every protocol line through the guard")
    grd.add_argument("--model", action="store_true",
                     help="judge each line as a language model's: the rules, then the semantic layer")
    grd.add_argument("--json", action="store_true", help="one JSON object instead of the report")
    grd.set_defaults(run=_eval_guard)
    dist = evs.add_parser("distortions", parents=[common], help="CSV or JSONL of labelled thoughts -> top-1/top-3")
    dist.add_argument("file")
    dist.set_defaults(run=_eval_distortions)

    data = sub.add_parser("data", help="export or delete everything about a person")
    ds = data.add_subparsers(dest="action", required=True)
    for action in ("export", "delete"):
        a = ds.add_parser(action, parents=[common])
        a.add_argument("--user", required=True)
        a.set_defaults(run=_data)

    prot = sub.add_parser("protocols", help="validate the protocol files")
    ps = prot.add_subparsers(dest="what", required=True)
    check = ps.add_parser("check", parents=[common])
    check.add_argument("--dir", help="folder to check (default: the active protocols)")
    check.set_defaults(run=_protocols_check)

    talk = sub.add_parser("talk", parents=[common], help="a voice session: microphone, or a WAV file")
    talk.add_argument("--in", dest="in_wav", help="input WAV (the person)")
    talk.add_argument("--out", dest="out_wav", help="output WAV (the conversation timeline)")
    talk.add_argument("--events", help="write events as JSONL here")
    talk.add_argument("--user")
    talk.set_defaults(run=lambda a: asyncio.run(_talk(a)))

    bench = sub.add_parser("bench", help="latency and load benchmarks")
    bs = bench.add_subparsers(dest="kind", required=True)
    for kind in ("latency", "load"):
        b = bs.add_parser(kind, parents=[common])
        b.add_argument("--data", required=True, help="transcripts.tsv (columns path, text)")
        b.add_argument("--door", default="wav", choices=["wav", "browser", "sip"])
        b.add_argument("--json", action="store_true")
        if kind == "load":
            b.add_argument("--sessions", type=int, default=4)
        b.set_defaults(run=_bench)

    sip = sub.add_parser("sip", parents=[common], help="the phone door: a SIP endpoint a trunk or PBX can call")
    sip.add_argument("--host", dest="sip_host", help="address to bind (env ATTUNE_SIP__HOST; default 127.0.0.1)")
    sip.add_argument("--port", dest="sip_port", type=int, help="SIP port, UDP (env ATTUNE_SIP__PORT; default 5060)")
    sip.add_argument("--rtp-ports", help="RTP port range FIRST-LAST (default 40000-40999)")
    sip.add_argument("--public-addr", help="address advertised in Contact and SDP, e.g. behind NAT")
    sip.add_argument("--max-calls", dest="sip_max_calls", type=int, help="calls at once; more get 486 Busy Here")
    sip.set_defaults(run=_sip)

    serve = sub.add_parser("serve", parents=[common], help="the browser call (default http://127.0.0.1:8080)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--max-calls", type=int)
    serve.set_defaults(run=_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from attune.dialogue.memory import StoreError
    from attune.protocols.loader import ProtocolError

    try:
        return int(args.run(args) or 0)
    except CliError as exc:
        print(f"attune: {exc}", file=sys.stderr)
        return exc.code
    except (ProtocolError, StoreError, OSError) as exc:
        print(f"attune: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
