#!/usr/bin/env bash
# Paths, pinned versions and helpers shared by the local Kafka + Redis scripts (sourced, not run).

DEPLOY_LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$DEPLOY_LOCAL_DIR/../.." && pwd)"
# Kafka version pinned in kafka/pom.xml; read from there so there is one place to change it.
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$DEPLOY_LOCAL_DIR/kafka/pom.xml")"
# Everything a run writes (pids, logs, data, services.env) lives here; ignored by git.
RUN_DIR="${PRESCIENT_RUN_DIR:-$REPO_ROOT/.deploy-run}"
# The jar cache survives stop/start so only the first start pays for the download.
KAFKA_LIBS="${PRESCIENT_KAFKA_LIBS:-$REPO_ROOT/.deploy-run/kafka-libs-$KAFKA_VERSION}"
SERVICES_ENV="$RUN_DIR/services.env"

log() { echo "[deploy/local] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# A free TCP port on loopback, chosen by the kernel (a tiny race with other starters is accepted).
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

now_ms() { date +%s%3N; }

# Stops the process in pid file $1: TERM, then KILL after $2 seconds (default 15).
stop_pidfile() {
  local pidfile="$1" grace="${2:-15}" pid i
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not stop in ${grace}s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pidfile"
}
