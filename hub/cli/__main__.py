"""``python -m hub.cli``: the ``motcua`` command."""

import sys

from hub.cli import main

sys.exit(main())
