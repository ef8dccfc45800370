"""What ``motcua doctor`` and the checks of each role say to each other.

The command (:mod:`hub.cli.doctor`) finds the checks of each role the
configuration names through the entry-point group :data:`GROUP`, named after the
role (``hub``, ``kiosk``, ``rating_pad``, ``counter_keypad``, ``display_agent``,
and ``machine`` for every Pi). Each entry is a :data:`RoleChecks`: it takes the
configuration file and answers a list of :class:`Check`. The hub's checks live in
``hub``, the devices' with their agents, and neither imports the other: this
module is all they share.

A check that could hang (a dead hub, a device that never answers) runs through
:func:`within`, which gives up after its timeout and never lets an exception out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from config.extras import PI_EXTRAS, not_installed

__all__ = [
    "GROUP",
    "MACHINE",
    "ROLE_NAMES",
    "Check",
    "RoleChecks",
    "failed",
    "hint",
    "passed",
    "within",
]

GROUP = "motcua.doctor"
"""The entry-point group of the checks, one entry per role, named after it."""
MACHINE = "machine"
"""The entry of the checks of the machine itself, run for every file."""
ROLE_NAMES: dict[str, str] = {
    "hub": "hub",
    "kiosk": "kiosk",
    "rating_pad": "rating pad",
    "counter_keypad": "counter keypad",
    "display_agent": "display agent",
    MACHINE: "this machine",
}
"""Each role (its section, or ``hub`` for ``[site]``) and how its lines name it."""


@dataclass(frozen=True)
class Check:
    """One line of the doctor's answer.

    Attributes:
        ok: the thing checked is as it should be.
        label: what was checked and what was found, e.g. ``"printer usb:0416:5011 opens"``.
        advice: what to do when it is not ok (empty when ok).
        hint: a piece of advice, not a failure: said, but the doctor still exits 0.
    """

    ok: bool
    label: str
    advice: str = ""
    hint: bool = False

    @property
    def fails(self) -> bool:
        """True when this line makes the doctor exit 1."""
        return not self.ok and not self.hint

    def line(self, prefix: str = "") -> str:
        """``✓ label``, ``✗ label — advice`` or, for a hint, ``! label — advice``."""
        if self.ok:
            return f"✓ {prefix}{self.label}"
        mark = "!" if self.hint else "✗"
        return f"{mark} {prefix}{self.label}" + (f" — {self.advice}" if self.advice else "")


RoleChecks = Callable[[Path], list[Check]]
"""The checks of one role: the configuration file in, the lines out."""


def passed(label: str) -> Check:
    """A ✓ line."""
    return Check(True, label)


def failed(label: str, advice: str) -> Check:
    """A ✗ line, with what to do."""
    return Check(False, label, advice)


def hint(label: str, advice: str) -> Check:
    """A ``!`` line: advice that does not fail the doctor."""
    return Check(False, label, advice, hint=True)


def within(
    seconds: float,
    label: str,
    check: Callable[[], Check | Sequence[Check]],
    *,
    on_timeout: str = "it hangs: unplug and plug it again (or restart it), then check again",
) -> list[Check]:
    """Run ``check`` on a thread of its own and wait at most ``seconds`` for it.

    Args:
        seconds: how long the check may take.
        label: what it checks, for the lines said when it does not answer or breaks.
        check: answers one line or several.
        on_timeout: the advice when it does not answer in time.

    Returns:
        its lines; one ✗ line when it did not answer in time, or raised (a missing
        optional library is named, anything else is reported as a bug, without a
        traceback). The thread of a check that did not answer is left behind.
    """
    lines: list[Check] = []
    done = threading.Event()

    def run() -> None:
        try:
            answer = check()
            lines.extend([answer] if isinstance(answer, Check) else answer)
        except ModuleNotFoundError as err:
            lines.append(
                failed(
                    f"{label}: {not_installed(err)}",
                    f"install the Pi's extras: {PI_EXTRAS}",
                )
            )
        except Exception as err:  # noqa: BLE001 - a check never stops the doctor
            lines.append(
                failed(
                    f"{label}: {type(err).__name__}: {err}",
                    "unexpected: run `motcua -v doctor` and report what it says",
                )
            )
        finally:
            done.set()

    threading.Thread(target=run, name=f"doctor {label}", daemon=True).start()
    if not done.wait(seconds):
        return [failed(f"{label}: no answer within {seconds:g} s", on_timeout)]
    return list(lines)
