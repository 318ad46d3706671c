#!/usr/bin/env bash
# Stops the local Kafka and Redis started by start.sh (and its watchdog); safe to run twice.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Not the watchdog itself: it calls this script when its owner died.
if [ "${PRESCIENT_FROM_WATCHDOG:-0}" != "1" ]; then stop_pidfile "$RUN_DIR/watchdog.pid" 2; fi
"$DEPLOY_LOCAL_DIR/kafka.sh" stop || true
"$DEPLOY_LOCAL_DIR/redis.sh" stop || true
rm -f "$SERVICES_ENV"
log "stopped"
