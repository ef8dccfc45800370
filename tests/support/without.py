"""Run ``motcua`` as on a machine installed without some libraries (``pip install
motcua`` without the Pi's extras): ``python -m tests.support.without escpos,serial --
--config FILE kiosk``. Importing a blocked top-level module raises
ModuleNotFoundError, as it does where the package is not installed."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


class Missing(importlib.abc.MetaPathFinder):
    """A finder in front of all others that knows the blocked names are not there."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def main() -> int:
    names, _, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    sys.meta_path.insert(0, Missing(set(names.split(","))))
    from hub.cli import main as motcua  # after the finder: nothing of ours loaded before

    return motcua(args)


if __name__ == "__main__":
    sys.exit(main())
