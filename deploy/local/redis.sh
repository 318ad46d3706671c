#!/usr/bin/env bash
# Runs the local Redis: `redis.sh start [PORT]`, `redis.sh stop`, `redis.sh restart` (same port and
# data: AOF + RDB on, so a restart keeps checkpoints, as the fault tests need).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$RUN_DIR/redis"
CONF="$DIR/redis.conf"
PIDFILE="$DIR/redis.pid"

port_of_conf() { sed -n 's/^port //p' "$CONF"; }

wait_ready() {
  local port="$1" deadline=$(( $(now_ms) + ${REDIS_START_TIMEOUT_S:-20} * 1000 ))
  until [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null || true)" = "PONG" ]; do
    # Loading a big AOF answers LOADING for a while; wait for it like for a closed port.
    [ "$(now_ms)" -lt "$deadline" ] || { tail -n 20 "$DIR/redis.log" >&2 || true; die "redis on 127.0.0.1:$port not ready in ${REDIS_START_TIMEOUT_S:-20}s"; }
    sleep 0.05
  done
}

start() {
  local port="${1:-}"
  mkdir -p "$DIR/data"
  if [ -z "$port" ]; then
    if [ -f "$CONF" ]; then port="$(port_of_conf)"; else port="$(free_port)"; fi
  fi
  cat > "$CONF" <<CONF
# Written by deploy/local/redis.sh: loopback only, data under $DIR/data.
bind 127.0.0.1
port $port
daemonize yes
pidfile $PIDFILE
logfile $DIR/redis.log
dir $DIR/data
appendonly yes
appendfsync everysec
aof-load-truncated yes
save 60 1000
stop-writes-on-bgsave-error no
CONF
  redis-server "$CONF"
  wait_ready "$port"
  echo "$port"
}

stop() {
  [ -f "$CONF" ] || return 0
  local port; port="$(port_of_conf)"
  # SHUTDOWN writes the RDB and fsyncs the AOF, so a restart finds every acknowledged write.
  redis-cli -h 127.0.0.1 -p "$port" shutdown save >/dev/null 2>&1 || true
  stop_pidfile "$PIDFILE" 10
}

case "${1:-}" in
  start) shift; start "${1:-}" ;;
  stop) stop ;;
  restart) stop; start "$(port_of_conf)" >/dev/null ;;
  *) die "usage: redis.sh start [PORT] | stop | restart" ;;
esac
