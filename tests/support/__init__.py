"""What the tests share: a pytest plugin (``live``: a WSGI app served on 127.0.0.1;
``browser``: Debian's Chromium; ``threads``: no thread outlives its test;
``tcp_proxy``: a TCP relay a test can cut), registered in ``tests/conftest.py``,
and helpers (``paths``, ``escpos_decode``)."""
