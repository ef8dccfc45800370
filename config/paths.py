"""The one resolver of relative paths in a configuration file.

A path written in a configuration file (a token file, a printer's output file,
a logo, a clip set) is taken from the file's own folder when it is relative,
so ``motcua --config /etc/motcua/kiosk.toml`` behaves the same from any
working directory. ``~`` is expanded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).parent / "examples"
"""The example configurations shipped with motcua."""


def resolve_path(value: str, base: Path) -> str:
    """``value`` as an absolute path, relative ones taken from ``base``."""
    path = Path(value).expanduser()
    if not value or path.is_absolute():
        return path.as_posix() if value else value
    return str(base / path)


def resolve_paths(section: Any, config_file: str | Path, keys: Iterable[str]) -> Any:
    """A copy of a raw section with the path-valued ``keys`` resolved.

    Args:
        section: the parsed TOML table (anything else is returned as is, for
            the validator to report).
        config_file: the configuration file the section came from.
        keys: dotted keys (``"printer.path"``); a ``[]`` step walks every item
            of an array of tables (``"boards[].port"``).
    """
    base = Path(config_file).resolve().parent
    out = section
    for key in keys:
        out = _resolve(out, key.split("."), base)
    return out


def _resolve(node: Any, parts: list[str], base: Path) -> Any:
    if not parts:
        return resolve_path(node, base) if isinstance(node, str) else node
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    name = head.removesuffix("[]")
    if not isinstance(node, Mapping) or name not in node:
        return node
    copy = dict(node)
    if many:
        items = copy[name]
        if isinstance(items, list):
            copy[name] = [_resolve(item, rest, base) for item in items]
        return copy
    copy[name] = _resolve(copy[name], rest, base)
    return copy
