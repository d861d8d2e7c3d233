#!/usr/bin/env bash
# System packages the project needs beyond pip, installed when this machine allows it.
#
#   scripts/system-deps.sh          nothing: the analysis and the report need only pip
#                                   (Chinese fonts for charts come with mplfonts)
#   scripts/system-deps.sh --test   headless Chromium and a CJK font for the browser test
#                                   that opens the rendered report (Debian/Ubuntu, as root
#                                   or with password-less sudo); elsewhere the test is
#                                   skipped with the reason.
set -euo pipefail

[ "${1:-}" = "--test" ] || exit 0

have_browser() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
  || command -v google-chrome >/dev/null 2>&1; }
have_cjk_font() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; }

if have_browser && have_cjk_font; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: no apt-get here; install Chromium and a CJK font yourself to run the browser test" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "system-deps: not root and no password-less sudo; the browser test will be skipped" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1; then
  $SUDO apt-get update -q >/dev/null 2>&1 || true
  $SUDO apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk >/dev/null 2>&1 \
    || echo "system-deps: could not install chromium/fonts-noto-cjk; the browser test will be skipped" >&2
fi
exit 0
