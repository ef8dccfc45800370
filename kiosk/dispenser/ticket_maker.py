"""The kiosk's printed ticket: the hub's answer, plus the site, rendered for its printer.

:class:`TicketMaker` turns the body of ``POST /tickets`` into the image the
kiosk loop (:class:`kiosk.dispenser.loop.Dispenser`) prints, with
:mod:`kiosk.ticket.render`, laid out as ``[kiosk.ticket]`` says
(:func:`ticket_layout`). The QR code points at the site's ``public_url``, else
at the kiosk's ``hub_url``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from config.kiosk import KioskSettings, TicketSettings
from hardware.ports import TicketPrinter
from kiosk.dispenser.site import SiteInfo
from kiosk.ticket.render import TicketContent, TicketLayout, render_ticket

__all__ = ["TicketMaker", "ticket_layout"]

logger = logging.getLogger(__name__)


def ticket_layout(ticket: TicketSettings, paper_dots: int) -> TicketLayout:
    """The layout of ``[kiosk.ticket]`` for a printer ``paper_dots`` wide."""
    return TicketLayout.for_paper(
        paper_dots,
        header_lines=ticket.header_lines,
        footer=ticket.footer,
        lang=ticket.lang,
        show_qr=ticket.show_qr,
        uppercase_centre_name=ticket.uppercase_centre_name,
        logo_path=Path(ticket.logo) if ticket.logo else None,
    )


class TicketMaker:
    """Renders the tickets of one kiosk (used on its loop thread).

    Args:
        settings: The ``[kiosk]`` section (``ticket`` layout, ``hub_url``).
        printer: The printer the tickets are for; its ``paper_dots`` is read on
            the first render.
        site: Gives the site as tickets print it (may ask the hub).
    """

    def __init__(
        self, settings: KioskSettings, printer: TicketPrinter, site: Callable[[], SiteInfo]
    ) -> None:
        self.settings = settings
        self.printer = printer
        self._site = site
        self._layout: TicketLayout | None = None

    def render(self, ticket: dict[str, Any]) -> Image.Image:
        """The image of ``ticket`` (the hub's answer to ``POST /tickets``)."""
        return render_ticket(self.content(ticket), self._ticket_layout())

    def content(self, ticket: dict[str, Any]) -> TicketContent:
        """What the ticket of the hub's answer ``ticket`` says."""
        site = self._site()
        base = site.public_url or self.settings.hub_url
        return TicketContent(
            centre_name=site.name,
            service_name=ticket["service"]["name"],
            number=ticket["number"],
            waiting_ahead=int(ticket.get("waiting_ahead") or 0),
            estimated_wait_s=ticket.get("estimated_wait_s"),
            no_open_counter=bool(ticket.get("no_open_counter")),
            priority=ticket.get("priority"),
            issued_at=datetime.fromisoformat(ticket["issued_at"]),
            timezone=site.timezone,
            status_url=f"{base}/t/{ticket['id']}",
        )

    def warm_up(self) -> None:
        """Render one throw-away ticket so the first citizen's ticket finds the fonts
        loaded (a cold render takes several times longer). Nothing is printed."""
        sample = {
            "id": "warm-up",
            "number": "0000",
            "service": {"id": "x", "name": "Lĩnh vực"},
            "issued_at": "2026-01-01T00:00:00Z",
        }
        try:
            self.render(sample)
        except (ValueError, OSError) as err:
            logger.warning("ticket layout problem: %s", err)

    def _ticket_layout(self) -> TicketLayout:
        if self._layout is None:
            self._layout = ticket_layout(self.settings.ticket, self.printer.paper_dots)
        return self._layout
