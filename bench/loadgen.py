"""Keep-alive HTTP clients at full speed, in a process of their own (asyncio, raw HTTP/1.1).

Each client is one connection sending the same kind of request again and again
(cycling through its bodies), each as soon as the previous answer arrived. The
process costs a few tens of microseconds of CPU per request, so a benchmark
measures the server, not its clients; :class:`LoadGen` starts it, and its CPU
is read from ``/proc`` beside the server's.

Talks on its standard streams, one line each: it reads a JSON spec, connects
every client and says ``ready``; on ``go`` it runs until ``seconds`` passed,
every client heard a ``stop_status`` answer, or it reads ``stop``; then it
prints its figures as one JSON line and ends.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench.rawhttp import encode_request, read_response
from bench.servers import HOST, REPO, tree_cpu


@dataclass(frozen=True)
class ClientSpec:
    """One connection's requests: ``method path`` with each body in turn."""

    method: str
    path: str
    token: str | None = None
    bodies: tuple[Any, ...] = (None,)

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "token": self.token,
            "bodies": list(self.bodies),
        }


class LoadGen:
    """The load generator's process, driven from a benchmark.

    Args:
        port: the server's port on 127.0.0.1.
        clients: one spec per connection.
        seconds: the longest run after :meth:`go`.
        stop_status: a client stops when it gets one of these (call-next's 204).
        connect_gap_s: open the connections one by one, this long apart (with several
            server processes racing to accept, a burst may all go to one of them).
    """

    def __init__(
        self,
        port: int,
        clients: list[ClientSpec],
        seconds: float,
        stop_status: tuple[int, ...] = (204,),
        connect_gap_s: float = 0.0,
    ) -> None:
        spec = {
            "host": HOST,
            "port": port,
            "seconds": seconds,
            "stop_status": list(stop_status),
            "connect_gap_s": connect_gap_s,
            "clients": [c.as_json() for c in clients],
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.loadgen"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(spec) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().strip()
        if line != "ready":
            self.proc.kill()
            raise RuntimeError(f"the load generator did not connect: {line!r}")

    def cpu(self) -> dict[int, float]:
        return tree_cpu(self.proc.pid)

    def _say(self, word: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(word + "\n")
        self.proc.stdin.flush()

    def go(self) -> None:
        self._say("go")

    def stop(self) -> None:
        self._say("stop")

    def result(self) -> dict[str, Any]:
        """Its figures once its run ended (see :func:`summary`); it lives on until
        :meth:`close`, so that its CPU can still be read."""
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the load generator ended without its figures")
        return dict(json.loads(line))

    def close(self) -> None:
        """End the process (it exits when its standard input closes)."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def __enter__(self) -> LoadGen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """Requests per second and latency of a load generator's figures."""
    from bench.servers import latency_summary

    ok = result["latencies_ms"]
    elapsed = result["elapsed_s"]
    return {
        "requests_ok": len(ok),
        "per_second": round(len(ok) / elapsed, 1) if elapsed else None,
        **latency_summary(ok),
        "elapsed_s": round(elapsed, 3),
        "statuses": result["statuses"],
        "errors": result["errors"],
    }


# ------------------------------------------------------------------ the process
class _Client:
    def __init__(self, host: str, port: int, spec: dict[str, Any]) -> None:
        self.host, self.port = host, port
        authority = f"{host}:{port}"
        self.requests = [
            encode_request(spec["method"], spec["path"], authority, token=spec["token"], body=b)
            for b in spec["bodies"]
        ]
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        # asyncio sets TCP_NODELAY on its TCP sockets.
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def run(
        self,
        until: float,
        stopping: asyncio.Event,
        stop_status: set[int],
        latencies: list[float],
        statuses: Counter[int],
        errors: Counter[str],
    ) -> None:
        i = 0
        while not stopping.is_set() and time.perf_counter() < until:
            request = self.requests[i % len(self.requests)]
            i += 1
            if self.writer is None:
                await self.connect()
            assert self.reader is not None and self.writer is not None
            started = time.perf_counter_ns()
            try:
                self.writer.write(request)
                status, body, close = await read_response(self.reader)
            except (OSError, asyncio.IncompleteReadError, ValueError) as err:
                errors[type(err).__name__] += 1
                self.writer.close()
                self.writer = None
                continue
            took_ms = (time.perf_counter_ns() - started) / 1e6
            statuses[status] += 1
            if 200 <= status < 300 and status not in stop_status:
                latencies.append(round(took_ms, 3))
            elif status not in stop_status:
                errors[f"{status} {body[:100].decode(errors='replace')}"] += 1
            if close:
                self.writer.close()
                self.writer = None
            if status in stop_status:
                return


def _lines(fd: int) -> Any:
    """Lines read from ``fd`` as they come (no buffering ahead of the event loop)."""
    pending = b""
    while True:
        while b"\n" not in pending:
            chunk = os.read(fd, 4096)
            if not chunk:
                return
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        yield line.decode().strip()


async def _main(spec: dict[str, Any]) -> dict[str, Any]:
    clients = [_Client(spec["host"], spec["port"], c) for c in spec["clients"]]
    if spec.get("connect_gap_s"):
        for c in clients:
            await c.connect()
            await asyncio.sleep(spec.get("connect_gap_s", 0.0))
    else:
        await asyncio.gather(*(c.connect() for c in clients))
    print("ready", flush=True)
    stdin = sys.stdin.fileno()
    if next(_lines(stdin), "") != "go":
        return {}
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def heard() -> None:
        data = os.read(stdin, 4096)
        if not data or b"stop" in data:
            stopping.set()
            loop.remove_reader(stdin)

    loop.add_reader(stdin, heard)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    started = time.perf_counter()
    cpu0 = time.process_time()
    until = started + float(spec["seconds"])
    stop_status = set(spec["stop_status"])
    await asyncio.gather(
        *(c.run(until, stopping, stop_status, latencies, statuses, errors) for c in clients)
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    for c in clients:
        if c.writer is not None:
            c.writer.close()
    return {
        "elapsed_s": elapsed,
        "latencies_ms": latencies,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": dict(errors),
        "self_cpu_s": round(cpu, 3),
    }


def main() -> int:
    spec = json.loads(sys.stdin.buffer.raw.readline())
    result = asyncio.run(_main(spec))
    print(json.dumps(result), flush=True)
    while os.read(sys.stdin.fileno(), 4096):  # live until told to end (CPU is read)
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
