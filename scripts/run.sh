#!/usr/bin/env bash
# The README's run command: set-up, build, load the demo data from fixtures/
# into the embedded SQLite store, write the demo calendars, then serve
# (Ctrl-C or SIGTERM stops the server). CRENEAU_LISTEN changes the address.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
BUILD_DIR="${CRENEAU_BUILD_DIR:-build}"
CRENEAU="$BUILD_DIR/bridge/creneau"
export CRENEAU_DB="${CRENEAU_DB:-$PWD/creneau.db}"
OUT_DIR="${CRENEAU_OUT:-$PWD/out}"
mkdir -p "$OUT_DIR"

"$CRENEAU" import fixtures/demo/demo.json
"$CRENEAU" export --out "$OUT_DIR/all.ics" --include-pending --include-canceled
"$CRENEAU" export --out "$OUT_DIR/approved.ics"
"$CRENEAU" validate --quiet "$OUT_DIR/all.ics"

# One subscription URL for everything (a new token each run: the old demo
# feeds are revoked, since a token is only ever shown when it is created).
for id in $("$CRENEAU" feed list | awk '$3 == "demo" && $NF == "-" {print $1}'); do
  "$CRENEAU" feed revoke "$id" >/dev/null
done
echo
"$CRENEAU" feed create --all --include-pending --label demo
echo
echo "Database:  $CRENEAU_DB"
echo "Calendars: $OUT_DIR/all.ics (every status), $OUT_DIR/approved.ics"
echo "Feeds:     subscribe to the webcal:// URL above (Apple Calendar, Thunderbird, Outlook)"
echo "Try:       $CRENEAU export --out - --employee emp-sophie --from 2026-11-01 --to 2026-12-01 --db $CRENEAU_DB"
echo
exec "$CRENEAU" serve --db "$CRENEAU_DB"
