"""``python -m neurocore_hw.cli``: the same as the ``neurocore-hw`` command."""

import sys

from . import main

sys.exit(main())
