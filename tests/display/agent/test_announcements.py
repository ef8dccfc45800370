"""What the display agent renders itself: its section's voice settings and the call's
counter name (no hub needed with ``audio_source = "local"``)."""

from __future__ import annotations

from config.display_agent import DisplayAgentSettings
from display.agent.announcements import AnnouncementSource
from display.announcer import DEFAULT_CLIP_DIR, ClipSet, render_announcement


def test_local_rendering_spells_the_counter_and_says_bon() -> None:
    """GIVEN an agent that renders locally, south with four = "bon"
    WHEN a call of A024 to counter 3A arrives
    THEN it plays the built-in voice saying "a hai mươi bốn … quầy số ba a"."""
    settings = DisplayAgentSettings(
        hub_url="http://127.0.0.1:9", token="t", audio_source="local", region="south", four="bon"
    )
    source = AnnouncementSource(settings, hub=None)  # type: ignore[arg-type]
    call = {"seq": 7, "number": "A024", "counter": {"id": "3A", "name": "Quầy 3A"}}
    expected = render_announcement(
        "Xin mời công dân có số a hai mươi bốn đến quầy số ba a", ClipSet.load(DEFAULT_CLIP_DIR)
    )
    assert source.wav(call) == expected


def test_local_rendering_drops_so_before_a_name() -> None:
    """GIVEN a local agent WHEN a call to the counter "quay-ba" named "Ba" arrives (an id
    that is not a code: said by its name) THEN "… đến quầy ba", without "số"."""
    settings = DisplayAgentSettings(
        hub_url="http://127.0.0.1:9", token="t", audio_source="local", chime=False,
        template="Số {number} đến quầy số {counter}",
    )  # fmt: skip
    source = AnnouncementSource(settings, hub=None)  # type: ignore[arg-type]
    call = {"seq": 8, "number": "5", "counter": {"id": "quay-ba", "name": "Ba"}}
    expected = render_announcement(
        "Số năm đến quầy ba", ClipSet.load(DEFAULT_CLIP_DIR), chime=False
    )
    assert source.wav(call) == expected
