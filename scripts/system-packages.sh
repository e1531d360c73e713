#!/usr/bin/env bash
# What the tests need from the system beyond Python (Debian/Ubuntu, as root or with sudo):
# headless Chromium renders the HTML report, LibreOffice Calc recalculates the result workbook,
# Noto CJK draws Chinese in PNG charts and the PDF, poppler-utils (pdftotext, pdftoppm) reads the PDF
# back, PostgreSQL serves the workbench's store tests (they start a throwaway cluster of their own; the
# packaged one need not run). The product itself needs only Pango (libpango-1.0-0, libpangoft2-1.0-0,
# with HarfBuzz's subsetter), and only for `report --pdf` (WeasyPrint sets text with it).
set -euo pipefail
packages=(chromium fonts-noto-cjk libreoffice-calc-nogui postgresql libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
