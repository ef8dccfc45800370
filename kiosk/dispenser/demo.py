"""The ticket kiosk of ``motcua demo``: the real agent with fake hardware.

The agent talks to the demo hub over HTTP with the ``kiosk-demo`` device token,
prints to a :class:`~hardware.fakes.FakeTicketPrinter` that writes each ticket
as a PNG into ``<data_dir>/tickets/``, has a fake button per field, and serves
the touch page on 127.0.0.1:8090 (another free port if that one is taken).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from config.kiosk import KioskSettings, PrinterSettings
from config.schema import Config
from hardware.fakes import FakeButtonPanel, FakeIndicator, FakeTicketPrinter
from kiosk.dispenser.loop import Dispenser
from kiosk.dispenser.site import SiteDefaults
from kiosk.dispenser.touch import TouchServer
from kiosk.kit.hub_client import HubClient
from kiosk.kit.runner import stop_when

__all__ = ["DEMO_PORT", "start"]

logger = logging.getLogger(__name__)

DEMO_PORT = 8090


def start(
    *,
    config: Config,
    hub_url: str,
    tokens: dict[str, str],
    data_dir: Path,
    stop: threading.Event,
    **_: Any,
) -> list[str]:
    """Start the demo kiosk; returns the lines ``motcua demo`` prints.

    The hub is not listening yet when this runs: the agent says "Đang kết nối…"
    and retries every second until it is.
    """
    out_dir = Path(data_dir) / "tickets"
    settings = KioskSettings(
        hub_url=hub_url,
        token=tokens["kiosk-demo"],
        listen=f"127.0.0.1:{DEMO_PORT}",
        printer=PrinterSettings(kind="fake", out_dir=str(out_dir)),
        refresh_s=5,
        retry_s=1,
    )
    services = [s.id for s in config.services]
    site = config.site
    agent = Dispenser(
        settings,
        client=HubClient(hub_url, settings.token or "", timeout_s=settings.hub_timeout_s),
        printer=FakeTicketPrinter(settings.printer.paper_mm, out_dir=out_dir),
        buttons=FakeButtonPanel(services),
        leds={service: FakeIndicator() for service in services},
        error_led=FakeIndicator(),
        site=SiteDefaults(name=site.name, timezone=site.timezone, public_url=site.public_url),
    )
    agent.start()
    try:
        server = TouchServer(agent, "127.0.0.1", DEMO_PORT)
    except OSError:
        logger.warning("port %d is taken; the demo kiosk page uses another one", DEMO_PORT)
        server = TouchServer(agent, "127.0.0.1", 0)
    server.start()

    stop_when(stop, "kiosk-demo-stop", server.stop, agent.stop)
    return [
        f"  Máy lấy số (kiosk touch page) {server.url}",
        f"  Phiếu đã in (PNG)             {out_dir}",
    ]
