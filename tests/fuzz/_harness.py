"""What the atheris harnesses share: imports, the seed corpus, libFuzzer's default flags.

``main(test_one_input, name)`` runs libFuzzer with ``sys.argv``. With no corpus directory on the
command line it starts from the seeds in ``corpus/<name>`` (``-seed_inputs``: nothing is written
back, the seeds in the repository never change); files given on the command
line are run once each (regression mode, e.g. a saved ``crash-…``); a directory given is a corpus
libFuzzer reads and adds to. Defaults, each overridable:
``-rss_limit_mb=2048 -timeout=20 -max_len=<per harness>``; with no ``-max_total_time`` nor
``-runs``, 60 s.
"""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

try:
    import atheris  # noqa: F401
except ImportError as exc:  # pragma: no cover - the test extra installs it
    raise SystemExit(f"atheris is not installed ({exc}): uv sync --extra test") from None

MAX_LEN = {"sdp": 16384, "wav": 8192, "json": 8192}


def _flag(argv: list[str], name: str) -> bool:
    return any(a.startswith(f"-{name}=") for a in argv)


def main(test_one_input, name: str) -> None:
    argv = list(sys.argv)
    positional = [a for a in argv[1:] if not a.startswith("-")]
    extra: list[str] = []
    for flag, value in (("rss_limit_mb", "2048"), ("timeout", "20"), ("max_len", str(MAX_LEN.get(name, 4096))),
                        ("dict", os.path.join(HERE, f"{name}.dict"))):
        if flag == "dict" and not os.path.exists(value):
            continue
        if not _flag(argv, flag):
            extra.append(f"-{flag}={value}")
    if not (_flag(argv, "max_total_time") or _flag(argv, "runs")):
        extra.append("-max_total_time=60")
    if not positional and not _flag(argv, "seed_inputs"):
        seeds = sorted(os.path.join(HERE, "corpus", name, f) for f in os.listdir(os.path.join(HERE, "corpus", name)))
        extra.append("-seed_inputs=" + ",".join(seeds))
    atheris.Setup(argv + extra, test_one_input)
    atheris.Fuzz()
