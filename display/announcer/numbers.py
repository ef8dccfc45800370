"""Vietnamese number reading: whole numbers and digit by digit.

Pure functions, no I/O. The rules, as a Vietnamese speaker reads a queue number:

* Digits: không, một, hai, ba, bốn, năm, sáu, bảy, tám, chín.
* Tens: a tens digit of 1 is **mười** (10, 11 "mười một", 110 "một trăm mười"); we never
  say "một mươi", which is not used in speech. Tens digits 2-9 are "<digit> mươi".
* After "mươi" (tens 2-9) a units 1 is **mốt** (21 "hai mươi mốt"; 11 stays "mười một")
  and a units 4 is **tư** (24 "hai mươi tư"; 14 stays "mười bốn"). Both regions accept
  "tư" there, so the region does not change it; a centre whose people say "bốn" there
  (many in the south: 24 "hai mươi bốn") chooses ``four="bon"``.
* After "mười" or "mươi" a units 5 is **lăm** (15 "mười lăm", 25 "hai mươi lăm"); after
  "linh"/"lẻ" it stays "năm" (105 "một trăm linh năm").
* A zero tens digit between hundreds and a non-zero units digit is **linh** in the north
  and **lẻ** in the south (105, 1005).
* Scales are nghìn (north) / ngàn (south), triệu, tỷ; numbers are read in groups of
  three digits. The highest group is read as it is ("hai nghìn", "mười nghìn"); every
  lower group, once a higher group has been read, is read in full with "không trăm"
  (1023 "một nghìn không trăm hai mươi ba"), and a zero group that sits before a
  non-zero lower group is read "không <scale>"
  (1_000_005 "một triệu không nghìn không trăm linh năm"). Trailing zero groups are
  silent (1_000_000 "một triệu").
"""

# pyright: strict

from __future__ import annotations

from typing import Final, Literal, TypeVar, cast

from display.announcer.errors import InvalidNumberError

__all__ = [
    "DIGITS",
    "FOURS",
    "MAX_NUMBER",
    "REGIONS",
    "VOCABULARY",
    "Four",
    "Region",
    "check_four",
    "check_region",
    "digit_words",
    "number_words",
]

_Choice = TypeVar("_Choice", bound=str)

Region = Literal["north", "south"]
"""Regional reading: north says "linh" and "nghìn", south says "lẻ" and "ngàn"."""

REGIONS: Final[tuple[Region, ...]] = ("north", "south")

Four = Literal["tu", "bon"]
"""A units 4 after "mươi": ``"tu"`` says "tư" (24 "hai mươi tư", the default everywhere),
``"bon"`` says "bốn" (24 "hai mươi bốn", as many in the south say it)."""

FOURS: Final[tuple[Four, ...]] = ("tu", "bon")

MAX_NUMBER: Final[int] = 999_999_999_999
"""Largest number :func:`number_words` reads (just under one thousand "tỷ")."""

DIGITS: Final[tuple[str, ...]] = (
    "không",
    "một",
    "hai",
    "ba",
    "bốn",
    "năm",
    "sáu",
    "bảy",
    "tám",
    "chín",
)

_ZERO_TENS: Final[dict[Region, str]] = {"north": "linh", "south": "lẻ"}
_THOUSAND: Final[dict[Region, str]] = {"north": "nghìn", "south": "ngàn"}

VOCABULARY: Final[frozenset[str]] = frozenset(
    {
        *DIGITS,
        "mốt",
        "tư",
        "lăm",
        "mười",
        "mươi",
        "trăm",
        "linh",
        "lẻ",
        "nghìn",
        "ngàn",
        "triệu",
        "tỷ",
    }
)
"""Every word :func:`number_words` and :func:`digit_words` can produce, both regions."""


def _one_of(value: str, choices: tuple[_Choice, ...], message: str) -> _Choice:
    """Return ``value`` as one of ``choices``, or raise ``InvalidNumberError(message)``."""
    for choice in choices:
        if value == choice:
            return choice
    raise InvalidNumberError(message)


def check_region(region: str) -> Region:
    """Return ``region`` as a :data:`Region`, or raise.

    Args:
        region: ``"north"`` or ``"south"``.

    Raises:
        InvalidNumberError: for any other value (a ``ValueError``).
    """
    return _one_of(region, REGIONS, f"vùng không hợp lệ: {region!r} (chọn north hoặc south)")


def check_four(four: str) -> Four:
    """Return ``four`` as a :data:`Four`, or raise.

    Args:
        four: ``"tu"`` or ``"bon"``.

    Raises:
        InvalidNumberError: for any other value (a ``ValueError``).
    """
    return _one_of(four, FOURS, f"cách đọc số 4 không hợp lệ: {four!r} (chọn tu hoặc bon)")


def _units_after_tens(units: int, tens: int, four: Four) -> str:
    """Word for a non-zero units digit that follows "mười"/"mươi"."""
    if units == 5:
        return "lăm"
    if tens >= 2 and units == 1:
        return "mốt"
    if tens >= 2 and units == 4 and four == "tu":
        return "tư"
    return DIGITS[units]


def _group_words(value: int, *, full: bool, region: Region, four: Four) -> list[str]:
    """Read a group of three digits (1..999, or 0 in full mode).

    Args:
        value: the group, 0..999.
        full: True for a group after a higher group, which keeps "không trăm".
        region: decides "linh" or "lẻ".
        four: decides "tư" or "bốn" after "mươi".
    """
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append(_ZERO_TENS[region])
            words.append(DIGITS[units])
    else:
        words += ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
        if units:
            words.append(_units_after_tens(units, tens, four))
    return words


def number_words(n: int, region: Region = "north", four: Four = "tu") -> list[str]:
    """Read a whole number in Vietnamese, one word per syllable.

    Args:
        n: 0..:data:`MAX_NUMBER`.
        region: ``"north"`` (linh, nghìn) or ``"south"`` (lẻ, ngàn).
        four: ``"tu"`` (24 "hai mươi tư") or ``"bon"`` (24 "hai mươi bốn").

    Returns:
        The words, e.g. ``number_words(1023)`` is
        ``["một", "nghìn", "không", "trăm", "hai", "mươi", "ba"]``.

    Raises:
        InvalidNumberError: ``n`` is not an int in range, or ``region`` or ``four`` is
            unknown.
    """
    region = check_region(region)
    four = check_four(four)
    value = cast(object, n)  # checked at run time too: callers may be untyped
    # bool is an int subclass; True is not a queue number.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
        raise InvalidNumberError(f"số không hợp lệ: {n!r}")
    if n == 0:
        return [DIGITS[0]]
    scales = ("tỷ", "triệu", _THOUSAND[region], "")
    groups = [(n // 1000**power) % 1000 for power in (3, 2, 1, 0)]
    last_nonzero = max(i for i, group in enumerate(groups) if group)
    words: list[str] = []
    for index, (group, scale) in enumerate(zip(groups, scales, strict=True)):
        started = bool(words)
        if index > last_nonzero or (group == 0 and not started):
            continue
        if group == 0:
            # A zero group between two read groups is said, not skipped.
            words.append(DIGITS[0])
        else:
            words += _group_words(group, full=started, region=region, four=four)
        if scale:
            words.append(scale)
    return words


def digit_words(s: str) -> list[str]:
    """Read a string of ASCII digits one by one ("007" -> không không bảy).

    Args:
        s: one or more characters ``0``-``9``.

    Raises:
        InvalidNumberError: ``s`` is empty or holds anything but ASCII digits.
    """
    if not s or not all("0" <= ch <= "9" for ch in s):
        raise InvalidNumberError(f"số không hợp lệ: {s!r}")
    return [DIGITS[ord(ch) - ord("0")] for ch in s]
