"""The hall screens of a big centre (config/examples/centre.toml) in headless Chromium.

A 1080p TV in either orientation, 1 to 30 counters, some serving, some paused, some
closed: every number the screen shows is at least 40 px, every name at least 24 px,
nothing overlaps, is cut or collapses, and the newest call is the largest text. The
sizes are read from the DOM, not from pixels. The screenshots are written to the
test's tmp folder; ``MOTCUA_SHOTS=docs`` writes those of 3, 13 and 25 counters to
``docs/screenshots/hall-{3,13,25}-{landscape,portrait}.png`` instead (see
docs/screens.md).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from PIL import Image
from playwright.sync_api import Page

from config.schema import Config, load_config
from hub.app import create_app
from tests.display.web import livehub
from tests.display.web.livehub import HubClient, HubProcess
from tests.support.paths import REPO

pytestmark = pytest.mark.browser

DOCS_SHOTS = REPO / "docs" / "screenshots"
SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
MIN_NUMBER_PX = 40
MIN_NAME_PX = 24
PAUSED = ("2", "14", "27")
CLOSED = ("3", "9", "16", "21", "28")
"""Never opened: closed. The other counters are open and have called someone."""

# centre.toml has 25 counters and screens sanh-a (12) and sanh-b (13); five more
# counters make /display 30, and three screens the other counts.
EXTRA = "".join(
    f'\n[[counters]]\nid = "{n}"\nname = "Quầy {n}"\nservices = ["tra-ket-qua"]\n'
    for n in range(26, 31)
) + "".join(
    f'\n[[display.screens]]\nid = "{sid}"\nname = "{name}"\ncounters = {counters}\n'
    for sid, name, counters in (
        ("quay-1", "Quầy 1", ["1"]),
        ("ba-quay", "Khu tiếp nhận", ["1", "2", "3"]),
        ("hai-lam-lam", "Sảnh chính", [str(n) for n in range(1, 26)]),
    )
)
SCREENS = {1: "/display/quay-1", 3: "/display/ba-quay", 13: "/display/sanh-b",
           25: "/display/hai-lam-lam", 30: "/display"}  # fmt: skip


@dataclass
class Centre:
    process: HubProcess
    client: HubClient
    config: Config

    @property
    def url(self) -> str:
        return self.process.url

    def act(self, counter: str, action: str) -> Any:
        """``POST /counters/<counter>/<action>`` as that counter's officer."""
        return self.client._post(f"/counters/{counter}/{action}", self.client.staff_token(counter))

    def fresh_call(self, counter: str) -> None:
        """A new call at ``counter``: a recall of its number, or else the next ticket
        of its field (one is issued)."""
        try:
            self.act(counter, "recall")
        except requests.HTTPError:  # 409: it serves nobody now
            self.client.issue(next(c for c in self.config.counters if c.id == counter).services[0])
            self.act(counter, "call-next")


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Centre]:
    """The big centre served by ``motcua serve``, on a busy morning: tickets waiting in
    every field, a call at every open counter, three counters paused and five never
    opened."""
    data_dir = tmp_path_factory.mktemp("centre")
    config_path = livehub.write_config(data_dir, example="centre.toml", extra=EXTRA, chime=False)
    config = load_config(config_path)
    app = create_app(livehub.settings_for(config_path, data_dir))
    accounts = livehub.add_accounts(app, counters=tuple(c.id for c in config.counters))
    app.extensions["motcua"].engine.dispose()
    process = HubProcess(config_path, data_dir)
    process.start()
    try:
        centre = Centre(process, HubClient(process.url, accounts), config)
        for i, service in enumerate(config.services):
            for _ in range(3 + (i % 4)):
                centre.client.issue(service.id)
        for counter in config.counters:
            if counter.id in CLOSED:
                continue
            centre.act(counter.id, "open")
            centre.act(counter.id, "call-next")
            if counter.id in PAUSED:
                centre.act(counter.id, "pause")
        yield centre
    finally:
        process.kill()


@pytest.fixture
def open_screen(centre: Centre, new_page: Callable[..., Page]) -> Callable[[str, str], Page]:
    def opener(path: str, orientation: str) -> Page:
        page = new_page(*SIZES[orientation])
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(centre.url + path)
        page.wait_for_selector("body[data-connected='1']", timeout=10_000)
        page.evaluate("document.fonts.ready.then(() => true)")
        # A fresh call on this screen's panel: the officer at its first counter recalls.
        centre.fresh_call(page.get_attribute(".counter", "data-counter") or "")
        page.wait_for_function(
            "() => !document.getElementById('latest').classList.contains('idle')"
            " && document.getElementById('counters').style.gridTemplateColumns !== ''",
            timeout=10_000,
        )
        # A counter's new state lays the grid out again on the next frame: let it run.
        page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        assert errors == []
        return page

    return opener


# Measures one page of counters and the rest of the screen, from the DOM.
MEASURE_JS = """() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const box = (el) => el.getBoundingClientRect();
  const shown = (el) => !!el && el.getClientRects().length > 0 && box(el).height > 0;
  // Cut short (an ellipsis, or clipped accents): only where the element clips.
  const cut = (el) => getComputedStyle(el).overflow !== 'visible'
    && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1
    && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
  const view = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  const apart = (a, b) => a.right <= b.left + 1 || b.right <= a.left + 1
    || a.bottom <= b.top + 1 || b.bottom <= a.top + 1;
  const tiles = [...document.querySelectorAll('.counter')].filter((t) => !t.hidden);
  const problems = [];
  for (const tile of tiles) {
    const id = tile.dataset.counter;
    const t = box(tile);
    const grid = box(document.getElementById('counters'));
    if (!inside(t, grid)) problems.push(`${id}: tile outside the grid`);
    for (const other of tiles) {
      if (other === tile) continue;
      const o = box(other);
      if (!apart(t, o)) problems.push(`${id}: overlaps ${other.dataset.counter}`);
    }
    const number = tile.querySelector('.counter-number');
    const name = tile.querySelector('.counter-name');
    for (const [el, min] of [[number, 40], [name, 24]]) {
      if (!shown(el)) problems.push(`${id}: ${el.className} not shown`);
      if (px(el) < min) problems.push(`${id}: ${el.className} ${px(el)} px`);
      if (cut(el) || !inside(box(el), t))
        problems.push(`${id}: ${el.className} cut (${el.scrollWidth}×${el.scrollHeight}`
          + ` in ${el.clientWidth}×${el.clientHeight})`);
    }
    const mark = tile.querySelector('.counter-state');
    const service = tile.querySelector('.counter-service');
    const marked = shown(mark) && !shown(service) && px(mark) >= 24 && !cut(mark);
    if (tile.dataset.state !== 'open' && !marked)
      problems.push(`${id}: state ${tile.dataset.state} not readable instead of the field`);
    if (tile.dataset.state === 'open' && shown(mark)) problems.push(`${id}: open but marked`);
    for (const el of [name, service, mark].filter(shown)) {
      if (!apart(box(el), box(number))) problems.push(`${id}: ${el.className} on the number`);
    }
  }
  const others = [
    ['.h-number', 40], ['.waiting-count', 40], ['.h-counter', 24], ['.waiting-name', 24],
  ];
  for (const [sel, min] of others) {
    for (const el of document.querySelectorAll(sel)) {
      if (!shown(el)) continue;
      if (px(el) < min) problems.push(`${sel} ${el.textContent}: ${px(el)} px`);
      if (!inside(box(el), view)) problems.push(`${sel} ${el.textContent}: off screen`);
    }
  }
  const latest = document.getElementById('latest-number');
  const biggestOther = Math.max(...[...document.querySelectorAll('body *')]
    .filter((el) => el !== latest && shown(el) && [...el.childNodes].some(
      (n) => n.nodeType === 3 && n.textContent.trim()))
    .map(px));
  return {
    problems,
    tiles: tiles.map((t) => t.dataset.counter),
    states: Object.fromEntries(tiles.map((t) => [t.dataset.counter, t.dataset.state])),
    latest: px(latest),
    latestShown: shown(latest) && inside(box(latest), view),
    biggestOther,
    minNumber: Math.min(...tiles.map((t) => px(t.querySelector('.counter-number')))),
    minName: Math.min(...tiles.map((t) => px(t.querySelector('.counter-name')))),
    pages: (window.motcuaDisplay.pages || { count: 1 }).count,
    indicator: shown(document.getElementById('counter-page'))
      ? document.getElementById('counter-page').textContent : null,
    historyShown: [...document.querySelectorAll('#history li')].filter(shown).length,
    history: document.querySelectorAll('#history li').length,
    scrolls: document.documentElement.scrollWidth > innerWidth
      || document.documentElement.scrollHeight > innerHeight,
  };
}"""


def _save_shot(page: Page, tmp_path: Path, counters: int, orientation: str) -> None:
    """The screenshot, in the test's folder; with ``MOTCUA_SHOTS=docs`` those of 3, 13
    and 25 counters go to docs/screenshots/, cut to 64 colours (a fifth of the size)."""
    name = f"hall-{counters}-{orientation}.png"
    if os.environ.get("MOTCUA_SHOTS") != "docs" or counters not in (3, 13, 25):
        page.screenshot(path=str(tmp_path / name))
        return
    # The docs show the screen at rest, not caught in a call's blink.
    page.evaluate("document.querySelectorAll('.fresh').forEach((e) => e.classList.remove('fresh'))")
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    shot.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(DOCS_SHOTS / name, optimize=True)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
@pytest.mark.parametrize("counters", [1, 3, 13, 25, 30])
def test_every_screen_is_readable_from_ten_metres(
    open_screen: Callable[[str, str], Page], tmp_path: Path, counters: int, orientation: str
) -> None:
    """GIVEN the big centre's busy morning on a 1080p TV in landscape or portrait
    WHEN a screen of 1, 3, 13, 25 or 30 counters is open
    THEN on every page of counters each number is at least 40 px and each counter
    name at least 24 px, shown whole inside its tile; no tile overlaps another;
    paused and closed counters say so; history and waiting counts keep those sizes;
    the newest call is the largest text; nothing scrolls; every counter is on some
    page, and more than one page is announced "Trang i/n"."""
    page = open_screen(SCREENS[counters], orientation)
    seen: list[str] = []
    states: dict[str, str] = {}
    first = page.evaluate(MEASURE_JS)
    for index in range(first["pages"]):
        if first["pages"] > 1:
            page.evaluate("(i) => window.motcuaDisplay.showPage(i)", index)
        found = page.evaluate(MEASURE_JS)
        assert found["problems"] == [], (orientation, counters, index)
        assert found["latestShown"] and found["latest"] > found["biggestOther"]
        assert found["scrolls"] is False
        assert found["minNumber"] >= MIN_NUMBER_PX and found["minName"] >= MIN_NAME_PX
        assert found["historyShown"] >= min(2, found["history"])
        if found["pages"] > 1:
            assert found["indicator"] == f"Trang {index + 1}/{found['pages']}"
        else:
            assert found["indicator"] is None
        seen += found["tiles"]
        states.update(found["states"])
        if index == 0:
            _save_shot(page, tmp_path, counters, orientation)
    every = page.eval_on_selector_all(".counter", "(tiles) => tiles.map((t) => t.dataset.counter)")
    assert len(every) == counters and sorted(seen, key=int) == sorted(every, key=int)
    assert {c for c, s in states.items() if s == "paused"} == {c for c in PAUSED if c in states}
    assert {c for c, s in states.items() if s == "closed"} == {c for c in CLOSED if c in states}


def test_pages_turn_by_themselves(open_screen: Callable[[str, str], Page]) -> None:
    """GIVEN 30 counters on a portrait TV (more than fit at the minimum sizes)
    WHEN the screen is left alone THEN the next page of counters comes up by itself."""
    page = open_screen("/display", "portrait")
    assert page.evaluate("window.motcuaDisplay.pages.count") > 1
    page.wait_for_function("() => window.motcuaDisplay.pages.current === 1", timeout=20_000)
    assert (
        page.text_content("#counter-page")
        == f"Trang 2/{page.evaluate('window.motcuaDisplay.pages.count')}"
    )


def _state(page: Page, counter: str) -> Any:
    return page.get_attribute(f"[data-counter='{counter}']", "data-state")


def test_pausing_and_closing_a_counter_marks_its_tile_at_once(
    open_screen: Callable[[str, str], Page], centre: Centre
) -> None:
    """GIVEN the 3-counter screen, counter 1 open and serving
    WHEN its officer pauses, resumes, then closes it
    THEN its tile says "Tạm dừng", then shows its field again, then says "Đóng"."""
    page = open_screen("/display/ba-quay", "landscape")
    assert _state(page, "1") == "open"
    centre.act("1", "pause")
    page.wait_for_selector("[data-counter='1'][data-state='paused']", timeout=5000)
    assert page.inner_text("[data-counter='1'] .counter-state") == "Tạm dừng"
    centre.act("1", "resume")
    page.wait_for_selector("[data-counter='1'][data-state='open']", timeout=5000)
    assert page.is_visible("[data-counter='1'] .counter-service")
    centre.act("1", "close")
    page.wait_for_selector("[data-counter='1'][data-state='closed']", timeout=5000)
    assert page.inner_text("[data-counter='1'] .counter-state") == "Đóng"
    assert page.text_content("[data-counter='1'] .counter-number") == "—"
    centre.act("1", "open")


def _history(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#history li .h-number", "(els) => els.map((e) => e.textContent)"
    )


def _panel(page: Page) -> str:
    return page.text_content("#latest-number") or ""


def test_the_main_panel_clears_when_its_number_is_served(
    open_screen: Callable[[str, str], Page], centre: Centre
) -> None:
    """GIVEN the 3-counter screen showing a number just called at counter 1
    WHEN the officer completes it THEN the panel goes idle ("—", no counter) and the
    number moves to "Số vừa gọi"; the same after a no-show; the next call fills the
    panel again."""
    page = open_screen("/display/ba-quay", "landscape")
    for finish in ("complete", "no-show"):
        centre.client.issue("dat-dai")
        number = centre.act("1", "call-next")["number"]
        page.wait_for_function("(n) => document.getElementById('latest-number').textContent === n",
                               arg=number, timeout=5000)  # fmt: skip
        assert page.text_content("#latest-counter") == "đến quầy số 1"
        centre.act("1", finish)
        page.wait_for_selector("#latest.idle", timeout=5000)
        assert _panel(page) == "—" and page.text_content("#latest-counter") == ""
        assert page.text_content("[data-counter='1'] .counter-number") == "—"
        assert _history(page)[0] == number
    centre.client.issue("dat-dai")
    number = centre.act("1", "call-next")["number"]
    page.wait_for_selector("#latest:not(.idle)", timeout=5000)
    assert _panel(page) == number


def test_a_recall_refreshes_the_panel_without_a_second_history_line(
    open_screen: Callable[[str, str], Page], centre: Centre
) -> None:
    """GIVEN a number called at counter 1, then one at counter 4
    WHEN counter 1 recalls its number (twice)
    THEN the panel shows it again, blinking, and it is announced again, but "Số vừa
    gọi" lists it once, not once per call; the counter-4 number stays listed."""
    page = open_screen("/display/hai-lam-lam", "landscape")
    centre.client.issue("dat-dai")
    centre.client.issue("dat-dai")
    first = centre.act("1", "call-next")["number"]
    second = centre.act("4", "call-next")["number"]
    page.wait_for_function("(n) => document.getElementById('latest-number').textContent === n",
                           arg=second, timeout=5000)  # fmt: skip
    assert _history(page).count(first) == 1
    for _ in range(2):
        before = int(page.get_attribute("body", "data-last-seq") or 0)
        centre.act("1", "recall")
        page.wait_for_function(
            "(s) => +document.body.dataset.lastSeq > s", arg=before, timeout=5000
        )
        page.wait_for_selector("#latest.fresh", timeout=5000)
        assert _panel(page) == first
        history = _history(page)
        assert first not in history  # it is on the panel
        assert history.count(second) == 1 and len(history) == len(set(history))
    recalled = int(page.get_attribute("body", "data-last-seq") or 0)
    announced = "(s) => [...window.motcuaDisplay.audioLog, ...window.motcuaDisplay.audioQueue]"
    page.wait_for_function(f"{announced}.some((e) => e.seq === s)", arg=recalled, timeout=5000)
    centre.client.issue("dat-dai")
    third = centre.act("4", "call-next")["number"]
    page.wait_for_function("(n) => document.getElementById('latest-number').textContent === n",
                           arg=third, timeout=5000)  # fmt: skip
    assert _history(page).count(first) == 1


@pytest.mark.parametrize("path", ["/display", "/display/sanh-b"])
def test_the_public_never_sees_internal_labels(
    open_screen: Callable[[str, str], Page], path: str
) -> None:
    """GIVEN the whole-site screen (no screen name) and a named one
    WHEN they are open THEN neither the page nor its title says "Màn hình gọi số"
    (the screens' name in the admin pages); a named screen shows its own name."""
    page = open_screen(path, "landscape")
    text = page.evaluate("document.title + '\\n' + document.body.innerText").lower()
    assert "màn hình gọi số" not in text
    if path.endswith("sanh-b"):
        assert "sảnh b" in text
