"""Ticket numbers and call phrases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from display.announcer.letters import LETTER_NAMES, LETTER_VOCABULARY
from display.announcer.numbers import VOCABULARY, number_words
from display.announcer.phrases import (
    DEFAULT_TEMPLATE,
    call_phrase,
    check_template,
    counter_reading,
    counter_words,
    split_ticket_number,
    ticket_number_words,
)


@pytest.mark.parametrize(
    ("number", "region", "mode", "expected"),
    [
        ("1023", "north", "whole", "một nghìn không trăm hai mươi ba"),
        ("1023", "south", "whole", "một ngàn không trăm hai mươi ba"),
        ("A1023", "north", "whole", "a một nghìn không trăm hai mươi ba"),
        ("B105", "south", "whole", "bê một trăm lẻ năm"),
        ("007", "north", "whole", "bảy"),
        ("000", "north", "whole", "không"),
        ("007", "north", "digits", "không không bảy"),
        ("A1023", "north", "digits", "a một không hai ba"),
        ("l024", "north", "whole", "e-lờ hai mươi tư"),
        ("AB-021", "north", "whole", "a bê hai mươi mốt"),
        (" C 15 ", "south", "whole", "xê mười lăm"),
        ("Đ0015", "north", "digits", "đê không không một năm"),
    ],
)
def test_ticket_number_words(number: str, region: str, mode: str, expected: str) -> None:
    """GIVEN a ticket number WHEN read THEN prefix letters by name, then the number."""
    assert " ".join(ticket_number_words(number, region, mode)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["", "abc", "A", "12A", "A--1", "-5", "1.5", "A 1 2", "Ñ12", "1" * 13]
)
def test_bad_ticket_numbers(bad: str) -> None:
    """GIVEN a malformed or too large ticket number WHEN read THEN a Vietnamese ValueError
    quoting it."""
    with pytest.raises(ValueError, match=r"số (không hợp lệ|quá lớn): "):
        ticket_number_words(bad)


def test_bad_number_message_is_exact() -> None:
    """GIVEN "abc" WHEN read THEN the message is exactly the one the CLI shows."""
    with pytest.raises(ValueError) as info:
        ticket_number_words("abc")
    assert str(info.value) == "số không hợp lệ: 'abc'"


def test_digits_mode_has_no_size_limit() -> None:
    """GIVEN a 13-digit number WHEN read digit by digit THEN 13 words, no error."""
    assert len(ticket_number_words("1" * 13, mode="digits")) == 13


def test_unknown_mode_is_rejected() -> None:
    """GIVEN an unknown mode WHEN reading THEN a Vietnamese ValueError."""
    with pytest.raises(ValueError, match="cách đọc không hợp lệ"):
        ticket_number_words("12", mode="spell")  # type: ignore[arg-type]


def test_split_ticket_number() -> None:
    """GIVEN ticket numbers with and without prefix WHEN split THEN prefix and digits."""
    assert split_ticket_number("a-007") == ("A", "007")
    assert split_ticket_number("1023") == ("", "1023")


@pytest.mark.parametrize(
    ("counter", "expected"),
    [("3", ["ba"]), ("03", ["ba"]), ("12", ["mười", "hai"]), ("Một  cửa", ["Một", "cửa"])],
)
def test_counter_words(counter: str, expected: list[str]) -> None:
    """GIVEN a counter id WHEN read THEN digits as a number, other text as written."""
    assert counter_words(counter) == expected


def test_default_phrase() -> None:
    """GIVEN the glossary's example WHEN the call phrase is built THEN it matches it."""
    assert call_phrase("1023", "3") == (
        "Xin mời công dân có số một nghìn không trăm hai mươi ba đến quầy số ba"
    )
    assert DEFAULT_TEMPLATE == "Xin mời công dân có số {number} đến quầy số {counter}"


@pytest.mark.parametrize(
    ("number", "counter", "template", "region", "mode", "expected"),
    [
        (
            "A105",
            "15",
            DEFAULT_TEMPLATE,
            "south",
            "whole",
            "Xin mời công dân có số a một trăm lẻ năm đến quầy số mười lăm",
        ),
        (
            "1023",
            "21",
            DEFAULT_TEMPLATE,
            "north",
            "digits",
            "Xin mời công dân có số một không hai ba đến quầy số hai mươi mốt",
        ),
        (
            "007",
            "Một cửa",
            "Mời số {number}, tới {counter}.",
            "north",
            "whole",
            "Mời số bảy, tới Một cửa.",
        ),
        ("12", "3", "Số {number} {{ưu tiên}}", "north", "whole", "Số mười hai {ưu tiên}"),
        ("24", "2", "  Số   {number}  ", "north", "whole", "Số hai mươi tư"),
    ],
)
def test_call_phrase(
    number: str, counter: str, template: str, region: str, mode: str, expected: str
) -> None:
    """GIVEN a number, counter and template WHEN the phrase is built THEN placeholders are
    replaced by words, the counter read as a number only when it is one, spaces single."""
    assert call_phrase(number, counter, template, region, mode) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "template",
    ["Mời quầy {counter}", "Số {number} {name}", "Số {number:>5}", "Số {number!r}", "Số {", ""],
)
def test_bad_templates(template: str) -> None:
    """GIVEN a template without {number}, with another field or a format spec WHEN
    checked THEN a Vietnamese ValueError."""
    with pytest.raises(ValueError, match="mẫu câu không hợp lệ"):
        check_template(template)
    with pytest.raises(ValueError, match="mẫu câu không hợp lệ"):
        call_phrase("1", "1", template)


def test_empty_counter_is_rejected() -> None:
    """GIVEN a blank counter WHEN the phrase is built THEN a Vietnamese ValueError."""
    with pytest.raises(ValueError, match="quầy không hợp lệ"):
        call_phrase("1", "  ")


prefixes = st.text(alphabet=sorted(LETTER_NAMES), max_size=3)


@given(prefixes, st.integers(0, 99_999), st.sampled_from(["north", "south"]))
def test_ticket_words_are_letters_then_number(prefix: str, n: int, region: str) -> None:
    """GIVEN any prefix and number WHEN read whole THEN letter names then the number's
    words, every word from the known vocabulary, never empty."""
    words = ticket_number_words(f"{prefix}{n:03d}", region)  # type: ignore[arg-type]
    assert words
    assert words[: len(prefix)] == [LETTER_NAMES[ch] for ch in prefix]
    assert words[len(prefix) :] == number_words(n, region)  # type: ignore[arg-type]
    assert set(words) <= VOCABULARY | LETTER_VOCABULARY


@given(st.integers(0, 9999), st.integers(1, 99))
def test_phrase_contains_number_and_counter(n: int, counter: int) -> None:
    """GIVEN any number and numeric counter WHEN the default phrase is built THEN it is the
    template text around the two readings, and has no digits left."""
    line = call_phrase(str(n), str(counter))
    number = " ".join(number_words(n))
    spoken_counter = " ".join(number_words(counter))
    assert line == f"Xin mời công dân có số {number} đến quầy số {spoken_counter}"
    assert not any(ch.isdigit() for ch in line)


@pytest.mark.parametrize(
    ("counter", "expected"),
    [
        ("3A", "ba a"),
        ("3a", "ba a"),
        ("12B", "mười hai bê"),
        ("A1", "a một"),
        ("3-A", "ba a"),
        ("3 A", "ba a"),
        ("B_12", "bê mười hai"),
        ("AB24", "a bê hai mươi tư"),
        ("A", "a"),
        ("L2", "e-lờ hai"),
    ],
)
def test_counter_ids_with_letters_are_spelt(counter: str, expected: str) -> None:
    """GIVEN a counter id mixing digits and letters WHEN read THEN numbers in words and
    each letter by its Vietnamese name, never the raw id; the template keeps "quầy số"."""
    reading = counter_reading(counter)
    assert " ".join(reading.words) == expected
    assert not reading.named
    assert call_phrase("7", counter) == f"Xin mời công dân có số bảy đến quầy số {expected}"


@pytest.mark.parametrize(
    ("counter", "name", "expected"),
    [
        ("Một cửa", None, "Một cửa"),
        ("Tiếp nhận", None, "Tiếp nhận"),
        ("mot-cua", "Một cửa", "Một cửa"),
        ("mot-cua", "Quầy Một cửa", "Một cửa"),
        ("tiep-nhan-2", "Tiếp nhận 2", "Tiếp nhận hai"),
        ("tra-ket-qua", None, "tra ket qua"),
    ],
)
def test_named_counters_are_read_without_so(counter: str, name: str | None, expected: str) -> None:
    """GIVEN a counter known by a name WHEN the default phrase is built THEN "đến quầy
    <name>": no "số" before a name, no "quầy" said twice."""
    assert counter_reading(counter, name=name).named
    assert call_phrase("12", counter, counter_name=name) == (
        f"Xin mời công dân có số mười hai đến quầy {expected}"
    )


@pytest.mark.parametrize(
    ("counter", "name", "expected"),
    [
        ("3", "Quầy 3", "quầy số ba"),
        ("3", "Một cửa", "quầy số ba"),
        ("x", "Quầy 3A", "quầy số ích-xì"),
    ],
)
def test_a_code_id_is_read_even_with_a_name(counter: str, name: str, expected: str) -> None:
    """GIVEN a counter whose id is a code WHEN read THEN the id, whatever its name says."""
    assert call_phrase("1", counter, counter_name=name).endswith(expected)


def test_named_counter_keeps_a_template_without_so() -> None:
    """GIVEN a template with no "số" before {counter} WHEN a named counter is called THEN
    the template's words stay as written; a "Số" elsewhere stays too."""
    assert call_phrase("5", "Một cửa", "Số {number} mời đến {counter}") == (
        "Số năm mời đến Một cửa"
    )
    assert call_phrase("5", "Một cửa", "Số {number}, quầy Số {counter}") == "Số năm, quầy Một cửa"


def test_four_reaches_the_number_and_the_counter() -> None:
    """GIVEN four="bon" WHEN the phrase of 1024 at counter 24 is built in the south THEN
    both say "bốn"; the default keeps "tư"."""
    assert call_phrase("1024", "24", region="south", four="bon") == (
        "Xin mời công dân có số một ngàn không trăm hai mươi bốn đến quầy số hai mươi bốn"
    )
    assert call_phrase("24", "24").count("hai mươi tư") == 2
