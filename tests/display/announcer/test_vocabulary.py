"""The lines a centre's announcer may say, which a clip set must cover."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from display.announcer.numbers import MAX_NUMBER, number_words
from display.announcer.vocabulary import Reading, lines_to_say, sample_numbers


def words_of(reading: Reading) -> set[str]:
    return {word for line in lines_to_say(reading) for word in line.text.lower().split()}


SOUTH_BON = words_of(Reading(region="south", four="bon", largest=MAX_NUMBER))
NORTH_4_DIGITS = words_of(Reading())


@given(st.integers(0, MAX_NUMBER))
def test_the_sample_holds_every_word_of_every_number(n: int) -> None:
    """GIVEN any number up to the largest WHEN read THEN each of its words is in the lines
    of the sample, so a set covering them covers every number."""
    assert set(number_words(n, "south", "bon")) <= SOUTH_BON


@given(st.integers(0, 9999))
def test_four_digit_numbers_in_the_north(n: int) -> None:
    """GIVEN the default reading (north, "tư", up to 9999) WHEN any of its numbers is read
    THEN its words are in the lines."""
    assert set(number_words(n)) <= NORTH_4_DIGITS


def test_only_the_words_the_centre_uses() -> None:
    """GIVEN north with "tư" up to 9999 THEN neither the south's words nor scales above
    nghìn; GIVEN south with "bốn" THEN no "tư", "linh", "nghìn"."""
    assert not {"lẻ", "ngàn", "triệu", "tỷ"} & NORTH_4_DIGITS
    assert {"tư", "linh", "nghìn", "mốt", "lăm"} <= NORTH_4_DIGITS
    assert not {"tư", "linh", "nghìn"} & SOUTH_BON
    assert {"triệu", "tỷ", "ngàn", "lẻ"} <= SOUTH_BON
    assert sample_numbers(20) == list(range(21))


def test_counters_prefixes_and_digit_mode() -> None:
    """GIVEN a code counter, a named counter, prefixes and digit-by-digit reading WHEN the
    lines are built THEN the counter lines are the calls (with "số" only before the
    code), and ticket lines start with the letter names."""
    reading = Reading(
        number_mode="digits", prefixes=("A", "BC"), counters=(("3A", None), ("mot-cua", "Một cửa"))
    )
    lines = lines_to_say(reading)
    texts = {line.source: line.text for line in lines}
    assert texts["quầy 3A"] == "Xin mời công dân có số một đến quầy số ba a"
    assert texts["quầy mot-cua"] == "Xin mời công dân có số một đến quầy Một cửa"
    assert texts["số A0123456789"].startswith("a không một hai")
    assert texts["số BC0123456789"].startswith("bê xê không")
    assert len(lines) == 4
