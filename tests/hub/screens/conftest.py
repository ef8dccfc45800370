"""The screens' tests run on the call screen's hub: the demo centre with short
announcements and a clock the test moves (the fixtures of ``tests/display/web``)."""

from __future__ import annotations

from tests.display.web.conftest import accounts, app, caller, clock, config_path, hub

__all__ = ["accounts", "app", "caller", "clock", "config_path", "hub"]
