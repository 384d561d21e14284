"""End to end, as a person would: Debian Chromium (headless, driven by Playwright) calls ``attune serve``.

The browser's fake microphone plays a real recording (LJ Speech, public domain, 1 s of leading
silence); the real voice loop (webrtcvad, Whisper tiny.en, Piper) answers over WebRTC. We check
what a person sees and hears: their words in the captions, a spoken reply that reaches the page
(RTP bytes and an AnalyserNode level above silence), a crisis banner when they say they want to
die, and the saved session on the history page. Screenshots go to a temporary folder, or to
``$SCREENSHOTS_DIR`` when set: ``make screenshots`` refreshes the ones README shows (docs/screenshots/).

Needs ``/usr/bin/chromium`` (Debian package ``chromium``); never ``playwright install``.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import wave
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CLIP = ROOT / "tests" / "fixtures" / "LJ001-0004.wav"
CLIP_TEXT = "produced the block books, which were the immediate predecessors of the true printed book"
# Said three ways: under CPU load the recogniser has heard "kill myself" as "go myself"; any one of them is a crisis.
CRISIS_TEXT = "I can't do this anymore. I want to kill myself. I'm going to end my life tonight."

def _require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian Chromium is missing at /usr/bin/chromium: install it with "
                    "`apt-get update && apt-get install -y chromium` (never `playwright install`).")


def chromium_args(mic_wav: Path) -> list[str]:
    return [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={mic_wav}%noloop",
        "--disable-features=WebRtcHideLocalIpsWithMdns", "--autoplay-policy=no-user-gesture-required",
    ]


def write_mic_wav(path: Path, pcm: np.ndarray, rate: int, lead_s: float = 1.0, tail_s: float = 2.0) -> Path:
    out = np.concatenate([np.zeros(int(rate * lead_s), np.int16), pcm.astype(np.int16),
                          np.zeros(int(rate * tail_s), np.int16)])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(out.tobytes())
    return path


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served(str):
    """The base URL of the running server, with its data folder (to seed or inspect the store)."""

    data_dir: Path


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: never into tracked files unless asked (``make screenshots``)."""
    folder = Path(os.environ["SCREENSHOTS_DIR"]) if os.environ.get("SCREENSHOTS_DIR") else tmp_path_factory.mktemp("shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``attune serve`` in its own process, as a person starts it; stopped with Ctrl+C (SIGINT)."""
    _require_chromium()
    port = _free_port()
    data = tmp_path_factory.mktemp("serve-data")
    log_path = data.parent / "serve.log"
    env = {**os.environ, "ATTUNE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1",
           "ATTUNE_ALLOW_PRIVATE_CANDIDATES": "1"}  # Chromium's candidates are on this machine
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "attune.voice.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while "Attune is ready" not in log_path.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"attune serve did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    url = Served(f"http://127.0.0.1:{port}")
    url.data_dir = data
    yield url
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("attune serve did not stop on Ctrl+C")
    if proc.returncode not in (0, -signal.SIGINT):
        pytest.fail(f"attune serve exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")


def _get_json(url: str, cookie: str | None = None) -> dict:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def _browser(p, mic_wav: Path):
    return p.chromium.launch(executable_path=str(CHROMIUM), args=chromium_args(mic_wav), headless=True)


INBOUND_BYTES = """async () => {
  const s = await window.attuneCall.pc.getStats(); let b = 0;
  s.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'audio') b += r.bytesReceived; });
  return b; }"""
OUTBOUND_PACKETS = """async () => {
  const s = await window.attuneCall.pc.getStats(); let n = 0;
  s.forEach(r => { if (r.type === 'outbound-rtp' && r.kind === 'audio') n += r.packetsSent; });
  return n; }"""
LAST_USER_FINAL = ("() => window.attuneCall.events.map(e => e.type === 'caption' && e.role === 'user' && e.final)"
                   ".lastIndexOf(true)")


def wait_js(page, fn: str, timeout_ms: int, what: str = "") -> None:
    """Poll ``fn`` (a JS function) with ``page.evaluate`` until it returns truthy. (Playwright's
    ``wait_for_function`` compiles its predicate with eval, which the page's CSP rightly forbids.)"""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(fn):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_ms / 1000:.0f} s waiting for {what or fn}")
        page.wait_for_timeout(100)


def _start_call(page, url: str) -> None:
    page.goto(url)
    consent = page.get_by_test_id("consent")
    consent.wait_for(state="visible")
    page.keyboard.press("Enter")  # the notice's button has focus: keyboard works
    consent.wait_for(state="hidden")
    call = page.get_by_test_id("call")
    assert call.evaluate("el => el === document.activeElement"), "focus should move to the call button"
    page.keyboard.press("Enter")
    wait_js(page, "() => window.attuneCall.pc && window.attuneCall.pc.connectionState === 'connected'",
            15_000, "the call to connect")


def test_a_call_in_chromium_hears_the_person_and_answers(server, shots, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    pcm, rate = read_wav(CLIP if CLIP.exists() else ROOT.parent / "shared/data/ljspeech_sample/wavs/LJ001-0004.wav")
    mic = write_mic_wav(tmp_path / "mic.wav", pcm, rate)
    with sync_playwright() as p:
        browser = _browser(p, mic)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            _start_call(page, server)
            expect(page.get_by_test_id("caption-assistant")).not_to_be_empty(timeout=15_000)  # the greeting

            # the person's words appear (partial, then final; a pause may split them into two finals)
            expected = words(CLIP_TEXT)
            wait_js(page, "() => Array.from(document.querySelectorAll('[data-testid=caption-user] p.final'))"
                          ".map(p => p.textContent).join(' ').toLowerCase().replace(/[^a-z' ]/g, ' ').split(/ +/)"
                          f".filter(w => {json.dumps(expected)}.includes(w)).length >= {int(0.7 * len(expected))}",
                    45_000, "the person's words in caption-user")
            said = page.get_by_test_id("caption-user").inner_text()
            found = sum(1 for w in expected if w in set(words(said)))
            assert found / len(expected) >= 0.7, f"caption-user shows {said!r}"

            # a reply to it appears, and its audio reaches the page
            page.evaluate("() => { window.attuneCall.maxLevel = 0; }")
            wait_js(page, f"() => window.attuneCall.events.slice(({LAST_USER_FINAL})() + 1)"
                    ".some(e => e.type === 'caption' && e.role === 'assistant' && e.final && e.text)",
                    30_000, "a reply caption")
            wait_js(page, "() => window.attuneCall.maxLevel > 0.02", 15_000, "the reply's audio at the page")
            assert page.evaluate(INBOUND_BYTES) > 5_000
            assert page.get_by_test_id("phase").inner_text().strip() not in ("", "Not started")
            assert re.match(r"^\d\d:\d\d$", page.get_by_test_id("timer").inner_text())
            assert page.get_by_test_id("hangup").is_enabled() and page.get_by_test_id("mute").is_enabled()

            page.screenshot(path=str(shots / "call-page.png"))
            page.set_viewport_size({"width": 390, "height": 844})  # a phone
            page.screenshot(path=str(shots / "call-page-phone.png"), full_page=True)
            assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), \
                "the call page scrolls sideways on a phone"
            page.set_viewport_size({"width": 1100, "height": 900})

            # muting keeps the line alive (silence is still sent, so the server does not think we left)
            mute = page.get_by_test_id("mute")
            mute.click()
            expect(mute).to_have_attribute("aria-pressed", "true")
            sent0 = page.evaluate(OUTBOUND_PACKETS)
            page.wait_for_timeout(1000)
            assert page.evaluate(OUTBOUND_PACKETS) - sent0 > 20
            mute.click()
            expect(mute).to_have_attribute("aria-pressed", "false")

            # hanging up saves the session: it is on the history page
            page.get_by_test_id("hangup").click()
            expect(page.locator("#status")).to_contain_text("saved", timeout=15_000)
            assert page.get_by_test_id("call").is_enabled()
            page.goto(server + "/history")
            expect(page.get_by_test_id("session").first).to_be_visible(timeout=10_000)
            assert errors == [], errors
        finally:
            browser.close()


def test_a_crisis_said_into_the_microphone_shows_the_crisis_banner(server, shots, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from attune.voice.speech.models import _default_piper_path, load_piper

    voice = load_piper(_default_piper_path(), threads=1)
    chunks = list(voice.synthesize(CRISIS_TEXT))
    pcm = np.concatenate([c.audio_int16_array for c in chunks])
    mic = write_mic_wav(tmp_path / "crisis.wav", pcm, chunks[0].sample_rate)
    with sync_playwright() as p:
        browser = _browser(p, mic)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            _start_call(page, server)
            banner = page.get_by_test_id("crisis")
            expect(banner).to_be_visible(timeout=45_000)
            text = banner.inner_text()
            assert re.search(r"\d{3}", text), f"the banner shows no number to call: {text!r}"
            page.screenshot(path=str(shots / "crisis-banner.png"))
            cookie = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
            assert _get_json(server + "/healthz")["calls"] == 1
            # the person closes the browser without hanging up: the line is freed, the session kept
            browser.close()
            deadline = time.monotonic() + 30
            while _get_json(server + "/healthz")["calls"] and time.monotonic() < deadline:
                time.sleep(0.25)
            assert _get_json(server + "/healthz")["calls"] == 0, "a vanished browser still holds its line"
            sessions = _get_json(server + "/api/sessions", cookie)["sessions"]
            assert sessions and sessions[0]["turn_count"] >= 2, sessions
        finally:
            browser.close()


def test_history_plots_mood_and_privacy_exports_then_deletes(server, shots, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from attune.dialogue.memory import open_store
    from attune.dialogue.settings import Settings
    from attune.web.security import ID_COOKIE, user_id_for

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=chromium_args(tmp_path / "none.wav")[:8],
                                    headless=True)
        try:
            context = browser.new_context(viewport={"width": 900, "height": 1000}, accept_downloads=True)
            page = context.new_page()
            page.goto(server + "/history")
            expect(page.locator("#history-status")).to_contain_text("No sessions yet")
            token = next(c["value"] for c in context.cookies() if c["name"] == ID_COOKIE)
            uid = user_id_for(token)
            store = open_store(Settings(data_dir=server.data_dir))
            try:  # three past sessions of this browser's person
                store.ensure_user(uid)
                now = time.time()
                for i, (mo, mc) in enumerate([(3, 5), (4, 6), (6, 8)]):
                    sid = f"hist-{i}"
                    store.start_session(uid, sid, now - (3 - i) * 86_400)
                    store.append_turn(sid, "user", f"worry number {i}")
                    store.update_session(sid, ended_at=now - (3 - i) * 86_400 + 1200, modality="cbt", status="completed",
                                         mood_open=mo, mood_close=mc, summary=f"Session {i}: worked on a worry.",
                                         card={"title": "My coping card", "balanced_thought": f"Balanced thought {i}"})
            finally:
                store.close()

            page.reload()
            expect(page.get_by_test_id("session")).to_have_count(3)
            expect(page.get_by_test_id("session").first).to_contain_text("Session 2: worked on a worry.")
            plot = page.get_by_test_id("mood-plot").locator("svg")
            expect(plot).to_be_visible()
            assert plot.locator("circle.dot").count() == 6 + 2  # 3 sessions × start/end, + the legend
            page.get_by_text("Coping card").first.click()
            expect(page.get_by_text("Balanced thought 2")).to_be_visible()
            page.screenshot(path=str(shots / "history-page.png"), full_page=True)

            page.goto(server + "/privacy")
            with page.expect_download() as dl:
                page.get_by_test_id("export").click()
            exported = json.loads(Path(dl.value.path()).read_text())
            assert exported["user"]["id"] == uid and len(exported["sessions"]) == 3
            assert "worry number 1" in json.dumps(exported)

            page.get_by_test_id("delete").click()
            page.get_by_test_id("delete-confirm").click()
            expect(page.locator("#delete-status")).to_contain_text("erased")
            new_token = next(c["value"] for c in context.cookies() if c["name"] == ID_COOKIE)
            assert new_token != token
            page.goto(server + "/history")
            expect(page.locator("#history-status")).to_contain_text("No sessions yet")
            store = open_store(Settings(data_dir=server.data_dir))
            try:
                assert store.get_user(uid) is None
            finally:
                store.close()
        finally:
            browser.close()
