#!/usr/bin/env bash
# Starts a throw-away `creneau serve` on the demo data, runs one client
# scenario against it, stops the server (also on failure or Ctrl-C).
#
# Usage: start_server.sh CRENEAU SOURCE_DIR SCRATCH_DIR -- COMMAND [ARGS...]
#
# SCRATCH_DIR is emptied first. The server gets a fresh SQLite store there,
# the demo fixture (`creneau import fixtures/demo/demo.json`), an admin and
# an employee login (`creneau user add`, password on stdin), and listens on
# 127.0.0.1 with a free port (--listen 127.0.0.1:0; the port is read from
# the "listening on URL" line it prints). COMMAND runs once /healthz answers
# 200, with this environment:
#
#   CRENEAU_URL       http://127.0.0.1:PORT (no trailing slash)
#   CRENEAU_BIN       the creneau executable (for `creneau import` mid-test)
#   CRENEAU_DB        the server's store
#   CRENEAU_SOURCE    the source tree (fixtures)
#   CLIENT_SCRATCH    SCRATCH_DIR/work: the client's own files
#   ADMIN_LOGIN ADMIN_PASS, EMP_LOGIN EMP_PASS EMP_ID (employee emp-sophie)
#
# Exit status: COMMAND's, or 2 if the server could not be started. The
# server's stdout/stderr stay in SCRATCH_DIR/server.{out,err} (printed when
# COMMAND fails).
set -euo pipefail
if [ $# -lt 5 ] || [ "$4" != "--" ]; then
  sed -n 2,22p "$0" >&2
  exit 2
fi
CRENEAU_BIN=$(readlink -f "$1")
CRENEAU_SOURCE=$(readlink -f "$2")
SCRATCH=$3
shift 4

rm -rf "$SCRATCH"
mkdir -p "$SCRATCH/work"
SCRATCH=$(readlink -f "$SCRATCH")
CRENEAU_DB=$SCRATCH/creneau.db
export CRENEAU_BIN CRENEAU_SOURCE CRENEAU_DB
export CLIENT_SCRATCH=$SCRATCH/work
export ADMIN_LOGIN=admin ADMIN_PASS=admin-secret-123
export EMP_LOGIN=sophie EMP_PASS=sophie-secret-123 EMP_ID=emp-sophie
# Clients that look at proxies must reach 127.0.0.1 directly.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

"$CRENEAU_BIN" import "$CRENEAU_SOURCE/fixtures/demo/demo.json" --db "$CRENEAU_DB" >/dev/null
printf '%s\n' "$ADMIN_PASS" | "$CRENEAU_BIN" user add "$ADMIN_LOGIN" --admin --db "$CRENEAU_DB" >/dev/null
printf '%s\n' "$EMP_PASS" | "$CRENEAU_BIN" user add "$EMP_LOGIN" --employee "$EMP_ID" --db "$CRENEAU_DB" >/dev/null

SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

: >"$SCRATCH/server.out"  # exists before the child opens it: the loop below reads it at once
: >"$SCRATCH/server.err"
"$CRENEAU_BIN" serve --listen 127.0.0.1:0 --db "$CRENEAU_DB" --threads 4 \
  >"$SCRATCH/server.out" 2>"$SCRATCH/server.err" &
SERVER_PID=$!

CRENEAU_URL=
for _ in $(seq 1 200); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "start_server: creneau serve exited:" >&2
    cat "$SCRATCH/server.err" >&2
    exit 2
  fi
  CRENEAU_URL=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$SCRATCH/server.out" | head -1 || true)
  [ -n "$CRENEAU_URL" ] && break
  sleep 0.05
done
[ -n "$CRENEAU_URL" ] || { echo "start_server: no 'listening on' line" >&2; exit 2; }
CRENEAU_URL=${CRENEAU_URL%/}
export CRENEAU_URL
healthy=
for _ in $(seq 1 100); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$CRENEAU_URL/healthz")" = 200 ]; then
    healthy=1
    break
  fi
  sleep 0.1
done
[ -n "$healthy" ] || { echo "start_server: $CRENEAU_URL/healthz never answered 200" >&2; exit 2; }
echo "start_server: creneau serve (pid $SERVER_PID) on $CRENEAU_URL, store $CRENEAU_DB"

rc=0
(cd "$CLIENT_SCRATCH" && "$@") || rc=$?
if [ "$rc" -ne 0 ]; then
  echo "---- server log (stderr, last 60 lines) ----"
  tail -n 60 "$SCRATCH/server.err"
fi
stop_server
exit "$rc"
