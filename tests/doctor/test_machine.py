"""The machine's lines: free space (a failure below 500 MB) and hints that spare an SD card
or reboot a hung Pi, from the kernel's own tables (``/proc/mounts``, ``/proc/swaps``)."""

from __future__ import annotations

from pathlib import Path

from hub.cli.doctor_machine import free_space, sd_card, watchdog

SD_ROOT = "/dev/mmcblk0p2 / ext4 rw,noatime 0 0\n/dev/mmcblk0p1 /boot/firmware vfat rw 0 0\n"
NO_SWAP = "Filename\tType\tSize\tUsed\tPriority\n"
SWAP_FILE = NO_SWAP + "/var/swap                               file\t\t102396\t0\t-2\n"
ZRAM = NO_SWAP + "/dev/zram0                              partition\t2097148\t0\t100\n"


def test_free_space_below_the_threshold_fails(tmp_path: Path) -> None:
    """GIVEN a data folder (not made yet) WHEN its disk has less free than needed THEN the
    line is ✗ with ways to make room; with enough it is ✓."""
    folder = tmp_path / "not" / "made"
    assert free_space(folder, minimum=1).ok
    short = free_space(folder, minimum=10**18)
    assert (
        short.fails and short.label.startswith("only ") and "(needs 1000000000.0 GB)" in short.label
    )
    assert "journalctl --vacuum-size" in short.advice


def test_a_writable_sd_card_with_logs_and_swap_on_it_gets_three_hints() -> None:
    """GIVEN a root on the SD card, writable, /var/log on it and a swap file WHEN checked
    THEN three hints (no failure), each saying what to do."""
    lines = sd_card(SD_ROOT, SWAP_FILE)
    assert [line.hint for line in lines] == [True, True, True]
    assert not any(line.fails for line in lines)
    assert "Overlay File System" in lines[0].advice
    assert "Storage=volatile" in lines[1].advice
    assert lines[2].label == "swap on the SD card (/var/swap) wears it"


def test_an_overlay_root_with_zram_is_all_ticks() -> None:
    """GIVEN raspi-config's overlay root and swap in RAM WHEN checked THEN all ✓."""
    mounts = "overlayroot / overlay rw,relatime,lowerdir=/media/root-ro 0 0\n"
    lines = sd_card(mounts, ZRAM)
    assert all(line.ok for line in lines) and len(lines) == 3


def test_logs_in_ram_on_a_writable_card() -> None:
    """GIVEN /var/log on tmpfs (log2ram) WHEN checked THEN its line is ✓, the root's a hint."""
    lines = sd_card(SD_ROOT + "log2ram /var/log tmpfs rw,nosuid 0 0\n", NO_SWAP)
    assert [(line.ok, line.hint) for line in lines] == [(False, True), (True, False), (True, False)]


def test_a_root_off_the_card_needs_no_hint() -> None:
    """GIVEN a root on an SSD WHEN checked THEN one ✓ line says so."""
    (only,) = sd_card("/dev/sda2 / ext4 rw 0 0\n", SWAP_FILE)
    assert only.ok and only.label == "the root file system is on /dev/sda2, not an SD card"


def test_the_watchdog_is_a_hint(tmp_path: Path) -> None:
    """GIVEN no watchdog device THEN a hint (not a failure); GIVEN one THEN ✓."""
    missing = watchdog(tmp_path / "watchdog")
    assert missing.hint and not missing.fails and "dtparam=watchdog=on" in missing.advice
    (tmp_path / "watchdog").touch()
    assert watchdog(tmp_path / "watchdog").ok
