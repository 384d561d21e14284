"""Fakes shared by the web tests and the fuzzers: the brain's surface the browser door uses."""
from __future__ import annotations

from typing import Any


class FakeEngine:
    """What ``create_app`` reads of the brain: its store and settings, crisis resources, hang_up."""

    def __init__(self, store: Any = None, settings: Any = None) -> None:
        self.store, self.settings = store, settings
        self.hung_up: list[str] = []

    def crisis_resources(self):
        from attune.protocols.loader import load_library

        return load_library(None).crisis.resources["default"]

    def emergency_number(self) -> str:
        return "your local emergency number"

    async def hang_up(self, user_id: str) -> None:
        self.hung_up.append(user_id)
