"""The printed ticket: its wording (:mod:`.text_vi`), its layout (:mod:`.layout`) and
its raster (:mod:`.render`).

Pure code with no device and no hub: the dispenser prints what
:func:`kiosk.ticket.render.render_ticket` draws, and the benchmarks time it.
"""
