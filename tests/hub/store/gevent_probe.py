"""Run under gevent (a process of its own): how long the event loop stalls while the
hub's SQLite engine waits for another process's write lock, and while it scans.

``python -m tests.hub.store.gevent_probe DB`` prints one JSON line:
``{"lock_wait_s": …, "lock_gap_ms": …, "scan_gap_ms": …, "inline_scan_gap_ms": …}``.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
from sqlalchemy import text  # noqa: E402

from hub.store.db import make_engine, read, write  # noqa: E402

SCAN = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500000) "
SCAN += "SELECT count(*) FROM n"


def largest_gap_ms(work) -> tuple[float, float]:
    """Run ``work`` in a greenlet while another ticks every 5 ms; (work's seconds, the
    largest gap between ticks in ms)."""
    ticks: list[float] = []
    done = False

    def tick() -> None:
        while not done:
            ticks.append(time.monotonic())
            gevent.sleep(0.005)

    ticker = gevent.spawn(tick)
    gevent.sleep(0.02)
    started = time.monotonic()
    gevent.spawn(work).join()
    took = time.monotonic() - started
    done = True
    ticker.join()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    return took, max(gaps) * 1000


def main() -> None:
    path = sys.argv[1]
    engine = make_engine(f"sqlite:///{path}")
    with write(engine) as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))

    # Another process holds the write lock for 0.6 s (a backup, a second hub).
    holder = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = gevent.get_hub().threadpool.spawn(lambda: (time.sleep(0.6), holder.rollback()))

    def insert() -> None:
        with write(engine) as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))

    lock_wait_s, lock_gap_ms = largest_gap_ms(insert)
    release.get()

    def scan() -> None:
        with read(engine, scan=True) as conn:
            conn.execute(text(SCAN)).scalar_one()

    def inline_scan() -> None:
        with read(engine) as conn:
            conn.execute(text(SCAN)).scalar_one()

    _, scan_gap_ms = largest_gap_ms(scan)
    _, inline_scan_gap_ms = largest_gap_ms(inline_scan)
    print(
        json.dumps(
            {
                "lock_wait_s": round(lock_wait_s, 3),
                "lock_gap_ms": round(lock_gap_ms, 1),
                "scan_gap_ms": round(scan_gap_ms, 1),
                "inline_scan_gap_ms": round(inline_scan_gap_ms, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
