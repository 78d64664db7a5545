#!/usr/bin/env bash
# The README's test command: set-up, build, every test (GoogleTest through ctest,
# interop checks with python3-icalendar and ical.js).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
BUILD_DIR="${CRENEAU_BUILD_DIR:-build}"
cd "$BUILD_DIR"
ctest --output-on-failure -j"${CRENEAU_JOBS:-$(nproc)}" "$@"
