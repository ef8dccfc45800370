"""Honest labels: the 0–2 mean is called our convention, and the docs say what the counter
rate is not (neither SIPAS nor the QĐ 766 score) and on what law the reports stand."""

from __future__ import annotations

import re

from hub.reports.form import HEADERS, PER_LEVEL
from hub.reports.workbook import MEAN, satisfaction_headers
from tests.support.paths import REPO

LEVELS = [{"id": "a", "label": "Rất hài lòng"}, {"id": "b", "label": "Hài lòng"}]


def test_the_mean_is_labelled_as_our_convention_and_is_not_on_the_form() -> None:
    assert MEAN == "Điểm trung bình (thang 0–2, quy ước của hệ thống)"
    assert MEAN in satisfaction_headers(LEVELS, "counter")
    assert not any("Điểm" in words for words in (*HEADERS, *PER_LEVEL))


def test_the_docs_name_the_legal_basis_and_what_the_rate_is_not() -> None:
    """GIVEN docs/reports.md WHEN read THEN it names NĐ 118/2025, QĐ 766 and NĐ 09/2019, says
    the counter rate is neither SIPAS nor the QĐ 766 score and shows the form; the README
    links it."""
    text = (REPO / "docs" / "reports.md").read_text(encoding="utf-8")
    for words in ("NĐ 118/2025/NĐ-CP", "QĐ 766/QĐ-TTg", "NĐ 09/2019/NĐ-CP",
                  "neither SIPAS nor the QĐ 766 score", "quy ước của hệ thống"):  # fmt: skip
        assert words in text, words
    images = re.findall(r"\]\((screenshots/[^)]+\.png)\)", text)
    assert images == ["screenshots/report-form.png"]
    for image in images:
        assert (REPO / "docs" / image).stat().st_size > 10_000
    assert "(docs/reports.md)" in (REPO / "README.md").read_text(encoding="utf-8")
