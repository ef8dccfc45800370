"""The kiosk loop's side of the hub, between presses: site, counts, health, cancels.

:class:`HubLink` is used on the loop thread only (:class:`kiosk.dispenser.loop.Dispenser`)
and writes the loop's :class:`~kiosk.dispenser.state.DispenserState`: it
refreshes the fields' waiting counts every ``refresh_s`` (``retry_s`` while the
hub is down), sends ``POST /devices/heartbeat`` every ``heartbeat_s`` and
retries the cancels of unprinted tickets until the hub answers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.kiosk import KioskSettings
from kiosk.dispenser.site import SiteDefaults, SiteInfo, site_info
from kiosk.dispenser.state import DispenserState
from kiosk.kit.hub_client import HubClient, HubRejected, HubUnreachable

__all__ = ["HubLink"]

logger = logging.getLogger(__name__)


class HubLink:
    """What the kiosk loop asks of the hub besides tickets.

    Args:
        settings: The ``[kiosk]`` section (``hub_url``, ``refresh_s``, ``retry_s``,
            ``heartbeat_s``).
        client: The hub client (device token of kind ``kiosk``).
        defaults: What to print about the site until the hub says otherwise.
        state: The loop's state, which this link updates.
        clock: Monotonic seconds.
    """

    def __init__(
        self,
        settings: KioskSettings,
        client: HubClient,
        defaults: SiteDefaults,
        state: DispenserState,
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.client = client
        self._defaults = defaults
        self._state = state
        self._clock = clock

    def refresh(self, warm_up: Callable[[], None]) -> None:
        """Fetch the site (once) and the fields; on success retry pending cancels.

        Args:
            warm_up: Called once the site is first known, before the fields are asked.
        """
        state = self._state
        try:
            if state.site is None:
                state.site = self.fetch_site()
                warm_up()
            state.services = self.client.services()
        except HubUnreachable as err:
            self.down(str(err))
        except HubRejected as err:
            self.down(f"hub refused this kiosk ({err.status} {err.code})")
        else:
            if state.hub_ok is not True:
                logger.info("hub %s reachable", self.settings.hub_url)
            state.hub_ok, state.hub_error = True, ""
            self.retry_cancels()
        state.due["refresh"] = self._clock() + (
            self.settings.refresh_s if state.hub_ok else self.settings.retry_s
        )

    def fetch_site(self) -> SiteInfo:
        """``GET /site`` merged with the config's site (:func:`kiosk.dispenser.site.site_info`)."""
        try:
            data = self.client.get("/site") or {}
        except HubRejected as err:
            if err.status != 404:
                raise
            data = {}  # an older hub without GET /site: print what the config says
        return site_info(self.settings, self._defaults, data)

    def site(self) -> SiteInfo:
        """The site as tickets print it, fetched now if not yet known."""
        if self._state.site is None:
            # Only reached after the hub issued a number, so /site should answer now.
            self._state.site = self.fetch_site()
        return self._state.site

    def site_day(self) -> str:
        """Today's date (ISO) in the site's timezone."""
        zone = self._state.site.timezone if self._state.site else self._defaults.timezone
        return datetime.now(ZoneInfo(zone)).date().isoformat()

    def down(self, reason: str) -> None:
        """Mark the hub unreachable and ask again within ``retry_s``."""
        state = self._state
        if state.hub_ok is not False:
            logger.warning("hub unreachable: %s", reason)
        state.hub_ok, state.hub_error = False, reason
        state.due["refresh"] = min(
            state.due.get("refresh", 0.0), self._clock() + self.settings.retry_s
        )

    def heartbeat(self, version: str) -> None:
        """``POST /devices/heartbeat`` with the printer's state and the ticket counts."""
        state = self._state
        status: dict[str, Any] = {
            "printer": state.printer.value,
            "printed": state.printed,
            "cancelled": state.cancelled,
            "pending_cancels": len(state.pending_cancels) + len(state.unsure),
        }
        if state.printer_fault:
            status["last_error"] = state.printer_fault
        try:
            self.client.heartbeat(version, status)
        except HubUnreachable as err:
            self.down(str(err))
        except HubRejected as err:
            logger.error("heartbeat refused: %s", err)
        state.due["heartbeat"] = self._clock() + self.settings.heartbeat_s

    def cancel(self, ticket_id: str) -> None:
        """``POST /tickets/{id}/cancel``; kept for :meth:`retry_cancels` if the hub is down."""
        state = self._state
        try:
            self.client.post(f"/tickets/{ticket_id}/cancel")
        except HubUnreachable as err:
            logger.warning("cancel of %s failed (%s); retrying", ticket_id, err)
            state.pending_cancels.append(ticket_id)
            self.down(str(err))
            return
        except HubRejected as err:
            logger.error("hub refused to cancel unprinted ticket %s: %s", ticket_id, err)
        state.cancelled += 1

    def retry_cancels(self) -> None:
        """Send again every cancel the hub did not get, and settle unanswered issues."""
        pending, self._state.pending_cancels = self._state.pending_cancels, []
        for ticket_id in pending:
            self.cancel(ticket_id)
        unsure, self._state.unsure = self._state.unsure, []
        for i, (service, key) in enumerate(unsure):
            try:
                # Same key: the hub answers the number it issued then (or issues one
                # now, which is cancelled at once: a skipped number, never a phantom).
                answer = self.client.post("/tickets", {"service": service, "key": key})
            except HubUnreachable as err:
                self._state.unsure.extend(unsure[i:])
                self.down(str(err))
                return
            except HubRejected as err:
                logger.info("unanswered ticket request %s: %s; nothing to cancel", key, err.code)
                continue
            logger.warning("cancelling %s, issued while its answer was lost", answer.data["number"])
            self.cancel(answer.data["id"])
