"""``motcua say``: the words (and optionally the audio) of one announcement."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from config.loader import config_path
from config.schema import load_config
from display.announcer.audio import ESPEAK, render_announcement
from display.announcer.clips import DEFAULT_CLIP_DIR, ClipSet
from display.announcer.errors import AnnouncerError
from display.announcer.numbers import check_four, check_region
from display.announcer.phrases import DEFAULT_TEMPLATE, Mode, call_phrase, ticket_number_words

__all__ = ["DEFAULT_TEMPLATE", "add_command", "say"]

EXIT_USAGE = 2

logger = logging.getLogger(__name__)


def say(
    number: str,
    *,
    counter: str | None = None,
    region: str = "north",
    four: str = "tu",
    digits: bool = False,
    template: str = DEFAULT_TEMPLATE,
    wav_path: Path | None = None,
    clip_dir: Path | None = None,
    espeak: str = ESPEAK,
    counter_name: str | None = None,
) -> str:
    """Return the line the announcer speaks for ``number``, and write its WAV if asked.

    Args:
        number: a ticket number such as ``"1023"`` or ``"A007"``.
        counter: a counter id; when given, the whole call phrase from ``template``.
        region: ``"north"`` (linh, nghìn) or ``"south"`` (lẻ, ngàn).
        four: ``"tu"`` (24 "hai mươi tư") or ``"bon"`` (24 "hai mươi bốn").
        digits: read the number digit by digit.
        template: the call-phrase template, with ``{number}`` and ``{counter}``.
        wav_path: where to write the announcement (chime + words) as WAV.
        clip_dir: the clip set folder; the default espeak-ng set when None.
        espeak: the espeak-ng program for words without a clip.
        counter_name: the counter's configured name, said when its id is not a code.

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
    spoken_four = check_four(four)
    mode: Mode = "digits" if digits else "whole"
    if counter is None:
        line = " ".join(ticket_number_words(number, spoken_region, mode, spoken_four))
    else:
        line = call_phrase(
            number,
            counter,
            template,
            spoken_region,
            mode,
            four=spoken_four,
            counter_name=counter_name,
        )
    if wav_path is not None:
        clip_set = ClipSet.load(clip_dir if clip_dir is not None else DEFAULT_CLIP_DIR)
        data = render_announcement(line, clip_set, espeak=espeak)
        Path(wav_path).write_bytes(data)
        logger.info("wrote %s (%d bytes) for %r", wav_path, len(data), line)
    return line


def add_command(sub: Any) -> None:
    """Add ``motcua say``."""
    cmd = sub.add_parser("say", help="print (and render) the Vietnamese words for a number")
    cmd.add_argument("number")
    cmd.add_argument("--counter", help="read the whole call phrase for this counter")
    cmd.add_argument("--region", choices=["north", "south"], default=None)
    cmd.add_argument(
        "--four", choices=["tu", "bon"], default=None, help='24: "hai mươi tư" or "hai mươi bốn"'
    )
    cmd.add_argument("--digits", action="store_true", help="read digit by digit")
    cmd.add_argument("--wav", help="also write the audio to this WAV file")
    cmd.set_defaults(func=cmd_say)


def cmd_say(args: argparse.Namespace) -> int:
    """Print the words; with a configuration, its template, region and clip set apply."""
    kwargs: dict[str, Any] = {"counter": args.counter, "digits": args.digits}
    region, four = args.region, args.four
    if args.config or os.environ.get("MOTCUA_CONFIG"):
        config = load_config(config_path(args.config))
        display = config.display
        kwargs["template"] = display.template
        region = args.region or display.region
        four = args.four or display.four
        if display.clip_dir:
            kwargs["clip_dir"] = Path(display.clip_dir)
        names = {c.id: c.name for c in config.counters}
        kwargs["counter_name"] = names.get(args.counter or "")
    kwargs["region"] = region or "north"
    kwargs["four"] = four or "tu"
    if args.wav:
        kwargs["wav_path"] = Path(args.wav)
    try:
        print(say(args.number, **kwargs))
    except (ValueError, AnnouncerError) as err:
        print(f"motcua: {err}", file=sys.stderr)
        return EXIT_USAGE
    return 0
