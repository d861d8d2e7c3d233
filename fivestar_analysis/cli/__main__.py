"""``python -m fivestar_analysis.cli``: the ``fivestar`` command."""

import sys

from fivestar_analysis.cli import main

sys.exit(main())
