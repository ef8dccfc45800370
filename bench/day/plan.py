"""What each citizen of the simulated day will do, drawn once from the profile's seed.

Pure: :func:`make_plan` returns the citizens (when they come, for which field, how
long their errand takes, whether they give up, miss their call, are sent to another
field, how they rate; one lets a child press six times instead) and the stray
presses of the day. Times are simulated seconds after 07:30.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from bench.day.profile import Layout, Profile, arrival_times

LEVELS = ("very_satisfied", "satisfied", "unsatisfied")
LUNCH_S = (4.25 * 3600, 5.5 * 3600)
"""A third of the counters pause from 11:45 to 13:00."""
BURST_PRESSES = 6
BURST_AFTER_S = 6.5 * 3600


@dataclass
class Citizen:
    """One citizen's errand; the mutable part is filled in as the day runs."""

    index: int
    arrive_s: float
    field: str
    priority: str | None
    kiosk: int
    service_s: float
    patience_s: float | None
    """Gives up (cancels the ticket) when not called this long after arriving."""
    no_show: bool
    """Not there when called (the counter recalls once, then marks a no-show)."""
    transfer_to: str | None
    """The counter sends the ticket to this field before serving it."""
    rating: str
    """``pad``, ``phone`` (the ticket's page), ``both`` (the second is refused) or ``none``."""
    level: str
    double_press: bool
    """Presses the pad twice (the second is refused: ``already_rated``)."""
    resend_press: bool
    """The pad sends the press again with the same key (its first answer was lost)."""
    resend_issue: bool
    """The kiosk sends the ticket request again with the same key."""
    press_delay_s: float
    burst: bool = False
    """Rates with a child's burst: six presses in a simulated few seconds."""
    # the day as it happened
    ticket_id: str | None = None
    left: bool = False
    transferred: bool = False


@dataclass
class Plan:
    citizens: list[Citizen]
    lunch: set[str] = field(default_factory=set)
    """Counters that pause for lunch."""
    stray: list[tuple[str, float]] = field(default_factory=list)
    """(counter, instant): a press with no citizen behind it (the first one at opening,
    before anyone was served: refused, ``no_ticket``)."""


def _lognormal(rng: random.Random, mean: float, sigma: float = 0.5) -> float:
    mu = math.log(mean) - sigma * sigma / 2
    return rng.lognormvariate(mu, sigma)


def make_plan(profile: Profile, site: Layout) -> Plan:
    """Every citizen's errand and the odd presses, the same for the same profile."""
    rng = random.Random(profile.seed)
    fields = site.fields
    weights = [f.weight for f in fields]
    citizens = []
    for i, arrive in enumerate(arrival_times(profile.citizens, rng)):
        f = rng.choices(fields, weights)[0]
        others = [g.id for g in fields if g.id != f.id]
        x = rng.random()
        rating = "pad" if x < 0.78 else "phone" if x < 0.84 else "both" if x < 0.87 else "none"
        quality = rng.random()
        patience = rng.uniform(20, 50) * 60 if rng.random() < 0.03 else None
        transfer = rng.choice(others) if others and rng.random() < 0.015 else None
        level = LEVELS[0] if quality < 0.58 else LEVELS[1] if quality < 0.92 else LEVELS[2]
        citizens.append(
            Citizen(
                index=i,
                arrive_s=arrive,
                field=f.id,
                priority="elderly" if rng.random() < 0.06 else None,
                kiosk=rng.randrange(profile.kiosks),
                service_s=max(60.0, _lognormal(rng, f.service_min * 60)),
                patience_s=patience,
                no_show=rng.random() < 0.03,
                # Never both: a transferred ticket carries its first wait, which the
                # checks could not tell from its timestamps once cancelled.
                transfer_to=transfer if patience is None else None,
                rating=rating,
                level=level,
                double_press=rating in ("pad", "both") and rng.random() < 0.04,
                resend_press=rating in ("pad", "both") and rng.random() < 0.02,
                resend_issue=rng.random() < 0.01,
                press_delay_s=rng.uniform(3, 40),
            )
        )
    counters = list(site.counters)
    lunch = set(counters[::3]) if len(counters) >= 3 else set()
    day_s = citizens[-1].arrive_s if citizens else 0.0
    stray = [(counters[0], 5.0)]
    stray += [(rng.choice(counters), rng.uniform(0, day_s)) for _ in range(len(citizens) // 150)]
    # The first citizen after 14:00 sure to be served and to rate on the pad lets a
    # child press instead.
    for citizen in citizens:
        served = not citizen.no_show and citizen.patience_s is None and not citizen.transfer_to
        if citizen.arrive_s >= BURST_AFTER_S and citizen.rating == "pad" and served:
            citizen.burst, citizen.double_press, citizen.resend_press = True, False, False
            break
    return Plan(citizens, lunch, stray)
