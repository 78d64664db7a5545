#!/usr/bin/env bash
# Export benchmark: 10k appointments to the Google and Graph emulators, with
# and without batching. usage: bench/export/run.sh [BUILD_DIR] [COUNT]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../../build}"
count="${2:-10000}"
exec /usr/bin/python3 "$here/export_bench.py" "$build/bridge/creneau" --count "$count"
