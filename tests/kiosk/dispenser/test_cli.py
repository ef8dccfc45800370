"""The kiosk's command: ``motcua kiosk --check``, ``python -m kiosk.dispenser`` as the
process systemd runs, and what that process imports."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.kiosk.dispenser.support import GOOD_FILE, hub_tickets, wait_until, write_config
from tests.support.escpos_decode import decode_tickets
from tests.support.paths import REPO


def test_the_kiosk_process_serves_prints_and_stops(live, hub, token, tmp_path) -> None:
    """GIVEN a config file for a kiosk with GPIO buttons (mock pins) and a file printer
    WHEN `python -m kiosk.dispenser --config …` runs, takes a ticket through its touch
    API and gets SIGTERM
    THEN the ticket is the hub's and is in the file, and the process exits with 0."""
    import signal

    import requests

    from tests.support.live import free_port

    port = free_port()
    spool = tmp_path / "printer.bin"
    spool.touch()
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nhub_url = "{live.url}"\ntoken = "{token}"\nlisten = "127.0.0.1:{port}"\n'
        f'printer = {{ kind = "file", path = "{spool}" }}\n'
        '[[kiosk.buttons]]\npin = 17\nservice = "dat-dai"\nled = 27\n',
        "utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env["GPIOZERO_PIN_FACTORY"] = "mock"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.dispenser", "--config", str(config)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def ready() -> bool:
            try:
                status = requests.get(f"http://127.0.0.1:{port}/status", timeout=2).json()
            except requests.RequestException:
                return False
            return status["state"] == "ready"

        wait_until(ready, timeout=30, what="the kiosk process")
        r = requests.post(f"http://127.0.0.1:{port}/take", json={"service": "dat-dai"}, timeout=30)
        assert r.status_code == 201 and r.json()["number"] == "1001"
        assert decode_tickets(spool.read_bytes())[0].width == 576
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert [t.number for t in hub_tickets(hub)] == ["1001"]


def test_motcua_kiosk_check(tmp_path, capsys) -> None:
    """GIVEN `motcua kiosk --check` WHEN the section is valid THEN exit 0; WHEN it is not,
    THEN exit 2 with one message naming the key, never a traceback."""
    import argparse

    from kiosk.dispenser.cli import add_command, run_kiosk

    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    add_command(parser.add_subparsers(dest="command"))
    good = write_config(tmp_path, GOOD_FILE)
    args = parser.parse_args(["--config", str(good), "kiosk", "--check"])
    assert args.func is run_kiosk and run_kiosk(args) == 0
    assert "[kiosk] is valid" in capsys.readouterr().out

    from hub.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text('[kiosk]\nhub_url = "http://h"\ntoken = "t"\nprinter = { kind = "laser" }\n')
    assert main(["--config", str(bad), "kiosk", "--check"]) == 2
    err = capsys.readouterr().err
    assert "kiosk.printer.kind" in err and "Traceback" not in err


def test_the_kiosk_loads_neither_flask_nor_the_hub_without_a_touch_page(tmp_path) -> None:
    """GIVEN a kiosk without a touch page (listen = "") WHEN its command and agent are
    loaded and built, as `python -m kiosk.dispenser` does THEN neither Flask nor any
    module of the hub is imported (memory on a Pi)."""
    path = write_config(
        tmp_path,
        '[kiosk]\nhub_url = "http://127.0.0.1:9"\ntoken = "t"\nlisten = ""\n'
        'printer = { kind = "fake" }\n',
    )
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from kiosk.dispenser.cli import KIOSK\n"
        f"process = KIOSK.build(KIOSK.load(Path({str(path)!r})), Path({str(path)!r}))\n"
        "process.stop()\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'hub'))\n"
        "print(loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
