#!/usr/bin/env bash
# Install what Keyline needs: system libraries (when this machine has apt), uv, and the locked
# Python dependencies. `--dev` adds the test tools and the browser the journeys drive.
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[[ "${1:-}" == "--dev" ]] && DEV=1

RUNTIME_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core xmlsec1)
DEV_DEBS=(chromium poppler-utils dovecot-imapd clamav-daemon xmlsec1 postgresql-client haproxy pgbouncer)

missing_debs() {
  local wanted=("$@") missing=()
  for deb in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
  done
  echo "${missing[@]:-}"
}

install_debs() {
  local missing
  missing=$(missing_debs "$@")
  [[ -z "$missing" ]] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "Please install these system packages (PDF rendering / browser tests): $missing" >&2
    return 0
  fi
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "Installing system packages: $missing"
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null; }
}

if command -v dpkg-query >/dev/null; then
  install_debs "${RUNTIME_DEBS[@]}"
  [[ $DEV -eq 1 ]] && install_debs "${DEV_DEBS[@]}"
fi

# pip puts uv in the user scripts folder, which is often not on PATH: look there before installing.
USER_BIN="$(python3 -c 'import os, sysconfig; print(sysconfig.get_path("scripts", os.name + "_user"))' 2>/dev/null || echo "$HOME/.local/bin")"
export PATH="$PATH:$USER_BIN:$HOME/.local/bin"
if ! command -v uv >/dev/null; then
  echo "Installing uv…"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
fi

# Use a Python 3.12+ already on this machine when there is one; otherwise uv may fetch one.
if command -v python3.12 >/dev/null || command -v python3.13 >/dev/null; then
  export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"
fi

if [[ $DEV -eq 1 ]]; then
  uv sync --frozen --quiet
else
  uv sync --frozen --quiet --no-dev
fi

# Browser packages (package.json, locked). Optional: without npm the pages keep plain selects.
if command -v npm >/dev/null; then
  if [[ ! -f node_modules/.package-lock.json ]] || ! cmp -s package-lock.json node_modules/.keyline-lock; then
    if npm ci --no-audit --no-fund --loglevel=error; then
      cp package-lock.json node_modules/.keyline-lock
    else
      echo "npm ci failed: pickers fall back to plain lists until it succeeds." >&2
    fi
  fi
else
  echo "npm not found: pickers fall back to plain lists (install Node.js and rerun for type-ahead pickers)."
fi
