#!/usr/bin/env bash
# Builds with a sanitizer into ./build-<name> and runs the tests that exercise
# libical, the store and the server from several threads.
# Usage: scripts/sanitize.sh [thread|address|undefined] [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-thread}"
shift || true
./scripts/setup.sh
dir="build-$kind"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRENEAU_SANITIZE="$kind" -DCRENEAU_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" -j"${CRENEAU_JOBS:-$(nproc)}"
cd "$dir"
# TSan: libical is not instrumented; its own races would show as ours.
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}"
ctest --output-on-failure -j"${CRENEAU_JOBS:-$(nproc)}" "$@"
