"""The report equals the raw data: the hub's queue and satisfaction figures (the
``/stats`` API and ``motcua report``'s CSV) against figures computed here, once from
the hub's raw rows and once from the driver's own record of the answers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.day.checks import Check
from bench.day.evidence import QUEUE_BY, SATISFACTION_BY, Evidence
from bench.day.wire import parse_time

UNKNOWN = "Không xác định"
#: Averages are rounded to 0.1 s (0.1 min in the CSV) by the hub: a sum taken in
#: another order may round the other way.
AVG_SLACK = 0.1 + 1e-9
QUEUE_INTS = ("issued", "served", "no_show", "cancelled", "waiting")


@dataclass(frozen=True)
class Fact:
    """One ticket as a queue report counts it."""

    counter: str
    staff: str
    service: str
    status: str
    wait_s: float | None
    service_s: float | None


@dataclass(frozen=True)
class Vote:
    """One rating as a satisfaction report counts it."""

    counter: str
    staff: str
    service: str
    level: str


def _seconds(a: datetime | None, b: datetime | None) -> float | None:
    return None if a is None or b is None else (b - a).total_seconds()


def raw_facts(ev: Evidence) -> list[Fact]:
    """Tickets from the hub's rows, times recomputed from their timestamps."""
    return [
        Fact(
            r["counter_id"] or "",
            str(r["staff_id"] or ""),
            r["service_id"],
            r["status"],
            _seconds(r["issued_at"], r["called_at"]),
            _seconds(r["called_at"], r["completed_at"]) if r["status"] == "done" else None,
        )
        for r in ev.rows["tickets"]
    ]


def own_facts(ev: Evidence) -> list[Fact]:
    """Tickets as the hub answered the kiosks and counters."""
    ids = {u["username"]: str(u["id"]) for u in ev.rows["users"]}
    out = []
    for rec in ev.day.tickets.values():
        issued = parse_time(rec.issued.data["issued_at"])
        done = rec.status == "done"
        out.append(
            Fact(
                rec.counter or "",
                ids.get(rec.staff or "", ""),
                rec.service,
                rec.status,
                _seconds(issued, rec.called_at),
                _seconds(rec.called_at, rec.completed_at) if done else None,
            )
        )
    return out


def raw_votes(ev: Evidence, flagged: bool) -> list[Vote]:
    return [
        Vote(r["counter_id"] or "", str(r["staff_id"] or ""), r["service_id"] or "", r["level"])
        for r in ev.rows["ratings"]
        if flagged or not r["flagged"]
    ]


def own_votes(ev: Evidence) -> list[Vote]:
    """Every rating the hub answered 201 for (pad or ticket page), flagged or not."""
    ids = {u["username"]: str(u["id"]) for u in ev.rows["users"]}
    given = [
        (p.answer.data["ticket_id"], p.level)
        for p in ev.day.presses
        if p.answer is not None and p.answer.status == 201
    ] + [(tid, level) for tid, level, a in ev.day.phone_ratings if a.status == 201]
    out = []
    for tid, level in given:
        rec = ev.day.tickets[tid]
        out.append(Vote(rec.counter or "", ids.get(rec.staff or "", ""), rec.service, level))
    return out


def _key(item: Fact | Vote, by: str) -> str:
    return str(getattr(item, by))


def queue_figures(facts: Iterable[Fact], by: str) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        groups[_key(fact, by)].append(fact)
        groups["total"].append(fact)
    out = {}
    for key, items in groups.items():
        status = [f.status for f in items]
        waits = [f.wait_s for f in items if f.wait_s is not None]
        services = [f.service_s for f in items if f.service_s is not None]
        out[key] = {
            "issued": len(items),
            "served": status.count("done"),
            "no_show": status.count("no_show"),
            "cancelled": status.count("cancelled"),
            "waiting": status.count("waiting"),
            "avg_wait_s": sum(waits) / len(waits) if waits else None,
            "avg_service_s": sum(services) / len(services) if services else None,
        }
    return out


def satisfaction_figures(
    votes: Iterable[Vote], facts: Iterable[Fact], by: str, levels: dict[str, tuple[float, bool]]
) -> dict[str, dict[str, Any]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(levels, 0))
    served: dict[str, int] = defaultdict(int)
    for vote in votes:
        for key in (_key(vote, by), "total"):
            counts[key][vote.level] += 1
    for fact in facts:
        if fact.status == "done":
            served[_key(fact, by)] += 1
            served["total"] += 1
    out = {}
    for key in counts.keys() | served.keys():
        c = counts[key]
        total = sum(c.values())
        positive = sum(n for lv, n in c.items() if levels[lv][1])
        score = sum(n * levels[lv][0] for lv, n in c.items())
        out[key] = {
            "total": total,
            "counts": dict(c),
            "satisfaction_rate": round(positive / total, 4) if total else None,
            "mean_score": round(score / total, 4) if total else None,
            "served": served[key],
            "coverage": round(total / served[key], 4) if served[key] else None,
        }
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) <= AVG_SLACK
    return bool(a == b)


def compare(check: Check, where: str, answer: dict[str, Any], expected: dict[str, Any]) -> None:
    """The rows and total of a ``/stats`` answer against expected figures by key."""
    rows = {r["key"]: r for r in answer["rows"]} | {"total": answer["total"]}
    for key in rows.keys() | expected.keys():
        check.checked += 1
        got, want = rows.get(key), expected.get(key)
        if got is None or want is None:
            check.fail(f"{where}: group {key!r} only in {'the hub' if want is None else 'ours'}")
            continue
        for name, value in want.items():
            if not _same(got.get(name), value):
                check.fail(f"{where} [{key}] {name}: hub {got.get(name)}, expected {value}")


def stats_match(ev: Evidence) -> Check:
    """``/stats/queue`` and ``/stats/satisfaction`` equal the raw rows and our record."""
    check = Check("reports", "the hub's queue and satisfaction figures equal the raw data")
    levels = ev.rules.levels
    for source, facts in (("raw rows", raw_facts(ev)), ("own record", own_facts(ev))):
        for by in QUEUE_BY:
            compare(check, f"queue by {by} vs {source}", ev.stats[f"queue/{by}"],
                    queue_figures(facts, by))  # fmt: skip
    facts = raw_facts(ev)
    for by in SATISFACTION_BY:
        expected = satisfaction_figures(raw_votes(ev, flagged=False), facts, by, levels)
        compare(
            check, f"satisfaction by {by} vs raw rows", ev.stats[f"satisfaction/{by}"], expected
        )
    own = satisfaction_figures(own_votes(ev), own_facts(ev), "counter", levels)
    compare(check, "satisfaction by counter, flagged included, vs own record",
            ev.stats["satisfaction/counter/flagged"], own)  # fmt: skip
    flagged = sum(1 for r in ev.rows["ratings"] if r["flagged"])
    for name, answer in ev.stats.items():
        if name.startswith("satisfaction") and answer["flagged"]["total"] != flagged:
            check.fail(
                f"{name}: flagged total {answer['flagged']['total']}, {flagged} flagged rows"
            )
    return check


def csv_match(ev: Evidence) -> Check:
    """``motcua report … --format csv`` by counter holds the same figures, by label."""
    check = Check("csv", "motcua report's CSV by counter equals the raw data")
    names = ev.rules.counter_names
    facts = own_facts(ev)

    def label(key: str) -> str:
        return "Tổng cộng" if key == "total" else names.get(key, UNKNOWN) if key else UNKNOWN

    queue = {label(k): v for k, v in queue_figures(facts, "counter").items()}
    for row in ev.csv["queue"][1:]:
        check.checked += 1
        want = queue.pop(row[1], None)
        if want is None:
            check.fail(f"queue CSV: row {row[1]!r} not expected")
            continue
        ints = [int(v) for v in row[2:7]]
        if ints != [want[k] for k in QUEUE_INTS]:
            check.fail(f"queue CSV {row[1]}: {ints}, expected {[want[k] for k in QUEUE_INTS]}")
        for cell, name in zip(row[7:9], ("avg_wait_s", "avg_service_s"), strict=True):
            value = want[name]
            if not _same(float(cell) if cell else None, None if value is None else value / 60):
                check.fail(f"queue CSV {row[1]} {name}: {cell} min, expected {value} s")
    check.problems += [f"queue CSV: row {k!r} missing" for k in queue]
    sat = satisfaction_figures(
        raw_votes(ev, flagged=False), raw_facts(ev), "counter", ev.rules.levels
    )
    expected = {label(k): v for k, v in sat.items()}
    order = list(ev.rules.levels)
    served = ev.csv["satisfaction"][0].index("Lượt phục vụ")  # found by name: columns move
    for row in ev.csv["satisfaction"][1:]:
        check.checked += 1
        want = expected.pop(row[1], None)
        n = len(order)
        got = [int(v) for v in row[2 : 3 + n]] + [int(row[served])]
        wanted = None
        if want is not None:
            wanted = [*(want["counts"][lv] for lv in order), want["total"], want["served"]]
        if got != wanted:
            check.fail(f"satisfaction CSV {row[1]}: {got}, expected {wanted}")
    check.problems += [f"satisfaction CSV: row {k!r} missing" for k in expected]
    return check


def report_checks(ev: Evidence) -> list[Check]:
    return [stats_match(ev), csv_match(ev)]
