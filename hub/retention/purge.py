"""Erasing personal and per-person data older than a day, keeping every figure.

What goes, for the days before the cut:

- each citizen's ticket (its long random id is the capability its QR code
  carries), its event log (a remote ticket's phone digest is there), its calls
  and the screens' acknowledgements of them;
- the raw presses of the rating pads;
- the link from each rating to its ticket, and any free text a citizen wrote
  (the comment added on the ticket's page after rating);
- the dossier codes attached to those tickets, and any rated dossier still waiting
  in the outbox for the ``[export]`` webhook since before the cut;
- the failed logins (user names and addresses tried).

What stays: the daily queue figures, the rating rollups and cubes, the ratings
themselves (level, counter, officer, field, time) and the audit log, so every
report of those days reads the same before and after. Days are first closed
(their figures summed into ``queue_daily``) so nothing is erased that a report
still reads from the tickets; a day that cannot be closed yet (a ticket of it
still waiting or being served) is kept whole.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, select, update

from config.schema import Config
from hub.audit import AuditLog
from hub.federation import enqueue_queue_day
from hub.outbox import EXPORT
from hub.stats import roll_queue_days
from hub.store.db import write
from hub.store.tables import (
    call_acks,
    calls,
    login_failures,
    outbox,
    queue_days,
    rating_presses,
    ratings,
    ticket_dossiers,
    ticket_events,
    tickets,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    """How many rows of each kind were erased (or unlinked)."""

    before: date
    tickets: int
    ticket_events: int
    calls: int
    rating_presses: int
    ratings_unlinked: int
    comments: int
    dossiers: int
    dossier_exports: int
    login_failures: int
    days_kept_open: int

    def lines(self) -> list[str]:
        """One line per kind, for the terminal and the log."""
        return [f"{name.replace('_', ' ')}: {value}" for name, value in asdict(self).items()]


def purge_personal(
    engine: Engine, config: Config, before: date, now: datetime, audit: AuditLog, actor: str
) -> PurgeReport:
    """Erase personal data of the days before ``before`` (see the module doc).

    Raises:
        ValueError: ``before`` is not in the past.
    """
    today = now.astimezone(ZoneInfo(config.site.timezone)).date()
    if before > today:
        raise ValueError(f"--before must not be after today ({today.isoformat()})")
    roll_queue_days(engine, config, now, on_rolled=enqueue_queue_day)
    start = datetime.combine(before, time(0), ZoneInfo(config.site.timezone)).astimezone(UTC)
    with write(engine) as conn:
        closed = {
            r[0]
            for r in conn.execute(
                select(queue_days.c.day).where(
                    queue_days.c.site_id == config.site.id, queue_days.c.day < before
                )
            )
        }
        old = [
            (r.id, r.day)
            for r in conn.execute(select(tickets.c.id, tickets.c.day).where(tickets.c.day < before))
        ]
        gone = [ticket_id for ticket_id, day in old if day in closed]
        report = PurgeReport(
            before=before,
            days_kept_open=len({day for _, day in old if day not in closed}),
            **_erase(conn, gone, start),
        )
    audit.record("purge", actor=actor, target=f"before:{before.isoformat()}", after=_counts(report))
    logger.info("purged personal data before %s: %s", before, "; ".join(report.lines()))
    return report


def _erase(conn: Connection, ticket_ids: list[str], start: datetime) -> dict[str, int]:
    """Delete the tickets and what hangs on them, in chunks; returns the counts."""
    counts = {"tickets": 0, "ticket_events": 0, "calls": 0, "ratings_unlinked": 0, "dossiers": 0}
    for i in range(0, len(ticket_ids), 500):
        chunk = ticket_ids[i : i + 500]
        seqs = select(calls.c.seq).where(calls.c.ticket_id.in_(chunk))
        conn.execute(delete(call_acks).where(call_acks.c.seq.in_(seqs)))
        counts["calls"] += conn.execute(delete(calls).where(calls.c.ticket_id.in_(chunk))).rowcount
        counts["ticket_events"] += conn.execute(
            delete(ticket_events).where(ticket_events.c.ticket_id.in_(chunk))
        ).rowcount
        counts["dossiers"] += conn.execute(
            delete(ticket_dossiers).where(ticket_dossiers.c.ticket_id.in_(chunk))
        ).rowcount
        counts["ratings_unlinked"] += conn.execute(
            update(ratings).where(ratings.c.ticket_id.in_(chunk)).values(ticket_id=None)
        ).rowcount
        conn.execute(
            update(rating_presses)
            .where(rating_presses.c.ticket_id.in_(chunk))
            .values(ticket_id=None)
        )
        counts["tickets"] += conn.execute(delete(tickets).where(tickets.c.id.in_(chunk))).rowcount
    counts["comments"] = conn.execute(
        update(ratings)
        .where(ratings.c.at < start, ratings.c.comment.is_not(None))
        .values(comment=None)
    ).rowcount
    counts["rating_presses"] = conn.execute(
        delete(rating_presses).where(rating_presses.c.at < start)
    ).rowcount
    counts["dossier_exports"] = conn.execute(
        delete(outbox).where(outbox.c.topic == EXPORT, outbox.c.created_at < start)
    ).rowcount
    counts["login_failures"] = conn.execute(
        delete(login_failures).where(login_failures.c.at < start)
    ).rowcount
    return counts


def _counts(report: PurgeReport) -> dict[str, object]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(report).items()}
