"""The one loader: TOML → validated sections, every error at once.

Every section a file holds is validated when the file is loaded, with the
same rules: the file, the key, what is wrong, and a "did you mean". Paths in
a section are taken from the file's folder (:mod:`config.paths`). The hub
loads a whole file (:func:`load_config`); an agent on a Pi loads its own
section from a file that may hold it alone (:func:`load_section`).
"""

from __future__ import annotations

import os
import tomllib
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from config import counter_keypad, display_agent, kiosk, rating_pad, upstream
from config.alerts import AlertSettings
from config.booking import BookingSettings
from config.errors import ConfigError, ConfigProblem, did_you_mean
from config.hub import (
    SERVER_PATHS,
    Counter,
    Display,
    Queue,
    Ratings,
    Retention,
    Security,
    Server,
    Service,
    Site,
)
from config.paths import resolve_paths
from config.schema import Config

T = TypeVar("T")
Paths = Iterable[str] | None


@dataclass(frozen=True)
class Section:
    """How one optional section of the file is validated.

    Attributes:
        kind: its schema (a pydantic dataclass).
        paths: its path-valued keys (see :func:`config.paths.resolve_paths`).
        default: the value when the section is absent (``None``: stays ``None``).
    """

    kind: Any
    paths: tuple[str, ...] = ()
    default: Callable[[], Any] | None = None


CORE_SECTIONS = ("site", "services", "counters", "queue", "ratings", "display", "security")
#: The optional sections with a schema, by name (each is a field of Config).
SECTIONS: dict[str, Section] = {
    "server": Section(Server, paths=SERVER_PATHS, default=Server),
    "retention": Section(Retention, default=Retention),
    "alerts": Section(AlertSettings, default=AlertSettings),
    "booking": Section(BookingSettings, default=BookingSettings),
    "upstream": Section(upstream.UpstreamSettings, paths=upstream.PATHS),
    # The agents' sections: a Pi's file may hold one alone (see load_section).
    "kiosk": Section(kiosk.KioskSettings, paths=kiosk.PATHS),
    "rating_pad": Section(rating_pad.RatingPadSettings, paths=rating_pad.PATHS),
    "counter_keypad": Section(counter_keypad.CounterKeypadSettings, paths=counter_keypad.PATHS),
    "display_agent": Section(display_agent.DisplayAgentSettings, paths=display_agent.PATHS),
}

AGENT_SECTIONS = ("kiosk", "rating_pad", "counter_keypad", "display_agent")
"""The agents' sections: a Pi's file may hold one alone."""
HUB_SECTIONS = tuple(k for k in (*CORE_SECTIONS, *SECTIONS) if k not in AGENT_SECTIONS)
NO_ROLE = (
    "give [site] and the centre's sections for a hub, or an agent's section: "
    "[kiosk], [rating_pad], [counter_keypad] or [display_agent]"
)

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


def _collect(path: str, problems: list[ConfigProblem], prefix: str, kind: Any, raw: Any) -> Any:
    try:
        return validate_section(path, prefix, kind, raw)
    except ConfigError as err:
        problems.extend(err.problems)
        return None


def _cross_check(
    services: tuple[Service, ...],
    counters: tuple[Counter, ...],
    display: Display | None,
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    service_ids = [s.id for s in services]
    counter_ids = [c.id for c in counters]
    for label, ids in (("services", service_ids), ("counters", counter_ids)):
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                problems.append(ConfigProblem(f"{label}[{i}].id", f'"{ident}" is used twice'))
            seen.add(ident)
    for i, counter in enumerate(counters):
        if not counter.services:
            problems.append(ConfigProblem(f"counters[{i}].services", "needs at least one field"))
        for j, sid in enumerate(counter.services):
            if sid not in service_ids:
                problems.append(
                    ConfigProblem(
                        f"counters[{i}].services[{j}]",
                        f'unknown service "{sid}"' + did_you_mean(sid, service_ids),
                    )
                )
    for i, screen in enumerate(display.screens if display else ()):
        for j, cid in enumerate(screen.counters):
            if cid not in counter_ids:
                problems.append(
                    ConfigProblem(
                        f"display.screens[{i}].counters[{j}]",
                        f'unknown counter "{cid}"' + did_you_mean(cid, counter_ids),
                    )
                )
        for j, sid in enumerate(screen.services):
            if sid not in service_ids:
                problems.append(
                    ConfigProblem(
                        f"display.screens[{i}].services[{j}]",
                        f'unknown service "{sid}"' + did_you_mean(sid, service_ids),
                    )
                )
    return problems


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


def load_config(path: str | os.PathLike[str]) -> Config:
    """Load and validate a hub configuration.

    Raises:
        ConfigError: with every problem found, each naming the file and key.
    """
    name = str(path)
    raw = read_toml(path)
    return parse_config(raw, name)


def _optional_sections(
    raw: Mapping[str, Any], name: str, problems: list[ConfigProblem]
) -> dict[str, Any]:
    """Every registered section of ``raw``, validated (or its default)."""
    out: dict[str, Any] = {}
    for key, section in SECTIONS.items():
        if key not in raw:
            out[key] = section.default() if section.default else None
            continue
        value = resolve_paths(raw[key], name, section.paths)
        out[key] = _collect(name, problems, key, section.kind, value)
    return out


def parse_config(raw: Mapping[str, Any], name: str = "<config>") -> Config:
    """Validate an already-parsed TOML mapping (see :func:`load_config`)."""
    problems: list[ConfigProblem] = []
    known = CORE_SECTIONS + tuple(SECTIONS)
    for key in raw:
        if key not in known:
            problems.append(ConfigProblem(key, "unknown section" + did_you_mean(key, known)))
    if "site" not in raw:
        problems.append(ConfigProblem("site", "is required"))
    site = _collect(name, problems, "site", Site, raw["site"]) if "site" in raw else None
    raw_services = raw.get("services", [])
    if not raw_services:
        problems.append(ConfigProblem("services", "declare at least one [[services]]"))
    services = _collect(name, problems, "services", tuple[Service, ...], raw_services) or ()
    raw_counters = raw.get("counters", [])
    if not raw_counters:
        problems.append(ConfigProblem("counters", "declare at least one [[counters]]"))
    counters = _collect(name, problems, "counters", tuple[Counter, ...], raw_counters) or ()
    queue = _collect(name, problems, "queue", Queue, raw.get("queue", {}))
    ratings = _collect(name, problems, "ratings", Ratings, raw.get("ratings", {}))
    display = _collect(name, problems, "display", Display, raw.get("display", {}))
    security = _collect(name, problems, "security", Security, raw.get("security", {}))
    optional = _optional_sections(raw, name, problems)
    if services and counters:
        problems.extend(_cross_check(services, counters, display))
    if problems:
        raise ConfigError(name, problems)
    assert site is not None  # a missing [site] is a problem above
    return Config(
        path=name,
        site=site,
        services=services,
        counters=counters,
        queue=queue,
        ratings=ratings,
        display=display,
        security=security,
        **optional,
    )


@typing.overload
def load_section(
    path: str | os.PathLike[str], section: str, kind: type[T], paths: Paths = None
) -> T: ...


@typing.overload
def load_section(
    path: str | os.PathLike[str], section: str, kind: None = None, paths: Paths = None
) -> Any: ...


def load_section(
    path: str | os.PathLike[str],
    section: str,
    kind: Any = None,
    paths: Paths = None,
) -> Any:
    """Load one agent section (e.g. ``kiosk``) from a file that may hold it alone.

    Args:
        path: the file.
        section: the section's name.
        kind: its schema; by default the one :data:`SECTIONS` registers for it.
        paths: its path-valued keys, taken from the file's folder when relative; by
            default the registered ones.

    Raises:
        ConfigError: the file is unreadable, the section missing or invalid.
    """
    return parse_section(read_toml(path), section, str(path), kind, paths)


def parse_section(
    raw: Mapping[str, Any],
    section: str,
    name: str,
    kind: Any = None,
    paths: Paths = None,
) -> Any:
    """Validate one section of an already-parsed file (see :func:`load_section`).

    Args:
        raw: the parsed TOML file.
        section: the section's name.
        name: the file's name, for error messages and relative paths.
        kind: its schema; by default the one :data:`SECTIONS` registers for it.
        paths: its path-valued keys; by default the registered ones.
    """
    registered = SECTIONS.get(section)
    if kind is None:
        if registered is None:
            raise ValueError(f"no schema registered for section [{section}]")
        kind = registered.kind
    if paths is None:
        paths = registered.paths if registered is not None else ()
    if section not in raw:
        raise ConfigError(name, [ConfigProblem(section, f"section [{section}] is missing")])
    return validate_section(name, section, kind, resolve_paths(raw[section], name, paths))


def validate_present(raw: Mapping[str, Any], name: str) -> dict[str, list[ConfigProblem]]:
    """Every section a file holds, validated without requiring the hub's (``motcua doctor``).

    The file names the hub's role when it holds a hub section besides ``[site]``, or
    ``[site]`` and no agent section (``[site]`` beside an agent section alone gives the
    kiosk its ticket defaults, read as they are); and the role of each agent section
    it holds. The hub's sections are validated as :func:`load_config` does, each
    agent's as :func:`load_section` does.

    Returns:
        each role (``"hub"``, then the agent sections in :data:`AGENT_SECTIONS`'
        order) → its problems, empty when it is valid; and under ``""`` the problems
        no role owns (unknown sections of a Pi's file, a file naming no role), last.
    """
    agents = [section for section in AGENT_SECTIONS if section in raw]
    hub_sections = [k for k in raw if k in HUB_SECTIONS and k != "site"]
    parsers: dict[str, Callable[[], Any]] = {}
    if hub_sections or ("site" in raw and not agents):
        parsers["hub"] = partial(parse_config, raw, name)
    for section in agents:
        parsers[section] = partial(parse_section, raw, section, name)
    roles: dict[str, list[ConfigProblem]] = {}
    for role, parse in parsers.items():
        try:
            parse()
            roles[role] = []
        except ConfigError as err:
            roles[role] = err.problems
    roles[""] = []
    if "hub" not in roles:  # the hub's load reports a file's unknown sections itself
        known = HUB_SECTIONS + AGENT_SECTIONS
        roles[""] = [
            ConfigProblem(key, "unknown section" + did_you_mean(key, known))
            for key in raw
            if key not in known
        ]
        if not agents:
            roles[""].append(ConfigProblem("", f"names no role: {NO_ROLE}"))
    return roles


def config_path(explicit: str | None) -> Path:
    """The configuration path: ``--config``, else ``MOTCUA_CONFIG``."""
    value = explicit or os.environ.get("MOTCUA_CONFIG")
    if not value:
        raise ConfigError(
            "<none>",
            [ConfigProblem("", "no configuration: pass --config PATH or set MOTCUA_CONFIG")],
        )
    return Path(value)
