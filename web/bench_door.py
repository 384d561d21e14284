"""Seam for ``voice.bench``: importing this registers the ``browser`` door (see web/bench_browser.py)."""
from web.bench_browser import run_browser  # noqa: F401
