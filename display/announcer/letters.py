"""Vietnamese names of letters, for ticket prefixes such as "A" or "B".

Pure, no I/O. The names are the ones used when spelling aloud in Vietnamese (and by
counter announcers): consonants with their traditional names (bê, xê, dê, e-lờ,
ét-xì...), vowels by their sound (a, á, ớ...), and the four letters foreign to the
Vietnamese alphabet by their usual borrowed names (F "ép", J "gi", W "vê-kép",
Z "dét"). A name of several syllables is one word written with a hyphen ("e-lờ"), so
a clip set records it as one clip and it is never split by a pause.
"""

# pyright: strict

from __future__ import annotations

import unicodedata
from typing import Final

from display.announcer.errors import InvalidNumberError

__all__ = ["LETTER_NAMES", "LETTER_VOCABULARY", "is_letter", "letter_words"]

LETTER_NAMES: Final[dict[str, str]] = {
    "A": "a",
    "Ă": "á",
    "Â": "ớ",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "Ê": "ê",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e-lờ",
    "M": "em-mờ",
    "N": "en-nờ",
    "O": "o",
    "Ô": "ô",
    "Ơ": "ơ",
    "P": "pê",
    "Q": "quy",
    "R": "e-rờ",
    "S": "ét-xì",
    "T": "tê",
    "U": "u",
    "Ư": "ư",
    "V": "vê",
    "W": "vê-kép",
    "X": "ích-xì",
    "Y": "i-dài",
    "Z": "dét",
}
"""Upper-case letter -> its spoken Vietnamese name."""

LETTER_VOCABULARY: Final[frozenset[str]] = frozenset(LETTER_NAMES.values())
"""Every word :func:`letter_words` can produce."""


def is_letter(ch: str) -> bool:
    """Tell whether ``ch`` is one letter that has a Vietnamese name (any case)."""
    return unicodedata.normalize("NFC", ch).upper() in LETTER_NAMES


def letter_words(ch: str) -> list[str]:
    """Name one letter in Vietnamese.

    Args:
        ch: one letter, upper or lower case, of the Vietnamese alphabet or F, J, W, Z.

    Returns:
        A one-element list, e.g. ``letter_words("B") == ["bê"]``,
        ``letter_words("l") == ["e-lờ"]``.

    Raises:
        InvalidNumberError: ``ch`` is not a single known letter (a ``ValueError``).
    """
    key = unicodedata.normalize("NFC", ch).upper()
    name = LETTER_NAMES.get(key)
    if name is None:
        raise InvalidNumberError(f"chữ cái không hợp lệ: {ch!r}")
    return [name]
