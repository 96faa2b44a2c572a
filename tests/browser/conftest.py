"""Browser tests: Playwright for Python driving Debian's Chromium against the live server.

They never download a browser and never skip: without /usr/bin/chromium they fail and say why.
Screenshots of the main pages go to artifacts/screenshots/ (git-ignored).
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# page actions are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}. Install Debian's browser with "
            "`apt-get install -y chromium chromium-driver` (never `playwright install`); "
            "the browser tests do not skip."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


class Session:
    """One person's browser window, logged in."""

    def __init__(
        self, browser, base_url: str, username: str, width: int = 1280, bypass_csp: bool = False
    ):
        # bypass_csp: only for tests that inject a checker (axe-core) into the page.
        self.context = browser.new_context(
            viewport={"width": width, "height": 900}, base_url=base_url, bypass_csp=bypass_csp
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.username = username
        self.login()

    def login(self):
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(self.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r"/$"))

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def messages(self) -> str:
        box = self.page.locator(".messages")
        return box.inner_text() if box.count() else ""

    def close(self):
        self.context.close()


@pytest.fixture
def open_session(browser, live_server):
    sessions = []

    def open_(username: str, width: int = 1280, bypass_csp: bool = False) -> Session:
        session = Session(browser, live_server.url, username, width, bypass_csp)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.close()
