"""``motcua clips check DIR``: which recordings a centre's own clip set still lacks.

A centre records its own voice in a folder laid out like the built-in set
(``display/announcer/clips/default``: ``manifest.json`` and one WAV per word or
phrase). The check asks the announcer for every line it may say with the centre's
configuration (:mod:`display.announcer.vocabulary`), covers each with the folder's
usable clips exactly as the announcer does (longest phrase first, :meth:`ClipSet.plan`)
and lists:

- the words no clip covers (the announcer would fall back on espeak-ng), each with
  the file name to record it under;
- the clips that are missing, unreadable, silent or empty, or in another format than
  the manifest's ``format`` (rate, channels, width).

Exit status: 0 when the set is complete, 1 when something lacks, 2 on a bad folder,
option or configuration. Output in Vietnamese.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.loader import config_path
from config.schema import Config, load_config
from display.announcer.build_clips import slug
from display.announcer.clips import DEFAULT_CLIP_DIR, MANIFEST, ClipSet, normalise_words
from display.announcer.errors import AnnouncerError, ClipSetError
from display.announcer.numbers import check_four, check_region
from display.announcer.pcm import AudioFormat, read_wav, trim_silence
from display.announcer.vocabulary import Line, Reading, lines_to_say

__all__ = ["Report", "add_command", "check_clips", "reading_of"]

EXIT_LACKS = 1
EXIT_USAGE = 2
_SECTIONS = ("words", "phrases")


@dataclass
class Report:
    """What a clip folder lacks.

    Attributes:
        folder: the folder checked.
        format: the format the clips must have (the manifest's, else the built-in set's).
        clips: how many clips are usable.
        missing: word -> (file name to record, a line that needs it).
        broken: one line per unusable file, saying why.
        manifest: one line per problem of the manifest itself.
    """

    folder: Path
    format: AudioFormat
    clips: int = 0
    missing: dict[str, tuple[str, Line]] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)
    manifest: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when nothing lacks."""
        return not (self.missing or self.broken or self.manifest)


def _describe(audio_format: AudioFormat) -> str:
    channels = "đơn kênh (mono)" if audio_format.channels == 1 else f"{audio_format.channels} kênh"
    return f"{audio_format.rate} Hz, {channels}, {8 * audio_format.width} bit"


def _read_manifest(folder: Path, report: Report) -> dict[str, Any]:
    """The folder's manifest, or the built-in set's when it has none (its file names)."""
    path = folder / MANIFEST
    if not path.is_file():
        report.manifest.append(
            f"thiếu {MANIFEST}: chép tệp {DEFAULT_CLIP_DIR / MANIFEST} vào thư mục "
            "(tên tệp dưới đây theo tệp đó) rồi sửa tên bộ"
        )
        path = DEFAULT_CLIP_DIR / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        report.manifest.append(f"{MANIFEST} không đọc được: {err}")
        return {}
    if not isinstance(data, dict):
        report.manifest.append(f"{MANIFEST} phải là một đối tượng JSON")
        return {}
    return data


def _format_of(data: dict[str, Any], report: Report) -> None:
    value = data.get("format")
    if value is None:
        return
    try:
        report.format = AudioFormat(
            rate=int(value["rate"]), channels=int(value["channels"]), width=int(value["width"])
        )
    except (KeyError, TypeError, ValueError) as err:
        report.manifest.append(f'"format" không hợp lệ: {err}')


def _clip_problem(folder: Path, name: object, expected: AudioFormat) -> tuple[Path | None, str]:
    """The clip's path and "" when usable, else None or the path and the problem."""
    if not isinstance(name, str) or not name.strip():
        return None, f"tên tệp không hợp lệ: {name!r}"
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()):
        return None, f"{name}: nằm ngoài thư mục"
    if not path.is_file():
        return None, f"{name}: không có tệp"
    try:
        audio = read_wav(path.read_bytes())
    except (OSError, ValueError) as err:
        return path, f"{name}: không đọc được ({err})"
    if audio.format != expected:
        return path, f"{name}: sai định dạng {_describe(audio.format)}, cần {_describe(expected)}"
    if audio.nframes == 0 or trim_silence(audio).nframes == 0:
        return path, f"{name}: im lặng hoặc rỗng"
    return path, ""


def check_clips(folder: Path, reading: Reading) -> Report:
    """Check ``folder`` against every line the announcer may say with ``reading``.

    Raises:
        InvalidNumberError: a bad template, region, mode, four or counter in ``reading``.
    """
    report = Report(folder, ClipSet.load(DEFAULT_CLIP_DIR).format)
    lines = lines_to_say(reading)
    data = _read_manifest(folder, report)
    _format_of(data, report)
    usable: dict[str, Path] = {}
    names: dict[str, str] = {}
    absent: dict[str, str] = {}  # listed, but no file: the announcer refuses such a set
    for section in _SECTIONS:
        table = data.get(section, {})
        if not isinstance(table, dict):
            report.manifest.append(f'"{section}" phải là một bảng chữ -> tên tệp')
            continue
        for text, name in table.items():
            key = " ".join(normalise_words(str(text)))
            names[key] = name if isinstance(name, str) else f"{slug(key)}.wav"
            path, problem = _clip_problem(folder, name, report.format)
            if problem and path is not None:
                report.broken.append(f'"{text}" — {problem}')
            elif path is None:
                absent[key] = f'"{text}" — {problem}'
            else:
                usable[key] = path
    if data.get("chime") is not None:
        _, problem = _clip_problem(folder, data["chime"], report.format)
        if problem:
            report.broken.append(f"tiếng chuông — {problem}")
    # The usable clips, covering each line as the announcer does (longest phrase first).
    covering = ClipSet(
        directory=folder,
        name=folder.name,
        format=report.format,
        clips=usable,
        chime=None,
        gap_ms=0,
        chime_gap_ms=0,
        fallback_voice="vi",
        fallback_speed=140,
        version="",
    )
    for line in lines:
        for piece in covering.plan(line.text):
            for word in piece.text.split() if piece.path is None else ():
                name = names.get(word, f"{slug(word)}.wav")
                report.missing.setdefault(word, (name, line))
    # A listed file not needed here still stops the announcer loading the set.
    report.broken += [problem for key, problem in absent.items() if key not in report.missing]
    report.clips = len(usable)
    if report.complete:
        try:
            ClipSet.load(folder)
        except ClipSetError as err:
            report.manifest.append(str(err))
    return report


def reading_of(config: Config | None, region: str | None, four: str | None) -> Reading:
    """The lines to check: the hub's configuration, else the defaults; options win."""
    if config is None:
        return Reading(region=check_region(region or "north"), four=check_four(four or "tu"))
    display = config.display
    prefixes = tuple(sorted({s.prefix for s in config.services})) or ("",)
    largest = max((10**s.digits - 1 for s in config.services), default=9999)
    return Reading(
        template=display.template,
        region=check_region(region or display.region),
        four=check_four(four or display.four),
        number_mode=display.number_mode,
        prefixes=prefixes,
        largest=largest,
        counters=tuple((c.id, c.name) for c in config.counters),
    )


def _print(report: Report, reading: Reading) -> None:
    print(f"Bộ bản ghi {report.folder} (cần {_describe(report.format)})")
    print(
        f"Đọc theo: miền {'Bắc' if reading.region == 'north' else 'Nam'}, "
        f'24 là "hai mươi {"tư" if reading.four == "tu" else "bốn"}", '
        f"số đến {reading.largest}, "
        + (f"{len(reading.counters)} quầy" if reading.counters else "quầy số 1")
    )
    if not reading.counters:
        print(
            "  (không có tệp cấu hình: mẫu câu mặc định; thêm --config trước lệnh để kiểm tra "
            "theo các quầy và lĩnh vực của trung tâm)"
        )
    for problem in report.manifest:
        print(f"✗ {problem}")
    if report.missing:
        print(f"✗ {len(report.missing)} từ chưa có bản ghi dùng được (espeak-ng sẽ đọc thay):")
        for word, (name, line) in sorted(report.missing.items()):
            print(f'  "{word}" → ghi vào {name} (cần cho {line.source}: "{line.text}")')
    if report.broken:
        print(f"✗ {len(report.broken)} tệp không dùng được:")
        for problem in report.broken:
            print(f"  {problem}")
    if report.complete:
        print(f"✓ Đủ: {report.clips} bản ghi đọc được mọi số và mọi quầy.")


def add_command(sub: Any) -> None:
    """Add ``motcua clips check DIR``."""
    cmd = sub.add_parser("clips", help="check a folder of recorded announcer clips")
    actions = cmd.add_subparsers(dest="clips_action", required=True)
    check = actions.add_parser(
        "check", help="list the recordings the folder lacks for this centre's calls"
    )
    check.add_argument("folder", metavar="DIR")
    check.add_argument("--region", choices=["north", "south"], default=None)
    check.add_argument("--four", choices=["tu", "bon"], default=None)
    check.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    """Print what the folder lacks; 0 complete, 1 something lacks, 2 bad usage."""
    folder = Path(args.folder).expanduser()
    if not folder.is_dir():
        print(f"motcua: không có thư mục {folder}", file=sys.stderr)
        return EXIT_USAGE
    config = None
    if args.config or os.environ.get("MOTCUA_CONFIG"):
        config = load_config(config_path(args.config))
    try:
        reading = reading_of(config, args.region, args.four)
        report = check_clips(folder, reading)
    except (ValueError, AnnouncerError) as err:
        print(f"motcua: {err}", file=sys.stderr)
        return EXIT_USAGE
    _print(report, reading)
    return 0 if report.complete else EXIT_LACKS
