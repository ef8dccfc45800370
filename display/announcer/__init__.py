"""The Vietnamese announcer: numbers to words, call phrases, and audio.

The pure core (:mod:`.numbers`, :mod:`.letters`, :mod:`.phrases`, :mod:`.pcm`) does no
I/O. :mod:`.clips` loads clip sets from disk and :mod:`.audio` renders announcements,
calling espeak-ng for words without a clip.
"""

from display.announcer.audio import AnnouncementCache, render_announcement, synthesise
from display.announcer.clips import DEFAULT_CLIP_DIR, ClipSet, Piece, normalise_words
from display.announcer.errors import (
    AnnouncerError,
    ClipSetError,
    InvalidNumberError,
    SynthesisError,
)
from display.announcer.letters import LETTER_NAMES, letter_words
from display.announcer.numbers import MAX_NUMBER, VOCABULARY, Region, digit_words, number_words
from display.announcer.phrases import (
    DEFAULT_TEMPLATE,
    Mode,
    call_phrase,
    check_template,
    counter_words,
    ticket_number_words,
)

__all__ = [
    "DEFAULT_CLIP_DIR",
    "DEFAULT_TEMPLATE",
    "LETTER_NAMES",
    "MAX_NUMBER",
    "VOCABULARY",
    "AnnouncementCache",
    "AnnouncerError",
    "ClipSet",
    "ClipSetError",
    "InvalidNumberError",
    "Mode",
    "Piece",
    "Region",
    "SynthesisError",
    "call_phrase",
    "check_template",
    "counter_words",
    "digit_words",
    "letter_words",
    "normalise_words",
    "number_words",
    "render_announcement",
    "synthesise",
    "ticket_number_words",
]
