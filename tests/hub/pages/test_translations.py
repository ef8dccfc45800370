"""The Vietnamese catalogue has every message of the pages, and the .mo files are fresh.

Message ids are English (``hub/translations/babel.cfg`` says how to extract,
update and compile). These tests extract the messages from the code and the
templates exactly as ``pybabel extract`` does, so a new ``_("…")`` without a
Vietnamese translation fails here.
"""

from __future__ import annotations

import re
from configparser import ConfigParser

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.support.paths import REPO

TRANSLATIONS = REPO / "hub" / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _method_map() -> list[tuple[str, str]]:
    parser = ConfigParser()
    parser.read(TRANSLATIONS / "babel.cfg", encoding="utf-8")
    found = []
    for section in parser.sections():
        method, _, pattern = section.partition(":")
        found.append((pattern.strip(), method.strip()))
    return found


@pytest.fixture(scope="module")
def source_messages() -> set[tuple[str, str | None]]:
    """``(message id, context)`` of every message the code and templates use."""
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        REPO, _method_map(), keywords=KEYWORDS
    ):
        found.add((message if isinstance(message, str) else message[0], context))
    return found


def _catalog(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def test_every_message_of_the_code_has_its_vietnamese(source_messages) -> None:
    """GIVEN every message the code and templates use WHEN looked up in the Vietnamese
    catalogue THEN each is there, translated, not fuzzy, with the same placeholders."""
    catalog = _catalog("vi")
    problems = []
    for msgid, context in sorted(source_messages, key=lambda m: (m[0], m[1] or "")):
        entry = catalog.get(msgid, context)
        if entry is None or not entry.string:
            problems.append(f"untranslated: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(entry.string)):
            problems.append(f"placeholders differ: {msgid!r} → {entry.string!r}")
    assert not problems, "run the commands in hub/translations/babel.cfg:\n" + "\n".join(problems)
    assert len(source_messages) > 200


def test_no_stale_messages(source_messages) -> None:
    """GIVEN the catalogues WHEN compared with the code THEN they hold no message the
    code no longer uses (so the catalogue stays the list of what the pages say)."""
    for locale in ("vi", "en"):
        stale = {(m.id, m.context) for m in _catalog(locale) if m.id} - source_messages
        assert not stale, f"{locale}: {sorted(stale)}"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_compiled_catalogues_match_their_sources(locale) -> None:
    """GIVEN each .po WHEN compared with its committed .mo THEN every message compiles to
    the same text (the .mo was rebuilt after the last edit)."""
    po = _catalog(locale)
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        mo = read_mo(fh)
    compiled = {(m.id, m.context): m.string for m in mo if m.id}
    for message in po:
        if message.id:
            assert compiled.get((message.id, message.context)) == message.string, message.id


def test_vietnamese_uses_the_glossary_words() -> None:
    """GIVEN the console's actions WHEN translated THEN they read as the glossary says."""
    catalog = _catalog("vi")
    expected = {
        "Call next": "Gọi số tiếp theo",
        "Recall": "Gọi lại",
        "No-show": "Vắng mặt",
        "Transfer field": "Chuyển lĩnh vực",
        "Complete": "Hoàn thành",
        "Pause": "Tạm dừng",
        "Resume": "Tiếp tục",
        "Open counter": "Mở quầy",
        "Close counter": "Đóng quầy",
        "Log in": "Đăng nhập",
        "Log out": "Đăng xuất",
        "User name": "Tên đăng nhập",
        "Password": "Mật khẩu",
        "Audit log": "Nhật ký thao tác",
        "Users": "Người dùng",
        "Devices": "Thiết bị",
        "Printer out of paper": "Máy in hết giấy",
        "Printer offline": "Máy in mất kết nối",
    }
    assert {k: catalog.get(k).string for k in expected} == expected


def test_pages_render_in_both_languages(app, browser) -> None:
    """GIVEN an admin WHEN the admin pages are rendered in Vietnamese and in English THEN
    each shows its own language's words (the catalogues are loaded, not just present)."""
    admin = browser("quantri", "admin")
    vi = admin.get("/admin/users").get_data(as_text=True)
    en = admin.get("/admin/users?lang=en").get_data(as_text=True)

    assert "Thêm người dùng" in vi and "Nhật ký thao tác" in vi and "Add a user" not in vi
    assert "Add a user" in en and "Audit log" in en and "Thêm người dùng" not in en
