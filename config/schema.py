"""The whole configuration file: one field per section, each validated on load.

Each part lives in its own module (:mod:`config.hub`, :mod:`config.alerts`,
:mod:`config.upstream`, :mod:`config.booking`, :mod:`config.reports`, :mod:`config.dossiers`,
and one per agent:
:mod:`config.kiosk`, :mod:`config.rating_pad`, :mod:`config.counter_keypad`,
:mod:`config.display_agent`); this module puts them together. Every section is
checked when the file is loaded (:func:`load_config`, with the one loader's
functions of :mod:`config.loader`), so a mistake anywhere stops any command at
start.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from config import counter_keypad, display_agent, kiosk, rating_pad, upstream
from config.alerts import AlertSettings
from config.booking import BookingSettings
from config.counter_keypad import CounterKeypadSettings
from config.display_agent import DisplayAgentSettings
from config.dossiers import DossierSettings, ExportSettings
from config.errors import ConfigError, ConfigProblem, did_you_mean
from config.hub import (
    SERVER_PATHS,
    Counter,
    Display,
    Level,
    Queue,
    Ratings,
    Retention,
    Security,
    Server,
    Service,
    Site,
)
from config.kiosk import KioskSettings
from config.loader import collect, parse_section, read_toml
from config.paths import resolve_paths
from config.rating_pad import RatingPadSettings
from config.reports import ReportSettings
from config.upstream import UpstreamSettings


@dataclass(frozen=True)
class Config:
    """A whole, validated configuration file."""

    path: str
    site: Site
    services: tuple[Service, ...]
    counters: tuple[Counter, ...]
    queue: Queue
    ratings: Ratings
    display: Display
    security: Security
    server: Server = field(default_factory=Server)
    retention: Retention = field(default_factory=Retention)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    booking: BookingSettings = field(default_factory=BookingSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    dossiers: DossierSettings = field(default_factory=DossierSettings)
    export: ExportSettings = field(default_factory=ExportSettings)
    upstream: UpstreamSettings | None = None
    kiosk: KioskSettings | None = None
    rating_pad: RatingPadSettings | None = None
    counter_keypad: CounterKeypadSettings | None = None
    display_agent: DisplayAgentSettings | None = None

    def service(self, service_id: str) -> Service | None:
        """The field ``service_id``, or None."""
        return next((s for s in self.services if s.id == service_id), None)

    def counter(self, counter_id: str) -> Counter | None:
        """The counter ``counter_id``, or None."""
        return next((c for c in self.counters if c.id == counter_id), None)

    def level(self, level_id: str) -> Level | None:
        """The rating level ``level_id``, or None."""
        return next((lv for lv in self.ratings.levels if lv.id == level_id), None)


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
    "reports": Section(ReportSettings, default=ReportSettings),
    "dossiers": Section(DossierSettings, default=DossierSettings),
    "export": Section(ExportSettings, default=ExportSettings),
    "upstream": Section(upstream.UpstreamSettings, paths=upstream.PATHS),
    # The agents' sections: a Pi's file may hold one alone (see load_section).
    "kiosk": Section(kiosk.KioskSettings, paths=kiosk.PATHS),
    "rating_pad": Section(rating_pad.RatingPadSettings, paths=rating_pad.PATHS),
    "counter_keypad": Section(counter_keypad.CounterKeypadSettings, paths=counter_keypad.PATHS),
    "display_agent": Section(display_agent.DisplayAgentSettings, paths=display_agent.PATHS),
}


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
        out[key] = collect(name, problems, key, section.kind, value)
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
    site = collect(name, problems, "site", Site, raw["site"]) if "site" in raw else None
    raw_services = raw.get("services", [])
    if not raw_services:
        problems.append(ConfigProblem("services", "declare at least one [[services]]"))
    services = collect(name, problems, "services", tuple[Service, ...], raw_services) or ()
    raw_counters = raw.get("counters", [])
    if not raw_counters:
        problems.append(ConfigProblem("counters", "declare at least one [[counters]]"))
    counters = collect(name, problems, "counters", tuple[Counter, ...], raw_counters) or ()
    queue = collect(name, problems, "queue", Queue, raw.get("queue", {}))
    ratings = collect(name, problems, "ratings", Ratings, raw.get("ratings", {}))
    display = collect(name, problems, "display", Display, raw.get("display", {}))
    security = collect(name, problems, "security", Security, raw.get("security", {}))
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


AGENT_SECTIONS = ("kiosk", "rating_pad", "counter_keypad", "display_agent")
"""The agents' sections: a Pi's file may hold one alone."""
HUB_SECTIONS = tuple(k for k in (*CORE_SECTIONS, *SECTIONS) if k not in AGENT_SECTIONS)
NO_ROLE = (
    "give [site] and the centre's sections for a hub, or an agent's section: "
    "[kiosk], [rating_pad], [counter_keypad] or [display_agent]"
)


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
        schema = SECTIONS[section]
        parsers[section] = partial(parse_section, raw, section, name, schema.kind, schema.paths)
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
