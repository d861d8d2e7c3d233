#!/usr/bin/env bash
# System packages the project needs beyond pip, installed when this machine allows it.
# Everything the analysis needs comes from pip (Chinese fonts via mplfonts); this script is
# the one place for anything else, so that `make demo` and `make test` stay two commands.
set -euo pipefail
exit 0
