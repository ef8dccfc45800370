"""The driver's side of :mod:`bench.day.sockets`: start it, ask its counts, take its log."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from bench.servers import REPO, tree_cpu

LINE_LIMIT = 1 << 28  # the final dump is one long line


class SocketFleet:
    """The screens' and pads' process; always ended by :meth:`close`."""

    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self.errors: list[str] = []
        self._counts: asyncio.Queue[dict[str, int]] = asyncio.Queue()
        self._dump: asyncio.Future[dict[str, Any]] | None = None
        self._ready: asyncio.Future[None] | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(
        self, port: int, screens: dict[str, dict[str, Any]], pads: dict[str, str]
    ) -> SocketFleet:
        loop = asyncio.get_running_loop()
        self._ready, self._dump = loop.create_future(), loop.create_future()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.day.sockets",
            cwd=REPO,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=LINE_LIMIT,
        )
        self._reader = asyncio.create_task(self._read())
        self._tell(json.dumps({"port": port, "screens": screens, "pads": pads}))
        await asyncio.wait_for(asyncio.shield(self._ready), 180)
        return self

    def _tell(self, line: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := (await self.proc.stdout.readline()).decode().strip():
            if line == "ready" and self._ready and not self._ready.done():
                self._ready.set_result(None)
            elif line.startswith("count "):
                self._counts.put_nowait(json.loads(line[6:]))
            elif line.startswith("{") and self._dump and not self._dump.done():
                self._dump.set_result(json.loads(line))
            else:
                self.errors.append(line)
        for future in (self._ready, self._dump):
            if future is not None and not future.done():
                future.set_exception(RuntimeError(f"the sockets' process ended: {self.errors}"))

    async def counts(self) -> dict[str, int]:
        """What the screens and pads received so far."""
        self._tell("count")
        return await asyncio.wait_for(self._counts.get(), 60)

    async def dump(self) -> dict[str, Any]:
        """Everything noted; the process ends."""
        assert self._dump is not None
        self._tell("dump")
        return await asyncio.wait_for(asyncio.shield(self._dump), 120)

    def cpu(self) -> dict[int, float]:
        return tree_cpu(self.proc.pid) if self.proc is not None else {}

    async def close(self) -> None:
        if self.proc is None:
            return
        if self.proc.returncode is None:
            if self.proc.stdin is not None and not self.proc.stdin.is_closing():
                self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
