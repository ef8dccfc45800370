"""The site as the kiosk's tickets print it: its name, timezone, public URL and the
priority categories.

Three sources, the first that says wins: the kiosk's own ``[kiosk]`` overrides,
the hub's ``GET /site`` answer, then ``[site]`` if the kiosk's file has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.hub import DEFAULT_PRIORITIES
from config.kiosk import KioskSettings

__all__ = ["SiteDefaults", "SiteInfo", "site_info"]


@dataclass(frozen=True)
class SiteDefaults:
    """What the ticket says about the site until the hub tells (from ``[site]``)."""

    name: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str | None = None


@dataclass(frozen=True)
class SiteInfo:
    """What tickets say about the site, as this kiosk will print it."""

    name: str
    timezone: str
    public_url: str | None
    priority_categories: tuple[str, ...] = DEFAULT_PRIORITIES


def site_info(settings: KioskSettings, defaults: SiteDefaults, hub: dict[str, Any]) -> SiteInfo:
    """Merge the kiosk's own overrides, the hub's ``GET /site`` answer and ``[site]``.

    The kiosk's ``centre_name``/``timezone``/``public_url`` win; then the hub's
    values; then the file's ``[site]``. The QR code's base is ``public_url``,
    else (in :mod:`kiosk.dispenser.ticket_maker`) the kiosk's ``hub_url``.
    """
    categories = hub.get("priority_categories")
    return SiteInfo(
        name=settings.centre_name or str(hub.get("name") or "") or defaults.name,
        timezone=settings.timezone or str(hub.get("timezone") or "") or defaults.timezone,
        public_url=settings.public_url or hub.get("public_url") or defaults.public_url,
        priority_categories=tuple(categories) if categories else DEFAULT_PRIORITIES,
    )
