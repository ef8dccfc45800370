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
    assert ws["A2"].value == f"{hub.config.site.name} — Kỳ báo cáo: Từ 01/11/2026 đến 31/12/2026"
    assert [c.value for c in ws[4]] == [
        "STT", "Quầy", "Rất hài lòng (lượt)", "Hài lòng (lượt)", "Không hài lòng (lượt)",
        "Tổng lượt đánh giá", "Tỷ lệ hài lòng tại quầy", "Bị gắn cờ nghi vấn (không tính)",
        "Điểm trung bình (thang 0–2, quy ước của hệ thống)", "Lượt phục vụ",
        "Tỷ lệ được đánh giá"]  # fmt: skip
    assert [c.value for c in ws[5]] == [1, "Quầy 1", 1, 0, 1, 2, 0.5, 0, 1.0, 2, 1.0]
    assert [c.value for c in ws[6]] == [2, "Quầy 3", 0, 1, 0, 1, 1.0, 0, 1.0, 2, 0.5]
    assert [c.value for c in ws[7]] == [None, "Tổng cộng", 1, 1, 1, 3, 0.6667, 0, 1.0, 4, 0.75]
    assert ws["G5"].number_format == "0.00%" and ws.max_row == 7
    months = wb["Theo tháng"]
    assert [(r[1].value, r[5].value) for r in months.iter_rows(min_row=5)] == [
        ("Tháng 11/2026", 2), ("Tháng 12/2026", 1), ("Tổng cộng", 3)]  # fmt: skip
    form = wb[FORM_SHEET]
    assert form["E1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert form["A6"].value == "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ SỰ HÀI LÒNG"
    assert [c.value for c in form[10]][:5] == ["STT", "Đơn vị", "Công chức tiếp nhận",
                                                "Tổng số phiếu", "Rất hài lòng"]  # fmt: skip
    assert [c.value for c in form[11]][4:6] == ["Số phiếu", "Tỷ lệ"]
    rows = [[c.value for c in r] for r in form.iter_rows(min_row=12, max_row=15)]
    assert rows == [
        ["I", hub.config.site.name, "Cộng", 3, 1, 0.333, 1, 0.333, 1, 0.333],
        [1, None, "Lan", 2, 1, 0.5, 0, 0.0, 1, 0.5],
        [2, None, "Minh", 1, 0, 0.0, 1, 1.0, 0, 0.0],
        [None, "Tổng cộng", None, 3, 1, 0.333, 1, 0.333, 1, 0.333],
    ]
    assert form["F12"].number_format == "0.0%" and form["E12"].number_format == "#,##0"
    assert steps[-1][0] == steps[-1][1]  # the progress reached its end


def workbook_texts(data: bytes) -> list[str]:
    """Every text cell of a workbook, sheet by sheet."""
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row
            if isinstance(c, str)]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "period", "month_rows"),
    [
        (date(2026, 12, 1), date(2026, 12, 1), "Ngày 01/12/2026", ["Ngày 01/12/2026"]),
        (date(2026, 11, 30), date(2026, 12, 6), "Từ 30/11/2026 đến 06/12/2026",
         ["Ngày 30/11/2026", "Từ 01/12/2026 đến 06/12/2026"]),
        (date(2026, 12, 1), date(2026, 12, 31), "Tháng 12/2026 (01/12/2026 – 31/12/2026)",
         ["Tháng 12/2026"]),
    ],
)  # fmt: skip
def test_a_report_is_named_by_its_days_unless_it_is_a_whole_period(
    hub, rated, start, end, period, month_rows
) -> None:
    """GIVEN ratings on 30 Nov and 1 Dec (local) WHEN a satisfaction workbook is built for
    one day, for a week across two months and for the whole of December THEN its title says
    ``Ngày 01/12/2026``, ``Từ … đến …`` or ``Tháng 12/2026``, the month sheet names a month
    it holds only part of by those days, and a one-day workbook never says
    ``Tháng 12/2026``."""
    data = build_xlsx(hub.stats, "satisfaction", start, end, ["counter", "month"],
                      site_name=hub.config.site.name)  # fmt: skip
    wb = load_workbook(io.BytesIO(data))
    assert wb["Theo quầy"]["A2"].value == f"{hub.config.site.name} — Kỳ báo cáo: {period}"
    months = [r[1].value for r in wb["Theo tháng"].iter_rows(min_row=5)][:-1]
    assert months == month_rows
    if start == end:
        assert not any("Tháng 12/2026" in text for text in workbook_texts(data))
        assert "(Ngày 01/12/2026)" in workbook_texts(data)


def test_csv_has_a_bom_and_vietnamese_headers(hub, rated) -> None:
    data = build_csv(hub.stats, "queue", date(2026, 11, 1), date(2026, 12, 31), "counter")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["STT", "Quầy", "Số phiếu đã cấp", "Đã phục vụ"]
    assert rows[1][:4] == ["1", "Quầy 1", "2", "2"] and rows[-1][1] == "Tổng cộng"
    assert rows[1][8] == "5.0"  # mean service time: 300 s = 5.0 minutes


def test_csv_with_semicolons_has_decimal_commas(hub, rated) -> None:
    """GIVEN the hand-made ratings WHEN the CSV is asked with ``;`` (for an Excel whose
    list separator is ``;``) THEN it keeps the BOM, splits at ``;`` and writes numbers
    with a decimal comma, as that Excel reads them; another separator is refused."""
    data = build_csv(hub.stats, "satisfaction", date(2026, 11, 1), date(2026, 12, 31),
                     "counter", sep=";")  # fmt: skip
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["STT", "Quầy", "Rất hài lòng (lượt)"]
    assert rows[-1] == ["", "Tổng cộng", "1", "1", "1", "3", "0,6667", "0", "1,0", "4", "0,75"]
    with pytest.raises(ValueError, match="separator"):
        build_csv(hub.stats, "queue", date(2026, 11, 1), date(2026, 12, 31), "counter", sep="|")


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
    assert last.startswith("[" + "█" * 30 + "]") and last.endswith("4/4 xlsx")
    code = main(["--config", str(EXAMPLES / "demo.toml"), "report", "satisfaction",
                 "--from", "2026-01-01", "--to", "2026-03-31", "--by", "counter,month",
                 "--format", "csv", "--out", str(tmp_path / "r.csv")])  # fmt: skip
    assert code == 2 and "one grouping" in capsys.readouterr().err


def test_cli_report_csv_separator(tmp_path, monkeypatch, capsys) -> None:
    """GIVEN a configured hub WHEN `motcua report queue --format csv --sep ';'` runs THEN the
    file is UTF-8 with a BOM split at ';'; another separator exits 2."""
    from config.paths import EXAMPLES
    from hub.cli import main

    monkeypatch.setenv("MOTCUA_DATA", str(tmp_path))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    base = ["--config", str(EXAMPLES / "demo.toml"), "report", "queue", "--from", "2026-01-01",
            "--to", "2026-01-31", "--by", "counter", "--format", "csv"]  # fmt: skip
    out = tmp_path / "q.csv"
    assert main([*base, "--sep", ";", "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].startswith("STT;Quầy;Số phiếu đã cấp;")
    with pytest.raises(SystemExit) as exit_:
        main([*base, "--sep", "|", "--out", str(tmp_path / "x.csv")])
    assert exit_.value.code == 2 and "--sep" in capsys.readouterr().err


def test_cli_report_periods(tmp_path, monkeypatch, capsys) -> None:
    """GIVEN the demo's configuration (the cut-off on the 15th) WHEN `motcua report` is asked
    for `--period month --of 2026-12` THEN it covers 15/11–14/12/2026, as XLSX and as the
    PDF form; mixing --period with --from, or --of without --period, exits 2 with one line."""
    from config.paths import EXAMPLES
    from hub.cli import main

    monkeypatch.setenv("MOTCUA_DATA", str(tmp_path))
    monkeypatch.delenv("MOTCUA_DATABASE_URL", raising=False)
    base = ["--config", str(EXAMPLES / "demo.toml"), "report", "satisfaction"]
    out = tmp_path / "q.xlsx"
    assert main([*base, "--period", "quarter", "--of", "2026-12", "--out", str(out)]) == 0
    assert "15/09/2026 – 14/12/2026" in capsys.readouterr().out
    form = load_workbook(out)[FORM_SHEET]
    assert form["A7"].value == "Kỳ báo cáo: Quý IV/2026"
    assert form["A8"].value == "(Từ ngày 15/09/2026 đến ngày 14/12/2026)"
    pdf = tmp_path / "m.pdf"
    code = main(
        [*base, "--period", "month", "--of", "2026-12", "--format", "pdf", "--out", str(pdf)]
    )
    captured = capsys.readouterr()
    assert code == 0 and pdf.read_bytes().startswith(b"%PDF-")
    assert "15/11/2026 – 14/12/2026" in captured.out and captured.err.strip().endswith("3/3 pdf")
    assert "fontTools" not in captured.err
    for wrong in (["--period", "month", "--from", "2026-11-01"], ["--of", "2026-12"],
                  ["--from", "2026-11-01"]):  # fmt: skip
        assert main([*base, *wrong, "--out", str(out)]) == 2
        assert "give --from and --to, or --period" in capsys.readouterr().err
    assert main([*base.copy()[:-1], "queue", "--period", "month", "--format", "pdf",
                 "--out", str(pdf)]) == 2  # fmt: skip
    assert "PDF is the satisfaction form" in capsys.readouterr().err
