"""Number reading: hand-written tables for both regions, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from display.announcer.errors import InvalidNumberError
from display.announcer.numbers import (
    DIGITS,
    MAX_NUMBER,
    VOCABULARY,
    digit_words,
    number_words,
)

# Written out by hand, one reading per line, as a northern speaker says them.
NORTH = """
0 không
1 một
2 hai
3 ba
4 bốn
5 năm
6 sáu
7 bảy
8 tám
9 chín
10 mười
11 mười một
12 mười hai
14 mười bốn
15 mười lăm
17 mười bảy
19 mười chín
20 hai mươi
21 hai mươi mốt
22 hai mươi hai
24 hai mươi tư
25 hai mươi lăm
27 hai mươi bảy
30 ba mươi
31 ba mươi mốt
34 ba mươi tư
35 ba mươi lăm
40 bốn mươi
41 bốn mươi mốt
44 bốn mươi tư
45 bốn mươi lăm
50 năm mươi
51 năm mươi mốt
55 năm mươi lăm
60 sáu mươi
66 sáu mươi sáu
70 bảy mươi
74 bảy mươi tư
81 tám mươi mốt
88 tám mươi tám
90 chín mươi
95 chín mươi lăm
99 chín mươi chín
100 một trăm
101 một trăm linh một
104 một trăm linh bốn
105 một trăm linh năm
109 một trăm linh chín
110 một trăm mười
111 một trăm mười một
114 một trăm mười bốn
115 một trăm mười lăm
120 một trăm hai mươi
121 một trăm hai mươi mốt
124 một trăm hai mươi tư
125 một trăm hai mươi lăm
200 hai trăm
205 hai trăm linh năm
250 hai trăm năm mươi
305 ba trăm linh năm
315 ba trăm mười lăm
444 bốn trăm bốn mươi tư
500 năm trăm
505 năm trăm linh năm
555 năm trăm năm mươi lăm
701 bảy trăm linh một
999 chín trăm chín mươi chín
1000 một nghìn
1001 một nghìn không trăm linh một
1004 một nghìn không trăm linh bốn
1005 một nghìn không trăm linh năm
1010 một nghìn không trăm mười
1011 một nghìn không trăm mười một
1015 một nghìn không trăm mười lăm
1020 một nghìn không trăm hai mươi
1021 một nghìn không trăm hai mươi mốt
1023 một nghìn không trăm hai mươi ba
1024 một nghìn không trăm hai mươi tư
1025 một nghìn không trăm hai mươi lăm
1050 một nghìn không trăm năm mươi
1099 một nghìn không trăm chín mươi chín
1100 một nghìn một trăm
1101 một nghìn một trăm linh một
1105 một nghìn một trăm linh năm
1110 một nghìn một trăm mười
1234 một nghìn hai trăm ba mươi tư
1500 một nghìn năm trăm
2000 hai nghìn
2014 hai nghìn không trăm mười bốn
2021 hai nghìn không trăm hai mươi mốt
2025 hai nghìn không trăm hai mươi lăm
2500 hai nghìn năm trăm
3005 ba nghìn không trăm linh năm
4004 bốn nghìn không trăm linh bốn
5000 năm nghìn
5555 năm nghìn năm trăm năm mươi lăm
7041 bảy nghìn không trăm bốn mươi mốt
8808 tám nghìn tám trăm linh tám
9001 chín nghìn không trăm linh một
9090 chín nghìn không trăm chín mươi
9999 chín nghìn chín trăm chín mươi chín
"""

# Written out separately (not derived from NORTH), as a southern speaker says them.
SOUTH = """
0 không
5 năm
10 mười
11 mười một
14 mười bốn
15 mười lăm
21 hai mươi mốt
24 hai mươi tư
25 hai mươi lăm
101 một trăm lẻ một
104 một trăm lẻ bốn
105 một trăm lẻ năm
110 một trăm mười
205 hai trăm lẻ năm
909 chín trăm lẻ chín
1000 một ngàn
1001 một ngàn không trăm lẻ một
1005 một ngàn không trăm lẻ năm
1010 một ngàn không trăm mười
1021 một ngàn không trăm hai mươi mốt
1023 một ngàn không trăm hai mươi ba
1100 một ngàn một trăm
1105 một ngàn một trăm lẻ năm
2000 hai ngàn
2014 hai ngàn không trăm mười bốn
3005 ba ngàn không trăm lẻ năm
4024 bốn ngàn không trăm hai mươi tư
5555 năm ngàn năm trăm năm mươi lăm
8808 tám ngàn tám trăm lẻ tám
9999 chín ngàn chín trăm chín mươi chín
"""

# Beyond 9999: (number, north, south).
LARGE = [
    (10_000, "mười nghìn", "mười ngàn"),
    (10_005, "mười nghìn không trăm linh năm", "mười ngàn không trăm lẻ năm"),
    (15_000, "mười lăm nghìn", "mười lăm ngàn"),
    (20_100, "hai mươi nghìn một trăm", "hai mươi ngàn một trăm"),
    (21_000, "hai mươi mốt nghìn", "hai mươi mốt ngàn"),
    (100_000, "một trăm nghìn", "một trăm ngàn"),
    (105_000, "một trăm linh năm nghìn", "một trăm lẻ năm ngàn"),
    (1_000_000, "một triệu", "một triệu"),
    (
        1_000_005,
        "một triệu không nghìn không trăm linh năm",
        "một triệu không ngàn không trăm lẻ năm",
    ),
    (1_005_000, "một triệu không trăm linh năm nghìn", "một triệu không trăm lẻ năm ngàn"),
    (
        1_021_000,
        "một triệu không trăm hai mươi mốt nghìn",
        "một triệu không trăm hai mươi mốt ngàn",
    ),
    (1_000_000_000, "một tỷ", "một tỷ"),
    (
        2_000_000_001,
        "hai tỷ không triệu không nghìn không trăm linh một",
        "hai tỷ không triệu không ngàn không trăm lẻ một",
    ),
    (
        999_999_999,
        "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín",
        "chín trăm chín mươi chín triệu chín trăm chín mươi chín ngàn chín trăm chín mươi chín",
    ),
]


def _table(text: str) -> list[tuple[int, str]]:
    rows = [line.split(" ", 1) for line in text.strip().splitlines()]
    return [(int(number), words) for number, words in rows]


def test_tables_are_big_enough_and_in_range() -> None:
    """GIVEN the hand-written tables WHEN counted THEN the north one has >= 80 distinct
    numbers, all within 0..9999, and neither repeats a number."""
    north = [n for n, _ in _table(NORTH)]
    south = [n for n, _ in _table(SOUTH)]
    assert len(set(north)) == len(north) >= 80
    assert len(set(south)) == len(south) >= 30
    assert all(0 <= n <= 9999 for n in north + south)


@pytest.mark.parametrize(("number", "expected"), _table(NORTH))
def test_north_reading(number: int, expected: str) -> None:
    """GIVEN a number from the northern table WHEN read THEN it matches the hand reading."""
    assert " ".join(number_words(number)) == expected
    assert " ".join(number_words(number, "north")) == expected


@pytest.mark.parametrize(("number", "expected"), _table(SOUTH))
def test_south_reading(number: int, expected: str) -> None:
    """GIVEN a number from the southern table WHEN read in the south THEN it matches."""
    assert " ".join(number_words(number, "south")) == expected


@pytest.mark.parametrize(("number", "north", "south"), LARGE)
def test_large_numbers(number: int, north: str, south: str) -> None:
    """GIVEN a number of ten thousand or more WHEN read THEN every group is read right."""
    assert " ".join(number_words(number, "north")) == north
    assert " ".join(number_words(number, "south")) == south


def test_mot_muoi_is_never_said() -> None:
    """GIVEN every number with a tens digit of 1 up to 9999 WHEN read THEN "mười" is used
    and "một mươi" never appears (our documented choice)."""
    for n in range(10, 10_000, 100):
        text = " ".join(number_words(n))
        assert "mười" in text
        assert "một mươi" not in text


@pytest.mark.parametrize("bad", [-1, MAX_NUMBER + 1, True, 1.5, "12"])
def test_out_of_range_or_wrong_type_is_rejected(bad: object) -> None:
    """GIVEN a negative, too large or non-int value WHEN read THEN a ValueError with a
    Vietnamese message."""
    with pytest.raises(ValueError, match="số không hợp lệ"):
        number_words(bad)  # type: ignore[arg-type]


def test_unknown_region_is_rejected() -> None:
    """GIVEN a region other than north/south WHEN reading THEN InvalidNumberError."""
    with pytest.raises(InvalidNumberError, match="vùng không hợp lệ: 'central'"):
        number_words(5, "central")  # type: ignore[arg-type]


def test_digit_words() -> None:
    """GIVEN strings of digits WHEN read digit by digit THEN each digit, zeros included."""
    assert digit_words("1023") == ["một", "không", "hai", "ba"]
    assert digit_words("007") == ["không", "không", "bảy"]
    assert digit_words("45") == ["bốn", "năm"]  # no tư or lăm digit by digit
    assert digit_words("0123456789") == list(DIGITS)


@pytest.mark.parametrize("bad", ["", "12a", "-1", "1 2", "١٢"])
def test_digit_words_rejects_non_digits(bad: str) -> None:
    """GIVEN an empty string or one with non-ASCII-digits WHEN read THEN a ValueError."""
    with pytest.raises(ValueError, match="số không hợp lệ"):
        digit_words(bad)


# --- properties ---------------------------------------------------------------------

_VALUES = {word: i for i, word in enumerate(DIGITS)} | {"mốt": 1, "tư": 4, "lăm": 5}
_SCALES = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6, "tỷ": 10**9}


def _parse(words: list[str]) -> int:
    """A listener's reading of the words back into a number (independent of the code)."""
    total = group = pending = 0
    for word in words:
        if word in _VALUES:
            pending = _VALUES[word]
        elif word == "trăm":
            group, pending = group + pending * 100, 0
        elif word == "mươi":
            group, pending = group + pending * 10, 0
        elif word == "mười":
            group += 10
        elif word in _SCALES:
            total, group, pending = total + (group + pending) * _SCALES[word], 0, 0
        elif word not in ("linh", "lẻ"):
            raise AssertionError(f"unexpected word {word!r}")
    return total + group + pending


numbers = st.one_of(st.integers(0, 9999), st.integers(0, MAX_NUMBER))
regions = st.sampled_from(["north", "south"])


@given(numbers, regions)
def test_words_are_known_and_read_back(n: int, region: str) -> None:
    """GIVEN any number WHEN read THEN the words are non-empty, all from the vocabulary,
    and a listener adding them up gets the number back."""
    words = number_words(n, region)  # type: ignore[arg-type]
    assert words
    assert set(words) <= VOCABULARY
    assert _parse(words) == n


@given(numbers)
def test_regions_differ_only_in_linh_and_nghin(n: int) -> None:
    """GIVEN any number WHEN read in both regions THEN south is north with linh->lẻ and
    nghìn->ngàn, and neither uses the other's words."""
    north = number_words(n, "north")
    south = number_words(n, "south")
    swap = {"linh": "lẻ", "nghìn": "ngàn"}
    assert [swap.get(w, w) for w in north] == south
    assert not {"lẻ", "ngàn"} & set(north)
    assert not {"linh", "nghìn"} & set(south)


@given(numbers, regions)
def test_special_forms_follow_their_rules(n: int, region: str) -> None:
    """GIVEN any number WHEN read THEN mốt and tư follow only "mươi", lăm follows only
    mười/mươi, linh/lẻ follow only "trăm" and precede a plain digit, and "mươi" follows a
    digit from hai to chín."""
    words = number_words(n, region)  # type: ignore[arg-type]
    for i, word in enumerate(words):
        before = words[i - 1] if i else None
        if word in ("mốt", "tư"):
            assert before == "mươi"
        if word == "lăm":
            assert before in ("mười", "mươi")
        if word in ("linh", "lẻ"):
            assert before == "trăm"
            assert words[i + 1] in DIGITS[1:]
        if word == "mươi":
            assert before in DIGITS[2:]
        if word == "năm" and before in ("mười", "mươi"):
            raise AssertionError(f"{n}: năm after {before}")


@given(st.text(alphabet="0123456789", min_size=1, max_size=12))
def test_digit_mode_reads_one_word_per_digit(s: str) -> None:
    """GIVEN any digit string WHEN read digit by digit THEN one digit word per character."""
    words = digit_words(s)
    assert len(words) == len(s)
    assert [DIGITS.index(w) for w in words] == [int(ch) for ch in s]


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        (24, "south", "hai mươi bốn"),
        (24, "north", "hai mươi bốn"),
        (14, "south", "mười bốn"),
        (1024, "south", "một ngàn không trăm hai mươi bốn"),
        (94_034, "south", "chín mươi bốn ngàn không trăm ba mươi bốn"),
        (21, "south", "hai mươi mốt"),
    ],
)
def test_four_can_be_bon(number: int, region: str, expected: str) -> None:
    """GIVEN a centre that says "bốn" WHEN a units 4 follows "mươi" THEN "bốn", not "tư";
    everything else (mốt, mười bốn) as before."""
    assert " ".join(number_words(number, region, "bon")) == expected  # type: ignore[arg-type]


def test_four_is_tu_by_default() -> None:
    """GIVEN no choice WHEN 24 is read in either region THEN "tư", as before."""
    assert number_words(24, "south") == number_words(24, "south", "tu") == ["hai", "mươi", "tư"]


def test_unknown_four_is_rejected() -> None:
    """GIVEN a four other than tu/bon WHEN reading THEN a Vietnamese ValueError."""
    with pytest.raises(InvalidNumberError, match="cách đọc số 4 không hợp lệ: 'bốn'"):
        number_words(24, "south", "bốn")  # type: ignore[arg-type]


@given(numbers, regions)
def test_bon_differs_from_tu_only_after_muoi(n: int, region: str) -> None:
    """GIVEN any number WHEN read with both choices THEN they differ only where "tư"
    stood, and "bon" never says "tư"."""
    tu = number_words(n, region, "tu")  # type: ignore[arg-type]
    bon = number_words(n, region, "bon")  # type: ignore[arg-type]
    assert [("bốn" if w == "tư" else w) for w in tu] == bon
    assert "tư" not in bon
