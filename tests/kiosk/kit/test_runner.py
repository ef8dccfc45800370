"""The agents' one runner: signals stop the agent, a configuration error is exit 2 with
one line, the firewall logs bad data without a traceback and a bug with one, and the
agent keeps running."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from config import kiosk
from config.errors import ConfigError, ConfigProblem
from config.kiosk import KioskSettings
from hardware.errors import DeviceTimeout, DeviceUnavailable
from kiosk.kit.hub_client import HubUnreachable
from kiosk.kit.runner import (
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_START,
    AgentCommand,
    Firewall,
    configure_logging,
    run,
)

GOOD = '[kiosk]\nhub_url = "http://h"\ntoken = "t"\nprinter = { kind = "fake" }\n'


class FakeAgent:
    """Records its life; ``on_start`` runs when it is started."""

    def __init__(self, on_start: Any = None) -> None:
        self.events: list[str] = []
        self.on_start = on_start

    def start(self) -> None:
        self.events.append("start")
        if self.on_start is not None:
            self.on_start()

    def stop(self) -> None:
        self.events.append("stop")


def args_for(path: Path, *, check: bool = False) -> argparse.Namespace:
    return argparse.Namespace(config=str(path), check=check, verbose=False)


def command(agent: FakeAgent, **kwargs: Any) -> AgentCommand[Any]:
    return AgentCommand(
        name="kiosk",
        section="kiosk",
        help="a kiosk",
        build=lambda s, p: agent,
        schema=KioskSettings,
        paths=kiosk.PATHS,
        **kwargs,
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pi.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_agent_and_exits_0(tmp_path, sig) -> None:
    """GIVEN an agent running under the runner WHEN the process gets SIGTERM or SIGINT
    THEN the agent is stopped, the status is 0 and the former handlers are back."""
    before = signal.getsignal(sig)

    def send_signal() -> None:
        threading.Timer(0.1, os.kill, (os.getpid(), sig)).start()

    agent = FakeAgent(on_start=send_signal)
    status = run(args_for(write(tmp_path, GOOD)), command(agent))
    assert status == EXIT_OK and agent.events == ["start", "stop"]
    assert signal.getsignal(sig) is before


def test_a_configuration_error_is_exit_2_with_one_line(tmp_path, capsys) -> None:
    """GIVEN a section with one mistake WHEN the runner starts THEN status 2, exactly one
    line on stderr naming the file and the key, no traceback, nothing started."""
    path = write(tmp_path, GOOD.replace('"fake"', '"laser"'))
    agent = FakeAgent()
    assert run(args_for(path), command(agent)) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: kiosk.printer.kind: " in err
    assert "Traceback" not in err and agent.events == []


def test_no_configuration_at_all_is_exit_2(capsys, monkeypatch) -> None:
    monkeypatch.delenv("MOTCUA_CONFIG", raising=False)
    args = argparse.Namespace(config=None, check=False, verbose=False)
    assert run(args, command(FakeAgent())) == EXIT_CONFIG
    assert "no configuration" in capsys.readouterr().err


def test_check_says_the_section_is_valid(tmp_path, capsys) -> None:
    agent = FakeAgent()
    cmd = command(agent, summary=lambda settings: f"printer {settings.printer.kind}")
    path = write(tmp_path, GOOD)
    assert run(args_for(path, check=True), cmd) == EXIT_OK
    assert capsys.readouterr().out == f"{path}: [kiosk] is valid (printer fake)\n"
    assert agent.events == []


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (DeviceUnavailable("GPIO17 is busy"), EXIT_START),
        (HubUnreachable("GET /devices/me: ConnectTimeout"), EXIT_START),
        (ConfigError("pi.toml", [ConfigProblem("kiosk.token_file", "is empty")]), EXIT_CONFIG),
    ],
)
def test_a_start_failure_is_one_line(tmp_path, capsys, error, status) -> None:
    """GIVEN a device, the hub or a token file that cannot be used when the agent is
    built WHEN the runner starts THEN one line on stderr and status 1 (2 for the file)."""

    def build(settings: Any, path: Path) -> FakeAgent:
        raise error

    cmd: AgentCommand[Any] = AgentCommand(
        name="kiosk", section="kiosk", help="", build=build, schema=KioskSettings
    )
    assert run(args_for(write(tmp_path, GOOD)), cmd) == status
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(error).splitlines()[0] in err and "Traceback" not in err


def test_log_lines_are_plain_and_name_the_agent(capsys) -> None:
    """GIVEN the runner's logging WHEN the agent logs THEN one plain line on stderr per
    event, naming the agent, with no colour codes."""
    configure_logging("rating-pad")
    logging.getLogger("kiosk.rating_pad.loop").info("counter %s listening", "1")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err
    assert "INFO rating-pad kiosk.rating_pad.loop: counter 1 listening" in err


def test_firewall_logs_bad_data_in_one_line_and_goes_on(caplog) -> None:
    """GIVEN device calls that fail with known errors WHEN made through the firewall
    THEN each is one error line without a traceback, the caller goes on, and the
    device's health follows (timeout, offline, ok again)."""
    firewall = Firewall(logging.getLogger("kiosk.test"))
    done: list[str] = []
    with caplog.at_level(logging.INFO):
        for error in (DeviceTimeout("no ACK"), ValueError("10 digits"), HubUnreachable("down")):

            def fail(error: Exception = error) -> None:
                raise error

            assert firewall.call("LED board show", fail, device="led_board") is False
            done.append(firewall.health("led_board"))
        assert firewall.call("LED board show", lambda: None, device="led_board") is True
    assert done == ["timeout", "offline", "offline"]
    assert firewall.health("led_board") == "ok" and firewall.health("printer") == "ok"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        "LED board show failed: no ACK",
        "LED board show failed: 10 digits",
        "LED board show failed: down",
    ]
    assert all(r.exc_info is None for r in errors)


def test_firewall_logs_a_bug_with_its_traceback_and_goes_on(caplog) -> None:
    """GIVEN a loop step with a bug WHEN it runs behind the firewall THEN the error is
    logged with its traceback, the device's health is left as it was, and the loop
    goes on to its next step."""
    firewall = Firewall(logging.getLogger("kiosk.test"))
    steps: list[int] = []
    with caplog.at_level(logging.INFO):
        for step in range(3):
            with firewall.guard(f"step {step}", device="printer"):
                if step == 1:
                    {}["missing"]  # noqa: B018 - the bug under test
                steps.append(step)
    assert steps == [0, 2] and firewall.health("printer") == "ok"
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage() == "step 1 failed unexpectedly"
    assert record.exc_info is not None and record.exc_info[0] is KeyError
