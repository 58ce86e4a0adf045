"""Browser tests: Playwright drives Debian's Chromium against `hotline serve` started as a real process.

Skipped with the reason when Chromium or the playwright package is missing, unless HOTLINE_REQUIRE_SERVICES=1
(then they fail). `make browser-deps` installs both. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.conftest import services_required
from tests.support.processes import REPO, local_env, running_gateway

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PASSWORD = "浏览器测试-hotline-2026"
MAINTAINER_TOKEN = "browser-test-maintainer-token-0123456789"
ACCOUNTS = {"agent.wang": "agent", "kb.zhou": "maintainer", "sup.chen": "supervisor"}

pytestmark = pytest.mark.slow


def _missing(reason: str) -> None:
    if services_required():
        pytest.fail(reason + " (HOTLINE_REQUIRE_SERVICES=1; run `make browser-deps`)")
    pytest.skip(reason + " (run `make browser-deps`)")


@dataclass(frozen=True)
class Served:
    base: str
    data_dir: Path
    models_dir: Path

    def token(self, username: str) -> str:
        response = httpx.post(f"{self.base}/api/auth/token", data={"username": username, "password": PASSWORD})
        response.raise_for_status()
        return str(response.json()["access_token"])


# Package scope, not session: Playwright's sync API keeps an event loop running in the main thread until it
# stops, which breaks every asyncio test that runs after it in the same session.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        _missing(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="package")
def served(
    tmp_path_factory: pytest.TempPathFactory, trained_models_dir: Path, knowledge_index_dir: Path, browser: Browser
) -> Iterator[Served]:
    """One gateway for the browser tests: its own database, copies of the trained models (promotions stay
    here; the encoder the knowledge index needs is among them) and of the session's warm knowledge index."""
    root = tmp_path_factory.mktemp("browser")
    models = root / "models"
    shutil.copytree(trained_models_dir, models)
    shutil.copytree(knowledge_index_dir, root / "knowledge-index")
    env = local_env(
        root / "var",
        models,
        HOTLINE_MAINTAINER_TOKEN=MAINTAINER_TOKEN,
        HOTLINE_BOOTSTRAP_ADMIN="root",
        HOTLINE_BOOTSTRAP_ADMIN_PASSWORD=PASSWORD,
        HOTLINE_SWEEP_INTERVAL_SECONDS="0",
        HOTLINE_SECRET_KEY="browser-test-secret-key-0123456789-abcdef",
        HOTLINE_KNOWLEDGE_ENABLED="true",
        HOTLINE_KNOWLEDGE_INDEX_PATH=str(root / "knowledge-index"),
    )
    # This gateway loads the knowledge encoder and index: about 2 minutes on 2 busy shared cores.
    with running_gateway(env, root, timeout=300) as gateway:
        assert gateway.url is not None
        base = gateway.url
        admin = Served(base, root / "var", models).token("root")
        for username, role in ACCOUNTS.items():
            created = httpx.post(
                f"{base}/api/users",
                json={"username": username, "role": role, "password": PASSWORD},
                headers={"Authorization": f"Bearer {admin}"},
            )
            assert created.status_code == 201, created.text
        yield Served(base, root / "var", models)


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Any]:
    """Pages in fresh browser contexts (separate storage: one citizen, one agent, ...), closed afterwards."""
    contexts = []

    def make(width: int = 1280, height: int = 800, mobile: bool = False) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height}, is_mobile=mobile, has_touch=mobile, locale="zh-CN"
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page: Page, base: str, path: str, username: str) -> None:
    page.goto(base + path)
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator("#app").wait_for(state="visible")
