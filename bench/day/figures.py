"""The day's figures: p99 of each operation, the screens' call latency, the hub's memory,
what happened (tickets, calls, presses); the progress line and the closing summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from bench.day.checks import Check
from bench.day.profile import clock_label
from bench.day.state import Day
from bench.servers import latency_summary, noise

#: Operations in the order they are printed, with their label.
OPERATIONS = (
    ("issue", "issue a ticket (kiosk)"),
    ("call_next", "call next"),
    ("complete", "complete"),
    ("recall", "recall"),
    ("no_show", "no-show"),
    ("transfer", "transfer"),
    ("press", "rating press (pad)"),
    ("phone_rating", "rating on the ticket's page"),
    ("cancel", "cancel (citizen)"),
)


def screen_latencies(day: Day, sockets: dict[str, Any]) -> tuple[list[float], list[float]]:
    """(every screen's latency, each call's time to its last screen), ms, from the instant
    before the call-next or recall request was sent (one ``CLOCK_MONOTONIC`` for all)."""
    sent: dict[tuple[str, str, bool], list[int]] = defaultdict(list)
    for call in day.calls:
        sent[(call.counter, call.number, call.recall)].append(call.t0_ns)
    by_key: dict[tuple[str, str, bool], list[int]] = defaultdict(list)
    for seq, (number, counter, recall) in sorted(sockets["calls"].items(), key=lambda i: int(i[0])):
        by_key[(counter, number, recall)].append(int(seq))
    t0_of = {}
    for key, seqs in by_key.items():
        for seq, t0 in zip(seqs, sent.get(key, []), strict=False):
            t0_of[seq] = t0
    each: list[float] = []
    last: dict[int, int] = defaultdict(int)
    for receipts in sockets["receipts"].values():
        for seq, t_ns in receipts:
            if seq in t0_of:
                each.append((t_ns - t0_of[seq]) / 1e6)
                last[seq] = max(last[seq], t_ns)
    return each, [(t - t0_of[seq]) / 1e6 for seq, t in last.items()]


def happened(day: Day, sockets: dict[str, Any]) -> dict[str, Any]:
    """What the day held, from the driver's record."""
    outcomes: Counter[str] = Counter()
    for press in day.presses:
        answer = press.answer
        if answer is None or answer.status == 0:
            outcomes["no answer"] += 1
        else:
            outcomes["linked" if answer.status == 201 else str(answer.code())] += 1
    phone = Counter(
        "linked" if a.status == 201 else str(a.code()) for _t, _l, a in day.phone_ratings
    )
    return {
        "tickets": len(day.tickets),
        **day.tally(),
        "transfers": sum(op == "transfer" for t in day.tickets.values() for op, _a in t.actions),
        "calls": len(day.calls),
        "recalls": sum(c.recall for c in day.calls),
        "presses": dict(outcomes),
        "phone_ratings": dict(phone),
        "acks": len(sockets.get("acks", [])),
        "screen_messages": sum(len(r) for r in sockets.get("receipts", {}).values()),
    }


def operations(day: Day) -> dict[str, Any]:
    out = {}
    for op, _label in OPERATIONS:
        if day.recorder.latencies.get(op):
            out[op] = {
                "count": day.recorder.count(op),
                **latency_summary(day.recorder.latencies[op]),
            }
    return out


def progress_line(day: Day, counts: dict[str, int] | None, rss_mb: float) -> str:
    t = day.tally()
    lat = day.recorder.latencies
    p99 = {op: latency_summary(lat[op])["p99_ms"] for op in ("issue", "call_next") if lat.get(op)}
    screens = (
        f"screens {counts['receipts']} msgs, acks {counts['acks_answered']}/{counts['acks_sent']}"
        if counts
        else "screens ?"
    )
    return (
        f"  {clock_label(day.sim_now())} | issued {len(day.tickets)}/{len(day.plan.citizens)}, "
        f"waiting {t['waiting']}, at counters {t['called']}, done {t['done']}, "
        f"no-show {t['no_show']}, cancelled {t['cancelled']} | presses {len(day.presses)} | "
        f"{screens} | hub {rss_mb:.0f} MB | p99 ms {p99} | late {day.max_lag_s / 60:.1f} min"
    )


def summary_lines(result: dict[str, Any], checks: list[Check]) -> list[str]:
    """The closing summary: what happened, p99s, memory, CPU, invariants."""
    h, mem = result["happened"], result["memory"]
    lines = [
        f"\nsimulated day ({result['profile']['name']}): {result['profile']['citizens']} citizens, "
        f"{result['profile']['counters']} counters, {result['profile']['screens']} screens, "
        f"{result['profile']['pads']} pads, ×{result['profile']['speed']:g} "
        f"in {result['wall_s']:.0f} s ({result['server']})",
        f"  tickets {h['tickets']}: done {h['done']}, no-show {h['no_show']}, cancelled "
        f"{h['cancelled']}, transfers {h['transfers']}; calls {h['calls']} (recalls "
        f"{h['recalls']}); presses {h['presses']}; page ratings {h['phone_ratings']}; "
        f"flagged {h['flagged_ratings']}; screen messages {h['screen_messages']}, acks {h['acks']}",
        f"  {'operation':<30}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}",
    ]
    for op, label in (*OPERATIONS, ("screen_call", "call → screen"), ("ack", "screen ack")):
        f = result["operations"].get(op)
        if f:
            lines.append(
                f"  {label:<30}{f['count']:>7}{f['p50_ms']:>9}{f['p99_ms']:>9}{f['max_ms']:>9}"
            )
    lines.append(
        f"  hub memory (RSS, all processes): {mem['start_mb']} MB at start, {mem['end_mb']} MB "
        f"at the end (+{mem['growth_mb']} MB), peak {mem['peak_mb']} MB"
    )
    usage = result["usage"]
    lines.append(
        f"  CPU s: hub {usage['cpu_s']['server']} ({result['hub_cpu_ms_per_citizen']} ms a "
        f"citizen), sockets {usage['cpu_s']['client']}, "
        f"driver {usage['cpu_s']['bench']}; {noise(usage)}; actors at most "
        f"{result['max_lag_min']} simulated min late"
    )
    for check in checks:
        mark = "✓" if check.ok else "✗"
        lines.append(f"  {mark} {check.name}: {check.what} ({check.checked} checked)")
        lines += [f"      {p}" for p in check.problems[:10]]
    return lines
