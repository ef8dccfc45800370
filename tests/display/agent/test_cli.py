"""``motcua display-agent``: the command, its configuration, and SIGTERM (as systemd stops it)."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hub import cli
from tests.display.agent.rig import Rig, wait_for
from tests.support.paths import REPO


@pytest.fixture
def main():
    """``motcua``'s main, leaving the root logger as it found it (main configures logging
    with the test's captured stderr, which is closed after the test)."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield cli.main
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def write_config(folder: Path, body: str) -> Path:
    path = folder / "display-agent.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_check_accepts_a_valid_section(main, tmp_path, capsys) -> None:
    """GIVEN a file holding [display_agent] alone WHEN `display-agent --check`
    THEN it says the section is valid and exits 0."""
    path = write_config(tmp_path, '[display_agent]\nhub_url = "http://10.0.0.2:8080"\n'
                                  'token = "t"\naudio = "none"\n')  # fmt: skip
    assert main(["--config", str(path), "display-agent", "--check"]) == 0
    assert "[display_agent] is valid" in capsys.readouterr().out


def test_a_bad_section_exits_2_naming_file_and_key(main, tmp_path, capsys) -> None:
    """GIVEN a board with a misspelt key WHEN the agent starts
    THEN it exits 2 and the message names the file, the key and the right spelling."""
    path = write_config(
        tmp_path,
        '[display_agent]\nhub_url = "http://10.0.0.2:8080"\ntoken = "t"\n'
        '[[display_agent.boards]]\nport = "/dev/ttyUSB0"\naddress_map = { "1" = 1 }\n'
        "baudrat = 9600\n",
    )
    assert main(["--config", str(path), "display-agent"]) == 2
    assert f'{path}: display_agent.boards[0].baudrat: unknown key (did you mean "baudrate"?)' in (
        capsys.readouterr().err
    )


def test_sigterm_stops_the_running_agent_cleanly(tmp_path, live, pty_lines) -> None:
    """GIVEN `motcua display-agent` running against a live hub, its board on a pty and
    its token in a file next to the config
    WHEN it gets SIGTERM (systemd's stop)
    THEN it has reported its board "ok", and exits 0 after logging that it stopped."""
    rig = Rig(live.app, live.url)
    line = pty_lines("stx-etx")
    (tmp_path / "display.token").write_text(rig.screen_token + "\n", encoding="utf-8")
    path = write_config(
        tmp_path,
        f'[display_agent]\nhub_url = "{live.url}"\ntoken_file = "display.token"\n'
        f'screen = "sanh-pi"\naudio = "none"\n'
        f'[[display_agent.boards]]\nport = "{line.path}"\naddress_map = {{ "1" = 1 }}\n',
    )
    agent = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "--config", str(path), "display-agent"],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []

    def pump() -> None:
        assert agent.stderr is not None
        for text in agent.stderr:
            lines.put(text)

    pumping = threading.Thread(target=pump, daemon=True)
    pumping.start()
    try:

        def seen(text: str) -> bool:
            while not lines.empty():
                log.append(lines.get())
            return any(text in entry for entry in log)

        wait_for(lambda: seen("connected to"), "the agent to connect", timeout=20)
        wait_for(lambda: rig.device_status().get("boards") == {line.path: "ok"}, "its heartbeat")
        started = time.monotonic()
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=10) == 0
        print(f"display-agent stopped {time.monotonic() - started:.2f} s after SIGTERM")
        wait_for(lambda: seen("display agent stopped"), "the stop to be logged", timeout=2)
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
        pumping.join(timeout=2)
        if agent.stderr is not None:
            agent.stderr.close()
