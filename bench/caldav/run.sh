#!/usr/bin/env bash
# CalDAV server benchmark: Créneau against Radicale (and nginx, the limit),
# side by side in one run, with the team's perf harness (issue 3 item 9).
#
# Usage: bench/caldav/run.sh [BUILD_DIR]
#   BUILD_DIR  the CMake build folder holding bridge/creneau
#              (default: <repo>/build).  The binary is copied to the work
#              folder first, so a rebuild during the run does not matter.
#
# One command does all of it:
#   1. gen_calendar.py N (10,000 events of 2025, seed 20250101) into WORK/data
#   2. Radicale (harness start_radicale.sh, free port): PUT-loads the events
#      with load_caldav.py, all of them or the first RAD_PUT (Radicale's PUT
#      is O(n): about 40 min for 10k), or reuses the storage of an earlier
#      load of the very same data (RAD_LOAD below)
#   3. Créneau: a new db in WORK, `creneau import fixtures/demo/demo.json`,
#      `creneau user add bench --employee emp-sophie`, `creneau feed create
#      --all`, `creneau serve --listen 127.0.0.1:0 --log-level warning`;
#      load_caldav.py MKCALENDARs /dav/calendars/bench/perf/ and PUTs the
#      same events (events/s recorded for both servers)
#   4. bench_server.sh (workloads a-g, same DURATION/REPEAT) against both,
#      plus rows the harness does not have:
#        f2  free-busy-query over 2025-12 (a second range: servers that
#            expand busy time only from a year back answered March empty)
#        b2  GET of the collection with If-None-Match (304)
#        b3  GET /feeds/<token>.ics (the demo "all" feed) with If-None-Match
#      and each server's VmHWM after the load and at the end
#   5. nginx (1 worker, sendfile) serving Radicale's response bytes of a-g
#      from files with GET (the limit, as in the harness's GOALS.md)
#   6. compare.py: one markdown table with Créneau/Radicale ratios and the
#      issue's targets, printed and written to WORK/summary.md
#
# Environment (defaults):
#   N=10000  REPEAT=1  DURATION=10s  CONNECTIONS=8  (passed to bench_server.sh)
#   RAD_LOAD=auto  put: PUT all N events into Radicale (its PUT is O(n):
#                  40 min for 10k on a quiet machine, over an hour while
#                  compilers run); part: PUT the first RAD_PUT (1000) events
#                  for the rate, copy the others into Radicale's storage
#                  folder (Radicale reads files edited on disk), build its
#                  item cache with one GET; cache: reuse the storage and load
#                  log saved in CACHE by an earlier put/part run of the same
#                  data (fail if absent); auto: cache when present, else part
#   CACHE=/tmp/perf-cache   Radicale storage + load log, keyed by N and the
#                  sha256 of calendar.ics
#   NGINX=1        0 skips the nginx limit
#   WORK=$(mktemp -d /tmp/caldav-bench.XXXXXX)   everything of the run
#   HARNESS=<repo>/../shared/harness/perf, else /work/shared/harness/perf
#   EMPLOYEE=emp-sophie  (an employee of fixtures/demo/demo.json)
# Needs (Debian): wrk, radicale, nginx, curl, python3; nothing else.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

# The bench's own Debian packages (the build's come from scripts/setup.sh).
bench_missing=()
for p in wrk radicale nginx curl python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || bench_missing+=("$p")
done
if ((${#bench_missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${bench_missing[@]}"
fi
REPO=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$REPO/build}" && pwd)
N=${N:-10000}
REPEAT=${REPEAT:-1}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
RAD_LOAD=${RAD_LOAD:-auto}
RAD_PUT=${RAD_PUT:-1000}
CACHE=${CACHE:-/tmp/perf-cache}
NGINX=${NGINX:-1}
EMPLOYEE=${EMPLOYEE:-emp-sophie}
DAV_USER=bench
DAV_PASS=benchpass1
COLL_NAME=perf
if [ -z "${HARNESS:-}" ]; then
    HARNESS=$REPO/../shared/harness/perf
    [ -d "$HARNESS" ] || HARNESS=/work/shared/harness/perf
fi
HARNESS=$(cd "$HARNESS" && pwd)
for t in wrk curl python3 radicale; do
    command -v $t > /dev/null || { echo "missing $t (apt-get install wrk radicale nginx curl)" >&2; exit 2; }
done
[ "$NGINX" = 0 ] || [ -x /usr/sbin/nginx ] || { echo "missing nginx (or NGINX=0)" >&2; exit 2; }
[ -x "$BUILD/bridge/creneau" ] || { echo "no $BUILD/bridge/creneau" >&2; exit 2; }
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/caldav-bench.XXXXXX")}
mkdir -p "$WORK"/{bin,crn,rad,nginx}
export WRK_THREADS=1
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo "?"; }
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

CRN_PID=""; RAD_PORT=""; NGX_PID=""
cleanup() {
    [ -z "$CRN_PID" ] || { kill "$CRN_PID" 2>/dev/null || true; wait "$CRN_PID" 2>/dev/null || true; }
    [ -z "$RAD_PORT" ] || "$HARNESS/stop_radicale.sh" "$RAD_PORT" "$WORK/rad/server" > /dev/null 2>&1 || true
    [ -z "$NGX_PID" ] || { kill "$NGX_PID" 2>/dev/null || true; wait "$NGX_PID" 2>/dev/null || true; }
}
trap cleanup EXIT

cp "$BUILD/bridge/creneau" "$WORK/bin/creneau"
CRN_BIN=$WORK/bin/creneau
{
    echo "command: $0 $*"
    echo "N=$N REPEAT=$REPEAT DURATION=$DURATION CONNECTIONS=$CONNECTIONS RAD_LOAD=$RAD_LOAD RAD_PUT=$RAD_PUT NGINX=$NGINX"
    echo "binary: $BUILD/bridge/creneau ($(stat -c '%y' "$BUILD/bridge/creneau")), sha256 $(sha256sum < "$CRN_BIN" | cut -c1-16)"
    echo "repo HEAD: $(git -C "$REPO" log --oneline -1 2>/dev/null || echo '?')"
    echo "machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "radicale $(radicale --version 2>/dev/null), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(/usr/sbin/nginx -v 2>&1 | cut -d' ' -f3)"
} > "$WORK/run-info.txt"
cat "$WORK/run-info.txt" >&2
log "work folder $WORK"

# --- 1. data ------------------------------------------------------------------
python3 "$HARNESS/gen_calendar.py" "$N" "$WORK/data" > "$WORK/gen.txt"
SHA=$(sha256sum < "$WORK/data/calendar.ics" | cut -c1-12)
python3 "$HARNESS/expected_counts.py" "$N" > "$WORK/expected.txt"
python3 "$HARNESS/expected_counts.py" "$N" --fb 20251201T000000Z 20251231T000000Z | sed -n "s/^freebusy/freebusy-f2/p" >> "$WORK/expected.txt"
log "data: $(cat "$WORK/gen.txt")"

# --- 2. Radicale ------------------------------------------------------------------
RAD_PORT=$(free_port)
RAD_DIR=$WORK/rad/server
RCACHE=$CACHE/radicale-n$N-$SHA
RAD_URL=http://127.0.0.1:$RAD_PORT
RAD_COLL=/$DAV_USER/$COLL_NAME/
if [ "$RAD_LOAD" = auto ]; then
    if [ -f "$RCACHE/load.txt" ] && [ -d "$RCACHE/collections" ]; then RAD_LOAD=cache; else RAD_LOAD=part; fi
fi
if [ "$RAD_LOAD" = cache ]; then
    [ -f "$RCACHE/load.txt" ] || { echo "no Radicale cache $RCACHE (RAD_LOAD=put)" >&2; exit 2; }
    mkdir -p "$RAD_DIR"
    cp -a "$RCACHE/collections" "$RAD_DIR/collections"
    cp "$RCACHE/load.txt" "$WORK/rad/load.txt"
    [ ! -f "$RCACHE/load-meta.txt" ] || cp "$RCACHE/load-meta.txt" "$WORK/rad/load-meta.txt"
    echo "load_reused=$RCACHE ($(stat -c '%y' "$RCACHE/load.txt" | cut -d. -f1))" >> "$WORK/rad/load-meta.txt"
    log "Radicale: storage of an earlier PUT load reused ($RCACHE)"
    "$HARNESS/start_radicale.sh" "$RAD_PORT" "$RAD_DIR" "$DAV_USER" "$DAV_PASS" >&2
else
    "$HARNESS/start_radicale.sh" "$RAD_PORT" "$RAD_DIR" "$DAV_USER" "$DAV_PASS" >&2
    limit=()
    if [ "$RAD_LOAD" = part ] && [ "$RAD_PUT" -lt "$N" ]; then
        limit=(--limit "$RAD_PUT")
        log "Radicale: PUT-loading the first $RAD_PUT of $N events (the rest is copied on disk)"
    else
        log "Radicale: PUT-loading $N events (Radicale 3.1.8 needs about 40 min for 10k on a quiet machine)"
    fi
    python3 "$HARNESS/load_caldav.py" "$RAD_URL$RAD_COLL" "$DAV_USER" "$DAV_PASS" "$WORK/data" "${limit[@]}" \
        > "$WORK/rad/load.txt" 2>&1 || log "Radicale load: some PUTs failed (see $WORK/rad/load.txt)"
    RPID=$(cat "$RAD_DIR/radicale.pid")
    echo "hwm_kb_after_load=$(kb "$RPID" VmHWM)" > "$WORK/rad/load-meta.txt"
    echo "rss_kb_after_load=$(kb "$RPID" VmRSS)" >> "$WORK/rad/load-meta.txt"
    # Fresh process for the workloads (as in BASELINE-radicale.md); keep
    # the loaded storage for the next runs.
    "$HARNESS/stop_radicale.sh" "$RAD_PORT" "$RAD_DIR" >&2
    if [ ${#limit[@]} -gt 0 ]; then
        # Radicale reads files put in its storage folder (BASELINE §3 did
        # so for 100k): the events not PUT are copied, then one GET of the
        # collection builds Radicale's item cache before the measurements.
        cdir=$RAD_DIR/collections/collection-root/$DAV_USER/$COLL_NAME
        before=$(find "$cdir" -maxdepth 1 -name '*.ics' | wc -l)
        (cd "$WORK/data/events" && find . -name '*.ics' -print0 | xargs -0 cp -n -t "$cdir")
        after=$(find "$cdir" -maxdepth 1 -name '*.ics' | wc -l)
        { echo "put_events=$before"; echo "copied_on_disk=$((after - before))"; } >> "$WORK/rad/load-meta.txt"
        "$HARNESS/start_radicale.sh" "$RAD_PORT" "$RAD_DIR" "$DAV_USER" "$DAV_PASS" >&2
        log "Radicale: $((after - before)) events copied on disk; building its item cache with one GET"
        curl -sS -u "$DAV_USER:$DAV_PASS" -o /dev/null --max-time 1800 \
            -w 'cold_get=%{http_code}, %{size_download} bytes, %{time_total} s\n' \
            "$RAD_URL$RAD_COLL" >> "$WORK/rad/load-meta.txt" || true
        "$HARNESS/stop_radicale.sh" "$RAD_PORT" "$RAD_DIR" >&2
    fi
    mkdir -p "$RCACHE.tmp" && rm -rf "$RCACHE.tmp/collections"
    cp -a "$RAD_DIR/collections" "$RCACHE.tmp/collections"
    cp "$WORK/rad/load.txt" "$WORK/rad/load-meta.txt" "$RCACHE.tmp/"
    rm -rf "$RCACHE" && mv "$RCACHE.tmp" "$RCACHE"
    "$HARNESS/start_radicale.sh" "$RAD_PORT" "$RAD_DIR" "$DAV_USER" "$DAV_PASS" >&2
fi
RAD_PID=$(cat "$RAD_DIR/radicale.pid")
log "Radicale: $(grep '^RESULT' "$WORK/rad/load.txt" || echo 'no RESULT line')"

# --- 3. Créneau ---------------------------------------------------------------------
DB=$WORK/crn/creneau.db
# The demo fixture of the working tree may be ahead of (or behind) the
# binary while people work: fall back to the committed one.
if ! "$CRN_BIN" import "$REPO/fixtures/demo/demo.json" --db "$DB" > "$WORK/crn/setup.txt" 2>&1; then
    git -C "$REPO" show HEAD:fixtures/demo/demo.json > "$WORK/crn/demo.json" 2>/dev/null || true
    rm -f "$DB"
    "$CRN_BIN" import "$WORK/crn/demo.json" --db "$DB" >> "$WORK/crn/setup.txt" 2>&1 ||
        { echo "creneau import of the demo data failed:" >&2; cat "$WORK/crn/setup.txt" >&2; exit 1; }
    log "Créneau: the working tree's fixtures/demo/demo.json does not import with this binary; used HEAD's"
fi
echo "$DAV_PASS" | "$CRN_BIN" user add "$DAV_USER" --employee "$EMPLOYEE" --db "$DB" >> "$WORK/crn/setup.txt" 2>&1 ||
    { echo "creneau user add failed:" >&2; cat "$WORK/crn/setup.txt" >&2; exit 1; }
"$CRN_BIN" feed create --all --db "$DB" >> "$WORK/crn/setup.txt" 2>&1 ||
    { echo "creneau feed create failed:" >&2; cat "$WORK/crn/setup.txt" >&2; exit 1; }
FEED_TOKEN=$(sed -n 's#^ *http: .*/feeds/\([^/ ]*\)\.ics$#\1#p' "$WORK/crn/setup.txt" | head -1)
"$CRN_BIN" serve --listen 127.0.0.1:0 --log-level warning --db "$DB" \
    > "$WORK/crn/serve.out" 2> "$WORK/crn/serve.err" &
CRN_PID=$!
for _ in $(seq 100); do
    CRN_URL=$(sed -n 's/^listening on //p' "$WORK/crn/serve.out")
    [ -z "$CRN_URL" ] || break
    sleep 0.1
done
[ -n "$CRN_URL" ] || { echo "creneau serve did not start:" >&2; cat "$WORK/crn/serve.err" >&2; exit 1; }
CRN_COLL=/dav/calendars/$DAV_USER/$COLL_NAME/
log "Créneau: pid $CRN_PID on $CRN_URL, PUT-loading $N events into $CRN_COLL"
python3 "$HARNESS/load_caldav.py" "$CRN_URL$CRN_COLL" "$DAV_USER" "$DAV_PASS" "$WORK/data" \
    > "$WORK/crn/load.txt" 2>&1 || log "Créneau load: some PUTs failed (see $WORK/crn/load.txt)"
echo "hwm_kb_after_load=$(kb "$CRN_PID" VmHWM)" > "$WORK/crn/load-meta.txt"
echo "rss_kb_after_load=$(kb "$CRN_PID" VmRSS)" >> "$WORK/crn/load-meta.txt"
log "Créneau: $(grep '^RESULT' "$WORK/crn/load.txt" || echo 'no RESULT line')"

# --- 4. workloads -----------------------------------------------------------------------
bench() {  # bench NAME URL COLL PID LABEL
    local name=$1 url=$2 coll=$3 pid=$4 label=$5
    log "$label: workloads a-g"
    SERVER_PID=$pid REPEAT=$REPEAT DURATION=$DURATION CONNECTIONS=$CONNECTIONS LABEL="$label" \
        OUT=$WORK/$name/ab "$HARNESS/bench_server.sh" "$url" "$DAV_USER" "$DAV_PASS" "$coll" \
        > "$WORK/$name/bench.md" 2> "$WORK/$name/bench.err" || log "$label: bench_server.sh failed (see $WORK/$name/bench.err)"
    cp "$WORK/$name/ab/results.tsv" "$WORK/$name/results.tsv"
    # f2: a second free-busy range, December 2025
    SERVER_PID=$pid REPEAT=$REPEAT DURATION=$DURATION CONNECTIONS=$CONNECTIONS LABEL="$label" \
        WORKLOADS=f FB_START=20251201T000000Z FB_END=20251231T000000Z \
        OUT=$WORK/$name/f2 "$HARNESS/bench_server.sh" "$url" "$DAV_USER" "$DAV_PASS" "$coll" \
        > "$WORK/$name/bench-f2.md" 2>> "$WORK/$name/bench.err" || true
    tail -n +2 "$WORK/$name/f2/results.tsv" | sed 's/^f\tREPORT free-busy-query 30 d/f2\tREPORT free-busy-query 2025-12/' \
        >> "$WORK/$name/results.tsv"
}
# inm NAME ID TITLE URL AUTH(0|1) PID: If-None-Match with the ETag of a
# first GET; probes x3, then wrk (c CONNECTIONS) REPEAT times when the probe
# answered 304; appends a results.tsv row.
inm() {
    local name=$1 id=$2 title=$3 url=$4 auth=$5 pid=$6 etag status bytes one r
    local d=$WORK/$name/inm_$id a=() wauth=""
    mkdir -p "$d"
    [ "$auth" = 0 ] || { a=(-u "$DAV_USER:$DAV_PASS"); wauth=$(printf '%s:%s' "$DAV_USER" "$DAV_PASS" | base64 | tr -d '\n'); }
    curl -sS "${a[@]}" -D "$d/first.headers" -o "$d/first.body" "$url" || true
    etag=$(tr -d '\r' < "$d/first.headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | head -1)
    : > "$d/times"
    for p in 1 2 3; do
        curl -sS "${a[@]}" -H "If-None-Match: ${etag:-\"none\"}" -o "$d/probe.body" \
            -w '%{http_code} %{size_download} %{time_total}\n' "$url" > "$d/probe.meta.$p" || true
        awk '{print $3 * 1000}' "$d/probe.meta.$p" >> "$d/times"
    done
    read -r status bytes _ < "$d/probe.meta.1"
    one=$(median < "$d/times")
    local check conns=- rps=- p50=- p99=- n=- err=-
    if [ -z "$etag" ]; then check="no-etag"
    elif [ "$status" = 304 ]; then check=ok
    else check="bad-status"; fi
    if [ "$check" = ok ]; then
        conns=$CONNECTIONS
        : > "$d/wrk"
        for r in $(seq 1 "$REPEAT"); do
            sleep 1
            WRK_METHOD=GET WRK_AUTH=$wauth wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s \
                -H "If-None-Match: $etag" -s "$HARNESS/dav.lua" "$url" > "$d/wrk.$r.txt" 2>&1 || true
            grep '^WRKRESULT' "$d/wrk.$r.txt" >> "$d/wrk" || true
        done
        f() { tr ' ' '\n' < "$d/wrk" | sed -n "s/^$1=//p"; }
        rps=$(f rps | median); p50=$(f p50_ms | median); p99=$(f p99_ms | median); n=$(f requests | median)
        err=$(for k in err_connect err_read err_write err_status err_timeout; do f $k; done | awk '{s+=$1} END {print s+0}')
    fi
    local hwm=$(kb "$pid" VmHWM)
    [ "$hwm" = "?" ] || hwm=$(( hwm / 1024 ))
    printf '%s\t%s\t%s\t%s\t-\t%s\t%s\t-\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$title" "$status" "$bytes" \
        "$check" "$one" "$conns" "$rps" "$p50" "$p99" "$n" "$err" "$hwm" >> "$WORK/$name/results.tsv"
    echo "etag=$etag" > "$d/etag"
}
bench crn "$CRN_URL" "$CRN_COLL" "$CRN_PID" "Créneau ($(git -C "$REPO" log --oneline -1 2>/dev/null | cut -c1-7)), N=$N"
inm crn b2 "GET collection, If-None-Match (304)" "$CRN_URL$CRN_COLL" 1 "$CRN_PID"
if [ -n "$FEED_TOKEN" ]; then
    inm crn b3 "GET /feeds/<token>.ics (demo, all), If-None-Match (304)" "$CRN_URL/feeds/$FEED_TOKEN.ics" 0 "$CRN_PID"
fi
echo "hwm_kb_end=$(kb "$CRN_PID" VmHWM)" >> "$WORK/crn/load-meta.txt"
echo "rss_kb_end=$(kb "$CRN_PID" VmRSS)" >> "$WORK/crn/load-meta.txt"
kill "$CRN_PID"; wait "$CRN_PID" 2>/dev/null || true; CRN_PID=""

bench rad "$RAD_URL" "$RAD_COLL" "$RAD_PID" "Radicale $(radicale --version), N=$N"
inm rad b2 "GET collection, If-None-Match (304)" "$RAD_URL$RAD_COLL" 1 "$RAD_PID"
echo "hwm_kb_end=$(kb "$RAD_PID" VmHWM)" >> "$WORK/rad/load-meta.txt"
echo "rss_kb_end=$(kb "$RAD_PID" VmRSS)" >> "$WORK/rad/load-meta.txt"
"$HARNESS/stop_radicale.sh" "$RAD_PORT" "$RAD_DIR" >&2; RAD_PORT=""

# --- 5. nginx: the same bytes from files -------------------------------------------------------
if [ "$NGINX" != 0 ]; then
    NG=$WORK/nginx
    mkdir -p "$NG/root" "$NG/logs"
    for w in a b c d e g; do
        [ -f "$WORK/rad/ab/probe_$w.body" ] && cp "$WORK/rad/ab/probe_$w.body" "$NG/root/$w"
    done
    NGX_PORT=$(free_port)
    cat > "$NG/nginx.conf" <<CONF
daemon off;
user root;
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/logs/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type application/octet-stream;
    client_body_temp_path $NG/tmp;
    proxy_temp_path $NG/tmp; fastcgi_temp_path $NG/tmp; uwsgi_temp_path $NG/tmp; scgi_temp_path $NG/tmp;
    server {
        listen 127.0.0.1:$NGX_PORT;
        root $NG/root;
    }
}
CONF
    mkdir -p "$NG/tmp"
    /usr/sbin/nginx -p "$NG" -c "$NG/nginx.conf" > "$NG/logs/stdout" 2>&1 &
    NGX_PID=$!
    for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NGX_PORT/" && break; sleep 0.1; done
    log "nginx: pid $NGX_PID on port $NGX_PORT, GET of the same bytes"
    printf 'id\tworkload\tstatus\tbytes\titems\tcheck\tone_req_ms\tcpu_ms_probe\tconns\treq_s\tp50_ms\tp99_ms\tn\terr\thwm_mib\n' > "$NG/results.tsv"
    for w in a b c d e g; do
        [ -f "$NG/root/$w" ] || continue
        : > "$NG/wrk_$w"
        for r in $(seq 1 "$REPEAT"); do
            sleep 1
            WRK_METHOD=GET wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -s "$HARNESS/dav.lua" \
                "http://127.0.0.1:$NGX_PORT/$w" > "$NG/wrk_$w.$r.txt" 2>&1 || true
            grep '^WRKRESULT' "$NG/wrk_$w.$r.txt" >> "$NG/wrk_$w" || true
        done
        f() { tr ' ' '\n' < "$NG/wrk_$w" | sed -n "s/^$1=//p"; }
        printf '%s\tstatic\t200\t%s\t-\tok\t-\t-\t%s\t%s\t%s\t%s\t%s\t-\t-\n' "$w" "$(stat -c %s "$NG/root/$w")" "$CONNECTIONS" \
            "$(f rps | median)" "$(f p50_ms | median)" "$(f p99_ms | median)" "$(f requests | median)" >> "$NG/results.tsv"
    done
    # b2: 304 of the feed file
    etag=$(curl -sS -D - -o /dev/null "http://127.0.0.1:$NGX_PORT/b" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')
    : > "$NG/wrk_b2"
    for r in $(seq 1 "$REPEAT"); do
        sleep 1
        WRK_METHOD=GET wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s -H "If-None-Match: $etag" \
            -s "$HARNESS/dav.lua" "http://127.0.0.1:$NGX_PORT/b" > "$NG/wrk_b2.$r.txt" 2>&1 || true
        grep '^WRKRESULT' "$NG/wrk_b2.$r.txt" >> "$NG/wrk_b2" || true
    done
    f() { tr ' ' '\n' < "$NG/wrk_b2" | sed -n "s/^$1=//p"; }
    printf 'b2\tstatic 304\t304\t0\t-\tok\t-\t-\t%s\t%s\t%s\t%s\t%s\t-\t-\n' "$CONNECTIONS" \
        "$(f rps | median)" "$(f p50_ms | median)" "$(f p99_ms | median)" "$(f requests | median)" >> "$NG/results.tsv"
    kill "$NGX_PID"; wait "$NGX_PID" 2>/dev/null || true; NGX_PID=""
fi

# --- 6. table -----------------------------------------------------------------------------------
{
    echo "## CalDAV: Créneau vs Radicale, N=$N, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo '```'
    cat "$WORK/run-info.txt"
    echo '```'
    echo
    /usr/bin/python3 "$HERE/compare.py" --crn "$WORK/crn" --rad "$WORK/rad" \
        $( [ "$NGINX" = 0 ] || echo --nginx "$WORK/nginx" ) --expected "$WORK/expected.txt"
} > "$WORK/summary.md"
cat "$WORK/summary.md"
log "raw results: $WORK (summary.md, */bench.md, */results.tsv, */load.txt)"
