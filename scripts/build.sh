#!/usr/bin/env bash
# Configures and builds into ./build (or $CRENEAU_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${CRENEAU_BUILD_DIR:-build}"
JOBS="${CRENEAU_JOBS:-$(nproc)}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"
