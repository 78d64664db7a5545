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

# Demo logins for CalDAV and the JSON API, made once with a random password
# kept next to the database (the demo only: real logins come from
# 'creneau user add', which never stores a password in clear).
DEMO_PASSWORDS="${CRENEAU_DB%.db}.demo-passwords"
if [ ! -f "$DEMO_PASSWORDS" ]; then
  umask 077
  : >"$DEMO_PASSWORDS"
  for spec in "admin --admin" "sophie --employee emp-sophie"; do
    set -- $spec
    login=$1
    shift
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    "$CRENEAU" user remove "$login" >/dev/null 2>&1 || true
    printf '%s\n' "$password" | "$CRENEAU" user add "$login" "$@" >/dev/null
    echo "$login $password" >>"$DEMO_PASSWORDS"
  done
fi
LISTEN="${CRENEAU_LISTEN:-127.0.0.1:8080}"
echo
echo "Demo logins (also in $DEMO_PASSWORDS):"
while read -r login password; do
  echo "  $login / $password"
done <"$DEMO_PASSWORDS"
echo "CalDAV:    http://$LISTEN/dav/ (Apple Calendar, Thunderbird, DAVx5: server URL http://$LISTEN/)"
echo "Slots:     curl -u sophie:PASSWORD 'http://$LISTEN/api/v1/slots?service=svc-cut&from=2026-12-01&to=2026-12-02'"
echo
echo "Database:  $CRENEAU_DB"
echo "Calendars: $OUT_DIR/all.ics (every status), $OUT_DIR/approved.ics"
echo "Feeds:     subscribe to the webcal:// URL above (Apple Calendar, Thunderbird, Outlook)"
echo "Try:       $CRENEAU export --out - --employee emp-sophie --from 2026-11-01 --to 2026-12-01 --db $CRENEAU_DB"
echo
exec "$CRENEAU" serve --db "$CRENEAU_DB"
