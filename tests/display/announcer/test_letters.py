"""Letter names (:mod:`display.announcer.letters`)."""

from __future__ import annotations

import pytest

from display.announcer.letters import LETTER_NAMES, letter_words

LETTERS = [
    ("A", "a"),
    ("B", "bê"),
    ("C", "xê"),
    ("D", "dê"),
    ("Đ", "đê"),
    ("E", "e"),
    ("F", "ép"),
    ("G", "giê"),
    ("H", "hát"),
    ("I", "i"),
    ("J", "gi"),
    ("K", "ca"),
    ("L", "e-lờ"),
    ("M", "em-mờ"),
    ("N", "en-nờ"),
    ("O", "o"),
    ("P", "pê"),
    ("Q", "quy"),
    ("R", "e-rờ"),
    ("S", "ét-xì"),
    ("T", "tê"),
    ("U", "u"),
    ("V", "vê"),
    ("W", "vê-kép"),
    ("X", "ích-xì"),
    ("Y", "i-dài"),
    ("Z", "dét"),
    ("Ă", "á"),
    ("Â", "ớ"),
    ("Ê", "ê"),
    ("Ô", "ô"),
    ("Ơ", "ơ"),
    ("Ư", "ư"),
]


@pytest.mark.parametrize(("letter", "name"), LETTERS)
def test_letter_names(letter: str, name: str) -> None:
    """GIVEN a letter in either case WHEN named THEN its Vietnamese name, as one word."""
    assert letter_words(letter) == [name]
    assert letter_words(letter.lower()) == [name]


def test_every_letter_is_tested() -> None:
    """GIVEN the letter table WHEN compared with the tests THEN none is left unchecked."""
    assert dict(LETTERS) == LETTER_NAMES


def test_decomposed_letter_is_accepted() -> None:
    """GIVEN "Ă" typed as A + combining breve WHEN named THEN the same as the composed one."""
    assert letter_words("A\u0306") == ["á"]


@pytest.mark.parametrize("bad", ["", "AB", "1", "-", "Ñ", " "])
def test_letter_words_rejects_non_letters(bad: str) -> None:
    """GIVEN anything but one known letter WHEN named THEN a Vietnamese ValueError."""
    with pytest.raises(ValueError, match="chữ cái không hợp lệ"):
        letter_words(bad)
