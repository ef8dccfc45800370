"""The one loader: TOML → validated sections, every error at once.

Every section is validated with the same rules: the file, the key, what is
wrong, and a "did you mean". Paths in a section are taken from the file's
folder (:mod:`config.paths`). An agent on a Pi loads its own section from a
file that may hold it alone (:func:`load_section`); the hub loads the whole file
through :func:`config.schema.load_config`, which checks every section with the
same functions.
"""

from __future__ import annotations

import os
import tomllib
import typing
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from config.errors import ConfigError, ConfigProblem, did_you_mean
from config.paths import resolve_paths

T = TypeVar("T")


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: type[T]) -> TypeAdapter[T]:
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]


def _loc(prefix: str, loc: Iterable[int | str]) -> str:
    key = prefix
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith("tuple["):
            continue
        else:
            key += f".{part}" if key else str(part)
    return key


def _known_fields(kind: Any, loc: tuple[int | str, ...]) -> list[str]:
    """Field names of the dataclass a location points into, for "did you mean"."""
    current = _dataclass_in(kind)
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        hints = _hints(current)
        if part not in hints:
            return []
        current = _dataclass_in(hints[part])
    return [f.name for f in fields(current)] if current is not None else []


def _hints(kind: Any) -> dict[str, Any]:
    """Resolved field types, also for modules using ``from __future__ import annotations``."""
    try:
        return typing.get_type_hints(kind)
    except (NameError, TypeError):
        return {f.name: f.type for f in fields(kind)}


def _dataclass_in(kind: Any) -> Any:
    """The dataclass inside a type such as ``X``, ``X | None``, ``tuple[X, ...]``."""
    if is_dataclass(kind):
        return kind
    for arg in typing.get_args(kind):
        found = _dataclass_in(arg)
        if found is not None:
            return found
    return None


def _message(error: ErrorDetails, kind: Any) -> str:
    kind_code = error["type"]
    if kind_code in ("extra_forbidden", "unexpected_keyword_argument"):
        unknown = str(error["loc"][-1])
        return "unknown key" + did_you_mean(unknown, _known_fields(kind, tuple(error["loc"])))
    if kind_code == "missing":
        return "is required"
    got = error.get("input")
    text = str(error["msg"])
    if text.startswith("Value error, "):
        text = text.removeprefix("Value error, ")
    elif kind_code == "string_pattern_mismatch":
        text = _pattern_message(str(error.get("ctx", {}).get("pattern", "")), error["loc"])
    if got is not None and not isinstance(got, dict | list) and kind_code != "missing":
        text += f" (got {got!r})"
    return text


SLUG_PATTERNS = ("^[a-z0-9][a-z0-9_-]{0,63}$", "^[a-z0-9][a-z0-9_-]*$")


def _pattern_message(pattern: str, loc: Iterable[int | str]) -> str:
    parts = list(loc)
    if parts and parts[-1] == "prefix":
        return "must be up to 3 capital letters A–Z"
    if pattern in SLUG_PATTERNS:
        return "has characters that are not allowed (use lowercase letters, digits, - and _)"
    if pattern.startswith("^https?"):
        return "must be a URL starting with http:// or https://"
    return f"does not have the expected form (pattern {pattern})"


def validate_section(path: str, prefix: str, kind: type[T], raw: Any) -> T:
    """Validate one section, raising :class:`ConfigError` with all its problems."""
    try:
        return _adapter(kind).validate_python(raw)
    except ValidationError as err:
        problems = [ConfigProblem(_loc(prefix, e["loc"]), _message(e, kind)) for e in err.errors()]
        raise ConfigError(path, problems) from None


def collect(path: str, problems: list[ConfigProblem], prefix: str, kind: Any, raw: Any) -> Any:
    """:func:`validate_section`, its problems added to ``problems`` (None then)."""
    try:
        return validate_section(path, prefix, kind, raw)
    except ConfigError as err:
        problems.extend(err.problems)
        return None


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML file, turning I/O and syntax errors into :class:`ConfigError`."""
    name = str(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(name, [ConfigProblem("", "file not found")]) from None
    except IsADirectoryError:
        raise ConfigError(name, [ConfigProblem("", "is a folder, not a file")]) from None
    except PermissionError:
        raise ConfigError(name, [ConfigProblem("", "cannot be read (permission denied)")]) from None
    except UnicodeDecodeError:
        raise ConfigError(name, [ConfigProblem("", "is not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(name, [ConfigProblem("", f"not valid TOML: {err}")]) from None


def load_section(
    path: str | os.PathLike[str], section: str, kind: type[T], paths: Iterable[str] = ()
) -> T:
    """Load one agent section (e.g. ``kiosk``) from a file that may hold it alone.

    Only that section's schema is needed, so an agent on a Pi builds no other.

    Args:
        path: the file.
        section: the section's name.
        kind: its schema.
        paths: its path-valued keys, taken from the file's folder when relative.

    Raises:
        ConfigError: the file is unreadable, the section missing or invalid.
    """
    return parse_section(read_toml(path), section, str(path), kind, paths)


def parse_section(
    raw: Mapping[str, Any], section: str, name: str, kind: type[T], paths: Iterable[str] = ()
) -> T:
    """Validate one section of an already-parsed file (see :func:`load_section`)."""
    if section not in raw:
        raise ConfigError(name, [ConfigProblem(section, f"section [{section}] is missing")])
    return validate_section(name, section, kind, resolve_paths(raw[section], name, paths))


def config_path(explicit: str | None) -> Path:
    """The configuration path: ``--config``, else ``MOTCUA_CONFIG``."""
    value = explicit or os.environ.get("MOTCUA_CONFIG")
    if not value:
        raise ConfigError(
            "<none>",
            [ConfigProblem("", "no configuration: pass --config PATH or set MOTCUA_CONFIG")],
        )
    return Path(value)
