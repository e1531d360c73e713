#!/usr/bin/env bash
# What the tests need from the system beyond Python (Debian/Ubuntu, as root or with sudo):
# headless Chromium renders the HTML report, LibreOffice Calc recalculates the result workbook,
# Noto CJK draws Chinese in PNG charts, PostgreSQL serves the workbench's store tests (they start a
# throwaway cluster of their own; the packaged one need not run). The product itself needs none of them.
set -euo pipefail
packages=(chromium fonts-noto-cjk libreoffice-calc-nogui postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
