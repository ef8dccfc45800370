"""Where things are, for tests that read the repository's own files."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The repository's root (the folder holding ``hub/``, ``tests/``, ``pyproject.toml``)."""

FIXTURES = REPO / "tests" / "fixtures"
"""Data files the tests read (recorded device replies…)."""
