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
from display.announcer.numbers import (
    FOURS,
    MAX_NUMBER,
    VOCABULARY,
    Four,
    Region,
    digit_words,
    number_words,
)
from display.announcer.phrases import (
    DEFAULT_TEMPLATE,
    CounterReading,
    Mode,
    call_phrase,
    check_template,
    counter_reading,
    counter_words,
    spoken_call,
    ticket_number_words,
)

__all__ = [
    "DEFAULT_CLIP_DIR",
    "DEFAULT_TEMPLATE",
    "FOURS",
    "LETTER_NAMES",
    "MAX_NUMBER",
    "VOCABULARY",
    "AnnouncementCache",
    "AnnouncerError",
    "ClipSet",
    "ClipSetError",
    "CounterReading",
    "Four",
    "InvalidNumberError",
    "Mode",
    "Piece",
    "Region",
    "SynthesisError",
    "call_phrase",
    "check_template",
    "counter_reading",
    "counter_words",
    "digit_words",
    "letter_words",
    "normalise_words",
    "number_words",
    "render_announcement",
    "spoken_call",
    "synthesise",
    "ticket_number_words",
]
