"""``motcua demo``'s display agent (:mod:`display.agent.demo`) against a live hub."""

from __future__ import annotations

import threading

from display.agent import demo as agent_demo
from tests.display.agent.rig import Rig, wait_for


def test_demo_agent_writes_each_announcement(live, tmp_path) -> None:
    """GIVEN `motcua demo`'s display agent started before its hub listens
    WHEN a counter calls THEN the announcement lands in <data_dir>/audio-out and the
    folder is in the banner; setting the demo's stop event ends the agent."""
    rig = Rig(live.app, live.url)
    stop = threading.Event()
    token = rig.hub.devices.add_device(agent_demo.DEVICE_NAME, "display", None)
    lines = agent_demo.start(
        config=rig.hub.config,
        hub_url=live.url,
        tokens={agent_demo.DEVICE_NAME: token},
        data_dir=tmp_path,
        stop=stop,
    )
    out = tmp_path / "audio-out"
    assert any(str(out) in line for line in lines)
    try:
        wait_for(
            lambda: rig.device_status(agent_demo.DEVICE_NAME).get("socket") == "connected",
            "the demo agent to connect",
        )
        rig.issue("dat-dai")
        rig.open("1")
        rig.call_next("1")
        # The file appears before its bytes are written: wait until it holds them.
        wav = wait_for(
            lambda: [p for p in sorted(out.glob("announce-*.wav")) if p.stat().st_size],
            "the WAV",
        )
        assert [p.read_bytes() for p in wav] == [rig.audio_of(rig.last_seq())]
    finally:
        stop.set()
    wait_for(
        lambda: not any(t.name.startswith("display-agent-") for t in threading.enumerate()),
        "the demo agent's threads to end",
    )
