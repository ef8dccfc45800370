"""The display agent against a live hub on 127.0.0.1, boards on pty pairs."""

from __future__ import annotations

from config.display_agent import BoardSettings, DisplayAgentSettings
from display.agent.devices import BoardLine
from hardware.fakes import FakeAudioOutput, FakeCounterDisplay
from tests.display.agent.rig import Rig, TimedAudio, agent_settings, wait_for

# The frames the boards must receive, written out by hand from the documented formats.
STX_CLEAR_1 = bytes.fromhex("02 30 31 43 03 41")  # STX "01" 'C' ETX xor
STX_SHOW_1_1001 = bytes.fromhex("02 30 31 4e 31 30 30 31 03 4c")  # STX "01" 'N' "1001" ETX xor
STX_SHOW_3_1002 = bytes.fromhex("02 30 33 4e 31 30 30 32 03 4d")
STX_CLEAR_3 = bytes.fromhex("02 30 33 43 03 43")
# Modbus slave 2, function 0x10, register 0, 2 registers, 4 bytes, text, CRC (low first).
MODBUS_CLEAR_2 = bytes.fromhex("02 10 00 00 00 02 04 20 20 20 20 ee f9")
MODBUS_SHOW_2_B001 = bytes.fromhex("02 10 00 00 00 02 04 42 30 30 31 3d 48")


def test_boards_both_framings_and_a_silent_board(live, pty_lines, agents) -> None:
    """GIVEN an agent with an STX/ETX line (counter 1), a Modbus line (counter 2) and a
    line whose board never answers (counter 3)
    WHEN the three counters call numbers over HTTP
    THEN boards 1 and 2 get exactly the documented frames, the silent board is retried
    and reported as "timeout" in the heartbeat, every call is spoken with the hub's WAV,
    and the hub records "shown" for the answered boards and "spoken" for all."""
    rig = Rig(live.app, live.url)
    stx, modbus = pty_lines("stx-etx"), pty_lines("modbus")
    silent = pty_lines("stx-etx", answer=False)
    boards = (
        BoardSettings(port=stx.path, address_map={"1": 1}),
        BoardSettings(port=modbus.path, framing="modbus", address_map={"2": 2}),
        BoardSettings(port=silent.path, address_map={"3": 3}, timeout_s=0.2),
    )
    audio = FakeAudioOutput()
    agent = agents(agent_settings(live.url, rig.screen_token, boards=boards), audio)
    wait_for(lambda: agent.status["socket"] == "connected", "the agent to connect")
    # The snapshot (nobody called yet) blanks every board.
    wait_for(lambda: all(line.received() for line in (stx, modbus, silent)), "blank boards")
    numbers = [rig.issue("dat-dai"), rig.issue("tu-phap"), rig.issue("dat-dai")]
    assert numbers == ["1001", "B001", "1002"]
    rig.open("1", "2", "3")
    calls = [rig.call_next(c)["number"] for c in ("1", "2", "3")]
    assert calls == numbers
    seqs = list(range(rig.last_seq() - 2, rig.last_seq() + 1))

    wait_for(lambda: len(audio.played) == 3, "three announcements")
    assert audio.played == [rig.audio_of(seq) for seq in seqs]
    wait_for(lambda: len(stx.received()) == 2 and len(modbus.received()) == 2, "both numbers")
    assert stx.received() == [STX_CLEAR_1, STX_SHOW_1_1001]
    assert modbus.received() == [MODBUS_CLEAR_2, MODBUS_SHOW_2_B001]
    wait_for(lambda: silent.received().count(STX_SHOW_3_1002) >= 2, "the silent board retried")
    assert set(silent.received()) == {STX_CLEAR_3, STX_SHOW_3_1002}

    def reported() -> dict[str, object]:
        status = rig.device_status()
        return status if status.get("board_timeouts", {}).get(silent.path, 0) >= 2 else {}

    status = wait_for(reported, "the heartbeat to report the silent board")
    assert status["boards"] == {stx.path: "ok", modbus.path: "ok", silent.path: "timeout"}
    assert status["audio"] == "ok" and status["socket"] == "connected"
    expected = {(seqs[0], "shown"), (seqs[1], "shown")} | {(s, "spoken") for s in seqs}
    wait_for(lambda: rig.acks() == expected, "the acknowledgements")


def test_quick_calls_are_said_in_order_without_overlap(live, agents) -> None:
    """GIVEN an agent that says each call twice, and takes time to play
    WHEN two counters call back to back
    THEN the loudspeaker plays call 1, call 1, call 2, call 2, never two at once."""
    rig = Rig(live.app, live.url)
    audio = TimedAudio(play_s=0.15)
    board = FakeCounterDisplay(["1", "2"])
    agent = agents(
        agent_settings(live.url, rig.screen_token, repeat=2),
        audio,
        [BoardLine("fake", board, ("1", "2"), 0.3)],
    )
    wait_for(lambda: agent.status["socket"] == "connected", "the agent to connect")
    rig.issue("dat-dai")
    rig.issue("tu-phap")
    rig.open("1", "2")
    rig.call_next("1")
    rig.call_next("2")
    first, second = rig.last_seq() - 1, rig.last_seq()
    wait_for(lambda: len(audio.spans) == 4, "four plays")
    one, two = rig.audio_of(first), rig.audio_of(second)
    assert audio.played == [one, one, two, two]
    ends, starts = [end for _, end in audio.spans[:-1]], [start for start, _ in audio.spans[1:]]
    assert all(end <= start for end, start in zip(ends, starts, strict=True))
    assert board.shown == {"1": "1001", "2": "B001"}
    wait_for(lambda: {(first, "spoken"), (second, "spoken")} <= rig.acks(), "spoken acks")


def test_reconnects_and_catches_up_missed_calls_once(app, clock, agents, live_server) -> None:
    """GIVEN an agent started while the hub is down, with recent_s = 60
    WHEN the hub comes up, a call is made, the hub crashes, two calls are made while it
    is down (one 5 minutes old by the hub's clock, one fresh), and the hub comes back
    THEN the agent connects by itself, reconnects after the crash, shows both missed
    numbers from the snapshot, says only the fresh missed call, exactly once, and goes on
    with live calls."""
    server = live_server(app, start=False)
    rig = Rig(app, server.url)
    audio = FakeAudioOutput()
    board = FakeCounterDisplay(["1", "2", "3"])
    agent = agents(
        agent_settings(server.url, rig.screen_token, recent_s=60),
        audio,
        [BoardLine("fake", board, ("1", "2", "3"), 0.3)],
    )
    try:
        clock.offset_s = -300  # everything until the outage happens 5 minutes ago
        for service in ("dat-dai", "dat-dai", "tu-phap", "dat-dai"):
            rig.issue(service)
        rig.open("1", "2", "3")
        server.start()
        wait_for(lambda: agent.status["socket"] == "connected", "the first connection")
        rig.call_next("1")  # 1001, live
        live_seq = rig.last_seq()
        wait_for(lambda: len(audio.played) == 1, "the live call said")

        server.crash()
        wait_for(lambda: agent.status["socket"] == "disconnected", "the agent to notice")
        rig.call_next("1", via_http=False)  # 1002, five minutes old
        old_seq = rig.last_seq()
        clock.offset_s = 0
        rig.call_next("2", via_http=False)  # B001, fresh
        fresh_seq = rig.last_seq()
        server.start()

        wait_for(lambda: (fresh_seq, "spoken") in rig.acks(), "the fresh missed call said")
        wait_for(lambda: board.shown == {"1": "1002", "2": "B001"}, "the snapshot's numbers")
        rig.call_next("3")  # 1003, live again
        after_seq = rig.last_seq()
        wait_for(lambda: (after_seq, "spoken") in rig.acks(), "the next live call said")
        assert audio.played == [rig.audio_of(s) for s in (live_seq, fresh_seq, after_seq)]
        assert board.shown == {"1": "1002", "2": "B001", "3": "1003"}
        assert (old_seq, "spoken") not in rig.acks()
        wait_for(lambda: {(old_seq, "shown"), (fresh_seq, "shown")} <= rig.acks(), "shown acks")
    finally:
        server.crash()


def test_local_rendering_and_audio_errors_in_the_heartbeat(live, agents) -> None:
    """GIVEN an agent that renders announcements itself with its own template
    WHEN the loudspeaker fails on the first call and works on the second
    THEN the heartbeat says "error" then "ok", and the WAV played is the local rendering
    of the agent's template (not the hub's)."""
    from display.announcer import DEFAULT_CLIP_DIR, ClipSet, call_phrase, render_announcement
    from hardware.errors import DeviceUnavailable

    rig = Rig(live.app, live.url)
    template = "Mời số {number} tới quầy {counter}"
    audio = FakeAudioOutput()
    audio.fail_with = DeviceUnavailable("no sound card", device="audio")
    settings = agent_settings(live.url, rig.screen_token, audio_source="local", template=template)
    agent = agents(settings, audio, [])
    wait_for(lambda: agent.status["socket"] == "connected", "the agent to connect")
    rig.issue("dat-dai")
    rig.issue("dat-dai")
    rig.open("1")
    rig.call_next("1")
    wait_for(lambda: rig.device_status().get("audio") == "error", "audio error reported")
    audio.fail_with = None
    rig.call_next("1")
    wait_for(lambda: rig.device_status().get("audio") == "ok", "audio ok reported")
    expected = render_announcement(
        call_phrase("1002", "1", template), ClipSet.load(DEFAULT_CLIP_DIR), chime=True
    )
    assert audio.played == [expected]
    assert audio.played != [rig.audio_of(rig.last_seq())]


def test_hub_hanging_up_is_followed_by_a_new_connection(live, agents) -> None:
    """GIVEN a connected agent
    WHEN the hub hangs up on it (python-socketio does not reconnect after that)
    THEN the agent connects again by itself and keeps following calls."""
    rig = Rig(live.app, live.url)
    audio = FakeAudioOutput()
    agent = agents(agent_settings(live.url, rig.screen_token), audio, [])
    wait_for(lambda: agent.status["socket"] == "connected", "the agent to connect")
    socketio = rig.hub.socketio
    sids = [sid for sid, _ in socketio.server.manager.get_participants("/display", None)]
    assert sids
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/display")
    wait_for(lambda: agent.status["socket"] == "disconnected", "the hang-up")
    wait_for(lambda: agent.status["socket"] == "connected", "a new connection")
    rig.issue("dat-dai")
    rig.open("1")
    rig.call_next("1")
    wait_for(lambda: len(audio.played) == 1, "the call said after the new connection")


def test_each_call_and_recall_is_said_twice_by_default(live, agents) -> None:
    """GIVEN an agent whose file does not set ``repeat``
    WHEN counter 1 calls a number, then recalls it
    THEN the loudspeaker says the call twice, then the recall twice (a recall is a call),
    and each is acknowledged spoken once."""
    default_repeat = DisplayAgentSettings(hub_url=live.url, token="t").repeat
    rig = Rig(live.app, live.url)
    audio = FakeAudioOutput()
    agent = agents(agent_settings(live.url, rig.screen_token, repeat=default_repeat), audio)
    wait_for(lambda: agent.status["socket"] == "connected", "the agent to connect")
    rig.issue("dat-dai")
    rig.open("1")
    rig.call_next("1")
    call = rig.last_seq()
    wait_for(lambda: len(audio.played) == 2, "the call said twice")
    rig.recall("1")
    recall = rig.last_seq()
    wait_for(lambda: len(audio.played) == 4, "the recall said twice")
    assert recall > call
    assert audio.played == [rig.audio_of(call)] * 2 + [rig.audio_of(recall)] * 2
    wait_for(lambda: {(call, "spoken"), (recall, "spoken")} <= rig.acks(), "spoken acks")
