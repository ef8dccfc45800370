"""The tests are packages (``tests.config``, ``tests.hub``…) that shadow nothing: the
code they import is the repository's own packages, wherever pytest is run from."""

from __future__ import annotations

import importlib

import pytest

from tests.support.paths import REPO


@pytest.mark.parametrize("name", ["config", "hardware", "hub", "kiosk", "display"])
def test_the_code_under_test_is_the_repositorys_package(name: str) -> None:
    """GIVEN a test folder of the same name (tests/config…) WHEN the package is imported
    THEN it is the repository's, not the folder of tests."""
    module = importlib.import_module(name)
    assert module.__file__ == str(REPO / name / "__init__.py")
