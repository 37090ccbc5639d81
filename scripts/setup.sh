#!/usr/bin/env bash
# Sets up a fresh checkout: Debian packages (python3-torch & co. for the Python runtime,
# chromium and a small CJK font for the browser tests and their screenshots), npm packages,
# and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(python3-torch python3-torchvision python3-pil python3-numpy python3-venv python3-pip chromium fonts-wqy-microhei)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: install when missing or when the lock file changed since the last install.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "setup: building"
npm run --silent build
