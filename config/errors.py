"""Configuration errors that people can act on: file, key, what is wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a configuration file."""

    key: str
    message: str

    def render(self, path: str) -> str:
        """``path: key: message`` (``path: message`` without a key)."""
        where = f"{path}: {self.key}" if self.key else path
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration cannot be used; carries every problem found at once."""

    def __init__(self, path: str, problems: Iterable[ConfigProblem]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        """All problems, one per line, each naming the file and the key."""
        return "\n".join(p.render(self.path) for p in self.problems)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A ` (did you mean "x"?)` suffix when a close choice exists, else ``""``."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""
