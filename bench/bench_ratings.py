"""Satisfaction queries on years of ratings, with rollups and with a plain GROUP BY; ingest rate.

Generates ``--ratings`` ratings over ``--days`` days and ``--counters`` counters
(two officers per counter, one per day; three fields per counter), bulk-loads
them with their daily and monthly rollups and the daily queue figures, then
times, on SQLite and PostgreSQL:

* satisfaction by counter × month for a year, and by staff for a quarter, from
  the rollups (``StatsService`` plus a direct monthly-rollup query) and from a
  plain ``GROUP BY`` on the raw ``ratings`` table;
* batch ingest, ratings per second: forwarded ratings (``upstream.receive``,
  the bulk path) and pad presses (``RatingService.rate_batch``, each linked to a
  ticket, with flags and alerts) in batches of 500.

Run: ``python -m bench.bench_ratings --ratings 10000000`` (``--backend sqlite``
or ``postgresql``; ``MOTCUA_BENCH_POSTGRES_URL`` or ``--pg-url``). Results go to
``bench/results/ratings.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

logger = logging.getLogger("bench.ratings")

LEVELS = (("very_satisfied", 2.0, True), ("satisfied", 1.0, True), ("unsatisfied", 0.0, False))
SITE = "bench"
RESULTS = Path(__file__).parent / "results" / "ratings.json"


def bench_config(counters: int) -> Any:
    """A site with ``counters`` counters and 20 fields (names only matter for labels)."""
    from config.schema import parse_config

    services = [{"id": f"f{i:02d}", "name": f"Lĩnh vực {i}"} for i in range(20)]
    raw = {
        "site": {"id": SITE, "name": "Trung tâm thử tải"},
        "services": services,
        "counters": [
            {
                "id": str(c + 1),
                "name": f"Quầy {c + 1}",
                "services": [services[(c + k) % 20]["id"] for k in range(3)],
            }  # fmt: skip
            for c in range(counters)
        ],
    }
    return parse_config(raw, "<bench>")


def generate(n: int, days: int, counters: int, start: date, seed: int = 1) -> Any:
    """Yield rating rows (sorted by day) and fill the rollup and queue dicts."""
    rng = random.Random(seed)
    daily: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0.0])
    served: dict[tuple[Any, ...], int] = defaultdict(int)
    quality = [rng.uniform(0.75, 0.97) for _ in range(counters)]
    base = datetime.combine(start, datetime.min.time(), UTC)

    def rows() -> Any:
        for i in range(n):
            d = i * days // n
            c = rng.randrange(counters)
            staff = 1 + 2 * c + (d % 2)
            service = f"f{(c + rng.randrange(3)) % 20:02d}"
            x = rng.random()
            q = quality[c]
            k = 0 if x < q * 0.6 else (1 if x < q else 2)
            level, score, positive = LEVELS[k]
            at = base + timedelta(days=d, seconds=1800 + rng.randrange(32400))
            day = start + timedelta(days=d)
            acc = daily[(day, str(c + 1), staff, service, level)]
            acc[0] += 1
            acc[1] += score
            served[(day, str(c + 1), staff, service)] += 1
            yield (SITE, str(c + 1), staff, service, level, score, positive, at, day, at, "pad")

    return rows(), daily, served


COLUMNS = ("site_id", "counter_id", "staff_id", "service_id", "level", "score", "positive",
           "at", "day", "received_at", "channel")  # fmt: skip


def load(engine: Engine, n: int, days: int, counters: int, start: date) -> dict[str, float]:
    """Bulk-load ratings, rollups and queue figures; returns timings."""
    t0 = time.perf_counter()
    rows, daily, served = generate(n, days, counters, start)
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if dialect == "sqlite":
            cur.execute("PRAGMA synchronous=OFF")
            # motcua's engine runs pysqlite in autocommit mode (it issues BEGIN itself):
            # without this BEGIN every row would be its own transaction.
            cur.execute("BEGIN")
            sql = (f"INSERT INTO ratings ({', '.join(COLUMNS)}, flagged) "
                   f"VALUES ({', '.join('?' * len(COLUMNS))}, 0)")  # fmt: skip
            batch: list[tuple[Any, ...]] = []
            for r in rows:
                batch.append((*r[:7], r[7].replace(tzinfo=None).isoformat(" "), r[8].isoformat(),
                              r[9].replace(tzinfo=None).isoformat(" "), r[10]))  # fmt: skip
                if len(batch) >= 200_000:
                    cur.executemany(sql, batch)
                    batch.clear()
            cur.executemany(sql, batch)
            cur.execute("COMMIT")
            cur.execute("BEGIN")
        else:
            with cur.copy(f"COPY ratings ({', '.join(COLUMNS)}, flagged) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row((*r, False))
            raw.commit()
        t_ratings = time.perf_counter() - t0
        t1 = time.perf_counter()
        monthly: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0.0])
        for (day, c, staff, service, level), (k, s) in daily.items():
            acc = monthly[(day.replace(day=1), c, staff, service, level)]
            acc[0] += k
            acc[1] += s
        for table, period, sums in (("rating_rollups", "day", daily),
                                    ("rating_rollups_monthly", "month", monthly)):  # fmt: skip
            values = [(SITE, p, c, st, sv, lv, False, int(k), s)
                      for (p, c, st, sv, lv), (k, s) in sums.items()]  # fmt: skip
            cols = (
                f"site_id, {period}, counter_id, staff_id, service_id, level, flagged, n, score_sum"
            )
            _bulk(cur, dialect, table, cols, values)
        cube: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0.0])
        for (month, c, staff, service, level), (k, s) in monthly.items():
            for dim, key in (("counter", c), ("staff", str(staff)), ("service", service),
                             ("site", SITE)):  # fmt: skip
                acc = cube[(dim, month, SITE, key, level)]
                acc[0] += k
                acc[1] += s
        _bulk(
            cur,
            dialect,
            "rating_cube",
            "dim, month, site_id, key, level, flagged, n, score_sum",
            [(d, m, st, k, lv, False, int(n), sc) for (d, m, st, k, lv), (n, sc) in cube.items()],
        )
        served_cube: dict[tuple[Any, ...], int] = defaultdict(int)
        for (day, c, staff, service), k in served.items():
            for dim, key in (("counter", c), ("staff", str(staff)), ("service", service),
                             ("site", SITE)):  # fmt: skip
                served_cube[(dim, day.replace(day=1), SITE, key)] += k
        _bulk(cur, dialect, "served_cube", "dim, month, site_id, key, served",
              [(*key, k) for key, k in served_cube.items()])  # fmt: skip
        queue = [(SITE, day, c, st, sv, k + 2, k, 1, 1, k, 600.0 * k, k, 420.0 * k, k)
                 for (day, c, st, sv), k in served.items()]  # fmt: skip
        _bulk(cur, dialect, "queue_daily",
              "site_id, day, counter_id, staff_id, service_id, issued, done, no_show, cancelled, "
              "served, wait_sum, wait_n, service_sum, service_n", queue)  # fmt: skip
        marks = sorted({(SITE, day) for (day, *_rest) in served})
        _bulk(cur, dialect, "queue_days", "site_id, day, rolled_at, source",
              [(s, d, datetime.now(UTC), "bench") for s, d in marks])  # fmt: skip
        if dialect == "sqlite":
            cur.execute("COMMIT")
        raw.commit()
        t_rollups = time.perf_counter() - t1
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    return {
        "load_ratings_s": round(t_ratings, 1),
        "load_rollups_s": round(t_rollups, 1),
        "rows_per_s": round(n / t_ratings),
        "daily_rollup_rows": len(daily),
    }


def _bulk(cur: Any, dialect: str, table: str, cols: str, values: list[tuple[Any, ...]]) -> None:
    if dialect == "sqlite":
        conv = [tuple(v.isoformat() if isinstance(v, date) and not isinstance(v, datetime) else
                      (v.replace(tzinfo=None).isoformat(" ") if isinstance(v, datetime) else v)
                      for v in row) for row in values]  # fmt: skip
        marks = ", ".join("?" * len(values[0])) if values else ""
        if values:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", conv)
        return
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def timed(fn: Any, repeat: int = 5) -> float:
    """Median milliseconds of ``repeat`` runs after one warm-up."""
    fn()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(runs), 2)


def queries(engine: Engine, config: Any, year: int) -> dict[str, float]:
    from hub.stats import StatsService
    from hub.store.db import read
    from hub.store.tables import rating_cube as m
    from hub.store.tables import ratings as r

    stats = StatsService(engine, config)
    y0, y1 = date(year, 1, 1), date(year, 12, 31)
    q0, q1 = date(year, 4, 1), date(year, 6, 30)
    if engine.dialect.name == "postgresql":
        month = func.date_trunc("month", r.c.day)
    else:
        month = func.strftime("%Y-%m", r.c.day)

    def rollup_counter_month() -> int:
        with read(engine) as conn:
            return len(conn.execute(
                select(m.c.key, m.c.month, m.c.level, func.sum(m.c.n), func.sum(m.c.score_sum))
                .where(m.c.dim == "counter", m.c.month.between(y0, y1), m.c.flagged.is_(False))
                .group_by(m.c.key, m.c.month, m.c.level)).all())  # fmt: skip

    def raw_counter_month() -> int:
        with read(engine) as conn:
            return len(conn.execute(
                select(r.c.counter_id, month, r.c.level, func.count(), func.sum(r.c.score))
                .where(r.c.day.between(y0, y1), r.c.flagged.is_(False))
                .group_by(r.c.counter_id, month, r.c.level)).all())  # fmt: skip

    def raw_staff_quarter() -> int:
        with read(engine) as conn:
            return len(conn.execute(
                select(r.c.staff_id, r.c.level, func.count(), func.sum(r.c.score))
                .where(r.c.day.between(q0, q1), r.c.flagged.is_(False))
                .group_by(r.c.staff_id, r.c.level)).all())  # fmt: skip

    return {
        "rollup_counter_x_month_year_ms": timed(rollup_counter_month),
        "stats_api_by_counter_year_ms": timed(lambda: stats.satisfaction(y0, y1, "counter")),
        "stats_api_by_month_year_ms": timed(lambda: stats.satisfaction(y0, y1, "month")),
        "stats_api_by_staff_quarter_ms": timed(lambda: stats.satisfaction(q0, q1, "staff")),
        "raw_group_by_counter_x_month_year_ms": timed(raw_counter_month, repeat=3),
        "raw_group_by_staff_quarter_ms": timed(raw_staff_quarter, repeat=3),
    }


def ingest(engine: Engine, config: Any, n: int) -> dict[str, float]:
    """Ratings per second through the forwarded (bulk) and the pad (linking) paths."""
    from hub.accounts import Actor
    from hub.api.models import ForwardedRatingIn
    from hub.events import MemorySink
    from hub.federation import receive
    from hub.satisfaction import RatingInput, RatingService
    from hub.store.db import write
    from hub.store.tables import tickets

    now = datetime(2030, 1, 7, 2, 0, tzinfo=UTC)
    items = [
        ForwardedRatingIn(
            key=f"other:{i:012d}",
            site="other",
            site_name="Khác",
            level="satisfied",
            score=1.0,
            positive=True,
            at=now,
            day=now.date(),
            counter="1",
            service="f00",
        )  # fmt: skip
        for i in range(n)
    ]
    t = time.perf_counter()
    for i in range(0, n, 500):
        receive(engine, config, items[i : i + 500], [], now)
    forwarded = n / (time.perf_counter() - t)

    m = min(n, 5000)
    rows = [
        {"id": f"b{i:031d}", "site_id": SITE, "service_id": "f00", "origin_service_id": "f00",
         "day": now.date(), "seq": i + 1, "number": str(i + 1), "is_priority": False,
         "status": "done", "issued_at": now, "called_at": now,
         "completed_at": now + timedelta(seconds=60 * i), "completed_day": now.date(),
         "counter_id": "1", "staff_id": 1, "channel": "kiosk", "call_count": 1,
         "queue_pos": i + 1}
        for i in range(m)
    ]  # fmt: skip
    with write(engine) as conn:
        conn.execute(tickets.insert(), rows)
    presses = [RatingInput(key=f"pad-bench.{i:08d}", level="satisfied",
                           at=now + timedelta(seconds=60 * i + 5)) for i in range(m)]  # fmt: skip
    clock = [now + timedelta(days=1)]
    service = RatingService(engine, config, MemorySink(), lambda: clock[0])
    actor = Actor("device", 1, "pad-bench", "rating-pad", "1")
    t = time.perf_counter()
    for i in range(0, m, 500):
        service.rate_batch(actor, presses[i : i + 500])
    pad = m / (time.perf_counter() - t)
    return {"ingest_forwarded_per_s": round(forwarded), "ingest_pad_presses_per_s": round(pad),
            "ingest_forwarded_n": n, "ingest_pad_n": m}  # fmt: skip


def run_backend(url: str, args: argparse.Namespace) -> dict[str, Any]:
    from hub.store.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    config = bench_config(args.counters)
    start = date(2028, 1, 1)
    out: dict[str, Any] = {"backend": engine.dialect.name, "ratings": args.ratings,
                           "days": args.days, "counters": args.counters}  # fmt: skip
    logger.info("%s: loading %d ratings", engine.dialect.name, args.ratings)
    out.update(load(engine, args.ratings, args.days, args.counters, start))
    logger.info("%s: loaded %s", engine.dialect.name, out)
    out.update(queries(engine, config, 2029))
    logger.info("%s: queries %s", engine.dialect.name, out)
    out.update(ingest(engine, config, args.ingest))
    logger.info("%s: ingest %s", engine.dialect.name, out)
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=10_000_000)
    parser.add_argument("--sqlite-ratings", type=int, help="size for SQLite (default --ratings)")
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--counters", type=int, default=200)
    parser.add_argument("--ingest", type=int, default=20_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--sqlite", default="/tmp/motcua-bench-ratings.db")
    parser.add_argument("--pg-url", default=os.environ.get("MOTCUA_BENCH_POSTGRES_URL"))
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    results = []
    if args.backend in ("sqlite", "both"):
        for suffix in ("", "-wal", "-shm"):
            Path(args.sqlite + suffix).unlink(missing_ok=True)
        size = argparse.Namespace(**{**vars(args), "ratings": args.sqlite_ratings or args.ratings})
        results.append(run_backend(f"sqlite:///{args.sqlite}", size))
    if args.backend in ("postgresql", "both"):
        if not args.pg_url:
            raise SystemExit("PostgreSQL: pass --pg-url or set MOTCUA_BENCH_POSTGRES_URL")
        from sqlalchemy import create_engine

        from hub.store.db import normalise_url

        admin = create_engine(normalise_url(args.pg_url))
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS bench_ratings CASCADE"))
            conn.execute(text("CREATE SCHEMA bench_ratings"))
        admin.dispose()
        sep = "&" if "?" in args.pg_url else "?"
        results.append(
            run_backend(f"{args.pg_url}{sep}options=-csearch_path%3Dbench_ratings", args)
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": f"{os.cpu_count()} cores", "results": results},
                              indent=2, ensure_ascii=False) + "\n")  # fmt: skip
    print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
