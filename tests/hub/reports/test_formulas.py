"""Names that look like formulas reach the reports as text, never as formulas."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from hub.reports import build_csv, build_xlsx
from tests.conftest import PASSWORD
from tests.hub.reports.support import EVIL, formula_like_names


def served_and_rated(api, hub, clock, display_name: str) -> date:
    """An officer named ``display_name`` serves a ticket at counter 1, which its pad
    rates; returns the day."""
    hub.users.add_user("canbo1", PASSWORD, "staff", display_name=display_name)
    login = api.client.post("/api/v1/auth/login", json={"username": "canbo1", "password": PASSWORD})
    return serve_and_rate(api, clock, {"Authorization": f"Bearer {login.json['token']}"})


def serve_and_rate(api, clock, staff: dict[str, str]) -> date:
    """``staff`` serves a ticket at counter 1, which its pad rates; returns the day."""
    kiosk = api.device("k1", "kiosk")
    pad = api.device("pad1", "rating-pad", "1")
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    clock.advance(5)
    rated = api.post("/ratings", pad, json={"key": "pad1-0000001", "level": "satisfied"})
    assert rated.status_code == 201
    return clock().date()


def test_formula_like_names_are_inert_in_csv_and_xlsx(app, api, hub, clock) -> None:
    """GIVEN a counter named like a formula and an officer whose display name starts with
    '+' WHEN their ratings are reported as CSV and XLSX THEN every such cell is text
    (a leading apostrophe), and no XLSX cell holds a formula."""
    day = serve_and_rate(api, clock, formula_like_names(api, hub))
    for by in ("counter", "staff"):
        rows = list(csv.reader(io.StringIO(build_csv(hub.stats, "satisfaction", day, day, by)
                                           .decode("utf-8-sig"))))  # fmt: skip
        labels = [r[1] for r in rows[1:-1]]
        assert labels and all(not label.startswith(("=", "+", "-", "@")) for label in labels)
        assert any(label.startswith("'") for label in labels)
    book = load_workbook(io.BytesIO(build_xlsx(
        hub.stats, "satisfaction", day, day, ["counter", "staff"], site_name=EVIL)))  # fmt: skip
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [str(c.value) for c in cells if isinstance(c.value, str)]
    assert f"'{EVIL}" in texts and not any(t.startswith("=") for t in texts)


CONTROLS = "Lan\x1b[31m\x07\x0b\ufffe"  # no NUL: the hub refuses it before it is stored


def test_names_with_control_characters_make_a_workbook_that_opens(app, api, hub, clock) -> None:
    """GIVEN an officer whose display name holds control characters (an escape, a bell…)
    and a site name holding them and a NUL WHEN their ratings are reported as XLSX THEN
    the workbook is written and opens, each such character shown as its escape (openpyxl
    refused them: the report was a 500), and the CSV says the same."""
    day = served_and_rated(api, hub, clock, CONTROLS)
    book = load_workbook(io.BytesIO(build_xlsx(
        hub.stats, "satisfaction", day, day, ["staff"], site_name=CONTROLS + "\x00")))  # fmt: skip
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]  # fmt: skip
    shown = "Lan\\x1b[31m\\x07\\x0b\\ufffe"
    assert shown in texts and any(t.startswith(shown + "\\x00 — ") for t in texts)
    table = build_csv(hub.stats, "satisfaction", day, day, "staff").decode("utf-8-sig")
    assert shown in table
