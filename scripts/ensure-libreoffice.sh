#!/bin/sh
# Installs Debian's headless LibreOffice when it is missing. PubGuard converts .doc/.rtf/.wps/
# .docm/.dotx, .xls/.et and .ppt with it (pubguard/extract/convert.py) and drives a warm converter
# through UNO (python3-uno, run by /usr/bin/python3). Idempotent; used by `make test` and `make run`.
set -e
if command -v soffice >/dev/null 2>&1 && /usr/bin/python3 -c 'import uno' 2>/dev/null; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-libreoffice: apt-get not found; install LibreOffice (soffice) and python3-uno yourself" >&2
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "ensure-libreoffice: installing Debian's headless LibreOffice (writer, calc, impress, python3-uno)" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui \
    python3-uno fonts-noto-cjk libarchive-tools >/dev/null
command -v soffice >/dev/null
