# Sourced by scripts/start and scripts/test: make .venv and the system libraries Qt needs.
# Idempotent: does nothing that is already done. Needs only python3 (3.11+) on the machine;
# system packages are installed with apt-get when the user is root or has password-less sudo.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY=${PYTHON:-python3}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else return 1; fi
}

apt_install() {  # apt_install PACKAGE... (only the missing ones)
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing system packages: ${missing[*]}" >&2
  if ! { as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"; } >&2; then
    echo "Could not install ${missing[*]} (need root or sudo). Install them and run again." >&2
    return 1
  fi
}

# Qt's runtime libraries (xcb window system, fonts, EGL), present on desktops, absent on servers.
QT_SYSTEM_PACKAGES=(libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
  libxcb-xinerama0 libxcb-xkb1 libxcb-randr0 libglib2.0-0)

ensure_venv() {  # ensure_venv EXTRAS  (e.g. "" or "[test]")
  local extras=$1 stamp
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
      echo "caseaudit needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1)." >&2; exit 1; }
    "$PY" -m venv "$VENV"
  fi
  stamp="$VENV/.installed$extras-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q -e "$ROOT$extras" >&2
    touch "$stamp"
  fi
}
