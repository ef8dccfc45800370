"""The demo's fake-hardware agents, in a process of their own.

``python -m hub.demo.agents JOB.json`` reads the job (the demo hub's URL, the device
tokens, the data folder, the demo accounts) from a JSON file, starts
every agent registered under the entry-point group ``motcua.demo`` — each a
``start(*, config, hub_url, tokens, data_dir, stop, accounts) -> list[str]`` —
prints the lines they return, and stops them on SIGTERM or SIGINT.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from config.schema import load_config
from hub.cli import setup_logging
from hub.demo.simulate import Simulation

logger = logging.getLogger(__name__)

#: Entry-point group of the demo's fake-hardware agents.
DEMO_GROUP = "motcua.demo"


def start_all(job: dict[str, Any], stop: threading.Event) -> list[str]:
    """Start each registered agent; returns the lines they print."""
    config = load_config(job["config"])
    lines: list[str] = []
    for part in sorted(entry_points(group=DEMO_GROUP), key=lambda ep: ep.name):
        start = part.load()
        lines.extend(
            start(
                config=config,
                hub_url=job["hub_url"],
                tokens=job["tokens"],
                data_dir=Path(job["data_dir"]),
                stop=stop,
                accounts=tuple(tuple(a) for a in job["accounts"]),
            )
        )
    return lines


def main() -> int:
    setup_logging()
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    lines = start_all(job, stop)
    print("\n".join(["", "  Thiết bị giả lập (fake hardware):", *lines, ""]), flush=True)
    if job.get("simulate"):
        officers = [(u, p) for u, p, role, _ in job["accounts"] if role == "staff"]
        Simulation(
            load_config(job["config"]), job["hub_url"], job["tokens"]["kiosk-demo"], officers, stop
        ).start()
        print("  Mô phỏng: công dân đến lấy số, cán bộ gọi số (--simulate)", flush=True)
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
