"""The call screen in headless Chromium against a real ``motcua serve`` on 127.0.0.1.

One server process serves the whole module (one browser the whole session); the
restart test runs last because it kills and restarts that server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page
from sqlalchemy import select

from hub.app import create_app
from hub.store.db import make_test_engine
from hub.store.tables import call_acks
from tests.display.web.livehub import (
    FAST_DISPLAY,
    Accounts,
    HubClient,
    HubProcess,
    add_accounts,
    settings_for,
    write_config,
)
from tests.support.zones import zone_at_noon

pytestmark = pytest.mark.browser

REPEAT = 2
# "{number}" alone keeps each reading under a second ("bê một").
DISPLAY = {**FAST_DISPLAY, "template": "{number}", "repeat": REPEAT}


@dataclass
class Served:
    process: HubProcess
    client: HubClient
    config_path: Path
    data_dir: Path
    accounts: Accounts
    screen_token: str
    """The token of a ``display`` device: only a registered screen's acks count."""

    def acks(self, kind: str) -> dict[int, list[str]]:
        """Screens that acknowledged each call, read from the database."""
        engine = make_test_engine(f"sqlite:///{self.data_dir / 'motcua.db'}")
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    select(call_acks.c.seq, call_acks.c.screen).where(call_acks.c.kind == kind)
                ).all()
        finally:
            engine.dispose()
        found: dict[int, list[str]] = {}
        for seq, screen in rows:
            found.setdefault(int(seq), []).append(screen)
        return found

    def wait_acks(self, kind: str, seqs: list[int], timeout: float = 5.0) -> dict[int, list[str]]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.acks(kind)
            if all(seq in found for seq in seqs) or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("hub")
    # Real time, and a call made "five minutes ago": never across the site's midnight.
    config_path = write_config(data_dir, timezone=zone_at_noon(), **DISPLAY)
    app = create_app(settings_for(config_path, data_dir))
    accounts = add_accounts(app, counters=("1", "2"))
    screen_token = app.extensions["motcua"].devices.add_device("tv-sanh", "display", None)
    app.extensions["motcua"].engine.dispose()
    process = HubProcess(config_path, data_dir)
    process.start(wait=False)  # it boots while Chromium starts
    try:
        client = HubClient(process.url, accounts)
        yield Served(process, client, config_path, data_dir, accounts, screen_token)
    finally:
        process.kill()


@pytest.fixture
def open_page(
    served: Served, new_page: Callable[..., Page]
) -> Callable[..., tuple[Page, list[str]]]:
    """Opens a screen as a registered TV (``?token=``, unless ``registered=False``);
    collects console errors (a CSP violation shows up there)."""
    served.process.wait_ready()

    def opener(
        path: str, width: int = 1280, height: int = 720, *, registered: bool = True
    ) -> tuple[Page, list[str]]:
        if registered:
            path += ("&" if "?" in path else "?") + f"token={served.screen_token}"
        page = new_page(width, height)
        errors: list[str] = []

        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                errors.append(msg.text)

        page.on("console", on_console)
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(served.process.url + path)
        page.wait_for_selector("body[data-connected='1']", timeout=10_000)
        return page, errors

    return opener


def test_call_appears_within_one_second(
    open_page: Callable[..., tuple[Page, list[str]]], served: Served
) -> None:
    """GIVEN a screen connected to the hub and counter 1 open with a ticket waiting
    WHEN the officer presses call-next
    THEN within 1 s the number is the newest call and on counter 1's tile, and the
    screen reports it shown."""
    page, errors = open_page("/display")
    assert page.evaluate("window.motcuaDisplay.socket.io.engine.transport.name") == "websocket"
    client = served.client
    client.issue("dat-dai")
    client.open("1")
    ticket = client.call_next("1")
    page.wait_for_selector(f"body[data-last-number='{ticket['number']}']", timeout=1000)
    assert page.text_content("#latest-number") == ticket["number"]
    assert page.text_content("[data-counter='1'] .counter-number") == ticket["number"]
    assert page.text_content("#latest-counter") == "đến quầy số 1"
    seq = int(page.get_attribute("body", "data-last-seq") or 0)
    shown = served.wait_acks("shown", [seq])
    assert len(shown.get(seq, [])) == 1 and shown[seq][0].startswith("all-")
    assert errors == []


def test_a_screen_without_its_token_only_watches(
    open_page: Callable[..., tuple[Page, list[str]]], served: Served
) -> None:
    """GIVEN a screen opened without a display device's token, and one opened with a
    token that is no display's (the kiosk's)
    WHEN a call is made THEN both show it, the first sends no acknowledgement
    (data-acks="off"), the second is refused (data-acks="refused"), and the hub
    records neither."""
    watcher, errors = open_page("/display?tv=watcher", registered=False)
    forged, _ = open_page(f"/display?tv=forged&token={served.accounts.kiosk_token}",
                          registered=False)  # fmt: skip
    assert watcher.get_attribute("body", "data-acks") == "off"
    client = served.client
    client.issue("dat-dai")
    client.open("1")
    ticket = client.call_next("1")
    for page in (watcher, forged):
        page.wait_for_selector(f"body[data-last-number='{ticket['number']}']", timeout=2000)
    forged.wait_for_selector("body[data-acks='refused']", timeout=5000)
    seq = int(watcher.get_attribute("body", "data-last-seq") or 0)
    screens = served.acks("shown").get(seq, [])
    assert not [s for s in screens if s.endswith(("-watcher", "-forged"))]
    assert errors == []


def _audio_log(page: Page) -> list[dict[str, Any]]:
    return page.evaluate("window.motcuaDisplay.audioLog")


def test_two_quick_calls_are_announced_in_order_without_overlap(
    open_page: Callable[..., tuple[Page, list[str]]], served: Served
) -> None:
    """GIVEN a screen, repeat = 2, and two tickets waiting at counter 2
    WHEN the officer calls twice in quick succession
    THEN the second call waits in the page's audio queue while the first plays, each
    is read twice, the second only after the first's readings ended, and both are
    reported spoken."""
    page, errors = open_page("/display")
    client = served.client
    client.issue("tu-phap")
    client.issue("tu-phap")
    client.open("2")
    first = client.call_next("2")["number"]
    second = client.call_next("2")["number"]
    page.wait_for_function(
        """([a, b]) => {
          const d = window.motcuaDisplay;
          const playing = d.state.history.find((c) => c.seq === d.playing);
          return playing && playing.number === a && d.audioQueue.some((c) => c.number === b);
        }""",
        arg=[first, second],
        timeout=5000,
    )
    page.wait_for_function(
        "(n) => window.motcuaDisplay.audioLog.filter((e) => e.end !== null).length >= n",
        arg=2 * REPEAT,
        timeout=20_000,
    )
    log = _audio_log(page)
    assert [(e["number"], e["round"]) for e in log] == [
        (first, 1),
        (first, 2),
        (second, 1),
        (second, 2),
    ]
    assert all(e["ok"] is True and e["start"] is not None for e in log)
    for before, after in zip(log, log[1:], strict=False):
        assert before["end"] <= after["requested"]
    seqs = sorted({e["seq"] for e in log})
    assert all(len(screens) == 1 for screens in served.wait_acks("spoken", seqs).values())
    assert set(seqs) <= set(served.acks("spoken"))
    assert errors == []


def test_a_call_whose_audio_fails_is_still_shown_and_the_queue_moves_on(
    open_page: Callable[..., tuple[Page, list[str]]], served: Served
) -> None:
    """GIVEN a screen whose announcement downloads fail (the hub answers 503)
    WHEN two calls come in
    THEN both are shown and acknowledged shown, each audio attempt is logged as failed
    once, and neither is acknowledged spoken."""
    page, _ = open_page("/display")
    page.route("**/display/audio/**", lambda route: route.fulfill(status=503, body="{}"))
    client = served.client
    client.issue("kinh-doanh")
    client.issue("kinh-doanh")
    first = client.call_next("2")["number"]
    second = client.call_next("2")["number"]
    page.wait_for_selector(f"body[data-last-number='{second}']", timeout=5000)
    page.wait_for_function(
        "() => window.motcuaDisplay.audioLog.filter((e) => e.end !== null).length >= 2",
        timeout=10_000,
    )
    log = _audio_log(page)
    assert [(e["number"], e["ok"]) for e in log] == [(first, False), (second, False)]
    assert all(e["error"].startswith("media_error") for e in log)
    seqs = [e["seq"] for e in log]
    shown = served.wait_acks("shown", seqs)
    assert all(seq in shown for seq in seqs)
    assert not set(seqs) & set(served.acks("spoken"))


LAYOUT_JS = """() => {
  const vh = window.innerHeight / 100;
  const size = (el) => parseFloat(getComputedStyle(el).fontSize) / vh;
  const numbers = [...document.querySelectorAll('.counter-number')];
  const clipped = numbers.filter((el) => {
    const tile = el.closest('.counter').getBoundingClientRect();
    const box = el.getBoundingClientRect();
    return box.right > tile.right + 1 || box.bottom > tile.bottom + 1;
  });
  return {
    portrait: document.body.classList.contains('portrait'),
    font: document.fonts.check('800 100px "Be Vietnam Pro"'),
    tiles: numbers.length,
    smallestNumberVh: Math.min(...numbers.map(size)),
    latestVh: size(document.getElementById('latest-number')),
    clipped: clipped.length,
    overflowX: document.documentElement.scrollWidth > window.innerWidth,
    overflowY: document.documentElement.scrollHeight > window.innerHeight,
  };
}"""


@pytest.mark.parametrize(
    ("path", "width", "height", "portrait", "tiles"),
    [("/display", 1920, 1080, False, 3), ("/display/dat-dai", 1080, 1920, True, 2)],
    ids=["landscape", "portrait"],
)
def test_layout_is_legible_from_afar(
    open_page: Callable[..., tuple[Page, list[str]]],
    path: str,
    width: int,
    height: int,
    portrait: bool,
    tiles: int,
) -> None:
    """GIVEN a 1080p TV, landscape or portrait, and a morning's calls on the board
    WHEN the screen is open
    THEN the vendored Be Vietnam Pro font is in use, every counter's number is at least
    12 % of the screen height and fits its tile, nothing scrolls, and the page ran
    without a console error (so no CSP violation)."""
    page, errors = open_page(path, width, height)
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(100)  # the layout re-runs once the fonts are ready
    found = page.evaluate(LAYOUT_JS)
    assert found["portrait"] is portrait
    assert found["font"] is True
    assert found["tiles"] == tiles
    assert found["smallestNumberVh"] >= 12
    assert found["latestVh"] >= 12
    assert (found["clipped"], found["overflowX"], found["overflowY"]) == (0, False, False)
    assert errors == []


def test_screen_catches_up_after_the_server_restarts(
    open_page: Callable[..., tuple[Page, list[str]]], served: Served
) -> None:
    """GIVEN a connected screen, then the hub killed; while it is down another hub
    process on the same database calls one number made 5 minutes ago (recent_s is 60)
    and one made now
    WHEN the hub is started again
    THEN the screen reconnects by itself, shows both, announces only the recent one
    (once per repeat, never the old one), and reports both shown."""
    page, _ = open_page("/display")
    client = served.client
    client.issue("dat-dai")
    client.issue("dat-dai")
    client.open("1")
    token = client.staff_token("1")
    served.process.kill()
    page.wait_for_selector("body[data-connected='0']", timeout=10_000)

    offset = [timedelta(minutes=5)]
    sibling = create_app(
        settings_for(
            served.config_path,
            served.data_dir,
            clock=lambda: datetime.now(UTC) - offset[0],
        )
    )
    hub = sibling.extensions["motcua"]
    try:
        actor = hub.tokens.resolve(token)
        old = hub.counters.call_next("1", actor=actor)
        offset[0] = timedelta(0)
        new = hub.counters.call_next("1", actor=actor)
    finally:
        hub.engine.dispose()
    assert old is not None and new is not None

    served.process.start()
    page.wait_for_selector(f"body[data-last-number='{new['number']}']", timeout=15_000)
    page.wait_for_function(
        "(n) => window.motcuaDisplay.audioLog.filter((e) => e.number === n && e.end).length >= 2",
        arg=new["number"],
        timeout=10_000,
    )
    page.wait_for_timeout(300)  # nothing else may be queued behind it
    spoken = [(e["number"], e.get("round")) for e in _audio_log(page)]
    assert spoken == [(new["number"], 1), (new["number"], 2)]
    history = page.evaluate("window.motcuaDisplay.state.history.map((c) => c.number)")
    assert history[:2] == [new["number"], old["number"]]
    assert page.text_content("[data-counter='1'] .counter-number") == new["number"]
    seqs = page.evaluate("window.motcuaDisplay.state.history.slice(0, 2).map((c) => c.seq)")
    shown = served.wait_acks("shown", seqs)
    assert all(seq in shown for seq in seqs)
