"""motcua's devices: one small interface per kind, a real adapter and a fake each.

- :mod:`hardware.ports`: the Protocols agents depend on (``TicketPrinter``,
  ``ButtonPanel``, ``Indicator``, ``KeypadReader``, ``CounterDisplay``,
  ``AudioOutput``), ``PrinterStatus``, LED patterns.
- :mod:`hardware.errors`: ``HardwareError`` and its leaves, the only exceptions
  that leave this package.
- Adapters: :mod:`hardware.printer` (python-escpos), :mod:`hardware.buttons`
  (gpiozero), :mod:`hardware.keypad` (evdev), :mod:`hardware.led_board`
  (pyserial), :mod:`hardware.audio` (aplay).
- :mod:`hardware.fakes`: a ``Fake*`` per port, for ``motcua demo`` and tests.

Device libraries are imported only when a real adapter is built, so the core
(and the fakes) work without the ``pi`` extra.
"""
