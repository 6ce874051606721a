#!/usr/bin/env bash
# Installs the Debian packages edoc's tests and runtime need. Idempotent: when every package is
# already installed it does nothing (so `make test` stays fast on a warm machine).
set -euo pipefail
PKGS=(
  softhsm2 opensc                         # PKCS#11 token for the signing tests
  tesseract-ocr tesseract-ocr-vie         # OCR of scanned Vietnamese documents
  ghostscript unpaper pngquant qpdf       # ocrmypdf's helpers
  poppler-utils                           # pdftoppm: looking at rendered pages
  fonts-noto-core fonts-dejavu-core       # Noto Sans renders Vietnamese stamp text correctly
  fonts-liberation2                       # metric twin of Times New Roman with Vietnamese letters
  libreoffice-writer-nogui                # DOCX -> PDF
  chromium                                # browser tests (Playwright drives Debian's chromium)
  postgresql postgresql-client            # the production database, for the PostgreSQL test run
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
