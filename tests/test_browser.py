"""The built site in headless Chromium (Debian's ``chromium``), driven over the DevTools protocol.

Chromium talks DevTools over a pipe (``--remote-debugging-pipe``: commands on fd 3,
replies and events on fd 4, NUL-separated JSON), so the test needs no driver
package and no network port besides the local HTTP server of the site.
Screenshots go to ``.artifacts/``.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from conftest import REPO
from test_docs import fixture_site  # noqa: F401  (the session fixture: a site built from tests/fixtures/valid.json)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--hide-scrollbars", "--mute-audio",
         "--window-size=1280,900", "--remote-debugging-pipe")
ARTIFACTS = REPO / ".artifacts"
TIMEOUT = 30.0

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium "
                                                          "fonts-noto-core); .ci/run installs it so that CI runs this test")


class Chromium:
    """A headless Chromium with one page, driven with DevTools commands over its pipe."""

    def __init__(self, user_data_dir: Path) -> None:
        to_child_r, self._out = os.pipe()
        self._in, from_child_w = os.pipe()

        def fds() -> None:  # in the child: the pipe ends become fds 3 (commands) and 4 (replies)
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
                                     preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._next = 0
        self._replies: dict[int, queue.Queue] = {}
        self.events: queue.Queue = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)

    def _read(self) -> None:
        buf = b""
        while chunk := os.read(self._in, 1 << 16):
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg and msg["id"] in self._replies:
                    self._replies[msg["id"]].put(msg)
                else:
                    self._record(msg)
                    self.events.put(msg)

    def _record(self, msg: dict[str, Any]) -> None:
        """Keep every console error, uncaught exception and error log entry (a failed request, say)."""
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            self.log.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            self.log.append("exception: " + d.get("exception", {}).get("description", d.get("text", "")))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            self.log.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        n = self._next
        replies: queue.Queue = queue.Queue()
        self._replies[n] = replies
        msg = {"id": n, "method": method, "params": params, **({"sessionId": session} if session else {})}
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        try:
            reply = replies.get(timeout=TIMEOUT)
        except queue.Empty:
            raise TimeoutError(f"no reply to {method} within {TIMEOUT}s") from None
        finally:
            self._replies.pop(n, None)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """A command to the page."""
        return self.call(method, session=self.session, **params)

    def goto(self, url: str) -> None:
        while not self.events.empty():
            self.events.get_nowait()
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                msg = self.events.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if msg.get("method") == "Page.loadEventFired":
                self.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                return
        raise TimeoutError(f"{url} did not load within {TIMEOUT}s")

    def eval(self, expression: str) -> Any:
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the first element matching ``selector``."""
        box = self.eval(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
                        " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def screenshot(self, path: Path) -> None:
        height = self.eval("document.documentElement.scrollHeight")
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": 1280, "height": min(height, 6000), "scale": 1})
        import base64

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._out)


@pytest.fixture(scope="module")
def served(fixture_site, tmp_path_factory):  # noqa: F811
    """(repository, base URL, browser): Chromium first (it forks), then the site's HTTP server on 127.0.0.1."""
    root, site = fixture_site
    chrome = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/", chrome
    finally:
        chrome.close()
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def _entity_counts(root: Path) -> dict[str, int]:
    rows = [r for f in sorted((root / "dataset" / "data" / "documents").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    return {r["id"]: len(r["entities"]) for r in rows}


def test_every_article_is_rtl_with_one_highlight_per_entity(served):
    root, base, chrome = served
    counts = _entity_counts(root)
    assert counts, "the fixture dataset has articles"
    chrome.goto(base + "browser/")
    links = chrome.eval("[...document.querySelectorAll('article a[href^=\"000_\"], article a[href*=\"/\"]')]"
                        ".map(a => a.getAttribute('href')).filter(h => !h.startsWith('..') && !h.startsWith('#'))")
    assert len([h for h in links if h.rstrip("/").split("/")[-1] in counts]) == len(counts)
    shown = 0
    for article_id, n in counts.items():
        chrome.goto(base + f"browser/{article_id}/")
        assert chrome.eval("document.querySelector('.ab-article').getAttribute('dir')") == "rtl"
        assert chrome.eval("getComputedStyle(document.querySelector('.ab-article')).direction") == "rtl"
        highlighted = chrome.eval("[...document.querySelectorAll('.ab-ent:not([data-cont])')]"
                                  ".filter(e => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)').length")
        assert highlighted == n, article_id
        shown += highlighted
    assert shown == sum(counts.values())
    assert chrome.log == []


def test_nested_mentions_sit_inside_their_parent_with_a_lower_underline(served):
    root, base, chrome = served
    article_id = next(iter(_entity_counts(root)))
    chrome.goto(base + f"browser/{article_id}/")
    pairs = chrome.eval("[...document.querySelectorAll('.ab-ent .ab-ent')].map(inner => { const outer = inner.parentElement.closest('.ab-ent');"
                        " return [outer.dataset.id, inner.dataset.id, parseFloat(getComputedStyle(outer).paddingBottom),"
                        " parseFloat(getComputedStyle(inner).paddingBottom)]; })")
    assert pairs, "the fixture has nested mentions"
    for outer, inner, outer_pad, inner_pad in pairs:
        assert outer_pad > inner_pad, (outer, inner)


def test_arabic_font_is_available(served):
    _, base, chrome = served
    chrome.goto(base + "browser/")
    assert chrome.eval("document.fonts.check('16px \"Noto Naskh Arabic\"', 'خبر') || document.fonts.check('16px \"Noto Sans Arabic\"', 'خبر')")


def test_layer_toggles_hide_and_show_their_layer(served):
    root, base, chrome = served
    article_id = next(i for i, n in _entity_counts(root).items() if n)
    chrome.goto(base + f"browser/{article_id}/")
    visible = ("[...document.querySelectorAll('.ab-ent')].filter(e => getComputedStyle(e).backgroundColor !== 'rgba(0, 0, 0, 0)'"
               " || getComputedStyle(e, '::after').display !== 'none').length")
    before = chrome.eval(visible)
    assert before > 0
    chrome.click("input.ab-toggle[value=entities]")
    assert chrome.eval("document.querySelector('input.ab-toggle[value=entities]').checked") is False
    assert chrome.eval(visible) == 0
    assert chrome.eval("getComputedStyle(document.querySelector('.ab-trg')).outlineStyle") != "none"  # other layers stay
    chrome.click("input.ab-toggle[value=events]")
    assert chrome.eval("getComputedStyle(document.querySelector('.ab-trg')).outlineStyle") == "none"
    chrome.click("input.ab-toggle[value=entities]")
    chrome.click("input.ab-toggle[value=events]")
    assert chrome.eval(visible) == before
    assert chrome.log == []


def test_trigger_click_shows_its_arguments_and_quote_parts_are_linked(served):
    root, base, chrome = served
    rows = [r for f in sorted((root / "dataset" / "data" / "documents").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    doc = next(r for r in rows if r["events"] and r["quotes"])
    chrome.goto(base + f"browser/{doc['id']}/")
    event = doc["events"][0]
    chrome.click(f".ab-trg[data-ev~='{event['id']}']")
    assert chrome.eval("!document.querySelector('.ab-tip').hidden")
    tip = chrome.eval("document.querySelector('.ab-tip').innerText")
    assert event["type"] in tip and all(a["role"] in tip for a in event["arguments"])
    roles = chrome.eval("[...document.querySelectorAll('.ab-on[data-role-shown]')].map(e => e.getAttribute('data-role-shown')).sort()")
    assert roles == sorted(a["role"] for a in event["arguments"])
    shot = ARTIFACTS / "browser-event.png"
    chrome.screenshot(shot)
    quote = doc["quotes"][0]
    chrome.click(f".ab-cue[data-q~='{quote['id']}']")
    lit = chrome.eval(f"[...document.querySelectorAll('.ab-on[data-q~=\"{quote['id']}\"]')].map(e => e.className.split(' ')[0]).sort()")
    expected = ["ab-cue"] + ["ab-qc"] * len(quote["content"]) + (["ab-src"] if quote["source"] and not quote["source"]["entity_id"] else [])
    assert sorted(set(lit)) == sorted(set(expected)) and "ab-qc" in lit
    assert quote["cue"]["text"] in chrome.eval("document.querySelector('.ab-tip').innerText")
    assert chrome.log == []


def test_screenshots_of_the_datasheet_and_the_browser(served):
    root, base, chrome = served
    article_id = next(iter(_entity_counts(root)))
    for page, name in (("datasheet/", "datasheet.png"), (f"browser/{article_id}/", "browser.png"), ("statistics/", "statistics.png"),
                       ("", "home.png"), ("formats/", "formats.png"), ("leaderboard/", "leaderboard.png")):
        chrome.goto(base + page)
        chrome.screenshot(ARTIFACTS / name)
        assert (ARTIFACTS / name).stat().st_size > 10_000, name
    assert chrome.log == []
