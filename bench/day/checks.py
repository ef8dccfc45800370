"""The day's invariants over tickets, calls, screens and presses.

Each check compares the driver's own record (what the hub answered) with the
hub's raw rows and, for the screens and pads, with what they received. The
report checks are in :mod:`bench.day.report_checks`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.day.evidence import Evidence
from bench.day.state import DONE, Press

#: The hub and the driver read the same system clock; this covers rounding.
CLOCK_SLACK = timedelta(milliseconds=2)
SHOWN_LIMIT = 20


@dataclass
class Check:
    """One invariant: its name, whether it holds, and the first problems found."""

    name: str
    what: str
    problems: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, problem: str) -> None:
        self.problems.append(problem)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "what": self.what,
            "ok": self.ok,
            "checked": self.checked,
            "problems": self.problems[:SHOWN_LIMIT],
            "problem_count": len(self.problems),
        }


def _within(value: datetime | None, start: datetime, end: datetime) -> bool:
    return value is not None and start - CLOCK_SLACK <= value <= end + CLOCK_SLACK


def requests_answered(ev: Evidence) -> Check:
    check = Check("requests", "every request answered as expected: no 5xx, no lost connection")
    check.checked = sum(ev.day.recorder.count(op) for op in ev.day.recorder.statuses)
    for failure in ev.day.recorder.failures:
        check.fail(failure)
    if "Traceback" in ev.log:
        check.fail("the hub's log holds a traceback: " + ev.log[ev.log.index("Traceback") :][:300])
    return check


def tickets_kept(ev: Evidence) -> Check:
    """Nothing lost, no duplicate, numbers unique and without a gap, times inside the run."""
    check = Check("tickets", "every acknowledged ticket is in the database once, as answered")
    rows = {r["id"]: r for r in ev.rows["tickets"]}
    mine = ev.day.tickets
    check.checked = len(mine)
    for tid in mine.keys() - rows.keys():
        check.fail(f"ticket {mine[tid].number} ({tid}) acknowledged but not in the database")
    for tid in rows.keys() - mine.keys():
        check.fail(f"ticket {rows[tid]['number']} ({tid}) in the database, never acknowledged")
    by_field: dict[str, list[int]] = defaultdict(list)
    numbers = Counter((r["origin_service_id"], r["day"], r["number"]) for r in rows.values())
    for key, n in numbers.items():
        if n > 1:
            check.fail(f"number {key[2]} of {key[0]} issued {n} times on {key[1]}")
    for row in rows.values():
        by_field[row["origin_service_id"]].append(row["seq"])
        if row["day"] != ev.site_day:
            check.fail(f"ticket {row['number']} on day {row['day']}, not {ev.site_day}")
    for field_id, seqs in by_field.items():
        if sorted(seqs) != list(range(1, len(seqs) + 1)):
            check.fail(f"{field_id}: sequence numbers skip or repeat ({len(seqs)} tickets)")
    for tid, rec in mine.items():
        kept = rows.get(tid)
        if kept is None:
            continue
        if (kept["number"], kept["origin_service_id"]) != (rec.number, rec.origin):
            check.fail(f"ticket {tid}: {kept['number']}/{kept['origin_service_id']} stored")
        if not _within(kept["issued_at"], rec.issued.sent, rec.issued.answered):
            check.fail(f"ticket {rec.number} issued_at {kept['issued_at']} outside its request")
        for op, answer in rec.actions:
            if op == "issue_again" and (answer.status, (answer.data or {}).get("id")) != (200, tid):
                check.fail(f"ticket {rec.number}: the same key again answered {answer.status}")
    return check


def final_states(ev: Evidence) -> Check:
    """Each ticket ends as the driver saw it end, where it saw it, when it saw it."""
    check = Check("states", "each ticket's final state, counter and times are those answered")
    rows = {r["id"]: r for r in ev.rows["tickets"]}
    users = {u["id"]: u["username"] for u in ev.rows["users"]}
    for tid, rec in ev.day.tickets.items():
        row = rows.get(tid)
        if row is None:
            continue
        check.checked += 1
        seen = (row["status"], row["service_id"], row["counter_id"], users.get(row["staff_id"]))
        if seen != (rec.status, rec.service, rec.counter, rec.staff):
            check.fail(f"ticket {rec.number}: {seen} in the database, "
                       f"{(rec.status, rec.service, rec.counter, rec.staff)} answered")  # fmt: skip
        ops = {op: answer for op, answer in rec.actions}
        call = ops.get("call_next")
        if call is not None and not _within(row["called_at"], call.sent, call.answered):
            check.fail(f"ticket {rec.number}: called_at {row['called_at']} outside its call")
        end = ops.get("complete") or ops.get("no_show")
        if end is not None and not _within(row["completed_at"], end.sent, end.answered):
            check.fail(
                f"ticket {rec.number}: completed_at {row['completed_at']} outside its request"
            )
        if row["status"] in ("waiting", "called"):
            check.fail(f"ticket {rec.number} still {row['status']} at the end of the day")
    for tid, answer in ev.day.cancels:
        if answer.status == 200 and rows.get(tid, {}).get("status") != "cancelled":
            check.fail(f"ticket {tid}: cancel answered 200, not cancelled in the database")
    return check


def calls_made(ev: Evidence) -> Check:
    """Every call answered is one row of ``calls``; no other call was made."""
    check = Check("calls", "every call-next and recall answered is one call, made once")
    rows = ev.rows["calls"]
    check.checked = len(rows)
    made = Counter((c["number"], c["counter_id"], bool(c["recall"])) for c in rows)
    sent = Counter((c.number, c.counter, c.recall) for c in ev.day.calls)
    for key in (made - sent) + (sent - made):
        check.fail(f"call {key}: {made[key]} in the database, {sent[key]} answered")
    called = Counter(c["ticket_id"] for c in rows if not c["recall"])
    for tid, n in called.items():
        rec = ev.day.tickets.get(tid)
        if rec is None or n != 1 + sum(op == "transfer" for op, _ in rec.actions):
            check.fail(f"ticket {tid} called {n} times")
    return check


def screens_saw(ev: Evidence) -> Check:
    """Every screen got every call; every screen that shows a call acknowledged it."""
    check = Check("screens", "every call reached every screen and was acknowledged as shown")
    seqs = {int(c["seq"]): c for c in ev.rows["calls"]}
    displays = {d["name"] for d in ev.rows["devices"] if d["kind"] == "display"}
    heard = {d["name"] for d in ev.rows["devices"] if d["last_seen_at"] is not None}
    acks = {(a["screen"], int(a["seq"])) for a in ev.rows["call_acks"] if a["kind"] == "shown"}
    answered = {(screen, seq): outcome for screen, seq, outcome, _ms in ev.sockets["acks"]}
    for screen, shows in ev.rules.screens.items():
        if screen not in displays or screen not in heard:
            check.fail(f"{screen}: not a registered display device, or never heard")
        got = {seq for seq, _t in ev.sockets["receipts"].get(screen, [])}
        if missing := sorted(seqs.keys() - got):
            check.fail(f"{screen}: {len(missing)} calls never arrived (first seq {missing[0]})")
        for seq, call in seqs.items():
            if shows is not None and call["counter_id"] not in shows:
                continue
            check.checked += 1
            if answered.get((screen, seq)) != "ok":
                check.fail(f"{screen}: call {seq} acknowledged {answered.get((screen, seq))}")
            elif (screen, seq) not in acks:
                check.fail(f"{screen}: call {seq} acknowledged, not in call_acks")
    for seq, call in seqs.items():
        if call["shown_at"] is None:
            check.fail(f"call {seq} ({call['number']}) has no shown_at")
    for screen, answer in ev.heartbeats:
        if answer.status != 204:
            check.fail(f"{screen}: heartbeat answered {answer.status}")
    return check


def pads_heard(ev: Evidence) -> Check:
    """Each pad got a ``rating_open`` for every ticket completed at its counter."""
    check = Check("pads", "each pad got its counter's rating_open for every completed ticket")
    done = Counter(r["counter_id"] for r in ev.rows["tickets"] if r["status"] == DONE)
    for counter, pad in ev.day.pads.items():
        check.checked += 1
        got = ev.sockets["pad_events"].get(f"{pad.name} rating_open", 0)
        if got != done[counter]:
            check.fail(f"{pad.name}: {got} rating_open, {done[counter]} tickets completed")
    return check


def target_of(done: list[dict[str, Any]], at: datetime, window_s: float) -> dict[str, Any] | None:
    """The ticket a press at ``at`` is about, among the tickets ``done`` at its counter
    (by completion): the last one completed within ``[ratings] window_s`` before it
    (the contract's linking rule)."""
    before = [row for row in done if row["completed_at"] <= at]
    if before and before[-1]["completed_at"] >= at - timedelta(seconds=window_s):
        return before[-1]
    return None


def completed_by_counter(ev: Evidence) -> dict[str, list[dict[str, Any]]]:
    done: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in ev.rows["tickets"]:
        if row["status"] == DONE:
            done[row["counter_id"]].append(row)
    for rows in done.values():
        rows.sort(key=lambda r: r["completed_at"])
    return done


def presses_linked(ev: Evidence) -> Check:
    """Every press linked to the right ticket or refused with the right reason."""
    check = Check("presses", "every press is linked to its ticket or refused with its reason")
    stored = {p["key"]: p for p in ev.rows["rating_presses"]}
    ratings = {r["ticket_id"]: r for r in ev.rows["ratings"]}
    if len(stored) != len(ev.day.presses):
        check.fail(f"{len(stored)} presses stored, {len(ev.day.presses)} pressed")
    explained = set()
    done = completed_by_counter(ev)
    for press in ev.day.presses:
        check.checked += 1
        target = target_of(done[press.counter], press.at, ev.rules.window_s)
        rating = _press(check, press, target, stored.get(press.key), ratings)
        if rating is not None:
            explained.add(rating)
    for tid, level, answer in ev.day.phone_ratings:
        check.checked += 1
        held = ratings.get(tid)
        if answer.status != 201:
            if answer.code() != "already_rated" or held is None:
                check.fail(f"phone rating of {tid}: {answer.status} {answer.code()}")
        elif held is None or held["id"] != answer.data["id"] or held["level"] != level:
            check.fail(f"phone rating of {tid}: 201, but the ticket holds {held}")
        else:
            explained.add(held["id"])
    for row in ev.rows["ratings"]:
        if row["id"] not in explained:
            check.fail(f"rating {row['id']} of ticket {row['ticket_id']} answered to nobody")
    return check


def _press(
    check: Check,
    press: Press,
    target: dict[str, Any] | None,
    row: dict[str, Any] | None,
    ratings: dict[str, dict[str, Any]],
) -> int | None:
    """Check one press against its stored row and the ticket it is about; returns the id
    of the rating it created, if any."""
    answer = press.answer
    if answer is None or row is None:
        check.fail(
            f"press {press.key}: answer {answer and answer.status}, stored {row is not None}"
        )
        return None
    code = answer.code()
    created = answer.status == 201
    if (row["outcome"], row["code"]) != (("created", None) if created else ("rejected", code)):
        check.fail(f"press {press.key}: answered {answer.status} {code}, stored {row['outcome']}")
    if press.resent is not None:
        again = (press.resent.status, press.resent.code(), (press.resent.data or {}).get("id"))
        if again != ((200, None, answer.data["id"]) if created else (409, code, None)):
            check.fail(f"press {press.key} sent again: {again}")
    if created:
        rating = ratings.get(answer.data["ticket_id"])
        if target is None or answer.data["ticket_id"] != target["id"]:
            check.fail(f"press {press.key} linked to {answer.data['ticket_id']}, not {target}")
        elif rating is None or rating["id"] != answer.data["id"] or rating["level"] != press.level:
            check.fail(f"press {press.key}: its rating is not the ticket's")
        return int(answer.data["id"])
    if code == "no_ticket" and target is not None:
        check.fail(f"press {press.key}: no_ticket, yet {target['number']} was completed before")
    elif code == "already_rated" and (target is None or target["id"] not in ratings):
        check.fail(f"press {press.key}: already_rated, yet its ticket holds no rating")
    elif code not in ("no_ticket", "already_rated"):
        check.fail(f"press {press.key}: refused {answer.status} {code}")
    return None


def flags_applied(ev: Evidence) -> Check:
    """Ratings flagged exactly where the burst rule says (``[alerts.flags]``)."""
    check = Check("flags", "ratings flagged exactly by the burst rule, no other")
    window = timedelta(seconds=ev.rules.burst_window_s)
    by_counter: dict[str, list[datetime]] = defaultdict(list)
    for press in ev.day.presses:
        by_counter[press.counter].append(press.at)
    expected = set()
    for counter, times in by_counter.items():
        times.sort()
        for i, at in enumerate(times):
            if sum(1 for t in times[: i + 1] if t >= at - window) >= ev.rules.burst_count:
                expected |= {
                    r["id"]
                    for r in ev.rows["ratings"]
                    if r["counter_id"] == counter and at - window <= r["at"] <= at
                }
    flagged = {r["id"] for r in ev.rows["ratings"] if r["flagged"]}
    check.checked = len(ev.rows["ratings"])
    if flagged != expected:
        check.fail(f"flagged {sorted(flagged)}, the rule gives {sorted(expected)}")
    return check


def flow_checks(ev: Evidence) -> list[Check]:
    return [
        requests_answered(ev),
        tickets_kept(ev),
        final_states(ev),
        calls_made(ev),
        screens_saw(ev),
        pads_heard(ev),
        presses_linked(ev),
        flags_applied(ev),
    ]
