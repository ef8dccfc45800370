"""The day's screens and rating pads on Socket.IO, in a process of their own.

Built on :mod:`bench.screens`' light WebSocket client:

- a **screen** is a registered ``display`` device: it joins ``/display``, notes
  every ``call`` (its ``seq``, number, counter and the ``CLOCK_MONOTONIC`` instant
  it arrived) and, for each call of a counter it shows (its zone of
  ``[[display.screens]]``, or every counter for a hall screen), sends
  ``ack {seq, kind: "shown", screen: <its device name>}`` with a Socket.IO
  acknowledgement id, as the contract asks, and notes the hub's answer;
- a **pad** is a ``rating-pad`` device: it joins ``/devices`` with its token and
  counts the ``rating_open`` and ``rating_close`` events of its counter.

Protocol (one line each, like :mod:`bench.screens`): a JSON spec on standard input
``{"port", "screens": {name: [counter…] | null}, "pads": {name: token}}``; the
process connects everything and prints ``ready``; ``count`` is answered with
``count {calls, receipts, acks_sent, acks_answered, pad_events, rating_open}``; ``dump`` (or the
end of standard input) with one JSON line of everything noted, and it ends.

Run by :class:`bench.day.fleet.SocketFleet`: ``python -m bench.day.sockets``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from bench.screens import CALL, EVENT, NAMESPACE, LightScreen, say, until_dump, ws_frame

ACK_ANSWER = b"43/display,"
DEVICES = "/devices"
CONNECT_BATCH = 10


@dataclass
class SocketLog:
    """Everything the screens and pads noted."""

    calls: dict[int, tuple[str, str, bool]] = field(default_factory=dict)
    """seq → (number, counter, recall), as the screens received it."""
    receipts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """screen → [(seq, t_ns)]."""
    acks: list[tuple[str, int, str, float]] = field(default_factory=list)
    """(screen, seq, "ok" or the error code, round trip ms)."""
    acks_sent: int = 0
    pad_events: Counter[str] = field(default_factory=Counter)
    """"pad event" → count."""

    def summary(self) -> str:
        receipts = sum(len(r) for r in self.receipts.values())
        counts = {
            "calls": len(self.calls),
            "receipts": receipts,
            "acks_sent": self.acks_sent,
            "acks_answered": len(self.acks),
            "pad_events": sum(self.pad_events.values()),
            "rating_open": sum(n for k, n in self.pad_events.items() if k.endswith(" rating_open")),
        }
        return "count " + json.dumps(counts)

    def dump(self) -> str:
        return json.dumps(
            {
                "calls": {str(k): v for k, v in self.calls.items()},
                "receipts": self.receipts,
                "acks": self.acks,
                "acks_sent": self.acks_sent,
                "pad_events": dict(self.pad_events),
            }
        )


class Device(LightScreen):
    """A named device of the day on its own socket; ``detail`` is what its kind needs."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        port: int,
        joined: asyncio.Future[None],
        name: str,
        log: SocketLog,
        detail: Any,
    ) -> None:
        self.name, self.log = name, log
        self.setup(detail)
        super().__init__(loop, port, None, joined)  # type: ignore[arg-type]

    def setup(self, detail: Any) -> None:
        """Before connecting: take the detail of this kind of device."""


class Screen(Device):
    """A display device's screen: notes each call, acknowledges the ones it shows."""

    def setup(self, detail: Any) -> None:
        """``detail``: ``{"shows": the counters it shows (None: all), "token": its
        display device's token}`` — only a registered screen's acks count."""
        shows = detail["shows"]
        self.shows = None if shows is None else set(shows)
        self.join = ws_frame(f"40{NAMESPACE}," + json.dumps({"token": detail["token"]}))
        self.pending: dict[int, tuple[int, int]] = {}
        self.next_id = 0
        self.log.receipts[self.name] = []

    def event(self, packet: bytes, t_ns: int) -> None:
        if not packet.startswith(CALL):
            return
        call = json.loads(packet[len(EVENT) :])[1]
        seq, counter = int(call["seq"]), str(call["counter"]["id"])
        self.log.calls.setdefault(seq, (call["number"], counter, bool(call["recall"])))
        self.log.receipts[self.name].append((seq, t_ns))
        if self.shows is None or counter in self.shows:
            self.next_id += 1
            self.pending[self.next_id] = (seq, time.monotonic_ns())
            ack = {"seq": seq, "kind": "shown", "screen": self.name}
            self._send(ws_frame(f"42/display,{self.next_id}" + json.dumps(["ack", ack])))
            self.log.acks_sent += 1

    def other(self, packet: bytes, t_ns: int) -> None:
        if not packet.startswith(ACK_ANSWER):
            return
        rest = packet[len(ACK_ANSWER) :]
        cut = rest.index(b"[")
        seq, t0 = self.pending.pop(int(rest[:cut]))
        answer = json.loads(rest[cut:])[0]
        error = answer.get("error") if isinstance(answer, dict) else None
        outcome = (
            "ok"
            if isinstance(answer, dict) and answer.get("ok") is True
            else str((error or {}).get("code", answer))
        )
        self.log.acks.append((self.name, seq, outcome, round((t_ns - t0) / 1e6, 3)))


class PadSocket(Device):
    """A rating pad's ``/devices`` connection: counts its counter's rating events."""

    events = f"42{DEVICES},".encode()
    connected = f"40{DEVICES},".encode()
    refused = f"44{DEVICES},".encode()

    def setup(self, detail: Any) -> None:
        """``detail``: the pad's device token."""
        self.join = ws_frame(f"40{DEVICES}," + json.dumps({"token": detail}))

    def event(self, packet: bytes, t_ns: int) -> None:
        name = json.loads(packet[len(self.events) :])[0]
        self.log.pad_events[f"{self.name} {name}"] += 1


async def run(spec: dict[str, Any]) -> SocketLog:
    loop = asyncio.get_running_loop()
    log = SocketLog()
    port = int(spec["port"])
    opened: list[LightScreen] = []

    async def connect(make: Any) -> None:
        joined: asyncio.Future[None] = loop.create_future()
        opened.append(make(joined))
        await asyncio.wait_for(joined, 30)

    makers = [
        (lambda j, kind=kind, n=name, d=detail: kind(loop, port, j, n, log, d))
        for kind, devices in ((Screen, spec["screens"]), (PadSocket, spec["pads"]))
        for name, detail in devices.items()
    ]
    for first in range(0, len(makers), CONNECT_BATCH):
        await asyncio.gather(*(connect(m) for m in makers[first : first + CONNECT_BATCH]))
    say("ready")
    await until_dump(loop, log.summary)
    for sock in opened:
        sock.close()
    return log


def main() -> int:
    spec = json.loads(cast(Any, sys.stdin.buffer).raw.readline())  # unbuffered: see until_dump
    log = asyncio.run(run(spec))
    say(log.dump())
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
