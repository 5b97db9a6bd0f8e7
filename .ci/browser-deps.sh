#!/usr/bin/env bash
# Install Debian packages the test suite needs, only when missing:
#  - chromium + libatomic1: the real-browser dashboard test (playwright drives the system browser);
#  - fonts-noto-cjk: Chinese glyphs in screenshots and LibreOffice renders.
set -euo pipefail
need=()
for p in chromium libatomic1 fonts-noto-cjk; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=""; fi
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
