"""Benchmark: render time of a 576-dot Vietnamese ticket with a QR code.

Renders a realistic run of tickets (each with its own number, people ahead,
wait, issue time and status URL, as a kiosk would issue them) and reports the
median and p99 of the per-ticket render time. The first render in the process
(fonts loaded cold) is reported separately.

Run: ``.venv/bin/python -m bench.bench_ticket_render [--iterations 200]``.
Writes ``bench/results/ticket_render.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import PIL

from kiosk.ticket.render import TicketContent, TicketLayout, render_ticket

logger = logging.getLogger(__name__)

RESULTS = Path(__file__).parent / "results" / "ticket_render.json"
_FIELDS = ("Đất đai", "Hộ tịch", "Chứng thực", "Đăng ký kinh doanh")
_PRIORITIES = (None, None, None, None, None, None, "elderly", "disabled", "war_invalid")
_START = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)


def ticket(i: int) -> TicketContent:
    """The i-th ticket of a busy morning; every varying field changes."""
    return TicketContent(
        centre_name="Trung tâm Phục vụ hành chính công xã Tân Phú",
        service_name=_FIELDS[i % len(_FIELDS)],
        number=f"{1001 + i:04d}",
        waiting_ahead=3 + i % 40,
        estimated_wait_s=None if i % 50 == 49 else 120 + (i % 40) * 95,
        priority=_PRIORITIES[i % len(_PRIORITIES)],
        issued_at=_START + timedelta(seconds=37 * i),
        timezone="Asia/Ho_Chi_Minh",
        status_url=f"https://motcua.tanphu.gov.vn/t/{(i * 7919 + 104729) % 36**6:06x}",
        counter_hint=f"Quầy số {1 + i % 6}",
    )


def _percentile(sorted_ms: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    rank = max(1, -(-len(sorted_ms) * pct // 100))
    return sorted_ms[int(rank) - 1]


def run(iterations: int, dots: int) -> dict[str, object]:
    """Render ``iterations`` distinct tickets and return the figures (ms)."""
    layout = TicketLayout.for_paper(dots, header_lines=("UBND TỈNH ĐỒNG NAI",))
    started = time.perf_counter_ns()
    image = render_ticket(ticket(0), layout)
    first_ms = (time.perf_counter_ns() - started) / 1e6
    for i in range(1, 6):  # warm-up, not counted
        render_ticket(ticket(i), layout)
    samples: list[float] = []
    for i in range(6, 6 + iterations):
        content = ticket(i)
        started = time.perf_counter_ns()
        render_ticket(content, layout)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    samples.sort()
    return {
        "benchmark": "ticket_render",
        "description": f"{dots}-dot Vietnamese ticket with QR, distinct tickets, in-process",
        "iterations": iterations,
        "paper_dots": dots,
        "ticket_height_dots": image.height,
        "first_render_ms": round(first_ms, 3),
        "median_ms": round(statistics.median(samples), 3),
        "p99_ms": round(_percentile(samples, 99), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "min_ms": round(samples[0], 3),
        "max_ms": round(samples[-1], 3),
        "environment": {
            "python": platform.python_version(),
            "pillow": PIL.__version__,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the figures and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--dots", type=int, default=576)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = run(args.iterations, args.dots)
    print(
        f"ticket render ({result['paper_dots']} dots, {result['iterations']} tickets): "
        f"median {result['median_ms']} ms, p99 {result['p99_ms']} ms, "
        f"first (cold fonts) {result['first_render_ms']} ms"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
