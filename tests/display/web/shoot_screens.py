"""Screenshots of the call screen on a busy morning (for docs and for review).

Run: ``.venv/bin/python tests/display/web/shoot_screens.py`` writes
``docs/screenshots/display-landscape.png`` (1920×1080, ``/display``) and
``display-portrait.png`` (1080×1920, ``/display/dat-dai``) from the demo centre.
``--config config/examples/centre.toml --screen sanh-a --out /tmp/a.png`` shoots any
screen of any configuration instead. Not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: tests.*

from playwright.sync_api import sync_playwright  # noqa: E402

from config.paths import EXAMPLES  # noqa: E402
from config.schema import load_config
from hub.app import create_app  # noqa: E402
from tests.display.web.livehub import Caller, add_accounts, settings_for  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.live import LiveServer  # noqa: E402
from tests.support.paths import REPO  # noqa: E402

DOCS = REPO / "docs" / "screenshots"


def busy_morning(caller: Caller, config_path: Path, counters: int) -> None:
    """Tickets waiting in every field and a few calls at the first counters."""
    config = load_config(config_path)
    for i, service in enumerate(config.services):
        for _ in range(3 + 4 * ((i + 1) % 3)):
            caller._post("/tickets", caller.accounts.kiosk_token, {"service": service.id})
    for _round in range(2):
        for counter in config.counters[:counters]:
            token = caller.staff(counter.id)
            caller._post(f"/counters/{counter.id}/call-next", token)


def shoot(config_path: Path, shots: list[tuple[str, int, int, Path]], counters: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="motcua-shots-"))
    app = create_app(settings_for(config_path, data_dir))
    server = LiveServer(app).start()
    try:
        busy_morning(Caller(app, add_accounts(app, counters=())), config_path, counters)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for path, width, height, out in shots:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(server.url + path)
                page.wait_for_selector("body[data-connected='1']")
                page.evaluate("document.fonts.ready.then(() => true)")
                time.sleep(0.5)
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out))
                print(f"wrote {out}")
                page.close()
            browser.close()
    finally:
        server.stop()
        app.extensions["motcua"].engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=EXAMPLES / "demo.toml")
    parser.add_argument("--screen", help="screen id (default: the docs' two shots)")
    parser.add_argument("--size", default="1920x1080", help="WIDTHxHEIGHT")
    parser.add_argument("--out", type=Path, default=Path("display.png"))
    parser.add_argument("--counters", type=int, default=3, help="counters that call")
    args = parser.parse_args()
    if args.screen is None and args.config == EXAMPLES / "demo.toml":
        shots = [
            ("/display", 1920, 1080, DOCS / "display-landscape.png"),
            ("/display/dat-dai", 1080, 1920, DOCS / "display-portrait.png"),
        ]
    else:
        width, height = (int(v) for v in args.size.split("x"))
        path = f"/display/{args.screen}" if args.screen else "/display"
        shots = [(path, width, height, args.out)]
    shoot(args.config, shots, args.counters)
    return 0


if __name__ == "__main__":
    sys.exit(main())
