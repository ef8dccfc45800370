"""A simulated day of a large centre against the hub that ships (``motcua serve``).

``python -m bench.day`` (the full profile: 1,500 citizens, 30 counters, 30 screens,
30 rating pads, 6 kiosks) or ``python -m bench.day --profile short`` (150 citizens,
5 counters, 5 screens, 5 pads, under a minute; run in CI by ``tests/bench``).

**The day.** Citizens arrive from 07:30 to 16:45 along a realistic curve (a rush at
opening, 07:30-09:00; a slower late morning; a lull at noon; a smaller afternoon
peak), each for one of the centre's fields, at one of its kiosks
(:mod:`bench.day.profile`). Each has an errand drawn once from a fixed seed
(:mod:`bench.day.plan`): how long it takes at the counter; whether they give up and
cancel on the ticket's page, are not there when called (recall, then no-show), are
sent to another field; how they rate: on the counter's pad, on the ticket's page,
both, twice, or not at all. Officers log in, open their counters, call, serve,
complete, pause for lunch and close once the floor is empty; stray presses and a
child's burst on a pad complete the day (:mod:`bench.day.actors`). Screens are
registered ``display`` devices that acknowledge every call they show, pads keep a
``/devices`` socket open for ``rating_open`` (:mod:`bench.day.sockets`).

**Time.** The day runs ``speed`` times faster than the wall clock (×120 for the
full profile: 9¼ hours in under 5 minutes; ×1200 for the short one). The hub is
*not* given a simulated clock: it runs unchanged, on the real clock, as it ships
(a clock of its own would need a hook in the product or a preloaded fake-time
library, and a sped-up clock would also speed up what must not be: its workers'
timeouts, the screens' acknowledgement timeout, its background jobs). So every
time the hub stores is a real instant of the run, and the checks compare each one
with the wall-clock instants just before and after the request that set it
(issue, call, completion), which the hub's clock and the driver's share. Only
what describes the citizens is compressed: arrival, service and patience times,
and the two settings that judge them: ``[alerts.flags] burst_window_s`` is divided
by the speed, and ``[ratings] window_s`` takes its smallest value (10 s, i.e.
20 simulated minutes at ×120). Reported durations (waits, service times) are wall
seconds; multiply by the speed for the day's. To keep the whole run inside one
site day, the site's timezone is ``Asia/Ho_Chi_Minh`` unless the run could cross
its midnight; then it is the ``Etc/GMT±N`` zone where it is about noon.

**At the end** the invariants are checked (:mod:`bench.day.checks`,
:mod:`bench.day.report_checks`), and the process exits 1 if one fails:
nothing lost and no duplicate (every acknowledged ticket in the database once,
numbers unique and without a gap); every ticket's final state and times as answered;
every call made once; every call reached every screen and was acknowledged as
shown by each screen that shows it; every pad told of each completion; every press
linked to its ticket or refused with its reason; ratings flagged exactly by the
burst rule; the hub's reports (the ``/stats`` API and ``motcua report``'s CSV)
equal the figures computed from the raw rows and from the driver's own record.
It prints progress while it runs, then the p99 of each operation (issue,
call-next, complete, rating press, call → screen…), the hub's memory (RSS of the
server's processes) at the start and the end, and writes
``bench/results/day.json`` (``day_short.json``).
"""

from bench.day.run import main

__all__ = ["main"]
