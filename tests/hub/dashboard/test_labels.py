"""The dashboard speaks through Flask-Babel like every page: its words, both languages."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from config.wire import DeviceKind
from hub.alerts.rules import LOW_RATE, NEGATIVE_STREAK, SILENT_PAD
from hub.dashboard.labels import (
    DEVICE_KIND_LABELS,
    FLAG_LABELS,
    PRESET_LABELS,
    REFUSAL_LABELS,
    RULE_LABELS,
    script_strings,
)
from hub.ratings.flags import ALL_FLAGS
from hub.ratings.periods import PRESETS
from tests.hub.dashboard.conftest import page_login

# The words of each code, (Vietnamese, English), as the dashboard has always shown them.
EXPECTED = {
    "rules": (
        RULE_LABELS,
        {
            NEGATIVE_STREAK: (
                "Nhiều đánh giá không hài lòng liên tiếp",
                "Streak of negative ratings",
            ),
            LOW_RATE: ("Tỷ lệ hài lòng dưới ngưỡng", "Satisfaction rate under threshold"),
            SILENT_PAD: ("Thiết bị đánh giá không hoạt động", "Silent rating pad"),
        },
    ),
    "flags": (
        FLAG_LABELS,
        {
            "burst": ("Bấm liên tiếp bất thường", "Burst of presses"),
            "no_ticket": ("Bấm khi không có lượt phục vụ", "Press with no ticket"),
            "level_share": ("Tỷ lệ một mức cao bất thường", "One level far above its usual share"),
            "clock": ("Đồng hồ thiết bị lệch", "Pad clock off"),
        },
    ),
    "refusals": (
        REFUSAL_LABELS,
        {
            "no_ticket": ("Không có lượt phục vụ", "No ticket"),
            "already_rated": ("Đã được đánh giá", "Already rated"),
            "invalid_time": ("Thời điểm không hợp lệ", "Invalid time"),
            "unknown_level": ("Mức không hợp lệ", "Unknown level"),
            "unknown_reason": ("Lý do không hợp lệ", "Unknown reason"),
        },
    ),
    "device kinds": (
        DEVICE_KIND_LABELS,
        {
            "kiosk": ("Máy lấy số", "Ticket kiosk"),
            "rating-pad": ("Thiết bị đánh giá", "Rating pad"),
            "display": ("Màn hình gọi số", "Call screen"),
            "counter-keypad": ("Bàn phím quầy", "Counter keypad"),
            "hub": ("Liên kết hub", "Hub link"),
        },
    ),
    "periods": (
        PRESET_LABELS,
        {
            "day": ("Hôm nay", "Today"),
            "week": ("Tuần này", "This week"),
            "month": ("Tháng", "Month"),
            "quarter": ("Quý", "Quarter"),
            "half": ("6 tháng", "6 months"),
            "nine_months": ("9 tháng", "9 months"),
            "year": ("Năm", "Year"),
        },
    ),
}
DATA_I18N = re.compile(r'data-i18n="([^"]*)"')


@pytest.fixture
def manager(api):
    return api.user("sep", "manager")


def _words(app, lang: str, table: dict) -> dict:
    with app.test_request_context(f"/dashboard?lang={lang}"):
        return {code: str(text) for code, text in table.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_code_reads_as_before_in_both_languages(app, name) -> None:
    """GIVEN a table of codes WHEN translated in Vietnamese and in English THEN each code
    reads word for word as the dashboard's own dictionary said."""
    table, expected = EXPECTED[name]
    assert _words(app, "vi", table) == {code: pair[0] for code, pair in expected.items()}
    assert _words(app, "en", table) == {code: pair[1] for code, pair in expected.items()}


def test_every_code_of_the_other_packages_has_its_words() -> None:
    """Every misuse flag, device kind and reporting period has a label (an unknown code
    would be shown as itself)."""
    assert set(FLAG_LABELS) == set(ALL_FLAGS)
    assert set(DEVICE_KIND_LABELS) == {kind.value for kind in DeviceKind}
    assert tuple(PRESET_LABELS) == PRESETS


def test_words_shared_with_other_pages_keep_the_dashboards_vietnamese(app) -> None:
    """GIVEN English words the other pages translate otherwise ("Open" is "Đang mở" on the
    console) WHEN the script's words are read THEN the dashboard's own Vietnamese stands."""
    with app.test_request_context("/dashboard?lang=vi"):
        words = script_strings()
    assert (words["open"], words["closed"], words["paused"]) == ("Mở", "Đóng", "Tạm dừng")
    assert (words["served"], words["time"]) == ("Lượt phục vụ", "Thời điểm")
    assert words["weekdays"] == "T2,T3,T4,T5,T6,T7,CN"
    with app.test_request_context("/dashboard?lang=en"):
        words = script_strings()
    assert (words["open"], words["served"], words["time"]) == ("Open", "Served", "Time")
    assert words["weekdays"] == "Mon,Tue,Wed,Thu,Fri,Sat,Sun"


def _script_words(page) -> dict:
    return json.loads(unescape(DATA_I18N.search(page.get_data(as_text=True)).group(1)))


def test_the_page_speaks_the_chosen_language(api, manager) -> None:
    """GIVEN a manager WHEN the page is asked for without a language, with ``?lang=en``,
    then again without THEN it is Vietnamese, then English (the script's words too), and
    the choice is remembered in the pages' language cookie."""
    client = api.client
    vi = client.get("/dashboard", headers=manager)
    assert '<html lang="vi">' in vi.get_data(as_text=True)
    assert "Tổng quan đánh giá mức độ hài lòng" in vi.get_data(as_text=True)
    assert _script_words(vi)["rate"] == "Tỷ lệ hài lòng tại quầy"
    en = client.get("/dashboard?lang=en", headers=manager)
    assert "Satisfaction overview" in en.get_data(as_text=True)
    assert _script_words(en)["rate"] == "Counter satisfaction rate"
    assert "motcua_lang=en" in en.headers.get("Set-Cookie", "")
    again = client.get("/dashboard", headers=manager)
    assert '<html lang="en">' in again.get_data(as_text=True)
    data = client.get("/dashboard/data", headers=manager).json
    assert data["levels"][0]["label"] == "Very satisfied"


def test_one_language_cookie_for_the_dashboard_and_the_pages(app, api) -> None:
    """GIVEN English chosen on the login page WHEN a manager logs in and opens the
    dashboard THEN it is English; WHEN Vietnamese is chosen on the dashboard THEN the pages'
    cookie says so."""
    api.user("sep", "manager")
    client = app.test_client()
    assert page_login(client, "sep", "?lang=en").headers["Location"] == "/dashboard"
    assert "Satisfaction overview" in client.get("/dashboard").get_data(as_text=True)
    assert "Tổng quan đánh giá" in client.get("/dashboard?lang=vi").get_data(as_text=True)
    assert client.get_cookie("motcua_lang").value == "vi"
