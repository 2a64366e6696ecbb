"""End-to-end fixtures: the app served by waitress on a free port, driven by Debian's Chromium.

Playwright for Python drives ``/usr/bin/chromium`` (``executable_path``); Playwright's own
browser download is never used. Without chromium these tests skip with the reason.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from lecturehub.core.server import make_server
from lecturehub.extensions import db
from tests.conftest import make_app

CHROMIUM = os.environ.get("LECTUREHUB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.close()


@pytest.fixture
def live_app(tmp_path):
    app = make_app(tmp_path / "storage")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()


# The Content-Security-Policy forbids inline scripts and styles: a page that breaks it logs a
# violation, and the test fails (as it does on an uncaught script error). It forbids eval too,
# so wait for a selector, not for page.wait_for_function("<a string>").
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => console.error(
  "CSP violation: " + e.violatedDirective + " " + (e.blockedURI || "inline") + " at "
  + e.sourceFile + ":" + e.lineNumber));"""


def watch_page(page) -> list[str]:
    """Record CSP violations and uncaught script errors of ``page`` (and its later pages)."""
    problems: list[str] = []
    page.add_init_script(CSP_WATCH)

    def on_console(message):
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "CSP" in text):
            problems.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return problems


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    problems = watch_page(page)
    yield page
    context.close()
    assert problems == []


def login(page, base_url: str, login_name: str, password: str = "password123"):
    page.goto(f"{base_url}/login")
    page.fill("input[name=login]", login_name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
