#!/usr/bin/env bash
# Installs what Créneau needs to build, run and test on Debian 12.
# Idempotent: installs only what is missing; safe to run on every build.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build
  g++ make cmake pkg-config clang-format
  libical-dev libpoco-dev libpugixml-dev libpq-dev libsqlite3-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  tzdata ca-certificates sqlite3
  # tests: independent parsers and schema validation (Debian's python3)
  python3 python3-icalendar python3-jsonschema
  # tests: real CalDAV clients against `creneau serve` (tests/clients/)
  python3-caldav vdirsyncer khal litmus curl
  # tests: TLS with a CA made at test time (openssl CLI); Radicale as a real
  # external CalDAV busy source (tests/engine/BusyCalDavTest.cpp)
  openssl radicale
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js may come from another packaging (nodesource ships npm inside nodejs):
# ask Debian only for what is absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ical.js (Mozilla's parser) for the interop tests, pinned by package-lock.json.
if [ -f tests/interop/js/package-lock.json ]; then
  if [ ! -d tests/interop/js/node_modules/ical.js ] ||
     [ tests/interop/js/package-lock.json -nt tests/interop/js/node_modules/.package-lock.json ]; then
    echo "setup: npm ci in tests/interop/js"
    (cd tests/interop/js && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
