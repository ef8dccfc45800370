"""Fixtures of the dossier tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def kiosk(api):  # noqa: ANN001, ANN201
    return api.device("kiosk-test", "kiosk")
