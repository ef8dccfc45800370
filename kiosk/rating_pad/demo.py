"""The rating pads of ``motcua demo``: the real pad agent with fake buttons.

One agent serves every counter of the demo (a device token per counter, as
on a real multi-counter Pi). A small page on 127.0.0.1:8091 shows each
counter's buttons and LEDs: press a level there and the agent stores it in
its outbox and sends it, exactly as it would from GPIO. A «Phục vụ xong» button
per counter completes the number being served there, as the officer's console
would, so the rating has that ticket to belong to; it never issues a number
(the page: :mod:`kiosk.rating_pad.demo_page`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from config.rating_pad import LEVELS, PadCounter, RatingPadSettings
from config.schema import Config
from hardware.fakes import FakeButtonPanel, FakeIndicator
from kiosk.kit.hub_client import HubClient
from kiosk.kit.outbox import Outbox
from kiosk.kit.runner import stop_when
from kiosk.rating_pad.demo_page import PadPage
from kiosk.rating_pad.devices import CounterPad
from kiosk.rating_pad.loop import RatingPad

__all__ = ["DEMO_PORT", "start"]

logger = logging.getLogger(__name__)

DEMO_PORT = 8091


def start(
    *,
    config: Config,
    hub_url: str,
    tokens: dict[str, str],
    data_dir: Path,
    stop: threading.Event,
    accounts: Sequence[tuple[str, str, str, str]] = (),
    **_: Any,
) -> list[str]:
    """Start the demo pads and their page; returns the lines ``motcua demo`` prints.

    ``accounts`` are the demo's ``(username, password, role, name)``: the page's
    «Phục vụ xong» completes as the demo account that opened the counter.
    """
    base_url = hub_url
    counters = [c for c in config.counters if f"pad-demo-{c.id}" in tokens]
    settings = RatingPadSettings(
        hub_url=base_url,
        device="pad-demo",
        outbox=str(Path(data_dir) / "rating-pad.sqlite"),
        counters=tuple(
            PadCounter(counter=c.id, token=tokens[f"pad-demo-{c.id}"], buttons={"x": 0})
            for c in counters
        ),
        heartbeat_s=30,
    )
    pads = [
        CounterPad(
            counter=c.id,
            client=HubClient(base_url, tokens[f"pad-demo-{c.id}"]),
            panel=FakeButtonPanel(LEVELS),
            leds={lv: FakeIndicator() for lv in LEVELS},
        )
        for c in counters
    ]
    agent = RatingPad(settings, pads, Outbox(settings.outbox, settings.device_name))
    agent.start()
    officers = [(user, password, name) for user, password, role, name in accounts
                if role in ("staff", "admin")]  # fmt: skip
    page = PadPage(config, agent, base_url, officers)
    try:
        server = make_server("127.0.0.1", DEMO_PORT, page, threaded=True)
    except (OSError, SystemExit):  # Werkzeug exits on a taken port; the demo must not
        logger.warning("port %d is taken; the demo rating pad page uses another one", DEMO_PORT)
        server = make_server("127.0.0.1", 0, page, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="pad-demo-page", daemon=True)
    thread.start()

    stop_when(stop, "pad-demo-stop", server.shutdown, agent.stop)
    return [f"  Nút đánh giá (rating pads)    http://127.0.0.1:{server.server_port}/"]
