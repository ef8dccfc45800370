"""The configuration in force, as the admin sees it (secrets hidden), and reloading it
from its file without a restart."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

from config.errors import ConfigError
from config.schema import Config, load_config
from hub import errors
from hub.context import Hub

SECRET_KEY_RE = re.compile(r"token|password|secret|key$", re.IGNORECASE)
REDACTED = "•••"
CONFIG_PARTS = ("site", "services", "counters", "queue", "ratings", "display", "security")
FEATURE_PARTS = (
    "alerts",
    "booking",
    "upstream",
    "kiosk",
    "rating_pad",
    "counter_keypad",
    "display_agent",
)


def config_digest(config: Config) -> str:
    """A short fingerprint of a configuration's content (changes with any value)."""
    text = repr([getattr(config, part) for part in CONFIG_PARTS]) + repr(_sections(config))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _redact(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _redact(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    if key and SECRET_KEY_RE.search(key) and isinstance(value, str):
        return REDACTED
    return value


def _sections(config: Config) -> dict[str, Any]:
    """The feature and agent sections as plain data."""
    typed = {
        name: dataclasses.asdict(value)
        for name in FEATURE_PARTS
        if (value := getattr(config, name)) is not None
    }
    return typed


def config_view(config: Config) -> dict[str, Any]:
    """The configuration in force as plain data, agent secrets (tokens…) hidden."""
    data = {
        part: dataclasses.asdict(getattr(config, part))
        for part in CONFIG_PARTS
        if part not in ("services", "counters")
    }
    data["services"] = [dataclasses.asdict(s) for s in config.services]
    data["counters"] = [dataclasses.asdict(c) for c in config.counters]
    data["sections"] = _redact(_sections(config))
    return data


class ConfigInvalid(errors.BadRequest):
    """The file on disk does not validate; the configuration in force is kept."""

    code = "config_invalid"

    def __init__(self, err: ConfigError) -> None:
        super().__init__(err.render(), code="config_invalid")
        self.problems = [p.render(err.path) for p in err.problems]


def reload_config(hub: Hub, by: str, address: str) -> dict[str, Any]:
    """Read the configuration file again and apply it without a restart.

    Raises:
        ConfigInvalid: the file has errors (audited; nothing changes).
    """
    old = hub.config
    try:
        new = load_config(old.path)
    except ConfigError as err:
        hub.audit.record(
            "config_reload",
            actor=by,
            target=f"config:{old.path}",
            address=address,
            before={"digest": config_digest(old)},
            after={"ok": False, "problems": len(err.problems)},
        )
        raise ConfigInvalid(err) from None
    changed = [p for p in (*CONFIG_PARTS, *FEATURE_PARTS) if getattr(old, p) != getattr(new, p)]
    hub.reconfigure(new)
    hub.audit.record(
        "config_reload",
        actor=by,
        target=f"config:{old.path}",
        address=address,
        before={"digest": config_digest(old)},
        after={"ok": True, "digest": config_digest(new), "changed": changed},
    )
    return {"path": new.path, "digest": config_digest(new), "changed": changed}
