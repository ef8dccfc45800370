"""``python -m bench`` (``make bench``): run every benchmark script in turn, then the
simulated day (:mod:`bench.day`).

Each script prints its figures and writes ``bench/results/<name>.json``.
Pass names to run only some: ``python -m bench ticket_render hub_throughput day``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

#: Benchmarks that are not ``bench_*`` scripts (packages), run after them.
OTHERS = ("day",)


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    names += list(OTHERS)
    wanted = [n if n.startswith("bench_") or n in OTHERS else f"bench_{n}" for n in argv] or names
    failed = []
    for i, name in enumerate(wanted, 1):
        print(f"\n[{i}/{len(wanted)}] {name}", flush=True)
        started = time.monotonic()
        module = importlib.import_module(f"bench.{name}")
        try:
            code = module.main([]) if hasattr(module, "main") else 0
        except SystemExit as exit_:
            code = exit_.code or 0
        print(f"[{i}/{len(wanted)}] {name} done in {time.monotonic() - started:.1f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
