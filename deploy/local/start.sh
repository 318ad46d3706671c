#!/usr/bin/env bash
# Starts Redis and Kafka on loopback, on free ports, and waits until both answer; then writes
# $RUN_DIR/services.env (KAFKA_BROKERS=..., REDIS_URL=...). Usage: start.sh [--owner PID]
# With --owner, a watchdog stops both when process PID dies (a test runner killed mid-run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

owner=""
while [ $# -gt 0 ]; do
  case "$1" in
    --owner) owner="$2"; shift 2 ;;
    *) die "usage: start.sh [--owner PID]" ;;
  esac
done

mkdir -p "$RUN_DIR"
# A previous run that was not stopped (killed shell, crashed runner) is stopped first.
"$DEPLOY_LOCAL_DIR/stop.sh" >/dev/null 2>&1 || true

started=0
# If this script fails or is interrupted half-way, stop whatever it already started.
cleanup_on_failure() { [ "$started" -eq 1 ] || "$DEPLOY_LOCAL_DIR/stop.sh" >/dev/null 2>&1 || true; }
trap cleanup_on_failure EXIT
trap 'exit 130' INT TERM HUP

t0=$(now_ms)
"$DEPLOY_LOCAL_DIR/install.sh" all
t1=$(now_ms)
rm -rf "$RUN_DIR/redis"
redis_port="$("$DEPLOY_LOCAL_DIR/redis.sh" start)"
t2=$(now_ms)
kafka_port="$("$DEPLOY_LOCAL_DIR/kafka.sh" start)"
t3=$(now_ms)

cat > "$SERVICES_ENV.tmp" <<ENV
KAFKA_BROKERS=127.0.0.1:$kafka_port
REDIS_URL=redis://127.0.0.1:$redis_port
KAFKA_VERSION=$KAFKA_VERSION
PRESCIENT_RUN_DIR=$RUN_DIR
ENV
mv "$SERVICES_ENV.tmp" "$SERVICES_ENV"

if [ -n "$owner" ]; then
  setsid nohup "$DEPLOY_LOCAL_DIR/watchdog.sh" "$owner" > "$RUN_DIR/watchdog.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/watchdog.pid"
fi
started=1
log "redis 127.0.0.1:$redis_port ready in $((t2 - t1)) ms; kafka $KAFKA_VERSION 127.0.0.1:$kafka_port ready in $((t3 - t2)) ms (install check $((t1 - t0)) ms)"
cat "$SERVICES_ENV"
