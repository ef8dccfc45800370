"""Benchmark: the ticket kiosk — button press → last byte at the printer; memory; idle CPU.

1. **Press → print.** The real agent (:class:`kiosk.dispenser.Dispenser`) with a
   gpiozero mock pin as its button and a ``file`` printer whose path is a FIFO,
   against a hub in processes of its own on 127.0.0.1 (demo site, SQLite, the real
   ``POST /tickets``; the shipped ``motcua serve``, then the Werkzeug baseline, see
   :mod:`bench.servers`). Each sample runs from driving the pin low to the moment
   the job's last byte (the cut) comes out of the FIFO: hub round trip, ticket
   render, ESC/POS encoding and the write.
2. **Memory and idle CPU.** ``motcua kiosk`` as a process of its own (mock pins,
   a file printer, the touch page on), after 50 tickets through its local API:
   resident memory (``VmRSS``, peak ``VmHWM``) from ``/proc``, then CPU time
   over an idle period (heartbeats and field refreshes still run).
3. **The rating pad's memory.** ``motcua rating-pad`` as a process of its own (one
   counter, three buttons on mock pins, listening on ``/devices`` over WebSocket):
   its own thread presses a button 50 times (as a citizen would), the presses are
   sent to the hub, then ``VmRSS`` and ``VmHWM`` are read the same way.

Run: ``.venv/bin/python -m bench.bench_kiosk [--presses 200] [--idle-s 30]
[--servers shipped,werkzeug]``.
Writes ``bench/results/kiosk.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.servers import (
    REPO,
    SERVER_LABELS,
    SERVERS,
    Server,
    deployment,
    free_port,
    loadavg,
    percentile,
    ratio,
    seed,
)
from config.paths import EXAMPLES

RESULTS = Path(__file__).parent / "results" / "kiosk.json"


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update({"MOTCUA_DATA": str(data), "GPIOZERO_PIN_FACTORY": "mock", "PYTHONUNBUFFERED": "1"})
    return env


@contextmanager
def hub_process(server: str) -> Iterator[tuple[str, str, str]]:
    """A hub on the demo site (``server``: shipped or werkzeug, see :mod:`bench.servers`)
    in processes of its own, on fresh data; yields (url, kiosk token, counter 1's pad
    token)."""
    with deployment("sqlite", EXAMPLES / "demo.toml") as dep:
        tokens = seed(dep, devices=("kiosk-bench",), pads={"pad-bench": "1"})
        with Server(server, dep) as hub:
            yield hub.url, tokens["kiosk-bench"], tokens["pad-bench"]


class FifoPrinterEnd:
    """Reads what the kiosk writes into a FIFO; notes when each job's last byte arrives.

    A job ends with python-escpos's cut (feed, then ``GS V``); those bytes at the
    end of what arrived mark the ticket as fully sent.
    """

    def __init__(self, path: Path) -> None:
        from escpos.printer import Dummy

        os.mkfifo(path)
        self.path = path
        cut = Dummy()
        cut.cut()
        self.tail = cut.output
        self.done = threading.Event()
        self.last_byte_at = 0.0
        self._buffer = b""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        fd = os.open(self.path, os.O_RDONLY)  # waits for the printer to open its end
        try:
            while chunk := os.read(fd, 1 << 16):
                now = time.perf_counter()
                self._buffer = (self._buffer + chunk)[-64:]
                if self._buffer.endswith(self.tail):
                    self.last_byte_at = now
                    self.done.set()
        finally:
            os.close(fd)


def measure_latency(presses: int, server: str) -> dict[str, Any]:
    """Press → last byte, ``presses`` times (after 3 warm-up tickets)."""
    from gpiozero.pins.mock import MockFactory

    from config.kiosk import ButtonSettings, KioskSettings, PrinterSettings
    from hardware.buttons import GpioButtons
    from hardware.printer import EscposTicketPrinter
    from kiosk.dispenser.loop import Dispenser
    from kiosk.kit.hub_client import HubClient

    with (
        tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp,
        hub_process(server) as (url, token, _pad),
    ):
        fifo = FifoPrinterEnd(Path(tmp) / "printer.fifo")
        printer = EscposTicketPrinter.file(fifo.path, paper_mm=80)
        printer.open()
        pins = MockFactory()
        section = KioskSettings(
            hub_url=url,
            token=token,
            listen="",
            printer=PrinterSettings(kind="file", path=str(fifo.path)),
            buttons=(ButtonSettings(pin=17, service="dat-dai"),),
            debounce_ms=0,
        )
        agent = Dispenser(
            section,
            client=HubClient(url, token),
            printer=printer,
            buttons=GpioButtons({"dat-dai": 17}, debounce_ms=0, pin_factory=pins),
        )
        agent.start()
        deadline = time.monotonic() + 30
        while agent.snapshot()["state"] != "ready":
            if time.monotonic() > deadline:
                raise RuntimeError(f"kiosk not ready: {agent.snapshot()}")
            time.sleep(0.05)
        pin = pins.pin(17)
        samples: list[float] = []
        try:
            for i in range(presses + 3):
                fifo.done.clear()
                started = time.perf_counter()
                pin.drive_low()
                pin.drive_high()
                if not fifo.done.wait(30):
                    raise RuntimeError(f"press {i}: nothing printed")
                if i >= 3:
                    samples.append((fifo.last_byte_at - started) * 1000)
                # The next press must come after the agent finished this one (it
                # ignores presses made while it prints).
                while (agent.snapshot().get("current") or {}).get("phase") != "printed":
                    time.sleep(0.001)
        finally:
            agent.stop()
            pins.reset()
    samples.sort()
    return {
        "presses": presses,
        "p50_ms": round(statistics.median(samples), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "min_ms": round(samples[0], 2),
        "max_ms": round(samples[-1], 2),
    }


def _proc_status(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "Threads"):
            out[key] = int(value.split()[0])
    return out


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


COMMANDS = {
    "motcua kiosk": ["-m", "hub.cli", "--config", "{config}", "kiosk"],
    "python -m kiosk.dispenser": ["-m", "kiosk.dispenser", "--config", "{config}"],
}


def measure_process(command: str, idle_s: float, server: str, tickets: int = 50) -> dict[str, Any]:
    """RSS after ``tickets`` tickets, then CPU over ``idle_s`` seconds of idling."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-kiosk-") as tmp,
        hub_process(server) as (url, token, _pad),
    ):
        port = free_port()
        config = Path(tmp) / "kiosk.toml"
        config.write_text(
            f'[kiosk]\nhub_url = "{url}"\ntoken = "{token}"\nlisten = "127.0.0.1:{port}"\n'
            f'error_led = 5\nprinter = {{ kind = "file", path = "{tmp}/printer.bin" }}\n'
            '[[kiosk.buttons]]\npin = 17\nservice = "dat-dai"\nled = 27\n'
            '[[kiosk.buttons]]\npin = 22\nservice = "tu-phap"\nled = 23\n',
            "utf-8",
        )
        (Path(tmp) / "printer.bin").touch()
        args = [a.replace("{config}", str(config)) for a in COMMANDS[command]]
        proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO,
            env=_env(Path(tmp)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            touch = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{touch}/status", timeout=2).json()["state"] == "ready":
                        break
                except (requests.RequestException, ValueError):
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("motcua kiosk did not become ready")
                time.sleep(0.1)
            started = _proc_status(proc.pid)
            for i in range(tickets):
                service = ("dat-dai", "tu-phap")[i % 2]
                r = requests.post(f"{touch}/take", json={"service": service}, timeout=30)
                if r.status_code != 201:
                    raise RuntimeError(f"take failed: {r.status_code} {r.text}")
            time.sleep(1)
            busy = _proc_status(proc.pid)
            ticks0, t0 = _cpu_ticks(proc.pid), time.monotonic()
            time.sleep(idle_s)
            ticks1, t1 = _cpu_ticks(proc.pid), time.monotonic()
            idle = _proc_status(proc.pid)
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    hz = os.sysconf("SC_CLK_TCK")
    return {
        "command": command,
        "rss_started_mb": round(started["VmRSS"] / 1024, 1),
        "rss_after_tickets_mb": round(busy["VmRSS"] / 1024, 1),
        "rss_idle_mb": round(idle["VmRSS"] / 1024, 1),
        "rss_peak_mb": round(idle["VmHWM"] / 1024, 1),
        "threads": idle["Threads"],
        "tickets_before": tickets,
        "idle_s": idle_s,
        "idle_cpu_percent": round((ticks1 - ticks0) / hz / (t1 - t0) * 100, 3),
    }


# `motcua rating-pad` (the same command line as on a Pi), with a thread that presses the
# mock pins: GPIOZERO_PIN_FACTORY=mock makes every pin of the process a mock pin.
_PAD = r"""
import sys, threading, time
from pathlib import Path
def press(n):
    from gpiozero import Device
    ready = Path(sys.argv[2])
    while Device.pin_factory is None:
        time.sleep(0.05)
    time.sleep(2)  # the pad starts its loop and its socket
    pin = Device.pin_factory.pin(17)
    for _ in range(n):
        pin.drive_low(); time.sleep(0.02); pin.drive_high(); time.sleep(0.06)
    ready.write_text("pressed")
threading.Thread(target=press, args=(int(sys.argv[3]),), daemon=True).start()
from hub.cli import main
sys.exit(main(["--config", sys.argv[1], "rating-pad"]))
"""


def measure_pad_process(server: str, presses: int = 50) -> dict[str, Any]:
    """``motcua rating-pad``'s resident memory after ``presses`` presses sent to the hub."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-pad-") as tmp,
        hub_process(server) as (url, _token, pad),
    ):
        config = Path(tmp) / "pad.toml"
        config.write_text(
            f'[rating_pad]\nhub_url = "{url}"\noutbox = "{tmp}/pad.sqlite"\n'
            f'reason_s = 0.1\n[[rating_pad.counters]]\ncounter = "1"\ntoken = "{pad}"\n'
            "buttons = { very_satisfied = 17, satisfied = 27, unsatisfied = 22 }\n"
            "leds = { very_satisfied = 5, satisfied = 6, unsatisfied = 13 }\n",
            "utf-8",
        )
        marker = Path(tmp) / "pressed"
        proc = subprocess.Popen(
            [sys.executable, "-c", _PAD, str(config), str(marker), str(presses)],
            cwd=REPO,
            env=_env(Path(tmp)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 90
            while not marker.exists():
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("motcua rating-pad did not press")
                time.sleep(0.1)
            time.sleep(3)  # the sender delivers the outbox
            status = _proc_status(proc.pid)
            with closing(sqlite3.connect(Path(tmp) / "pad.sqlite")) as db:
                waiting = db.execute("SELECT count(*) FROM presses").fetchone()[0]
            if waiting:
                raise RuntimeError(f"{waiting} presses never reached the hub")
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    return {
        "command": "motcua rating-pad",
        "rss_after_presses_mb": round(status["VmRSS"] / 1024, 1),
        "rss_peak_mb": round(status["VmHWM"] / 1024, 1),
        "threads": status["Threads"],
        "presses_delivered": presses,
    }


def main(argv: list[str] | None = None) -> int:
    """Run both parts, print the figures and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--idle-s", type=float, default=30.0)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--servers",
        default=",".join(SERVERS),
        help="hub servers to press against, in turn (the first also serves the memory part)",
    )
    args = parser.parse_args(argv)
    servers = [s for s in args.servers.split(",") if s]
    latency: dict[str, Any] = {}
    for server in servers:
        load = loadavg()
        latency[server] = {
            "hub_server": SERVER_LABELS[server],
            **measure_latency(args.presses, server),
            "load_average_before": load,
            "load_average_after": loadavg(),
        }
        f = latency[server]
        print(
            f"press → last byte ({f['presses']} presses, hub: {f['hub_server']}): "
            f"p50 {f['p50_ms']} ms, p99 {f['p99_ms']} ms, max {f['max_ms']} ms; "
            f"load {load[0]}→{f['load_average_after'][0]}",
            flush=True,
        )
    if {"shipped", "werkzeug"} <= latency.keys():
        latency["shipped_over_werkzeug"] = {
            key: ratio(latency["shipped"][key], latency["werkzeug"][key])
            for key in ("p50_ms", "p99_ms", "max_ms")
        }
        print(f"shipped / werkzeug: {latency['shipped_over_werkzeug']}")
    load_before = loadavg()
    processes = [measure_process(command, args.idle_s, servers[0]) for command in COMMANDS]
    pad = measure_pad_process(servers[0])
    result = {
        "benchmark": "kiosk",
        "description": "GPIO press → last byte at a file printer (FIFO), hub in processes of "
        "its own (each server in turn); `motcua kiosk` memory and idle CPU",
        "press_to_print": latency,
        "processes": processes,
        "rating_pad": pad,
        "targets": {"press_to_print_ms": 60, "rss_mb": 60, "idle_cpu_percent": 0},
        "environment": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            # Other work on the machine inflates the tails; recorded to judge a run.
            "load_average_before_processes": load_before,
            "load_average_after": loadavg(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for process in processes:
        print(
            f"{process['command']}: RSS {process['rss_idle_mb']} MB "
            f"(peak {process['rss_peak_mb']} MB) after {process['tickets_before']} tickets; "
            f"idle CPU {process['idle_cpu_percent']} % over {process['idle_s']:.0f} s; "
            f"{process['threads']} threads"
        )
    print(
        f"{pad['command']}: RSS {pad['rss_after_presses_mb']} MB (peak {pad['rss_peak_mb']} MB) "
        f"after {pad['presses_delivered']} presses; {pad['threads']} threads"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"load average before {load_before}, after {result['environment']['load_average_after']}")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
