"""``python -m fivestar_analysis.cli``: the ``fivestar`` command."""

import sys

from fivestar_analysis.cli import main

if __name__ == "__main__":  # not when a worker process re-imports the main module
    sys.exit(main())
