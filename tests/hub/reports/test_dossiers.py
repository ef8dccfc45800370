"""``motcua report dossiers``: one row per dossier, a plain header row, ISO times, CSV and
XLSX shaped for upload, names that look like formulas made inert."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from config.paths import EXAMPLES
from hub.dossiers import HEADERS, dossier_rows
from hub.reports import dossiers_csv, dossiers_xlsx
from hub.store.db import read
from tests.hub.reports.support import EVIL, formula_like_names

A, B = "000.00.12.H56-261127-0001", "000.00.12.H56-261127-0002"


def _two_dossiers_rated(api, hub, clock) -> None:  # noqa: ANN001
    staff = formula_like_names(api, hub)
    kiosk = api.device("k1", "kiosk")
    pad = api.device("pad1", "rating-pad", "1")
    api.issue(kiosk)
    api.issue(kiosk)
    api.post("/counters/1/open", staff)
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff, json={"dossiers": [A, B]})
    clock.advance(5)
    body = {"key": "pad1-0000001", "level": "unsatisfied", "reasons": ["attitude", "long_wait"]}
    assert api.post("/ratings", pad, json=body).status_code == 201
    api.post("/counters/1/call-next", staff)
    api.post("/counters/1/complete", staff, json={"dossiers": ["000.00.12.H56-261127-0003"]})


def test_csv_and_xlsx_hold_one_row_per_dossier(app, api, hub, clock) -> None:
    """GIVEN a ticket completed with two dossiers and rated with two reasons, and another
    with one dossier not rated, at a counter named like a formula by an officer whose
    name starts with '+' WHEN the dossiers are written as CSV and XLSX THEN both have the
    plain header row and three rows in completion order, the reasons joined by "; ", the
    time as ISO 8601 with the site's offset, no formula anywhere."""
    _two_dossiers_rated(api, hub, clock)
    day = clock().date()
    with read(hub.engine) as conn:
        rows = dossier_rows(conn, hub.config, day, day)

    table = list(csv.reader(io.StringIO(dossiers_csv(rows).decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(dossiers_xlsx(rows))).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    for got in (table, [[v or "" for v in r] for r in cells]):
        assert tuple(got[0]) == HEADERS
        assert [r[0] for r in got[1:]] == [A, B, "000.00.12.H56-261127-0003"]
        assert got[1][1:6] == ["Đất đai", "'+cmd|' /C calc", "'" + EVIL, "Không hài lòng",
                               "Thái độ phục vụ; Thời gian chờ lâu"]  # fmt: skip
        assert date.fromisoformat(got[1][6][:10]) == day and got[1][6].endswith("+07:00")
        assert got[3][4:] == ["", "", ""]
    assert not [c.coordinate for r in sheet.iter_rows() for c in r if c.data_type == "f"]


def test_a_range_before_the_ticket_has_no_row(app, api, hub, clock) -> None:
    _two_dossiers_rated(api, hub, clock)
    with read(hub.engine) as conn:
        assert dossier_rows(conn, hub.config, date(2026, 1, 1), date(2026, 11, 26)) == []


def _motcua(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", "--config", str(EXAMPLES / "demo.toml"), *args],
        capture_output=True, text=True, timeout=60,
        env={"MOTCUA_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def test_the_command_writes_csv_and_xlsx_and_refuses_a_pdf(tmp_path) -> None:
    """GIVEN an empty centre WHEN `motcua report dossiers` runs THEN the CSV and the XLSX
    hold the header row; a PDF, --by, or a missing range is one line and exit 2."""
    out = tmp_path / "ho-so.csv"
    done = _motcua(tmp_path, "report", "dossiers", "--from", "2026-11-01", "--to",
                   "2026-11-30", "--format", "csv", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().decode("utf-8-sig") == ",".join(HEADERS) + "\r\n"
    xlsx = tmp_path / "ho-so.xlsx"
    done = _motcua(tmp_path, "report", "dossiers", "--period", "month", "--of", "2026-12",
                   "--out", str(xlsx))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "15/11/2026 – 14/12/2026" in done.stdout
    assert next(load_workbook(xlsx).active.iter_rows(values_only=True)) == HEADERS
    for bad in (["--format", "pdf"], ["--by", "counter"]):
        refused = _motcua(tmp_path, "report", "dossiers", "--from", "2026-11-01", "--to",
                          "2026-11-30", "--out", str(out), *bad)  # fmt: skip
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1, refused.stderr
    missing = _motcua(tmp_path, "report", "dossiers", "--out", str(out))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
