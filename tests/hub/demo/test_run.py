"""``motcua demo``: a healthy centre on the production server, moving by itself with
``--simulate``, and its throw-away folder gone after Ctrl+C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(check, timeout_s: float):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            found = check()
        except requests.RequestException:
            found = None
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"not within {timeout_s} s")


def test_simulated_demo_moves_by_itself_and_every_device_is_green(tmp_path: Path) -> None:
    """GIVEN `motcua demo --simulate` WHEN it runs a few seconds THEN tickets are issued,
    counters open and call numbers by themselves, every device the demo registered has
    reported in (none never seen), and Ctrl+C ends it with exit 0 and removes its
    throw-away data folder."""
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    demo = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", "demo", "--port", str(port), "--simulate"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )  # fmt: skip
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        _wait(lambda: requests.get(f"{api}/services", timeout=2).ok, 60)
        calls = _wait(
            lambda: [
                c for c in requests.get(f"{api}/counters", timeout=2).json() if c.get("current")
            ],  # fmt: skip
            40,
        )
        assert calls, "no counter called a number"
        token = requests.post(
            f"{api}/auth/login",
            json={"username": "admin", "password": "demo-admin-2026"},
            timeout=5,
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        devices = _wait(
            lambda: (
                (d := requests.get(f"{api}/admin/devices", headers=auth, timeout=5).json())
                and all(x["health"] == "online" for x in d)
                and d
            ),
            40,
        )
        assert {d["kind"] for d in devices} >= {"kiosk", "rating-pad", "display", "counter-keypad"}
        folders = list(tmp_path.glob("motcua-demo-*"))
        assert len(folders) == 1
    finally:
        demo.send_signal(signal.SIGINT)
        out, _ = demo.communicate(timeout=60)
    assert demo.returncode == 0, out[-3000:]
    assert not list(tmp_path.glob("motcua-demo-*")), "the throw-away folder is still there"
    assert "Traceback" not in out, out[-3000:]
