"""The screen pages: what each screen shows, the 404 page, the assets, the CSP."""

from __future__ import annotations

import json
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from config.paths import EXAMPLES
from config.schema import parse_config
from display.web import screen_view
from tests.support.paths import REPO

STATIC = REPO / "display" / "static"


class _Page(HTMLParser):
    """Collects the scripts, the body's attributes and the counter tiles of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.body: dict[str, str | None] = {}
        self.tiles: list[str] = []
        self.inline_handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.inline_handlers += [name for name in found if name.startswith("on")]
        if tag == "script":
            self.scripts.append(found)
        elif tag == "body":
            self.body = found
        elif tag == "article" and found.get("data-counter"):
            self.tiles.append(str(found["data-counter"]))


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def test_whole_site_page_shows_everything_without_inline_script(app: Any) -> None:
    """GIVEN the demo centre
    WHEN a TV opens /display
    THEN it gets every counter and field, its data in one JSON attribute, Vietnamese
    labels, and a CSP that allows only same-origin scripts, none of them inline."""
    answer = app.test_client().get("/display")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert answer.headers["Cache-Control"] == "no-store"
    html = answer.get_data(as_text=True)
    page = _parse(html)
    assert page.scripts and all(
        s.get("src", "").startswith("/display/static/") for s in page.scripts
    )
    assert page.inline_handlers == []
    assert page.tiles == ["1", "2", "3"]
    for label in ("Đang phục vụ", "Số đang chờ", "Số vừa gọi", "Xin mời công dân có số"):
        assert label in html
    assert app.test_client().get("/display/").status_code == 200  # a trailing slash too
    view = json.loads(str(page.body["data-config"]))
    assert view["site"]["name"] == "Trung tâm Phục vụ hành chính công phường Hải Châu (demo)"
    assert view["timezone"] == "Asia/Ho_Chi_Minh"
    assert view["screen"] == {"id": "all", "name": "", "orientation": "auto"}
    assert [s["id"] for s in view["services"]] == ["dat-dai", "tu-phap", "kinh-doanh"]
    assert view["calls"] == {"counters": [], "services": []}
    assert view["notice"].startswith("Công dân vui lòng giữ phiếu")
    assert (view["recent_s"], view["repeat"]) == (60, 2)


def test_screen_page_shows_only_its_counters_and_fields(app: Any) -> None:
    """GIVEN the demo screen "dat-dai" (counters 1 and 3, field Đất đai, portrait)
    WHEN its TV opens /display/dat-dai
    THEN only those tiles and that waiting count are on the page, and its calls filter
    names them."""
    answer = app.test_client().get("/display/dat-dai")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    page = _parse(html)
    assert page.tiles == ["1", "3"]
    assert "orient-portrait" in str(page.body["class"])
    view = json.loads(str(page.body["data-config"]))
    assert view["screen"] == {"id": "dat-dai", "name": "Khu Đất đai", "orientation": "portrait"}
    assert [s["id"] for s in view["services"]] == ["dat-dai"]
    assert view["calls"] == {"counters": ["1", "3"], "services": ["dat-dai"]}
    assert 'data-service="tu-phap"' not in html


def test_unknown_screen_gets_a_vietnamese_404_page_listing_the_screens(app: Any) -> None:
    """GIVEN the demo centre
    WHEN a TV opens a screen the config does not declare (with markup in its name)
    THEN it gets a 404 HTML page in Vietnamese, the name escaped, with links to the
    declared screens."""
    answer = app.test_client().get("/display/%3Cb%3Equay")
    assert answer.status_code == 404
    assert answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    assert "Không tìm thấy màn hình «&lt;b&gt;quay»" in html
    assert "<b>" not in html
    for href in ('href="/display"', 'href="/display/sanh"', 'href="/display/dat-dai"'):
        assert href in html


def _config_with_screens(*screens: dict[str, Any]) -> Any:
    raw = tomllib.loads((EXAMPLES / "demo.toml").read_text(encoding="utf-8"))
    raw["display"]["screens"] = list(screens)
    return parse_config(raw, "test.toml")


def test_screen_declared_by_fields_shows_the_counters_serving_them() -> None:
    """GIVEN a screen that names only the field tu-phap, and one that names counter 2
    WHEN their views are built
    THEN the first shows counters 2 and 3 (they serve tu-phap) and calls of that field
    or those counters; the second shows the fields counter 2 serves; its own notice
    replaces the site's."""
    config = _config_with_screens(
        {"id": "tu-phap", "name": "Khu Tư pháp", "services": ["tu-phap"]},
        {"id": "quay-2", "name": "Quầy 2", "counters": ["2"], "notice": "Quầy 2 nghỉ trưa"},
    )
    by_field = screen_view(config, "tu-phap", now_ms=0)
    assert by_field is not None
    assert [c["id"] for c in by_field["counters"]] == ["2", "3"]
    assert [s["id"] for s in by_field["services"]] == ["tu-phap"]
    assert by_field["calls"] == {"counters": ["2", "3"], "services": ["tu-phap"]}
    assert by_field["notice"] == config.display.notice
    by_counter = screen_view(config, "quay-2", now_ms=0)
    assert by_counter is not None
    assert [s["id"] for s in by_counter["services"]] == ["tu-phap", "kinh-doanh"]
    assert by_counter["calls"] == {"counters": ["2"], "services": []}
    assert by_counter["notice"] == "Quầy 2 nghỉ trưa"
    assert by_counter["number_samples"] == ["B888", "C888"]
    assert screen_view(config, "sanh", now_ms=0) is None


def test_assets_are_vendored_and_the_stylesheet_names_only_shipped_fonts(app: Any) -> None:
    """GIVEN the page's static folder
    WHEN the script, the Socket.IO client and every font the stylesheet names are fetched
    THEN each is served from /display/static, and the fonts' OFL licence ships with them."""
    client = app.test_client()

    def fetch(path: str) -> tuple[int, bytes]:
        with client.get(path) as answer:  # closes the file send_file opened
            return answer.status_code, answer.data

    status, sio = fetch("/display/static/socket.io.min.js")
    assert status == 200
    assert sio.decode().startswith("/*!\n * Socket.IO v4.")
    assert fetch("/display/static/display.js")[0] == 200
    css = fetch("/display/static/display.css")[1].decode()
    fonts = re.findall(r'url\("(fonts/[^"]+)"\)', css)
    assert len(fonts) == 3
    for font in fonts:
        status, data = fetch(f"/display/static/{font}")
        assert status == 200
        assert data[:4] == b"\x00\x01\x00\x00"  # a TrueType file
    assert sorted(p.name for p in (STATIC / "fonts").glob("*.ttf")) == sorted(
        Path(f).name for f in fonts
    )
    assert "SIL OPEN FONT LICENSE" in (STATIC / "fonts" / "OFL.txt").read_text()
    assert "url(http" not in css and "@import" not in css
