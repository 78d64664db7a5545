#!/usr/bin/env bash
# ctest: `creneau export` files read back by python3-icalendar and ical.js.
# Usage: export_interop.sh CRENEAU_BINARY SOURCE_DIR WORK_DIR
set -euo pipefail
CRENEAU="$1"
SRC="$2"
WORK="$3"
rm -rf "$WORK" && mkdir -p "$WORK"
export CRENEAU_DB="$WORK/creneau.db"
HERE="$SRC/tests/interop"
DEMO="$SRC/fixtures/demo/demo.json"
EDGE="$SRC/fixtures/interop/edge-cases.json"
failed=0

# verify NAME FILE.ics [check_export.py options...]
verify() {
  local name="$1" ics="$2"; shift 2
  node "$HERE/js/read_ics.mjs" "$ics" > "$WORK/$name.icaljs.json"
  if ! /usr/bin/python3 "$HERE/check_export.py" --ics "$ics" --icaljs "$WORK/$name.icaljs.json" "$@"; then
    failed=1
  fi
}

# check NAME [check_export.py options...] -- [creneau export options...]
check() {
  local name="$1"; shift
  local checkopts=()
  while [ "$1" != "--" ]; do checkopts+=("$1"); shift; done
  shift
  "$CRENEAU" export --out "$WORK/$name.ics" "$@"
  verify "$name" "$WORK/$name.ics" "${checkopts[@]}"
}

"$CRENEAU" import "$DEMO"
check demo-all --import "$DEMO" --statuses approved,pending,canceled,rejected,no-show -- \
  --include-pending --include-canceled
check demo-default --import "$DEMO" --
check demo-employee-window --import "$DEMO" --statuses approved,pending,no-show \
  --employee emp-sophie --from 2026-11-15T00:00:00+01:00 --to 2026-12-15T00:00:00+01:00 -- \
  --include-pending --employee emp-sophie --from 2026-11-15 --to 2026-12-15
check demo-service --import "$DEMO" --statuses approved,pending,no-show --service svc-color -- \
  --include-pending --service svc-color

# Edge cases (DST edges, non-ASCII, long text) in French, buffers included, no attendees.
"$CRENEAU" import "$EDGE"
"$CRENEAU" settings set render.language fr
"$CRENEAU" settings set render.include_buffers true
"$CRENEAU" settings set render.add_attendees false
check edge-fr-buffers --import "$DEMO" --import "$EDGE" --statuses approved,pending,canceled,rejected,no-show \
  --include-buffers --no-attendees -- --include-pending --include-canceled

# The golden file the C++ export test compares byte for byte.
verify golden "$SRC/fixtures/golden/edge-cases.fr.ics" --import "$EDGE" \
  --statuses approved,pending,canceled,rejected,no-show

exit $failed
