"""Who acts: a user, a device, the system or the public."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (staff, manager, admin), a device, or the public.

    Attributes:
        kind: ``"user"``, ``"device"``, ``"system"`` or ``"public"``.
        id: the user's or device's row id.
        name: the username or device name.
        role: the user's role, or the device's kind (see :mod:`config.wire`).
        counter_id: the counter a device belongs to.
        address: where the request came from (for the audit log).
    """

    kind: str
    id: int | None = None
    name: str = ""
    role: str = ""
    counter_id: str | None = None
    address: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}" if self.name else self.kind


PUBLIC = Actor("public")
