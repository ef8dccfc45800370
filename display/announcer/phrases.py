"""Ticket numbers and call phrases in words.

Pure, no I/O. A ticket number is an optional letter prefix (read by the letters'
Vietnamese names) followed by digits, e.g. ``"A1023"`` or ``"007"``. The call phrase
comes from a template with the placeholders ``{number}`` and ``{counter}``.
"""

# pyright: strict

from __future__ import annotations

import string
import unicodedata
from typing import Final, Literal, cast

from display.announcer.errors import InvalidNumberError
from display.announcer.letters import is_letter, letter_words
from display.announcer.numbers import MAX_NUMBER, Region, check_region, digit_words, number_words

__all__ = [
    "DEFAULT_TEMPLATE",
    "MODES",
    "Mode",
    "call_phrase",
    "check_template",
    "counter_words",
    "split_ticket_number",
    "ticket_number_words",
]

Mode = Literal["whole", "digits"]
"""``"whole"`` reads 1023 as a number, ``"digits"`` reads it digit by digit."""

MODES: Final[tuple[Mode, ...]] = ("whole", "digits")

DEFAULT_TEMPLATE: Final[str] = "Xin mời công dân có số {number} đến quầy số {counter}"

_PLACEHOLDERS: Final[frozenset[str]] = frozenset({"number", "counter"})
# Separators people put between the prefix and the digits ("A-1023", "A 1023").
_SEPARATORS: Final[str] = "-. "


def _check_mode(mode: str) -> Mode:
    if mode == "whole":
        return "whole"
    if mode == "digits":
        return "digits"
    raise InvalidNumberError(f"cách đọc không hợp lệ: {mode!r} (chọn whole hoặc digits)")


def split_ticket_number(number: str) -> tuple[str, str]:
    """Split a ticket number into its letter prefix and its digits.

    Args:
        number: e.g. ``"A1023"``, ``"a-7"``, ``"007"``; surrounding spaces are ignored.

    Returns:
        ``(prefix, digits)`` with the prefix upper-cased, e.g. ``("A", "1023")``.

    Raises:
        InvalidNumberError: no digits, unknown characters, or digits before letters.
    """
    raw = cast(object, number)  # checked at run time too: callers may be untyped
    text = unicodedata.normalize("NFC", raw).strip() if isinstance(raw, str) else ""
    cut = 0
    while cut < len(text) and is_letter(text[cut]):
        cut += 1
    prefix, rest = text[:cut], text[cut:]
    if prefix and rest[:1] and rest[0] in _SEPARATORS:
        rest = rest[1:]
    if not rest or not all("0" <= ch <= "9" for ch in rest):
        raise InvalidNumberError(f"số không hợp lệ: {number!r}")
    return prefix.upper(), rest


def ticket_number_words(number: str, region: Region = "north", mode: Mode = "whole") -> list[str]:
    """Read a ticket number: prefix letters by name, then the numeric part.

    In whole mode leading zeros are not read ("007" -> "bảy", "000" -> "không"); in
    digits mode every digit is ("007" -> "không không bảy").

    Args:
        number: the ticket number as printed, e.g. ``"A1023"``.
        region: ``"north"`` or ``"south"``.
        mode: ``"whole"`` or ``"digits"``.

    Raises:
        InvalidNumberError: a malformed number, a number over :data:`MAX_NUMBER` in
            whole mode, or an unknown region or mode.
    """
    region = check_region(region)
    mode = _check_mode(mode)
    prefix, digits = split_ticket_number(number)
    words: list[str] = []
    for letter in prefix:
        words += letter_words(letter)
    if mode == "digits":
        return words + digit_words(digits)
    value = int(digits)
    if value > MAX_NUMBER:
        raise InvalidNumberError(f"số quá lớn: {number!r}")
    return words + number_words(value, region)


def counter_words(counter: str, region: Region = "north") -> list[str]:
    """Read a counter id: digits as a whole number, any other text as written.

    Args:
        counter: e.g. ``"3"`` -> ``["ba"]``, ``"12"`` -> ``["mười", "hai"]``,
            ``"Một cửa"`` -> ``["Một", "cửa"]``.
        region: ``"north"`` or ``"south"``.

    Raises:
        InvalidNumberError: an empty counter, or a number over :data:`MAX_NUMBER`.
    """
    raw = cast(object, counter)
    text = unicodedata.normalize("NFC", raw).strip() if isinstance(raw, str) else ""
    if not text:
        raise InvalidNumberError(f"quầy không hợp lệ: {counter!r}")
    if all("0" <= ch <= "9" for ch in text):
        value = int(text)
        if value > MAX_NUMBER:
            raise InvalidNumberError(f"quầy không hợp lệ: {counter!r}")
        return number_words(value, region)
    return text.split()


def check_template(template: str) -> str:
    """Check a call-phrase template and return it unchanged.

    A template holds ``{number}`` once or more, may hold ``{counter}``, and nothing
    else in braces (write ``{{`` and ``}}`` for literal braces).

    Raises:
        InvalidNumberError: a malformed template, an unknown placeholder, a format
            spec, or no ``{number}``.
    """
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError as err:
        raise InvalidNumberError(f"mẫu câu không hợp lệ: {template!r}") from err
    names = {name for name, _, _ in fields}
    bad = [name for name, spec, conv in fields if name not in _PLACEHOLDERS or spec or conv]
    if bad or "number" not in names:
        raise InvalidNumberError(
            f"mẫu câu không hợp lệ: {template!r} (chỉ dùng {{number}} và {{counter}})"
        )
    return template


def call_phrase(
    number: str,
    counter: str,
    template: str = DEFAULT_TEMPLATE,
    region: Region = "north",
    mode: Mode = "whole",
) -> str:
    """Build the whole call phrase the announcer speaks.

    Args:
        number: the ticket number, e.g. ``"1023"`` or ``"A007"``.
        counter: the counter id; digits are read in words, other text kept as written.
        template: a template with ``{number}`` and optionally ``{counter}``.
        region: ``"north"`` or ``"south"``.
        mode: how to read the ticket number, ``"whole"`` or ``"digits"``; the counter
            is always read as a whole number.

    Returns:
        One line, single-spaced, e.g. ``call_phrase("1023", "3")`` is
        ``"Xin mời công dân có số một nghìn không trăm hai mươi ba đến quầy số ba"``.

    Raises:
        InvalidNumberError: a bad number, counter, template, region or mode.
    """
    check_template(template)
    spoken_number = " ".join(ticket_number_words(number, region, mode))
    spoken_counter = " ".join(counter_words(counter, region))
    line = template.format(number=spoken_number, counter=spoken_counter)
    return " ".join(line.split())
