"""``motcua doctor``'s checks of the machine itself, whatever its roles (entry ``machine``).

Free space for the data folder (✗ under :data:`MIN_FREE_BYTES`), and hints that
fail nothing: whether the SD card is spared (a read-only root, ``/var/log`` in
RAM, no swap on the card), whether a hardware watchdog can reboot a hung Pi, and
whether the doctor runs as root rather than as the services' user. The standard
library only: every Pi loads this.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from config.doctor import Check, failed, hint, passed, within

__all__ = ["MIN_FREE_BYTES", "checks", "free_space", "parse_mounts", "sd_card", "watchdog"]

MIN_FREE_BYTES = 500 * 1000 * 1000
"""Below this, the data folder's disk is ✗: SQLite, the outbox and the journal need room."""
WATCHDOG = Path("/dev/watchdog")


def checks(path: Path) -> list[Check]:
    """The machine's lines (``path``, the configuration, is not needed)."""
    return [
        *within(10, "free space", lambda: free_space(data_folder())),
        *sd_card(_read("/proc/mounts"), _read("/proc/swaps")),
        watchdog(WATCHDOG),
        *as_root(),
    ]


def data_folder() -> Path:
    """The data folder every motcua process uses: ``MOTCUA_DATA``, else ``var/``
    (docs/contract.md; :func:`hub.store.db.default_data_dir` for the hub)."""
    return Path(os.environ.get("MOTCUA_DATA") or "var")


def free_space(folder: Path, minimum: int = MIN_FREE_BYTES) -> Check:
    """✓ when the disk holding ``folder`` (or its nearest existing parent) has ``minimum`` free."""
    where = folder.absolute()
    while not where.exists() and where != where.parent:
        where = where.parent
    free = shutil.disk_usage(where).free
    if free >= minimum:
        return passed(f"{_size(free)} free for the data folder {folder}")
    return failed(
        f"only {_size(free)} free for the data folder {folder} (needs {_size(minimum)})",
        "make room: sudo journalctl --vacuum-size=100M; sudo apt clean; "
        f"remove old backups from {folder / 'backups'}",
    )


def _size(count: int) -> str:
    return f"{count / 1e9:.1f} GB" if count >= 1e9 else f"{count // 1_000_000} MB"


@dataclass(frozen=True)
class Mount:
    """One line of ``/proc/mounts``."""

    source: str
    point: str
    fstype: str
    options: tuple[str, ...]


def parse_mounts(text: str) -> list[Mount]:
    """The mounts of ``/proc/mounts``' text, in order (a later one over an earlier)."""
    mounts = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            point = parts[1].replace("\\040", " ")
            mounts.append(Mount(parts[0], point, parts[2], tuple(parts[3].split(","))))
    return mounts


def _mount_of(mounts: list[Mount], path: str) -> Mount | None:
    best: Mount | None = None
    for mount in mounts:
        inside = path == mount.point or path.startswith(mount.point.rstrip("/") + "/")
        if inside and (best is None or len(mount.point) >= len(best.point)):
            best = mount
    return best


def sd_card(mounts_text: str, swaps_text: str) -> list[Check]:
    """Hints that spare an SD card: a read-only root, ``/var/log`` in RAM, no swap on it.

    Args:
        mounts_text: ``/proc/mounts``.
        swaps_text: ``/proc/swaps``.
    """
    mounts = parse_mounts(mounts_text)
    root = _mount_of(mounts, "/")
    if root is None:
        return []
    protected = root.fstype == "overlay" or "ro" in root.options
    on_card = "mmcblk" in root.source or root.source == "/dev/root"
    if not protected and not on_card:
        return [passed(f"the root file system is on {root.source}, not an SD card")]
    lines = [_root_line(protected)]
    logs = _mount_of(mounts, "/var/log")
    if protected or (logs is not None and logs.fstype == "tmpfs"):
        lines.append(passed("/var/log is kept in RAM"))
    else:
        lines.append(
            hint(
                "/var/log is on the SD card: log writes wear it",
                "keep the journal in RAM: Storage=volatile in /etc/systemd/journald.conf "
                "(or install log2ram), then sudo systemctl restart systemd-journald",
            )
        )
    swaps = [line.split()[0] for line in swaps_text.splitlines()[1:] if line.strip()]
    on_sd = [s for s in swaps if "zram" not in s and ("mmcblk" in s or not s.startswith("/dev/"))]
    if on_sd:
        lines.append(
            hint(
                f"swap on the SD card ({', '.join(on_sd)}) wears it",
                "turn it off: sudo dphys-swapfile swapoff && sudo systemctl disable "
                "dphys-swapfile (or swap to RAM: sudo apt install zram-tools)",
            )
        )
    else:
        lines.append(passed("no swap on the SD card"))
    return lines


def _root_line(protected: bool) -> Check:
    if protected:
        return passed("the root file system is read-only (an overlay): a power cut cannot harm it")
    return hint(
        "the root file system on the SD card is writable: a power cut can corrupt it",
        "a Pi that keeps no data (a kiosk, a display agent) can run read-only: sudo raspi-config"
        " → Performance Options → Overlay File System; a hub's data folder and a rating pad's"
        " outbox need a writable disk",
    )


def watchdog(device: Path) -> Check:
    """A hint unless the hardware watchdog ``device`` is there."""
    if device.exists():
        return passed(f"hardware watchdog {device} is there")
    return hint(
        f"no hardware watchdog ({device}): a Pi that hangs stays hung until unplugged",
        "add dtparam=watchdog=on to /boot/firmware/config.txt and RuntimeWatchdogSec=15 to "
        "/etc/systemd/system.conf, then reboot",
    )


def as_root() -> list[Check]:
    """A hint when the doctor runs as root: the services run as the user ``motcua``."""
    if os.geteuid() != 0:
        return []
    return [
        hint(
            "running as root: the services run as the user motcua, whose rights may differ",
            "check as they run: sudo -u motcua env MOTCUA_CONFIG=/etc/motcua/motcua.toml "
            "MOTCUA_DATA=/var/lib/motcua motcua doctor",
        )
    ]


def _read(path: str) -> str:
    try:
        return Path(path).read_text("utf-8", errors="replace")
    except OSError:
        return ""
