"""What the tests share: a pytest plugin (``live``: a WSGI app served on 127.0.0.1;
``browser``: Debian's Chromium; ``threads``: no thread outlives its test), registered
in ``tests/conftest.py``, and helpers (``paths``, ``escpos_decode``)."""
