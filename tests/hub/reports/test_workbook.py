"""Reports: XLSX opened back with openpyxl and checked cell by cell; CSV; the CLI."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from config.reports import ReportSettings
from hub.reports import FORM_SHEET, build_csv, build_xlsx


@pytest.fixture
def database(sqlite_database):
    return sqlite_database


@pytest.fixture
def demo_config(demo_config):
    """Calendar months (the cut-off on the 1st); the reporting periods closing on the 14th
    are tested in test_periods.py."""
    return dataclasses.replace(demo_config, reports=ReportSettings(period_cutoff_day=1))


@pytest.fixture
def rated(api, clock):
    """Counter 1: Rất hài lòng, Không hài lòng (30 Nov); counter 3: Hài lòng (1 Dec local),
    plus one served ticket not rated."""
    kiosk = api.device("k1", "kiosk")
    pads = {"1": api.device("pad1", "rating-pad", "1"), "3": api.device("pad3", "rating-pad", "3")}
    plan = [("1", "very_satisfied", datetime(2026, 11, 30, 3, 0, tzinfo=UTC)),
            ("1", "unsatisfied", datetime(2026, 11, 30, 16, 0, tzinfo=UTC)),
            ("3", "satisfied", datetime(2026, 11, 30, 17, 10, tzinfo=UTC)),
            ("3", None, datetime(2026, 11, 30, 17, 30, tzinfo=UTC))]  # fmt: skip
    for i, (counter, level, when) in enumerate(plan):
        clock.set(when)
        staff = api.user("lan" if counter == "1" else "minh")
        api.issue(kiosk)
        api.post(f"/counters/{counter}/open", staff)
        api.post(f"/counters/{counter}/call-next", staff)
        clock.advance(300)
        api.post(f"/counters/{counter}/complete", staff)
        if level:
            assert api.post("/ratings", pads[counter], json={"key": f"rep-{i:05d}", "level": level}
                            ).status_code == 201  # fmt: skip


def test_xlsx_cell_by_cell(hub, rated) -> None:
    """GIVEN the hand-made ratings WHEN the XLSX is built for Nov–Dec 2026 THEN each sheet and
    cell holds the expected Vietnamese headers and figures."""
    steps: list[tuple[int, int, str]] = []
    data = build_xlsx(hub.stats, "satisfaction", date(2026, 11, 1), date(2026, 12, 31),
                      ["counter", "staff", "month"], site_name=hub.config.site.name,
                      progress=lambda *a: steps.append(a))  # fmt: skip
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Theo quầy", "Theo cán bộ", "Theo tháng", FORM_SHEET]
    ws = wb["Theo quầy"]
    assert ws["A1"].value == "BÁO CÁO MỨC ĐỘ HÀI LÒNG TẠI QUẦY"
    assert ws["A2"].value == f"{hub.config.site.name} — Kỳ báo cáo: 01/11/2026 – 31/12/2026"
    assert [c.value for c in ws[4]] == [
        "STT", "Quầy", "Rất hài lòng (lượt)", "Hài lòng (lượt)", "Không hài lòng (lượt)",
        "Tổng lượt đánh giá", "Tỷ lệ hài lòng tại quầy", "Điểm trung bình (thang 0–2)",
        "Lượt phục vụ", "Tỷ lệ được đánh giá"]  # fmt: skip
    assert [c.value for c in ws[5]] == [1, "Quầy 1", 1, 0, 1, 2, 0.5, 1.0, 2, 1.0]
    assert [c.value for c in ws[6]] == [2, "Quầy 3", 0, 1, 0, 1, 1.0, 1.0, 2, 0.5]
    assert [c.value for c in ws[7]] == [None, "Tổng cộng", 1, 1, 1, 3, 0.6667, 1.0, 4, 0.75]
    assert ws["G5"].number_format == "0.00%" and ws.max_row == 7
    months = wb["Theo tháng"]
    assert [(r[1].value, r[5].value) for r in months.iter_rows(min_row=5)] == [
        ("Tháng 11/2026", 2), ("Tháng 12/2026", 1), ("Tổng cộng", 3)]  # fmt: skip
    form = wb[FORM_SHEET]
    assert form["A1"].value == "KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG TẠI QUẦY"
    assert [c.value for c in form[4]][:5] == ["STT", "Đơn vị", "Kỳ", "Rất hài lòng", None]
    assert [c.value for c in form[5]][3:5] == ["Số lượng", "Tỷ lệ (%)"]
    rows = [[c.value for c in r] for r in form.iter_rows(min_row=6)]
    assert rows == [
        [1, hub.config.site.name, "Tháng 11/2026", 1, 0.5, 0, 0.0, 1, 0.5, 2],
        [2, hub.config.site.name, "Tháng 12/2026", 0, 0.0, 1, 1.0, 0, 0.0, 1],
        [3, hub.config.site.name, "Cả kỳ", 1, 1 / 3, 1, 1 / 3, 1, 1 / 3, 3],
    ]
    assert steps[-1][0] == steps[-1][1]  # the progress reached its end


def test_csv_has_a_bom_and_vietnamese_headers(hub, rated) -> None:
    data = build_csv(hub.stats, "queue", date(2026, 11, 1), date(2026, 12, 31), "counter")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["STT", "Quầy", "Số phiếu đã cấp", "Đã phục vụ"]
    assert rows[1][:4] == ["1", "Quầy 1", "2", "2"] and rows[-1][1] == "Tổng cộng"
    assert rows[1][8] == "5.0"  # mean service time: 300 s = 5.0 minutes


def test_cli_report(tmp_path, monkeypatch, capsys) -> None:
    """GIVEN a configured hub WHEN `motcua report satisfaction --format xlsx` runs THEN it
    writes a workbook; a CSV with two groupings is refused with exit status 2."""
    from config.paths import EXAMPLES
    from hub.cli import main

    monkeypatch.setenv("MOTCUA_DATA", str(tmp_path))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    out = tmp_path / "r.xlsx"
    code = main(["--config", str(EXAMPLES / "demo.toml"), "report", "satisfaction",
                 "--from", "2026-01-01", "--to", "2026-03-31", "--by", "counter,month",
                 "--format", "xlsx", "--out", str(out)])  # fmt: skip
    assert code == 0 and load_workbook(out).sheetnames == ["Theo quầy", "Theo tháng", FORM_SHEET]
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("[" + "█" * 30 + "]") and last.endswith("7/7 xlsx")
    code = main(["--config", str(EXAMPLES / "demo.toml"), "report", "satisfaction",
                 "--from", "2026-01-01", "--to", "2026-03-31", "--by", "counter,month",
                 "--format", "csv", "--out", str(tmp_path / "r.csv")])  # fmt: skip
    assert code == 2 and "one grouping" in capsys.readouterr().err
