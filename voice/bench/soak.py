"""Soak bench: N browser calls through the real server, repeated for a while, watching RSS and fds.

``python -m attune.voice.bench.soak --calls 4 --minutes 10 --data ../shared/data/ljspeech_sample/transcripts.tsv``

The server is the in-process ``attune serve`` app of the browser bench (:mod:`voice.bench.browser`:
real WebRTC, real voice loop, real engine and store); the callers are aiortc ``BrowserClient``\\ s in
a separate process that speak real recordings (clips of the TSV, columns ``path`` and ``text``).
Each of the ``calls`` slots runs one conversation after another (a short plan: singles, a joined
pair, a barge-in; a new identity and a new call each time) until ``minutes`` have passed; a
conversation under way then finishes.

Every ``sample_s`` seconds the server process (this one) is sampled: VmRSS from
``/proc/self/status`` and the open fd count (``/proc/self/fd``), with the number of live calls.
The figures: RSS growth after the warm-up (the first ``warmup_s``, 2 minutes by default) in
percent — the median of the last 3 samples against the first sample after warm-up
(``rss_growth_pct``) and, steadier, the mean of the last window of ``warmup_s`` against the first
one after warm-up (``rss_window_growth_pct``) — with the slope (MB/min) and peak; and the fd
count: its range after warm-up, and idle (no call) before the first call and after the last one
(with the kinds of fd that differ).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from attune.voice.bench.latency import build_plan, load_clips, load_tsv, score_run

DEFAULT_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ljspeech_sample" / "transcripts.tsv"
SOAK_PLAN = {"n_single": 3, "n_joined": 2, "n_barge": 1}   # a short conversation: more calls per minute


def rss_mb(pid: int | str = "self") -> float:
    """VmRSS of a process in MB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def fd_count(pid: int | str = "self") -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def fd_kinds(pid: int | str = "self") -> dict[str, int]:
    """Open fds by kind (socket, pipe, anon_inode:[eventfd], a file's path …)."""
    kinds: dict[str, int] = {}
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return kinds
    for n in names:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{n}")
        except OSError:
            continue
        kind = target.split(":", 1)[0] if target.startswith(("socket:", "pipe:")) else target
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


@dataclass
class Sample:
    t: float            # seconds since the soak started
    rss_mb: float       # server process (this one)
    fds: int            # server process open fds
    calls: int          # live calls on the server
    done: int           # conversations finished so far
    caller_rss_mb: float = 0.0  # the callers' process, for reference


def _slope_per_min(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    if not den:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 60


def summarise(samples: list[Sample], warmup_s: float, idle_start: Sample | None = None,
              idle_end: Sample | None = None) -> dict[str, Any]:
    """Growth figures from a series (``samples`` taken while the calls ran)."""
    after = [s for s in samples if s.t >= warmup_s] or samples[-1:]
    out: dict[str, Any] = {"samples": len(samples), "warmup_s": warmup_s}
    if not after:
        return out
    base = after[0]
    tail = after[-3:]
    end_rss = statistics.median(s.rss_mb for s in tail)
    peak = max(s.rss_mb for s in after)
    out.update({
        "rss_mb_start": round(samples[0].rss_mb, 1),
        "rss_mb_after_warmup": round(base.rss_mb, 1),
        "rss_mb_end": round(end_rss, 1),
        "rss_mb_peak_after_warmup": round(peak, 1),
        "rss_growth_pct": round((end_rss - base.rss_mb) / base.rss_mb * 100, 2) if base.rss_mb else None,
        "rss_peak_growth_pct": round((peak - base.rss_mb) / base.rss_mb * 100, 2) if base.rss_mb else None,
        "rss_slope_mb_per_min": _round(_slope_per_min([s.t for s in after], [s.rss_mb for s in after]), 3),
        "fds_after_warmup_min": min(s.fds for s in after),
        "fds_after_warmup_max": max(s.fds for s in after),
        "fds_after_warmup_first": base.fds,
        "fds_end": after[-1].fds,
        "fds_slope_per_min": _round(_slope_per_min([s.t for s in after], [float(s.fds) for s in after]), 3),
    })
    # mean RSS per window of warm-up length: robust to the sawtooth of the allocator
    width = max(warmup_s, 1.0)
    windows: dict[int, list[float]] = {}
    for s in samples:
        windows.setdefault(int(s.t // width), []).append(s.rss_mb)
    means = [(round(k * width), round(statistics.fmean(v), 1)) for k, v in sorted(windows.items())]
    out["rss_mb_window_means"] = means
    later = [m for t, m in means if t >= warmup_s]
    if len(later) >= 2:
        out["rss_window_growth_pct"] = round((later[-1] - later[0]) / later[0] * 100, 2)
    if idle_start is not None:
        out["fds_idle_start"] = idle_start.fds
        out["rss_mb_idle_start"] = round(idle_start.rss_mb, 1)
    if idle_end is not None:
        out["fds_idle_end"] = idle_end.fds
        out["rss_mb_idle_end"] = round(idle_end.rss_mb, 1)
    if idle_start is not None and idle_end is not None:
        out["fds_idle_delta"] = idle_end.fds - idle_start.fds
    return out


def _round(x: float | None, n: int) -> float | None:
    return None if x is None else round(x, n)


async def _soak(settings: Any, engine: Any, models: Any, *, calls: int, minutes: float, sample_s: float,
                warmup_s: float, data: Path, plan: dict[str, int], log=print) -> dict[str, Any]:
    from attune.voice.bench import browser as bb
    from attune.voice.bench.latency import _warm
    from attune.web.app import CALLS_KEY

    clips = load_clips(load_tsv(Path(data)))
    await _warm(settings, engine, models)  # phrase cache and brain set-up: one-time costs
    # hold the bench server for the whole soak (run_browser tears it down when its last user leaves)
    server = await bb._SERVERS.setdefault(id(engine), bb._Server()).acquire(settings, engine, models)
    caller_pid = server.callers.proc.pid if server.callers is not None else None

    def live_calls() -> int:
        return len(server.app[CALLS_KEY].calls) if server.app is not None else 0

    t0 = time.monotonic()
    state = {"done": 0, "turns": 0, "answered": 0, "errors": []}
    samples: list[Sample] = []

    def sample() -> Sample:
        return Sample(round(time.monotonic() - t0, 1), round(rss_mb(), 1), fd_count(), live_calls(), state["done"],
                      round(rss_mb(caller_pid), 1) if caller_pid else 0.0)

    await asyncio.sleep(1.0)
    idle_start = sample()
    kinds_start = fd_kinds()
    log(f"soak: {calls} calls for {minutes:g} min, server at {server.url}; idle: RSS {idle_start.rss_mb:.1f} MB, "
        f"{idle_start.fds} fds")
    deadline = t0 + minutes * 60

    async def slot(i: int) -> None:
        await asyncio.sleep(i * 1.5)  # stagger: not every call sets up at once
        k = 0
        while time.monotonic() < deadline:
            turns = build_plan(clips, seed=10_000 * (i + 1) + k, **plan)
            k += 1
            try:
                run = await bb.run_browser(settings, turns, engine=engine, user_id=f"soak-{i}-{k}", models=models)
            except Exception as e:  # keep soaking; report it
                state["errors"].append(f"slot {i}, conversation {k}: {type(e).__name__}: {e}")
                await asyncio.sleep(2.0)
                continue
            scores = score_run(run)
            state["done"] += 1
            state["turns"] += len(scores)
            state["answered"] += sum(1 for s in scores if s.latency_ms is not None)

    async def sampler() -> None:
        while True:
            s = sample()
            samples.append(s)
            log(f"  t={s.t:7.1f}s  rss={s.rss_mb:8.1f} MB  fds={s.fds:4d}  calls={s.calls}  done={s.done}")
            await asyncio.sleep(sample_s)

    s_task = asyncio.create_task(sampler())
    try:
        await asyncio.gather(*(slot(i) for i in range(calls)))
    finally:
        s_task.cancel()
        with _suppress():
            await s_task
    # every call is over: let the closes settle, then the idle figures
    settle = time.monotonic() + 30
    while live_calls() and time.monotonic() < settle:
        await asyncio.sleep(0.5)
    await asyncio.sleep(3.0)
    idle_end = sample()
    kinds_end = fd_kinds()
    await server.release()
    res = summarise(samples, warmup_s, idle_start, idle_end)
    res.update({"calls": calls, "minutes": minutes, "sample_s": sample_s, "conversations": state["done"],
                "turns": state["turns"], "answered_turns": state["answered"], "errors": state["errors"],
                "wall_s": round(time.monotonic() - t0, 1),
                "fds_idle_new_kinds": {k: kinds_end.get(k, 0) - kinds_start.get(k, 0)
                                       for k in sorted(set(kinds_start) | set(kinds_end))
                                       if kinds_end.get(k, 0) != kinds_start.get(k, 0)},
                "series": [asdict(s) for s in samples]})
    return res


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> bool:
        return True


def soak(settings: Any, engine: Any, models: Any, calls: int = 4, minutes: float = 10, sample_s: float = 10, *,
         warmup_s: float = 120.0, data: Path | str | None = None, plan: dict[str, int] | None = None,
         quiet: bool = False) -> dict[str, Any]:
    """Run the soak (blocking; starts its own event loop) and return the figures with the series."""
    log = (lambda *a, **k: None) if quiet else (lambda *a, **k: print(*a, **k, flush=True))
    return asyncio.run(_soak(settings, engine, models, calls=calls, minutes=minutes, sample_s=sample_s,
                             warmup_s=warmup_s, data=Path(data or DEFAULT_DATA), plan=plan or SOAK_PLAN, log=log))


def print_table(res: dict[str, Any], file=sys.stdout) -> None:
    print(f"\nsoak: {res['calls']} browser calls, {res['minutes']:g} min, sample every {res['sample_s']:g} s, "
          f"warm-up {res['warmup_s']:g} s", file=file)
    print(f"{'t (s)':>8} {'RSS (MB)':>10} {'fds':>6} {'calls':>6} {'done':>6} {'callers RSS':>12}", file=file)
    for s in res["series"]:
        mark = " " if s["t"] >= res["warmup_s"] else "w"
        print(f"{s['t']:8.1f} {s['rss_mb']:10.1f} {s['fds']:6d} {s['calls']:6d} {s['done']:6d} "
              f"{s['caller_rss_mb']:12.1f} {mark}", file=file)
    for k, v in res.items():
        if k != "series":
            print(f"  {k:28s} {v}", file=file)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m attune.voice.bench.soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=4)
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--sample-s", type=float, default=10.0)
    p.add_argument("--warmup-s", type=float, default=120.0)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="TSV of clips (columns path, text)")
    p.add_argument("--data-dir", type=Path, default=None, help="the store's folder (default: a temporary one)")
    p.add_argument("--json", type=Path, default=None, help="also write the figures and series here")
    p.add_argument("--max-rss-growth-pct", type=float, default=5.0, help="exit 1 above this growth")
    args = p.parse_args(argv)
    if args.calls < 1 or args.minutes <= 0 or args.sample_s <= 0:
        print("soak: --calls, --minutes and --sample-s must be positive", file=sys.stderr)
        return 2
    import json
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from attune.dialogue.engine import SessionEngine
    from attune.dialogue.settings import Settings
    from attune.voice.speech.models import get_models

    with tempfile.TemporaryDirectory(prefix="attune-soak-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        settings = Settings(data_dir=data_dir, max_calls=max(args.calls, 8))
        engine = SessionEngine.create(settings)
        try:
            models = get_models(settings)
            res = soak(settings, engine, models, calls=args.calls, minutes=args.minutes, sample_s=args.sample_s,
                       warmup_s=args.warmup_s, data=args.data)
        finally:
            engine.close()
    print_table(res)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1))
    growth = res.get("rss_growth_pct")
    ok = not res["errors"] and growth is not None and growth < args.max_rss_growth_pct
    print(f"soak: {'ok' if ok else 'NOT OK'} — RSS growth after warm-up {growth} % "
          f"(limit {args.max_rss_growth_pct:g} %), fds {res.get('fds_after_warmup_min')}–"
          f"{res.get('fds_after_warmup_max')} after warm-up, idle {res.get('fds_idle_start')} → "
          f"{res.get('fds_idle_end')}; {res['conversations']} conversations, {len(res['errors'])} errors")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
