#!/usr/bin/env bash
# `make bench`, part 4: the production server (gunicorn, as `make serve` runs it)
# driven by wrk for 30 s at 16 connections on loopback, on the agreements list
# and an agreement page. Prints requests/s, latency percentiles and errors.
# Then slow clients: page medians (wrk, 2 connections) without and with 25 CSV
# downloads that are opened and never read (curl at 1 byte/s, loopback only,
# bounded by --max-time and killed at the end), how many of those downloads the
# cap let through, and how many the server dropped after its send timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BENCH_PORT:-8077}
DURATION=${BENCH_DURATION:-30s}
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    # A fresh machine may have no package lists yet.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is not installed (Debian package wrk): load test skipped" >&2
    exit 0
  fi
fi
export DJANGO_DEBUG=0 DJANGO_HTTPS="${DJANGO_HTTPS:-0}" ACCORDS_BIND="127.0.0.1:$PORT" ACCORDS_ACCESS_LOG=""
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn config.wsgi --config config/gunicorn.conf.py >/tmp/accords-bench-gunicorn.log 2>&1 &
server=$!
stalled=()
stalled_dir=$(mktemp -d)
cleanup() {
  for pid in "${stalled[@]}"; do kill "$pid" 2>/dev/null || true; done
  kill $server 2>/dev/null; wait $server 2>/dev/null || true
  rm -rf "$stalled_dir"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done

detail=$(.venv/bin/python manage.py shell -v0 -c "
from agreements.models import Agreement
qs = Agreement.objects.filter(visibility='public').order_by('reference')
print(qs[qs.count() // 2].get_absolute_url())")
workers=$(pgrep -P "$server" | wc -l)
echo
echo "Load: wrk, $DURATION, 2 threads, 16 connections, gunicorn with $workers workers on $(nproc) cores"
printf "  %-26s%10s%9s%9s%9s%9s%8s\n" page "req/s" p50 p75 p90 p99 errors
for path in /agreements/ "$detail"; do
  out=$(wrk -t2 -c16 -d"$DURATION" --latency "http://127.0.0.1:$PORT$path")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  pct() { awk -v p="$1" '$1 == p {print $2}' <<<"$out"; }
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=${non2xx:-0}
  sock=$(awk -F'[ ,]+' '/Socket errors/ {print $5+$7+$9+$11}' <<<"$out"); sock=${sock:-0}
  name=$([ "$path" = /agreements/ ] && echo "agreements list" || echo "agreement detail")
  printf "  %-26s%10s%9s%9s%9s%9s%8s\n" "$name" "$rps" "$(pct 50%)" "$(pct 75%)" "$(pct 90%)" "$(pct 99%)" "$((non2xx + sock))"
done

# Slow clients. Page medians are taken with 2 connections, so they show server time
# rather than wrk's own queue: quiet; while the downloads start (each one's query sorts
# the million milestones before its first row); and once every download that got
# through is stalled (its COPY waits for the client), until the send timeout.
STALLED=${BENCH_STALLED:-25}
SLOW_DURATION=${BENCH_SLOW_DURATION:-8s}
SEND_TIMEOUT=${ACCORDS_SEND_TIMEOUT:-30}
page_latency() {  # path -> "p50 p99 errors" ("none" when no request was answered)
  local out non2xx sock
  out=$(wrk -t1 -c2 -d"$SLOW_DURATION" --latency "http://127.0.0.1:$PORT$1")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out"); non2xx=${non2xx:-0}
  sock=$(awk -F'[ ,]+' '/Socket errors/ {print $5+$7+$9+$11}' <<<"$out"); sock=${sock:-0}
  if [ "$(awk '/requests in/ {print $1}' <<<"$out")" = 0 ]; then
    echo "none none $((non2xx + sock))"
  else
    echo "$(awk '$1 == "50%" {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out") $((non2xx + sock))"
  fi
}
in_ms() {  # wrk's 850.00us / 12.34ms / 1.20s in ms; "none" counts as endless
  awk -v v="$1" 'BEGIN { n = v + 0; if (v == "none") n = 1e9; else if (v ~ /us$/) n /= 1000; else if (v ~ /[^m]s$/) n *= 1000; print n }'
}
timeouts() { grep -c "TimeoutError" /tmp/accords-bench-gunicorn.log || true; }
stalled_copies() {  # exports whose COPY is waiting for its client
  .venv/bin/python -c "
import dj_database_url, psycopg2
c = dj_database_url.config()
db = psycopg2.connect(dbname=c['NAME'], host=c['HOST'], port=c['PORT'] or 5432, user=c['USER'], password=c['PASSWORD'])
with db.cursor() as cursor:
    cursor.execute(\"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND query LIKE 'COPY (%' AND wait_event = 'ClientWrite'\")
    print(cursor.fetchone()[0])"
}
declare -A quiet starting
for path in /agreements/ "$detail"; do quiet[$path]=$(page_latency "$path"); done
timeouts_before=$(timeouts)
began=$(date +%s)
for n in $(seq "$STALLED"); do
  curl -s --limit-rate 1 --max-time $((SEND_TIMEOUT + 120)) -D "$stalled_dir/$n" -o /dev/null \
    "http://127.0.0.1:$PORT/milestones/export.csv" &
  stalled+=($!)
done
for path in /agreements/ "$detail"; do starting[$path]=$(page_latency "$path"); done
streaming=$({ grep -ls "^HTTP/1.1 200" "$stalled_dir"/* || true; } | wc -l)
busy=$({ grep -ls "^HTTP/1.1 503" "$stalled_dir"/* || true; } | wc -l)
for _ in $(seq 240); do [ "$(stalled_copies)" -ge "$streaming" ] && break; sleep 0.5; done
stalled_at=$(date +%s)
echo
echo "Slow clients: $STALLED CSV downloads opened and never read; $streaming streaming (cap ${ACCORDS_MAX_EXPORTS:-2} per worker), $busy answered 503 + Retry-After"
echo "  all $streaming stalled after $((stalled_at - began)) s; page latency, wrk $SLOW_DURATION at 2 connections (p50 / p99 / errors):"
printf "  %-20s%26s%26s%26s\n" page quiet "while they start" "while they are stalled"
verdict="all under 100 ms"
for path in /agreements/ "$detail"; do
  read -r sp50 sp99 serr <<<"$(page_latency "$path")"
  name=$([ "$path" = /agreements/ ] && echo "agreements list" || echo "agreement detail")
  printf "  %-20s%26s%26s%26s\n" "$name" "$(tr ' ' / <<<"${quiet[$path]}")" \
    "$(tr ' ' / <<<"${starting[$path]}")" "$sp50/$sp99/$serr"
  awk -v ms="$(in_ms "$sp50")" 'BEGIN { exit !(ms < 100) }' || verdict="OVER 100 ms"
done
echo "  medians while stalled: $verdict (target < 100 ms), measured $(( $(date +%s) - stalled_at )) s into the stall"
# The server drops a download whose client stops reading once the send timeout passes.
while [ "$(date +%s)" -lt $((stalled_at + SEND_TIMEOUT + 30)) ]; do
  [ $(( $(timeouts) - timeouts_before )) -ge "$streaming" ] && break
  sleep 1
done
echo "  dropped by the server (${SEND_TIMEOUT} s send timeout): $(( $(timeouts) - timeouts_before )) of $streaming, $(( $(date +%s) - stalled_at )) s after they stalled"
for pid in "${stalled[@]}"; do kill "$pid" 2>/dev/null || true; done
stalled=()
