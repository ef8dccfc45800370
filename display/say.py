"""``motcua say``: the words (and optionally the audio) of one announcement."""

from __future__ import annotations

import logging
from pathlib import Path

from display.announcer.audio import ESPEAK, render_announcement
from display.announcer.clips import DEFAULT_CLIP_DIR, ClipSet
from display.announcer.numbers import check_region
from display.announcer.phrases import DEFAULT_TEMPLATE, call_phrase, ticket_number_words

__all__ = ["DEFAULT_TEMPLATE", "say"]

logger = logging.getLogger(__name__)


def say(
    number: str,
    *,
    counter: str | None = None,
    region: str = "north",
    digits: bool = False,
    template: str = DEFAULT_TEMPLATE,
    wav_path: Path | None = None,
    clip_dir: Path | None = None,
    espeak: str = ESPEAK,
) -> str:
    """Return the line the announcer speaks for ``number``, and write its WAV if asked.

    Args:
        number: a ticket number such as ``"1023"`` or ``"A007"``.
        counter: a counter id; when given, the whole call phrase from ``template``.
        region: ``"north"`` (linh, nghìn) or ``"south"`` (lẻ, ngàn).
        digits: read the number digit by digit.
        template: the call-phrase template, with ``{number}`` and ``{counter}``.
        wav_path: where to write the announcement (chime + words) as WAV.
        clip_dir: the clip set folder; the default espeak-ng set when None.
        espeak: the espeak-ng program for words without a clip.

    Returns:
        One line of Vietnamese words, e.g. ``"một nghìn không trăm hai mươi ba"``.

    Raises:
        ValueError: a bad number, counter, region or template (an
            ``InvalidNumberError``, one line of Vietnamese such as
            ``số không hợp lệ: 'abc'``), or a broken clip set (``ClipSetError``).
        AnnouncerError: the audio could not be rendered (``SynthesisError``).
        OSError: ``wav_path`` cannot be written.
    """
    spoken_region = check_region(region)
    mode = "digits" if digits else "whole"
    if counter is None:
        line = " ".join(ticket_number_words(number, spoken_region, mode))
    else:
        line = call_phrase(number, counter, template, spoken_region, mode)
    if wav_path is not None:
        clip_set = ClipSet.load(clip_dir if clip_dir is not None else DEFAULT_CLIP_DIR)
        data = render_announcement(line, clip_set, espeak=espeak)
        Path(wav_path).write_bytes(data)
        logger.info("wrote %s (%d bytes) for %r", wav_path, len(data), line)
    return line
