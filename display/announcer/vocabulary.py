"""What a centre's announcer may say: the lines to cover with recorded clips.

Pure, no I/O. The lines come from the announcer itself (:func:`call_phrase`,
:func:`ticket_number_words`), never from a hand list, so a clip set checked against
them (``motcua clips check``) holds every word the voice can need: the template's own
words (with and without "số" when some counters are named), every counter's reading,
and the words of every ticket number the centre's fields can print.

Numbers are sampled, not enumerated: 0..999 hold every word a group of three digits
can take (mốt, tư, lăm, linh...), and 10^k, 10^k + 1 and 10^k + 100 for each power up
to the largest number add the scales, "không trăm" and a zero group ("không nghìn").
"""

# pyright: strict

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from display.announcer.numbers import MAX_NUMBER, Four, Region
from display.announcer.phrases import DEFAULT_TEMPLATE, Mode, spoken_call, ticket_number_words

__all__ = ["Line", "Reading", "lines_to_say", "sample_numbers"]

_GROUP: Final[int] = 1000


@dataclass(frozen=True)
class Reading:
    """A centre's voice settings and what it calls.

    Attributes:
        template: the call phrase template.
        region: ``"north"`` or ``"south"``.
        four: ``"tu"`` or ``"bon"``.
        number_mode: ``"whole"`` or ``"digits"``.
        prefixes: the letter prefixes of the ticket numbers ("" for none).
        largest: the largest ticket number (without prefix).
        counters: ``(id, name)`` of every counter; the name may be None.
    """

    template: str = DEFAULT_TEMPLATE
    region: Region = "north"
    four: Four = "tu"
    number_mode: Mode = "whole"
    prefixes: tuple[str, ...] = ("",)
    largest: int = 9999
    counters: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Line:
    """One line the announcer may say.

    Attributes:
        text: the words, space-separated.
        source: what produced it, for people: ``"số A024"`` or ``"quầy 3"``.
    """

    text: str
    source: str


def sample_numbers(largest: int) -> list[int]:
    """Numbers 0..``largest`` whose readings hold every word of every number up to it."""
    top = max(0, min(largest, MAX_NUMBER))
    sample = set(range(min(top, _GROUP - 1) + 1))
    power = _GROUP
    while power <= top:
        sample |= {n for n in (power, power + 1, power + 100) if n <= top}
        sample |= {n for n in (power * _GROUP + 1,) if n <= top}
        power *= 10
    return sorted(sample)


def lines_to_say(reading: Reading) -> list[Line]:
    """Every line to cover: each counter's call (template and counter), each ticket
    number of :func:`sample_numbers` after the first prefix, and each other prefix once.

    Raises:
        InvalidNumberError: a bad template, region, mode, four or counter.
    """
    lines: list[Line] = []
    sample = "1"
    for counter_id, name in reading.counters or (("1", None),):
        lines.append(Line(spoken_call(reading, sample, counter_id, name), f"quầy {counter_id}"))
    numbers = [str(n) for n in sample_numbers(reading.largest)]
    if reading.number_mode == "digits":
        numbers = ["0123456789"]
    # Every number once, after the first prefix; the other prefixes' letters once each
    # (a number's words do not depend on the letters before it).
    for index, prefix in enumerate(reading.prefixes):
        for number in numbers if index == 0 else numbers[:1]:
            words = ticket_number_words(
                prefix + number, reading.region, reading.number_mode, reading.four
            )
            lines.append(Line(" ".join(words), f"số {prefix}{number}"))
    return lines
