"""What the hardware package imports: only ``config`` of ours, and device
libraries only when a real device of their kind is built."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO

HARDWARE = REPO / "hardware"
DEVICE_LIBRARIES = ("escpos", "usb", "serial", "gpiozero", "evdev")
#: Ours, the device libraries, and Pillow (the image type of TicketPrinter).
ALLOWED = {"hardware", "config", "PIL", *DEVICE_LIBRARIES}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _loaded_after(code: str) -> dict[str, bool]:
    """Run ``code`` in a fresh interpreter; which device libraries it loaded."""
    report = f"print(json.dumps({{m: m in sys.modules for m in {DEVICE_LIBRARIES!r}}}))"
    probe = f"import json, sys\n{code}\n{report}"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_hardware_imports_only_config_of_ours() -> None:
    """GIVEN every module of hardware WHEN its imports are read
    THEN each is the standard library, hardware, config, Pillow or a device library."""
    strays = {
        f"{path.relative_to(HARDWARE.parent)}: {root}"
        for path in sorted(HARDWARE.rglob("*.py"))
        for root in _imported_roots(path) - ALLOWED
        if root not in sys.stdlib_module_names
    }
    assert not strays


def test_importing_hardware_and_building_a_fake_printer_loads_no_device_library() -> None:
    """GIVEN a fresh process WHEN it imports every adapter module and builds a fake printer
    THEN python-escpos, pyusb, pyserial, gpiozero and evdev are all still unloaded."""
    loaded = _loaded_after(
        "import hardware.audio, hardware.buttons, hardware.keypad, hardware.led_board\n"
        "from hardware.printer import build_printer\n"
        "build_printer('fake', paper_mm=58).open()"
    )
    assert not any(loaded.values()), loaded


def test_a_file_printer_prints_without_pyserial_and_pyusb(tmp_path: Path) -> None:
    """GIVEN a process where pyserial and pyusb cannot be imported
    WHEN a file printer is opened, asked for status and given a ticket
    THEN the ticket is in the spool file."""
    spool = tmp_path / "printer.bin"
    code = (
        "import sys\n"
        "sys.modules['serial'] = sys.modules['usb'] = None  # as if not installed\n"
        "from PIL import Image\n"
        "from hardware.printer import open_printer\n"
        f"printer = open_printer('file', path={str(spool)!r}, paper_mm=58)\n"
        "print(printer.status().value)\n"
        "printer.print_ticket(Image.new('1', (384, 16)))\n"
        "printer.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["ok"]
    assert spool.read_bytes().startswith(b"\x1b@")
