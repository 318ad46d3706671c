#!/usr/bin/env bash
# Stops the local services once process $1 (the test runner that started them) is gone, so a
# killed runner never leaves a JVM and a Redis behind.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
owner="$1"
while kill -0 "$owner" 2>/dev/null; do sleep 1; done
log "owner $owner exited; stopping services"
rm -f "$RUN_DIR/watchdog.pid"
PRESCIENT_FROM_WATCHDOG=1 "$DEPLOY_LOCAL_DIR/stop.sh"
