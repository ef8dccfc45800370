"""What the display agent says for a call: the hub's WAV, else one rendered here.

:class:`AnnouncementSource` gives the loudspeaker
(:class:`display.agent.devices.Speaker`) the WAV of each call, as
``[display_agent] audio_source`` asks.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from config.display_agent import DisplayAgentSettings
from display.announcer import (
    DEFAULT_CLIP_DIR,
    AnnouncerError,
    ClipSet,
    render_announcement,
    spoken_call,
)
from kiosk.kit.hub_client import HubClient, HubUnreachable

__all__ = ["AnnouncementSource", "fetch_call_audio"]

logger = logging.getLogger(__name__)


def fetch_call_audio(hub: HubClient, seq: int, timeout_s: float) -> bytes | None:
    """The hub's WAV of call ``seq`` (``GET /display/audio/<seq>.wav``), or None."""
    try:
        answer = hub.fetch("GET", f"/display/audio/{seq}.wav", timeout_s=timeout_s)
    except HubUnreachable as err:
        logger.info("no audio from the hub for call %s: %s", seq, err)
        return None
    if answer.status == 200 and answer.body[:4] == b"RIFF":
        return answer.body
    logger.info("no audio from the hub for call %s: HTTP %s", seq, answer.status)
    return None


class AnnouncementSource:
    """The WAV of a call as the settings ask: the hub's (``audio_source = "hub"``,
    so the centre's clips and template are used), else rendered here with
    :mod:`display.announcer` from this section's template, region and clips.

    Args:
        settings: The ``[display_agent]`` section.
        hub: The agent's client of the hub (its address and certificate check).
    """

    def __init__(self, settings: DisplayAgentSettings, hub: HubClient) -> None:
        self.settings = settings
        self.hub = hub
        self._clips: Any = None

    def wav(self, call: dict[str, Any]) -> bytes | None:
        """The announcement of ``call`` (a ``/display`` ``call`` payload), or None (logged)."""
        settings = self.settings
        if settings.audio_source == "hub":
            timeout = min(settings.hub_timeout_s, 3.0)
            data = fetch_call_audio(self.hub, call["seq"], timeout)
            if data is not None:
                return data
        try:
            if self._clips is None:
                folder = Path(settings.clip_dir) if settings.clip_dir else DEFAULT_CLIP_DIR
                self._clips = ClipSet.load(folder)
            number, counter_id = str(call["number"]), str(call["counter"]["id"])
            name = call["counter"].get("name")
            words = spoken_call(
                settings, number, counter_id, name if isinstance(name, str) else None
            )
            return render_announcement(words, self._clips, chime=settings.chime)
        except (AnnouncerError, ValueError, OSError, KeyError, TypeError) as err:
            logger.error("cannot render the announcement of call %s: %s", call.get("seq"), err)
            return None
