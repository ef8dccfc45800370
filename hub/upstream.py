"""Forwarding a centre's ratings and daily queue figures to a district or province hub.

The sending hub writes each rating (and each closed day's queue figures) to
its ``outbox`` table in the transaction that stores it, so nothing is lost by
a crash or a dead link. A background sender posts pending rows in batches to
the upstream's ``POST /api/v1/ratings/batch`` and deletes a row only when the
upstream has answered for it; keys make a resend harmless, so every rating
arrives exactly once. The upstream stores forwarded ratings under their
origin's ``site_id``, so its statistics group by site.

The link authenticates with a device token of kind ``hub`` made on the
upstream with ``motcua upstream link NAME`` (see :func:`add_link`).

Config (on the sending hub)::

    [upstream]
    url = "http://10.1.0.2:8080"
    token = "…"                  # or token_file = "/etc/motcua/upstream.token"
    batch_size = 200
    interval_s = 5
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from config import Config
from config.tokens import read_token
from config.upstream import UpstreamSettings
from hub import errors
from hub.auth import token_hash
from hub.ratings import flags as fl
from hub.store.db import read, write
from hub.store.tables import devices, outbox, ratings, sites, users

logger = logging.getLogger(__name__)

TOPIC = "upstream"
LINK_KIND = "hub"
MAX_BACKOFF_S = 300.0


def add_link(engine: Engine, name: str, now: datetime) -> str:
    """Register (or re-key) a downstream hub's link on this upstream; returns its token."""
    token = secrets.token_urlsafe(32)
    with write(engine) as conn:
        row = conn.execute(select(devices.c.id).where(devices.c.name == name)).first()
        values = {
            "kind": LINK_KIND,
            "counter_id": None,
            "token_hash": token_hash(token),
            "revoked_at": None,
        }
        if row is None:
            conn.execute(insert(devices).values(name=name, created_at=now, **values))
        else:
            conn.execute(update(devices).where(devices.c.id == row[0]).values(**values))
    return token


# ------------------------------------------------------------------ sending
def _enqueue(conn: Connection, key: str, payload: dict[str, Any], now: datetime) -> None:
    upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        upsert(outbox)
        .values(topic=TOPIC, key=key, payload=payload, created_at=now, attempts=0, next_try_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def enqueue_rating(
    conn: Connection, config: Config, rating_id: int, version: str | None = None
) -> None:
    """Queue one rating for the upstream (no-op without ``[upstream]``)."""
    if config.upstream is None:
        return
    row = conn.execute(select(ratings).where(ratings.c.id == rating_id)).one()
    counter = config.counter(row.counter_id or "")
    service = config.service(row.service_id or "")
    staff = None
    if row.staff_id:
        person = conn.execute(
            select(users.c.username, users.c.display_name).where(users.c.id == row.staff_id)
        ).first()
        staff = (person.display_name or person.username) if person else None
    payload = {
        "kind": "rating",
        "key": (
            row.key
            if row.site_id != config.site.id and row.key
            else f"{row.site_id}:rating:{row.id:010d}"
        ),
        "site": row.site_id,
        "site_name": config.site.name,
        "level": row.level,
        "score": row.score,
        "positive": row.positive,
        "at": row.at.isoformat(),
        "day": row.day.isoformat(),
        "counter": row.counter_id,
        "counter_name": counter.name if counter else None,
        "staff_name": staff,
        "service": row.service_id,
        "service_name": service.name if service else None,
        "ticket": row.ticket_id,
        "reasons": list(row.reasons or []),
        "flags": list(row.flags or []),
        "channel": row.channel,
    }
    suffix = f":{version}" if version else ""
    _enqueue(conn, f"{TOPIC}:rating:{rating_id}{suffix}", payload, row.received_at)


def enqueue_queue_day(
    conn: Connection,
    config: Config,
    day: date,
    figures: dict[tuple[str, int, str], dict[str, float]],
    now: datetime,
) -> None:
    """Queue one closed day's queue figures for the upstream."""
    settings = config.upstream
    if settings is None or not settings.forward_queue:
        return
    payload = {
        "kind": "queue_day",
        "key": f"{config.site.id}:q:{day.isoformat()}:{int(now.timestamp())}",
        "site": config.site.id,
        "site_name": config.site.name,
        "day": day.isoformat(),
        "counter_names": {c.id: c.name for c in config.counters},
        "service_names": {s.id: s.name for s in config.services},
        "rows": [
            {
                "counter": counter_id,
                "staff": staff_id,
                "service": service_id,
                **{k: (float(v) if k.endswith("_sum") else int(v)) for k, v in a.items()},
            }
            for (counter_id, staff_id, service_id), a in figures.items()
        ],
    }
    _enqueue(conn, f"{TOPIC}:queue:{day.isoformat()}:{int(now.timestamp())}", payload, now)


class OutboxSender:
    """Delivers the hub's outbox: upstream batches and alert webhooks.

    Args:
        engine: the hub's database.
        config: its configuration (``[upstream]`` and ``[alerts]``).
        clock: UTC now.
    """

    def __init__(self, engine: Engine, config: Config, clock: Any) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self._session = requests.Session()

    def pending(self, topic: str = TOPIC) -> int:
        from sqlalchemy import func

        with read(self.engine) as conn:
            return int(
                conn.execute(select(func.count()).where(outbox.c.topic == topic)).scalar_one()
            )

    def _due(self, topic: str, limit: int) -> list[Any]:
        now = self.clock()
        with read(self.engine) as conn:
            return conn.execute(
                select(outbox)
                .where(
                    outbox.c.topic == topic,
                    (outbox.c.next_try_at <= now) | outbox.c.next_try_at.is_(None),
                )
                .order_by(outbox.c.id)
                .limit(limit)
            ).all()

    def _failed(self, rows: list[Any], error: str) -> None:
        now = self.clock()
        with write(self.engine) as conn:
            for row in rows:
                wait = min(MAX_BACKOFF_S, 2.0 ** min(row.attempts, 10))
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id)
                    .values(
                        attempts=row.attempts + 1,
                        next_try_at=now + timedelta(seconds=wait),
                        last_error=error[:500],
                    )
                )

    def _done(self, ids: list[int]) -> None:
        if ids:
            with write(self.engine) as conn:
                conn.execute(delete(outbox).where(outbox.c.id.in_(ids)))

    def flush_upstream(self) -> int:
        """Send due upstream rows until none is due or a send fails; returns rows delivered."""
        settings = self.config.upstream
        if settings is None:
            return 0
        delivered = 0
        while True:
            rows = self._due(TOPIC, settings.batch_size)
            if not rows:
                return delivered
            answered, reachable = self._post(settings, rows)
            if answered is None and reachable and len(rows) > 1:
                # The upstream refused the batch as a whole: find the bad item by
                # sending one at a time, so one bad row cannot hold back the rest.
                answered = []
                for row in rows:
                    one, reachable = self._post(settings, [row])
                    answered.extend(one or [])
                    if not reachable:
                        break
            delivered += len(answered or [])
            if not answered or len(answered) < len(rows):
                return delivered

    def _post(self, settings: UpstreamSettings, rows: list[Any]) -> tuple[list[int] | None, bool]:
        """POST rows; returns (ids answered for, or None on a refused batch; reachable)."""
        body: dict[str, list[Any]] = {"forwarded": [], "queue_days": []}
        by_key: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            item = {k: v for k, v in row.payload.items() if k != "kind"}
            body["forwarded" if row.payload["kind"] == "rating" else "queue_days"].append(item)
            by_key[item["key"]].append(row.id)
        token = read_token(settings.token, settings.token_file)
        try:
            response = self._session.post(
                f"{settings.url.rstrip('/')}/api/v1/ratings/batch",
                json={k: v for k, v in body.items() if v},
                headers={"Authorization": f"Bearer {token}"},
                timeout=settings.timeout_s,
            )
        except requests.RequestException as err:
            self._failed(rows, f"{type(err).__name__}")
            logger.info("upstream unreachable (%s); %d row(s) wait", type(err).__name__, len(rows))
            return None, False
        if response.status_code != 200:
            self._failed(rows, f"HTTP {response.status_code}: {response.text[:200]}")
            logger.warning("upstream answered %s: %s", response.status_code, response.text[:200])
            return None, response.status_code < 500
        results = response.json().get("results", [])
        answered = [i for r in results for i in by_key.get(r["key"], [])]
        for r in results:
            if r.get("status") == "rejected":
                logger.warning("upstream refused %s: %s", r["key"], r.get("code"))
        self._done(answered)
        return answered, True

    def flush_webhooks(self) -> int:
        """POST due alert webhooks; returns how many were delivered."""
        from hub.alerts import WEBHOOK_TOPIC

        url = self.config.alerts.webhook_url
        if not url:
            return 0
        sent = 0
        for row in self._due(WEBHOOK_TOPIC, 50):
            try:
                response = self._session.post(url, json=row.payload, timeout=10)
                ok = 200 <= response.status_code < 300
                error = f"HTTP {response.status_code}"
            except requests.RequestException as err:
                ok, error = False, type(err).__name__
            if ok:
                self._done([row.id])
                sent += 1
            else:
                self._failed([row], error)
        return sent


# ---------------------------------------------------------------- receiving
def receive(
    engine: Engine, config: Config, forwarded: list[Any], queue_days: list[Any], now: datetime
) -> list[dict[str, Any]]:
    """Store what a downstream hub forwarded; one result per item, in order.

    Ratings are idempotent by key (a resend with more flags adds the flags);
    a day's queue figures replace that site's earlier figures of the day.
    """
    from hub.ratings_service import reflag, rollup_add_many
    from hub.stats import store_queue_day

    levels = {lv.id for lv in config.ratings.levels}
    results: list[dict[str, Any]] = []
    with write(engine) as conn:
        keys = [item.key for item in forwarded]
        existing = (
            {row.key: row for row in conn.execute(select(ratings).where(ratings.c.key.in_(keys)))}
            if keys
            else {}
        )
        # A rating and a later flag of it may travel in the same batch: merge them.
        batch_flags: dict[str, set[str]] = defaultdict(set)
        for item in forwarded:
            batch_flags[item.key].update(item.flags)
        new_rows: list[dict[str, Any]] = []
        created: set[str] = set()
        deltas = []
        for item in forwarded:
            if item.site == config.site.id:
                results.append({"key": item.key, "status": "rejected", "code": "own_site"})
                continue
            if item.level not in levels:
                results.append({"key": item.key, "status": "rejected", "code": "unknown_level"})
                continue
            if item.key in created:
                results.append({"key": item.key, "status": "duplicate"})
                continue
            old = existing.get(item.key)
            if old is not None:
                for flag in sorted(batch_flags[item.key] - set(old.flags or [])):
                    reflag(
                        conn,
                        [conn.execute(select(ratings).where(ratings.c.id == old.id)).one()],
                        flag,
                        config,
                    )
                results.append({"key": item.key, "status": "duplicate"})
                continue
            found = fl.merge_flags(None, batch_flags[item.key])
            new_rows.append(
                {
                    "key": item.key,
                    "site_id": item.site,
                    "ticket_id": item.ticket,
                    "counter_id": item.counter,
                    "staff_id": None,
                    "service_id": item.service,
                    "level": item.level,
                    "score": item.score,
                    "positive": item.positive,
                    "reasons": list(item.reasons) or None,
                    "at": item.at,
                    "day": item.day,
                    "received_at": now,
                    "channel": item.channel,
                    "device_id": None,
                    "flags": found or None,
                    "flagged": bool(found),
                }
            )
            created.add(item.key)
            deltas.append(
                (
                    item.site,
                    item.day,
                    item.counter,
                    None,
                    item.service,
                    item.level,
                    bool(found),
                    1,
                    item.score,
                )
            )
            results.append({"key": item.key, "status": "created"})
        if new_rows:
            _bulk_insert(conn, new_rows)
            rollup_add_many(conn, deltas)
        for day in queue_days:
            figures = {
                (r.counter, r.staff, r.service): r.model_dump(
                    exclude={"counter", "staff", "service"}
                )
                for r in day.rows
            }
            store_queue_day(conn, day.site, day.day, figures, now, source="upstream")
            results.append({"key": day.key, "status": "created"})
        _remember_sites(conn, forwarded, queue_days, now)
    return results


def _bulk_insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert ratings in bulk: ``COPY`` on PostgreSQL (one round trip instead of one per
    row, in the same transaction), ``executemany`` on SQLite (in-process, already fast)."""
    if conn.dialect.name != "postgresql":
        conn.execute(insert(ratings), rows)
        return
    import json

    cols = list(rows[0])
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY ratings ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(v) if c in ("reasons", "flags") and v is not None else v
                    for c, v in row.items()
                ]  # fmt: skip
            )


def _remember_sites(
    conn: Connection, forwarded: list[Any], queue_days: list[Any], now: datetime
) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for item in forwarded:
        info = seen.setdefault(item.site, {"name": item.site_name, "counters": {}, "services": {}})
        if item.counter and item.counter_name:
            info["counters"][item.counter] = item.counter_name
        if item.service and item.service_name:
            info["services"][item.service] = item.service_name
    for day in queue_days:
        info = seen.setdefault(day.site, {"name": day.site_name, "counters": {}, "services": {}})
        info["counters"].update(day.counter_names)
        info["services"].update(day.service_names)
    for site_id, info in seen.items():
        row = conn.execute(select(sites).where(sites.c.id == site_id)).first()
        if row is None:
            labels = {"counters": info["counters"], "services": info["services"]}
            conn.execute(
                insert(sites).values(
                    id=site_id,
                    name=info["name"] or site_id,
                    labels=labels,
                    first_seen_at=now,
                    last_received_at=now,
                )
            )
            continue
        labels = dict(row.labels or {})
        for part in ("counters", "services"):
            labels[part] = {**(labels.get(part) or {}), **info[part]}
        conn.execute(
            update(sites)
            .where(sites.c.id == site_id)
            .values(name=info["name"] or row.name, labels=labels, last_received_at=now)
        )


def check_link(actor: Any) -> None:
    """Only a ``hub`` link may forward (403 otherwise)."""
    if actor is None or actor.kind != "device" or actor.role != LINK_KIND:
        raise errors.Forbidden("Chỉ liên kết giữa các hub được chuyển tiếp", code="not_a_link")


# --------------------------------------------------------------- background
def start_background(hub: Any, stop: threading.Event) -> threading.Thread:
    """The sender loop: outbox (upstream, webhooks), alert checks, closed days."""
    from hub.alerts import check_periodic, wake_sender
    from hub.stats import roll_queue_days

    def loop() -> None:
        wake = wake_sender()
        last_checks = 0.0
        import time as _time

        while not stop.is_set():
            config = hub.config
            sender = OutboxSender(hub.engine, config, hub.queue.clock)
            try:
                sender.flush_upstream()
                sender.flush_webhooks()
                if _time.monotonic() - last_checks >= config.alerts.check_every_s:
                    last_checks = _time.monotonic()
                    now = hub.queue.clock()
                    roll_queue_days(hub.engine, config, now)
                    check_periodic(hub.engine, config, now)
            except Exception:  # noqa: BLE001 - keep the sender alive; log and retry
                logger.exception("ratings background tick failed")
            settings = config.upstream
            wake.wait(settings.interval_s if settings else 5.0)
            wake.clear()

    thread = threading.Thread(target=loop, name="motcua-ratings-sender", daemon=True)
    thread.start()
    return thread
