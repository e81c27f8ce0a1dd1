"""Chromium (Debian's) driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside
one unless told it is safe, which it is here (the test thread only sets up data).
"""

import os
from pathlib import Path

import pytest

# The shared cast lives in src/dangjian/conftest.py, which is not above this directory.
from dangjian.conftest import _fast_tests, cast, city, login  # noqa: F401, F811

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--headless"]
        )
        yield browser
        browser.close()


@pytest.fixture
def live_cast(transactional_db, live_server, cast):  # noqa: F811
    """The shared cast, committed so the live server thread sees it."""
    return cast


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(width, height)`` → a fresh page (own cookies) on the live server."""
    contexts = []

    def _open(width=1366, height=900, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN", **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.base = live_server.url
        return page

    yield _open
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str, password: str) -> None:
    page.goto(page.base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base + "/")
