"""Ticket numbers and call phrases in words.

Pure, no I/O. A ticket number is an optional letter prefix (read by the letters'
Vietnamese names) followed by digits, e.g. ``"A1023"`` or ``"007"``. The call phrase
comes from a template with the placeholders ``{number}`` and ``{counter}``.

A counter is read one of two ways:

* a **code**, an id holding a digit (``"3"``, ``"12B"``, ``"A1"``, ``"3-A"``) or a
  single letter (``"A"``): runs of digits as whole numbers, letters by their names
  ("3A" -> "ba a"); the template's "quầy số {counter}" stays;
* a **name** (``"Một cửa"``, or an id such as ``"mot-cua"`` whose configured name is
  "Một cửa"): the name as written, without a leading "Quầy", and the template's "số"
  just before ``{counter}`` is left out ("đến quầy Một cửa", never "quầy số Một cửa").
"""

# pyright: strict

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal, Protocol, cast

from display.announcer.errors import InvalidNumberError
from display.announcer.letters import is_letter, letter_words
from display.announcer.numbers import (
    MAX_NUMBER,
    Four,
    Region,
    check_four,
    check_region,
    digit_words,
    number_words,
)

__all__ = [
    "DEFAULT_TEMPLATE",
    "MODES",
    "Mode",
    "call_phrase",
    "CounterReading",
    "VoiceSettings",
    "check_template",
    "counter_reading",
    "counter_words",
    "spoken_call",
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
# A counter code: ASCII digits and runs of at most two letters, with these between them
# ("3-A", "12_B", "AB1"); "mot-cua-2" has words, so it is a name.
_CODE: Final[re.Pattern[str]] = re.compile(r"[A-Za-z0-9]+(?:[-_. ]+[A-Za-z0-9]+)*")
_LETTER_RUN: Final[re.Pattern[str]] = re.compile(r"[A-Za-z]+")
_CODE_PART: Final[re.Pattern[str]] = re.compile(r"[0-9]+|[A-Za-z]")
# A name's leading "Quầy" (the template says it already), and the "số" of the template
# before {counter}, which a named counter does not take.
_COUNTER_WORD: Final[re.Pattern[str]] = re.compile(r"^quầy(\s+số)?\s+", re.IGNORECASE)
_NUMBER_WORD_BEFORE_COUNTER: Final[re.Pattern[str]] = re.compile(
    r"\bsố\s+(?=\{counter\})", re.IGNORECASE
)


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


def ticket_number_words(
    number: str, region: Region = "north", mode: Mode = "whole", four: Four = "tu"
) -> list[str]:
    """Read a ticket number: prefix letters by name, then the numeric part.

    In whole mode leading zeros are not read ("007" -> "bảy", "000" -> "không"); in
    digits mode every digit is ("007" -> "không không bảy").

    Args:
        number: the ticket number as printed, e.g. ``"A1023"``.
        region: ``"north"`` or ``"south"``.
        mode: ``"whole"`` or ``"digits"``.
        four: ``"tu"`` or ``"bon"``, the units 4 after "mươi" (24).

    Raises:
        InvalidNumberError: a malformed number, a number over :data:`MAX_NUMBER` in
            whole mode, or an unknown region, mode or four.
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
    return words + number_words(value, region, four)


@dataclass(frozen=True)
class CounterReading:
    """How a counter is said.

    Attributes:
        words: the words, e.g. ``("ba", "a")`` for ``"3A"``, ``("Một", "cửa")``.
        named: True for a name, which the template does not precede with "số".
    """

    words: tuple[str, ...]
    named: bool


def _nfc(value: object) -> str:
    return unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else ""


def _is_code(text: str) -> bool:
    """A counter code: digits and short letter runs holding a digit, or one letter."""
    if not _CODE.fullmatch(text) or any(len(r) > 2 for r in _LETTER_RUN.findall(text)):
        return False
    return any(ch.isdigit() for ch in text) or len(text) == 1


def _code_words(text: str, counter: str, region: Region, four: Four) -> list[str]:
    words: list[str] = []
    for part in _CODE_PART.findall(text):
        if part.isdigit():
            if int(part) > MAX_NUMBER:
                raise InvalidNumberError(f"quầy không hợp lệ: {counter!r}")
            words += number_words(int(part), region, four)
        else:
            words += letter_words(part)
    return words


def counter_reading(
    counter: str, region: Region = "north", *, name: str | None = None, four: Four = "tu"
) -> CounterReading:
    """Read a counter: a code by its digits and letters, else by its name.

    Args:
        counter: the counter's id or label, e.g. ``"3"``, ``"12B"``, ``"3-A"``,
            ``"mot-cua"``, ``"Một cửa"``.
        region: ``"north"`` or ``"south"``.
        name: the counter's configured name, said when ``counter`` is not a code
            (``"mot-cua"`` named ``"Một cửa"``); a leading "Quầy" is dropped, and a name
            that is itself a code ("Quầy 3A") is read as one.
        four: ``"tu"`` or ``"bon"``.

    Raises:
        InvalidNumberError: an empty counter, or a number over :data:`MAX_NUMBER`.
    """
    region = check_region(region)
    four = check_four(four)
    text = _nfc(counter)
    if not text:
        raise InvalidNumberError(f"quầy không hợp lệ: {counter!r}")
    if _is_code(text):
        return CounterReading(tuple(_code_words(text, counter, region, four)), named=False)
    label = _nfc(name) or text.replace("-", " ").replace("_", " ")
    label = _COUNTER_WORD.sub("", label) or label
    if _is_code(label):
        return CounterReading(tuple(_code_words(label, counter, region, four)), named=False)
    words: list[str] = []
    for word in label.split():  # a number inside a name is read too ("Tiếp nhận 2")
        words += (
            _code_words(word, counter, region, four)
            if word.isascii() and word.isdigit()
            else [word]
        )
    return CounterReading(tuple(words), named=True)


def counter_words(
    counter: str, region: Region = "north", *, name: str | None = None, four: Four = "tu"
) -> list[str]:
    """Read a counter id: a code by digits and letters names, any other text as written.

    Args:
        counter: e.g. ``"3"`` -> ``["ba"]``, ``"12"`` -> ``["mười", "hai"]``,
            ``"3A"`` -> ``["ba", "a"]``, ``"Một cửa"`` -> ``["Một", "cửa"]``.
        region: ``"north"`` or ``"south"``.
        name: the configured name, for a counter whose id is not a code.
        four: ``"tu"`` or ``"bon"``.

    Raises:
        InvalidNumberError: an empty counter, or a number over :data:`MAX_NUMBER`.
    """
    return list(counter_reading(counter, region, name=name, four=four).words)


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
    *,
    four: Four = "tu",
    counter_name: str | None = None,
) -> str:
    """Build the whole call phrase the announcer speaks.

    Args:
        number: the ticket number, e.g. ``"1023"`` or ``"A007"``.
        counter: the counter id; a code ("3", "12B") is read by its numbers and
            letters, other text kept as written (see :func:`counter_reading`).
        template: a template with ``{number}`` and optionally ``{counter}``.
        region: ``"north"`` or ``"south"``.
        mode: how to read the ticket number, ``"whole"`` or ``"digits"``; the counter's
            digits are always read as a whole number.
        four: ``"tu"`` or ``"bon"``, the units 4 after "mươi" (24).
        counter_name: the counter's configured name, said for a counter whose id is
            not a code; the template's "số" before ``{counter}`` is then left out.

    Returns:
        One line, single-spaced, e.g. ``call_phrase("1023", "3")`` is
        ``"Xin mời công dân có số một nghìn không trăm hai mươi ba đến quầy số ba"``.

    Raises:
        InvalidNumberError: a bad number, counter, template, region or mode.
    """
    check_template(template)
    spoken_number = " ".join(ticket_number_words(number, region, mode, four))
    reading = counter_reading(counter, region, name=counter_name, four=four)
    if reading.named:
        template = _NUMBER_WORD_BEFORE_COUNTER.sub("", unicodedata.normalize("NFC", template))
    line = template.format(number=spoken_number, counter=" ".join(reading.words))
    return " ".join(line.split())


class VoiceSettings(Protocol):
    """How a centre's voice reads a call: ``[display]``, ``[display_agent]`` and
    :class:`display.announcer.vocabulary.Reading` all have these."""

    @property
    def template(self) -> str: ...

    @property
    def region(self) -> Region: ...

    @property
    def four(self) -> Four: ...

    @property
    def number_mode(self) -> Mode: ...


def spoken_call(
    voice: VoiceSettings, number: str, counter: str, counter_name: str | None = None
) -> str:
    """:func:`call_phrase` with a centre's voice settings.

    Raises:
        InvalidNumberError: as :func:`call_phrase`.
    """
    return call_phrase(
        number,
        counter,
        voice.template,
        voice.region,
        voice.number_mode,
        four=voice.four,
        counter_name=counter_name,
    )
