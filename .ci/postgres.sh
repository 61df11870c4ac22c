#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server on loopback for the team-mode tests.
#   .ci/postgres.sh start   -> prints the URL to use (also written to $PGRUN/url)
#   .ci/postgres.sh stop
# Installs Debian's postgresql package when the server binaries are missing (needs root or sudo).
set -euo pipefail
PGRUN=${PGRUN:-/tmp/caseaudit-pg}
PGPORT=${PGPORT:-54329}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

case "${1:-}" in
start)
  if ! BIN=$(find_bin); then
    echo "Installing PostgreSQL from Debian's packages..." >&2
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
    BIN=$(find_bin)
  fi
  RUNAS=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
    RUNAS=(runuser -u postgres --)
  fi
  if [ -f "$PGRUN/data/postmaster.pid" ] && "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PGRUN/data" status >/dev/null 2>&1; then
    cat "$PGRUN/url"; exit 0
  fi
  rm -rf "$PGRUN"; mkdir -p "$PGRUN"
  [ "$(id -u)" = 0 ] && chown postgres "$PGRUN"
  "${RUNAS[@]}" "$BIN/initdb" -D "$PGRUN/data" -U caseaudit --auth=trust -E UTF8 >"$PGRUN/initdb.log" 2>&1
  "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PGRUN/data" -l "$PGRUN/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGRUN -c fsync=off" start >/dev/null
  "${RUNAS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U caseaudit caseaudit_test
  echo "postgresql://caseaudit@127.0.0.1:$PGPORT/caseaudit_test" > "$PGRUN/url"
  cat "$PGRUN/url"
  ;;
stop)
  BIN=$(find_bin) || exit 0
  RUNAS=(); [ "$(id -u)" = 0 ] && RUNAS=(runuser -u postgres --)
  [ -d "$PGRUN/data" ] && "${RUNAS[@]}" "$BIN/pg_ctl" -D "$PGRUN/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$PGRUN"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
