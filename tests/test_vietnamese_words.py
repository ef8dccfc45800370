"""One Vietnamese voice: the words glossary.md bans cannot come back.

Every text a citizen or an officer reads is scanned: the Vietnamese catalogue, the
templates, the pages' scripts, the string literals of the Python code, the printed
ticket's wording and the docs that quote screen text. The rules (glossary.md):

- a citizen is "quý vị", never "bạn" (a whole word: "bạn" inside another word is fine);
- one spelling style, the old tone placement: hủy, khóa, xóa, hòa, khỏe, thủy, tùy
  (never huỷ, khoá, xoá, hoà, khoẻ, thuỷ, tuỳ);
- a duration is "khoảng 15 phút", never "~ 15 phút";
- the kiosk is "Máy lấy số" (never "ki-ốt", "máy phát số", "máy cấp số"; never "kiosk"
  in a Vietnamese sentence);
- a token's fingerprint is "mã nhận dạng" (never "dấu vân tay");
- the pages citizens see never show the internal "Màn hình gọi số".
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.ticket import text_vi
from tests.support.paths import REPO

WORD = r"[^\W\d_]"  # a letter, accented or not


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# What is banned in every Vietnamese text, and what to write instead.
BANNED: dict[str, re.Pattern[str]] = {
    "'quý vị', not 'bạn'": _rule(rf"(?<!{WORD})bạn(?!{WORD})"),
    "hủy/thủy/tùy (tone on u), not huỷ/thuỷ/tuỳ": _rule(rf"(?<![q])u[ýỳỷỹỵ](?!{WORD})"),
    "khóa/xóa/hòa (tone on o), not khoá/xoá/hoà": _rule(rf"o[áàảãạ](?!{WORD})"),
    "khỏe (tone on o), not khoẻ": _rule(rf"o[éèẻẽẹ](?!{WORD})"),
    "'khoảng 15 phút', not '~ 15 phút'": _rule(r"[~≈]\s*\d[\d.,]*\s*(phút|giờ)"),
    "'Máy lấy số', not 'ki-ốt' / 'máy phát số' / 'máy cấp số'": _rule(
        r"ki-?ốt|máy phát số|máy cấp số"
    ),
    "'mã nhận dạng', not 'dấu vân tay'": _rule(r"dấu vân tay"),
}
# In a text known to be Vietnamese (a catalogue's msgstr), the English word too.
KIOSK_IN_VIETNAMESE = _rule(r"(?<![\w/_\[-])kiosks?(?![\w/_.\]-])")
INTERNAL_SCREEN_NAME = _rule(r"màn hình gọi số")

SOURCE_ROOTS = ("hub", "display", "kiosk", "config", "hardware")
# Pages, scripts and ticket texts a citizen sees (the hall screen, display/templates,
# is the "screens" change's own page and is checked there).
PUBLIC_GLOBS = (
    "hub/ticket_pages/templates/*.html",
    "hub/ticket_pages/static/*.js",
    "hub/tablet/templates/*.html",
    "hub/tablet/static/*.js",
    "kiosk/*/templates/*.html",
    "kiosk/*/static/*.js",
    "kiosk/ticket/text_vi.py",
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tracked(pattern: str) -> list[Path]:
    return sorted(p for p in REPO.glob(pattern) if ".venv" not in p.parts)


def _page_files() -> Iterator[Path]:
    """Templates and scripts of every part (the vendored minified libraries aside)."""
    for root in SOURCE_ROOTS:
        yield from _tracked(f"{root}/**/templates/**/*.html")
        yield from (p for p in _tracked(f"{root}/**/static/**/*.js") if ".min." not in p.name)


def _doc_files() -> Iterator[Path]:
    yield from _tracked("*.md")
    yield from _tracked("docs/**/*.md")
    yield from _tracked("config/examples/**/*.toml")


def _python_strings(path: Path) -> Iterator[tuple[int, str]]:
    """Each string literal of a module (f-string parts included), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def _catalogue(locale: str = "vi") -> list[tuple[str, str]]:
    po = REPO / "hub" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        return [(str(m.id), str(m.string)) for m in read_po(fh, locale=locale) if m.id]


def _problems(where: str, text: str, extra: dict[str, re.Pattern[str]] | None = None) -> list[str]:
    text = _nfc(text)
    rules = {**BANNED, **(extra or {})}
    return [
        f"{where}: {why}: {found.group(0)!r}"
        for why, rule in rules.items()
        for found in rule.finditer(text)
    ]


def _scan_lines(path: Path, extra: dict[str, re.Pattern[str]] | None = None) -> list[str]:
    rel = path.relative_to(REPO)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [p for n, line in enumerate(lines, 1) for p in _problems(f"{rel}:{n}", line, extra)]


def test_the_rules_catch_what_they_should_and_nothing_else() -> None:
    """GIVEN sample sentences WHEN checked THEN each banned form is caught and the
    right forms (and words that merely contain the letters) are not."""
    caught = [
        "Trước bạn còn 5 người",
        "Bạn là người tiếp theo",
        "Đã khoá tài khoản",
        "Huỷ",
        "không xoá",
        "hoà",
        "khoẻ",
        "thuỷ",
        "~ 15 phút",
        "~15 phút",
        "≈ 1 giờ",
        "Máy cấp số",
        "ki-ốt",
        "Dấu vân tay SHA-256",
    ]
    fine = [
        "Trước quý vị còn 5 người",
        "Đã khóa tài khoản",
        "Hủy",
        "không xóa",
        "hòa, khỏe, thủy, tùy, lũy",
        "quý, quỹ, quỳ",
        "hoàn thành, khoảng, thuyền, quyết",
        "khoảng 15 phút",
        "Máy lấy số",
        "Mã nhận dạng SHA-256",
        "~/.config/motcua",
    ]
    assert [s for s in caught if not _problems("sample", s)] == []
    assert [s for s in fine if _problems("sample", s)] == []
    assert KIOSK_IN_VIETNAMESE.search("TV sảnh và kiosk")
    assert not KIOSK_IN_VIETNAMESE.search("[kiosk] trong tệp cấu hình, /kiosk, kiosk.toml")


def test_the_vietnamese_catalogue_speaks_one_voice() -> None:
    """GIVEN every Vietnamese message of the pages WHEN checked THEN none uses a
    banned form, nor the English word "kiosk"."""
    problems = [
        p
        for msgid, msgstr in _catalogue("vi")
        for p in _problems(
            f"vi {msgid!r}", msgstr, {"'Máy lấy số', not 'kiosk'": KIOSK_IN_VIETNAMESE}
        )
    ]
    assert problems == []


@pytest.mark.parametrize("kind", ["templates and scripts", "python strings", "docs"])
def test_templates_scripts_code_and_docs_speak_one_voice(kind: str) -> None:
    """GIVEN the templates and scripts of every part, the string literals of the code
    and the docs WHEN checked THEN none uses a banned form."""
    problems: list[str] = []
    if kind == "templates and scripts":
        files = list(_page_files())
        for path in files:
            problems += _scan_lines(path)
    elif kind == "python strings":
        files = [p for root in SOURCE_ROOTS for p in _tracked(f"{root}/**/*.py")]
        for path in files:
            rel = path.relative_to(REPO)
            for line, text in _python_strings(path):
                problems += _problems(f"{rel}:{line}", text)
    else:
        files = list(_doc_files())
        for path in files:
            problems += _scan_lines(path)
    assert len(files) > 5
    assert problems == []


def test_pages_citizens_see_never_name_the_call_screen_internally() -> None:
    """GIVEN the pages, scripts and ticket texts a citizen sees WHEN checked THEN none
    shows the internal label "Màn hình gọi số" (they say "màn hình ở sảnh")."""
    rule = {"internal label 'Màn hình gọi số' on a public page": INTERNAL_SCREEN_NAME}
    files = [p for pattern in PUBLIC_GLOBS for p in _tracked(pattern)]
    assert len(files) > 5
    assert [p for path in files for p in _scan_lines(path, rule)] == []


def _printed_texts() -> Iterator[str]:
    """Every Vietnamese line the printed ticket can carry (waits from 0 s to 10 h)."""
    yield from text_vi.labels("vi").values()
    for seconds in [None, *range(0, 10 * 3600, 30)]:
        yield text_vi.wait_line(seconds, "vi")
    for ahead in range(0, 30):
        yield text_vi.format_people_ahead(ahead, "vi")


def test_the_printed_ticket_says_khoang_and_quy_vi() -> None:
    """GIVEN every wait the hub can estimate WHEN the ticket's Vietnamese is written
    THEN each wait reads "khoảng …" (or "dưới 1 phút" / "chưa xác định"), never "~", and
    the ticket addresses the citizen as "quý vị"."""
    texts = list(_printed_texts())
    assert [p for t in texts for p in _problems("ticket", t)] == []
    waits = [text_vi.format_wait(s, "vi") for s in range(60, 10 * 3600, 30)]
    assert all(w.startswith("khoảng ") for w in waits)
    assert text_vi.wait_line(15 * 60, "vi") == "Thời gian chờ dự kiến: khoảng 15 phút"
    assert text_vi.format_people_ahead(5, "vi") == "Trước quý vị còn 5 người"
