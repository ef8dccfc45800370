"""Debian's Chromium under Playwright, launched once for the session (a pytest plugin).

Fixtures:

- ``chromium``: the browser (session-wide: one launch). Skips, saying why, when
  ``/usr/bin/chromium`` is not installed.
- ``new_page``: ``new_page(width=1280, height=800, **context_options)`` opens a page
  in a fresh browser context (its own cookies, storage and cache) at that viewport;
  ``context_options`` go to ``Browser.new_context`` (``locale``,
  ``device_scale_factor``…). When the test fails, every page it opened is saved
  as a PNG under the test's ``tmp_path``, and the report names the files; the
  contexts are closed afterwards.

Each launch starts from a new, empty profile: Playwright gives Chromium a user-data
dir of its own in a temporary folder and deletes it when the browser closes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # What the kiosk-mode Chromium of a hall's TV gets too: the call screen speaks
    # its announcements without anybody touching the screen first.
    "--autoplay-policy=no-user-gesture-required",
]
NOT_INSTALLED = f"Debian's chromium is not installed at {CHROMIUM} (apt install chromium)"

_PAGES = pytest.StashKey[tuple[Path, list[Any]]]()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Chromium with the project's flags, for the whole session."""
    if not Path(CHROMIUM).exists():
        pytest.skip(NOT_INSTALLED)
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    with manager as playwright:
        _own_the_file_thread(manager)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _own_the_file_thread(manager: Any) -> None:
    """Playwright writes files (a screenshot's PNG) through its event loop's default
    executor, which starts its thread on first use: in whichever test first saves a
    screenshot. Start that one thread now, while this session-wide fixture is set up,
    so that it is the fixture's; it ends when Playwright closes its loop."""
    loop = getattr(manager, "_loop", None)
    if loop is None:
        return
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright-files")
    executor.submit(lambda: None).result()
    loop.set_default_executor(executor)


@pytest.fixture
def new_page(
    chromium: Any, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    """``new_page(width=1280, height=800, **context_options)``: a page in a new context."""
    opened: list[Any] = []
    request.node.stash[_PAGES] = (tmp_path, opened)

    def make(width: int = 1280, height: int = 800, **context_options: Any) -> Any:
        context = chromium.new_context(viewport={"width": width, "height": height},
                                       **context_options)  # fmt: skip
        opened.append(context.new_page())
        return opened[-1]

    yield make
    for page in opened:
        page.context.close()


def _screenshots(folder: Path, pages: list[Any]) -> list[str]:
    lines = []
    for i, page in enumerate(pages):
        path = folder / f"chromium-page-{i}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as err:  # a crashed or closed page: say so, keep the failure
            lines.append(f"page {i} ({page.url}): no screenshot: {err}")
        else:
            lines.append(f"page {i} ({page.url}): {path}")
    return lines


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """When a test that opened pages fails, save each page (still open) as a PNG and
    name the files in the report."""
    report = yield
    if report.when == "call" and report.failed and _PAGES in item.stash:
        folder, pages = item.stash[_PAGES]
        if pages:
            report.sections.append(("Chromium screenshots", "\n".join(_screenshots(folder, pages))))
    return report
