"""Names that look like formulas reach the reports as text, never as formulas."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from hub.reports import build_csv, build_xlsx
from tests.hub.reports.support import EVIL, formula_like_names


def test_formula_like_names_are_inert_in_csv_and_xlsx(app, api, hub, clock) -> None:
    """GIVEN a counter named like a formula and an officer whose display name starts with
    '+' WHEN their ratings are reported as CSV and XLSX THEN every such cell is text
    (a leading apostrophe), and no XLSX cell holds a formula."""
    staff = formula_like_names(api, hub)
    kiosk = api.device("k1", "kiosk")
    pad = api.device("pad1", "rating-pad", "1")
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff)
    clock.advance(5)
    assert (
        api.post("/ratings", pad, json={"key": "pad1-0000001", "level": "satisfied"}).status_code
        == 201
    )
    day = clock().date()
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
