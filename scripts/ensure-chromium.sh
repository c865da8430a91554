#!/bin/sh
# Installs Debian's Chromium for the browser tests (tests/api/test_browser.py) when it is missing.
# Playwright drives this system browser through executable_path; no browser is downloaded.
set -e
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "ensure-chromium: /usr/bin/chromium missing, installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
test -x /usr/bin/chromium
