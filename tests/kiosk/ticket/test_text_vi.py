"""Unit tests for the ticket's Vietnamese/English wording (kiosk.ticket.text_vi)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from kiosk.ticket import text_vi


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, "chưa xác định"),
        (0, "dưới 1 phút"),
        (59, "dưới 1 phút"),
        (60, "khoảng 1 phút"),
        (89, "khoảng 1 phút"),
        (90, "khoảng 2 phút"),
        (9 * 60, "khoảng 9 phút"),
        (9 * 60 + 30, "khoảng 10 phút"),
        (12 * 60, "khoảng 10 phút"),
        (13 * 60, "khoảng 15 phút"),
        (15 * 60, "khoảng 15 phút"),
        (57 * 60, "khoảng 55 phút"),
        (58 * 60, "khoảng 1 giờ"),
        (75 * 60, "khoảng 1 giờ 15 phút"),
        (100 * 60, "khoảng 1 giờ 45 phút"),
        (3 * 3600 + 60, "khoảng 3 giờ"),
    ],
)
def test_format_wait_vietnamese(seconds: int | None, expected: str) -> None:
    """GIVEN an estimated wait in seconds (or none)
    WHEN it is formatted in Vietnamese
    THEN it reads naturally, rounded coarser as the wait grows."""
    assert text_vi.format_wait(seconds) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, "not yet known"),
        (30, "under 1 min"),
        (15 * 60, "about 15 min"),
        (75 * 60, "about 1 h 15 min"),
        (120 * 60, "about 2 h"),
    ],
)
def test_format_wait_english(seconds: int | None, expected: str) -> None:
    """GIVEN an estimated wait
    WHEN it is formatted in English
    THEN the English wording is used."""
    assert text_vi.format_wait(seconds, lang="en") == expected


def _shown_minutes(text: str) -> int:
    if text == "dưới 1 phút":
        return 0
    match = re.fullmatch(r"khoảng (?:(\d+) giờ)? ?(?:(\d+) phút)?", text)
    if match is None:
        raise AssertionError(f"unexpected wording {text!r}")
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def test_format_wait_is_monotonic_and_close() -> None:
    """GIVEN every wait from 0 to 5 hours in 7-second steps
    WHEN each is formatted
    THEN the minutes shown never decrease as the wait grows, and stay within
    3 minutes of the truth under an hour and 8 minutes beyond."""
    previous = 0
    for seconds in range(0, 5 * 3600, 7):
        shown = _shown_minutes(text_vi.format_wait(seconds))
        assert shown >= previous, seconds
        tolerance = 3 if seconds < 3600 else 8
        assert abs(shown - seconds / 60) <= tolerance, seconds
        previous = shown


def test_format_wait_rejects_negative() -> None:
    """GIVEN a negative estimate WHEN formatted THEN ValueError is raised."""
    with pytest.raises(ValueError, match="negative"):
        text_vi.format_wait(-1)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 11, 27, 7, 5, tzinfo=UTC), "27/11/2026 14:05"),
        # 23:30 UTC is already the next morning in Vietnam (UTC+7).
        (datetime(2026, 11, 27, 23, 30, tzinfo=UTC), "28/11/2026 06:30"),
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), "01/01/2027 00:00"),
        (datetime(2026, 11, 27, 16, 5, tzinfo=timezone(timedelta(hours=9))), "27/11/2026 14:05"),
    ],
)
def test_format_datetime_local_converts_to_site_timezone(instant: datetime, expected: str) -> None:
    """GIVEN an aware instant
    WHEN formatted for Asia/Ho_Chi_Minh
    THEN it shows the local day/month/year and 24-hour time."""
    assert text_vi.format_datetime_local(instant, "Asia/Ho_Chi_Minh") == expected


def test_format_datetime_local_rejects_naive() -> None:
    """GIVEN a naive datetime WHEN formatted THEN ValueError is raised, not a guess."""
    with pytest.raises(ValueError, match="aware"):
        text_vi.format_datetime_local(datetime(2026, 11, 27, 7, 5), "Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("n", "lang", "expected"),
    [
        (0, "vi", "Quý vị là người tiếp theo"),
        (1, "vi", "Trước quý vị còn 1 người"),
        (5, "vi", "Trước quý vị còn 5 người"),
        (1234, "vi", "Trước quý vị còn 1.234 người"),
        (0, "en", "You are next"),
        (1, "en", "1 person ahead of you"),
        (1234, "en", "1,234 people ahead of you"),
    ],
)
def test_format_people_ahead(n: int, lang: str, expected: str) -> None:
    """GIVEN a count of people ahead WHEN formatted THEN it uses the glossary wording."""
    assert text_vi.format_people_ahead(n, lang) == expected


def test_format_people_ahead_rejects_negative() -> None:
    """GIVEN a negative count WHEN formatted THEN ValueError is raised."""
    with pytest.raises(ValueError, match="negative"):
        text_vi.format_people_ahead(-3)


@pytest.mark.parametrize(
    ("n", "lang", "expected"),
    [
        (999, "vi", "999"),
        (1000, "vi", "1.000"),
        (1234567, "vi", "1.234.567"),
        (1234, "en", "1,234"),
    ],
)
def test_format_int_thousands(n: int, lang: str, expected: str) -> None:
    """GIVEN an integer WHEN formatted THEN Vietnamese groups thousands with '.'."""
    assert text_vi.format_int(n, lang) == expected


def test_priority_labels_match_glossary() -> None:
    """GIVEN the hub's priority categories
    WHEN labelled in Vietnamese
    THEN each has the glossary term."""
    assert dict(text_vi.PRIORITY_LABELS) == {
        "elderly": "Người cao tuổi",
        "disabled": "Người khuyết tật",
        "pregnant": "Phụ nữ mang thai",
        "veteran": "Người có công với cách mạng",
        "war_invalid": "Thương binh – bệnh binh",
    }
    assert set(text_vi.PRIORITY_LABELS_EN) == set(text_vi.PRIORITY_LABELS)


@pytest.mark.parametrize(
    ("category", "lang", "expected"),
    [
        ("elderly", "vi", "Ưu tiên: Người cao tuổi"),
        ("war_invalid", "vi", "Ưu tiên: Thương binh – bệnh binh"),
        ("child_under_6", "vi", "Ưu tiên"),
        ("pregnant", "en", "Priority: Pregnant woman"),
        ("child_under_6", "en", "Priority"),
    ],
)
def test_priority_line(category: str, lang: str, expected: str) -> None:
    """GIVEN a known or unknown category WHEN its ticket line is built
    THEN known ones are named and unknown ones read just "Ưu tiên"."""
    assert text_vi.priority_line(category, lang) == expected


def test_lines_combine_label_and_value() -> None:
    """GIVEN values for the field, wait and issue time
    WHEN the ticket lines are built
    THEN they follow the glossary wording."""
    assert text_vi.field_line("Đất đai") == "Lĩnh vực: Đất đai"
    assert text_vi.wait_line(900) == "Thời gian chờ dự kiến: khoảng 15 phút"
    issued = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert text_vi.issued_line(issued, "Asia/Ho_Chi_Minh") == "Thời gian lấy số: 28/11/2026 06:30"


def test_unknown_language_is_rejected() -> None:
    """GIVEN a language the kiosk does not print WHEN asked THEN ValueError names it."""
    with pytest.raises(ValueError, match="'fr'"):
        text_vi.labels("fr")
    with pytest.raises(ValueError, match="'fr'"):
        text_vi.format_wait(60, lang="fr")


def test_labels_are_complete_and_composed() -> None:
    """GIVEN the label tables
    WHEN compared across locales and checked for Unicode form
    THEN both locales have the same keys (English may add plural forms) and
    every Vietnamese string is NFC, which the renderer's glyph lookup needs."""
    vi, en = text_vi.labels("vi"), text_vi.labels("en")
    assert set(vi) <= set(en)
    strings = [*vi.values(), *en.values(), *text_vi.PRIORITY_LABELS.values()]
    for value in strings:
        assert unicodedata.is_normalized("NFC", value), value


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Trung tâm Phục vụ hành chính công xã Tân Phú",
            "Trung tâm Phục vụ hành chính công\nxã Tân Phú",
        ),
        (
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH ĐỒNG NAI",
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG\nTỈNH ĐỒNG NAI",
        ),
        ("Bộ phận Một cửa UBND phường 1", "Bộ phận Một cửa\nUBND phường 1"),
        ("Trung tâm Phục vụ hành chính công", "Trung tâm Phục vụ hành chính công"),
        ("UBND xã Tân Phú\nBộ phận Một cửa", "UBND xã Tân Phú\nBộ phận Một cửa"),
        ("Văn phòng đăng ký đất đai", "Văn phòng đăng ký đất đai"),
    ],
)
def test_break_centre_name(name: str, expected: str) -> None:
    """GIVEN a centre name WHEN prepared for printing
    THEN a known institution prefix ends its own line, and explicit breaks win."""
    assert text_vi.break_centre_name(name) == expected


def test_break_centre_name_accepts_decomposed_input() -> None:
    """GIVEN a centre name typed in decomposed Unicode (NFD)
    WHEN prepared THEN the prefix is still recognised and the result is NFC."""
    nfd = unicodedata.normalize("NFD", "Trung tâm Phục vụ hành chính công xã Tân Phú")
    assert text_vi.break_centre_name(nfd) == "Trung tâm Phục vụ hành chính công\nxã Tân Phú"
