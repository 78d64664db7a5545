#!/bin/sh
# Busy-time refresh of 50 employees against the Google emulator (issue 5,
# item 6), twice: with the emulator as it is, and with a copy whose handler
# sets TCP_NODELAY. The stock emulator writes the response headers and body
# in two writes, so on a keep-alive connection the body waits for the
# client's delayed ACK (~40 ms a request): that, not Créneau, sets the pace.
# Usage: bench/busy_refresh.sh [BUILD_DIR] [extra busy_refresh options]
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$REPO/build}
[ $# -gt 0 ] && shift
BIN=$BUILD/bench/busy_refresh
[ -x "$BIN" ] || { echo "build first: $BIN is missing" >&2; exit 2; }
CONTRACTS=${CRENEAU_CONTRACTS_DIR:-$REPO/../shared/contracts}
cd "$REPO"

echo "## stock emulator"
"$BIN" --contracts "$CONTRACTS" --emulator tests/emulators/google_emulator.py "$@"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cp tests/emulators/*.py "$TMP/"
sed -i 's/^    protocol_version = "HTTP\/1.1"$/    protocol_version = "HTTP\/1.1"\n    disable_nagle_algorithm = True/' "$TMP/emulator_base.py"
echo
echo "## emulator with TCP_NODELAY"
"$BIN" --contracts "$CONTRACTS" --emulator "$TMP/google_emulator.py" "$@"
