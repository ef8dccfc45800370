"""``python -m kiosk.dispenser --config PATH``: the kiosk agent alone (see :func:`.cli.main`)."""

from kiosk.dispenser.cli import main

raise SystemExit(main())
