"""The simulated centre: its size, its fields, its counters and screens, its day's curve.

Everything here is pure: a :class:`Profile` (how big, how fast) gives the site's
configuration text (:func:`site_config`), its devices and staff (:func:`layout`)
and the arrival curve of its citizens (:func:`arrival_times`).
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

DAY_OPEN_H = 7.5
"""The doors open at 07:30; simulated time counts seconds from then."""
ISSUE_END_H = 16.75
"""The kiosks stop at 16:45; the counters serve everyone who holds a number."""
SIM_DAY_S = (ISSUE_END_H - DAY_OPEN_H) * 3600

#: (hour, relative arrivals per hour), linear between the knots: a rush at opening
#: (07:30-09:00), a slow late morning, a lull at noon, a smaller afternoon peak.
ARRIVAL_CURVE = (
    (7.5, 3.0), (8.0, 4.0), (8.5, 3.6), (9.0, 2.6), (10.0, 2.0), (11.0, 1.4),
    (11.5, 0.6), (12.5, 0.3), (13.5, 0.9), (14.0, 2.0), (14.5, 2.2), (15.5, 1.4),
    (16.5, 0.5), (16.75, 0.0),
)  # fmt: skip


@dataclass(frozen=True)
class Field:
    """A field (*lĩnh vực*): its share of the citizens and its mean service time."""

    id: str
    name: str
    prefix: str
    weight: float
    service_min: float


FIELDS = (
    Field("dat-dai", "Đất đai", "A", 0.22, 12.0),
    Field("tu-phap", "Tư pháp – Hộ tịch", "B", 0.18, 7.0),
    Field("kinh-doanh", "Đăng ký kinh doanh", "C", 0.14, 9.0),
    Field("cu-tru", "Cư trú", "D", 0.12, 5.0),
    Field("ldtbxh", "Lao động – Thương binh và Xã hội", "E", 0.10, 8.0),
    Field("giao-thong", "Giao thông vận tải", "F", 0.10, 6.0),
    Field("xay-dung", "Xây dựng", "G", 0.08, 10.0),
    Field("y-te", "Y tế", "H", 0.06, 8.0),
)


@dataclass(frozen=True)
class Profile:
    """How big the centre is and how fast its day runs.

    ``speed``: simulated seconds per wall second (120: a 9¼-hour day in ~4.6 min).
    """

    name: str
    citizens: int
    counters: int
    screens: int
    pads: int
    fields: int
    speed: float
    kiosks: int
    seed: int = 20261207


PROFILES = {
    "full": Profile("full", 1500, 30, 30, 30, 8, 120.0, 6),
    "short": Profile("short", 150, 5, 5, 5, 3, 1200.0, 2),
}


# ------------------------------------------------------------------ arrivals
def _cumulative(step_h: float = 1 / 240) -> tuple[list[float], list[float]]:
    """(hours, cumulative share of the day's arrivals), on a fine grid."""
    hours, shares, total = [DAY_OPEN_H], [0.0], 0.0
    h = DAY_OPEN_H
    while h < ISSUE_END_H - 1e-9:
        mid = h + step_h / 2
        total += _rate(mid) * step_h
        h += step_h
        hours.append(h)
        shares.append(total)
    return hours, [s / total for s in shares]


def _rate(hour: float) -> float:
    for (h0, r0), (h1, r1) in zip(ARRIVAL_CURVE, ARRIVAL_CURVE[1:], strict=False):
        if h0 <= hour <= h1:
            return r0 + (r1 - r0) * (hour - h0) / (h1 - h0)
    return 0.0


def arrival_times(n: int, rng: random.Random) -> list[float]:
    """``n`` arrival instants (simulated seconds after 07:30) drawn from the curve, sorted."""
    hours, shares = _cumulative()
    out = []
    for _ in range(n):
        u = rng.random()
        i = max(1, bisect.bisect_left(shares, u))
        s0, s1 = shares[i - 1], shares[i]
        h = hours[i - 1] + (hours[i] - hours[i - 1]) * ((u - s0) / (s1 - s0) if s1 > s0 else 0)
        out.append((h - DAY_OPEN_H) * 3600)
    return sorted(out)


def clock_label(sim_s: float) -> str:
    """``HH:MM`` of a simulated instant."""
    minutes = int(DAY_OPEN_H * 60 + sim_s / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ------------------------------------------------------------------ the site
@dataclass
class Layout:
    """Who and what works at the centre."""

    fields: tuple[Field, ...]
    counters: dict[str, tuple[str, ...]]
    """Counter id → the fields it serves (its own first)."""
    screens: dict[str, tuple[str, ...] | None]
    """Display device name → the counters it shows (None: every counter)."""
    zones: dict[str, tuple[str, ...]] = field(default_factory=dict)
    staff: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Counter id → (user name, display name) of the officer working it."""


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng")
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Đức", "Ngọc", "Quang", "Thu")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai", "Nam",
         "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Khoa")  # fmt: skip


def layout(profile: Profile) -> Layout:
    """Fields, counters (by each field's work), zones, screens and officers."""
    fields = FIELDS[: profile.fields]
    work = [f.weight * f.service_min for f in fields]
    shares = [w / sum(work) * profile.counters for w in work]
    given = [max(1, int(s)) for s in shares]
    while sum(given) < profile.counters:
        i = max(range(len(fields)), key=lambda k: shares[k] - given[k])
        given[i] += 1
    while sum(given) > profile.counters:
        i = max(range(len(fields)), key=lambda k: given[k] - shares[k])
        given[i] -= 1
    counters: dict[str, tuple[str, ...]] = {}
    for k, (f, n) in enumerate(zip(fields, given, strict=True)):
        for j in range(n):
            cid = str(len(counters) + 1)
            helper = fields[(k + 1) % len(fields)].id
            # The last counter of each field also helps the next field.
            counters[cid] = (f.id, helper) if j == n - 1 and len(fields) > 1 else (f.id,)
    ids = list(counters)
    zone_count = 4 if len(ids) >= 8 else 2
    cuts = [z * len(ids) // zone_count for z in range(zone_count + 1)]
    zones = {
        f"khu-{chr(ord('a') + z)}": tuple(ids[cuts[z] : cuts[z + 1]]) for z in range(zone_count)
    }
    hall = max(1, profile.screens // 15)
    screens: dict[str, tuple[str, ...] | None] = {
        f"man-hinh-sanh-{i + 1}": None for i in range(hall)
    }
    zone_names = list(zones)
    for i in range(profile.screens - hall):
        zone = zone_names[i % zone_count]
        screens[f"man-hinh-{zone}-{i // zone_count + 1}"] = zones[zone]
    rng = random.Random(profile.seed)
    staff = {}
    for cid in ids:
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        staff[cid] = (f"canbo{int(cid):02d}", name)
    return Layout(fields, counters, screens, zones, staff)


def site_config(profile: Profile, plan: Layout, timezone: str) -> str:
    """The hub's configuration file for this centre (TOML text).

    ``[alerts.flags] burst_window_s`` is scaled by the speed: it judges citizens'
    presses, which come ``speed`` times closer together than on a real day. The
    rating window keeps its smallest allowed value (10 s), ``speed`` × 10 s of the day.
    """
    lines = [
        "[site]",
        'id = "mo-phong-mot-ngay"',
        'name = "Trung tâm Phục vụ hành chính công (một ngày mô phỏng)"',
        f'timezone = "{timezone}"',
        "",
        "[ratings]",
        "window_s = 10",
        "invite_s = 5",
        "",
        "[alerts.flags]",
        f"burst_window_s = {30.0 / profile.speed:.4f}",
        "",
    ]
    for f in plan.fields:
        lines += ["[[services]]", f'id = "{f.id}"', f'name = "{f.name}"', f'prefix = "{f.prefix}"']
        lines += ["digits = 3", ""]
    for cid, served in plan.counters.items():
        services = ", ".join(f'"{s}"' for s in served)
        lines += ["[[counters]]", f'id = "{cid}"', f'name = "Quầy {cid}"']
        lines += [f"services = [{services}]", ""]
    for zone, ids in plan.zones.items():
        counters = ", ".join(f'"{c}"' for c in ids)
        lines += ["[[display.screens]]", f'id = "{zone}"', f'name = "Khu {zone[-1].upper()}"']
        lines += [f"counters = [{counters}]", ""]
    return "\n".join(lines)


def site_timezone(now: datetime, run_budget_h: float = 2.0) -> str:
    """``Asia/Ho_Chi_Minh``, unless the run could cross its midnight: then the fixed
    ``Etc/GMT±N`` zone where it is about noon (one site day holds the whole run)."""
    local = now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    hour = local.hour + local.minute / 60
    if 0.5 <= hour <= 24 - run_budget_h:
        return "Asia/Ho_Chi_Minh"
    utc = now.astimezone(ZoneInfo("UTC"))
    offset = round(12 - (utc.hour + utc.minute / 60))  # -12 … +12: local noon, give or take
    # POSIX sign: Etc/GMT-7 is seven hours ahead of UTC.
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")
