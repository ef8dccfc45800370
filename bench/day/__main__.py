"""``python -m bench.day``: see :mod:`bench.day`."""

import sys

from bench.day import main

sys.exit(main())
