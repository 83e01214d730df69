#!/usr/bin/env bash
# `make bench`, part 3: the production server (gunicorn, as `make serve` runs it)
# driven by wrk for 30 s at 16 connections on loopback, on the agreements list
# and an agreement page. Prints requests/s, latency percentiles and errors.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BENCH_PORT:-8077}
DURATION=${BENCH_DURATION:-30s}
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk is not installed (Debian package wrk): load test skipped" >&2
    exit 0
  fi
fi
export DJANGO_DEBUG=0 DJANGO_HTTPS="${DJANGO_HTTPS:-0}" ACCORDS_BIND="127.0.0.1:$PORT" ACCORDS_ACCESS_LOG=""
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn config.wsgi --config config/gunicorn.conf.py >/tmp/accords-bench-gunicorn.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
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
  sock=$(awk -F'[ ,]+' '/Socket errors/ {print $4+$6+$8+$10}' <<<"$out"); sock=${sock:-0}
  name=$([ "$path" = /agreements/ ] && echo "agreements list" || echo "agreement detail")
  printf "  %-26s%10s%9s%9s%9s%9s%8s\n" "$name" "$rps" "$(pct 50%)" "$(pct 75%)" "$(pct 90%)" "$(pct 99%)" "$((non2xx + sock))"
done
