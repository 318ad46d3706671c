#!/usr/bin/env bash
# Installs what the local services need and is missing: redis-server (Debian) and Kafka's jars
# (Maven Central, into a git-ignored cache). Idempotent: a second run does nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

install_redis() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then return 0; fi
  command -v apt-get >/dev/null 2>&1 || die "redis-server is not on PATH and apt-get is missing: install Redis 7 by hand"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  log "installing redis-server from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 || die "apt-get install redis-server did not put redis-server on PATH"
}

install_kafka() {
  command -v java >/dev/null 2>&1 || die "java is not on PATH: Kafka $KAFKA_VERSION needs Java 17+ (apt-get install -y openjdk-17-jre-headless)"
  if [ -f "$KAFKA_LIBS/.complete" ]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn is not on PATH: it fetches Kafka's jars (apt-get install -y maven)"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  rm -rf "$KAFKA_LIBS.tmp"
  mvn -q -B -f "$DEPLOY_LOCAL_DIR/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp" >&2 \
    || die "mvn dependency:copy-dependencies failed for org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  rm -rf "$KAFKA_LIBS"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  touch "$KAFKA_LIBS/.complete"
}

what="${1:-all}"
case "$what" in
  redis) install_redis ;;
  kafka) install_kafka ;;
  all) install_redis; install_kafka ;;
  *) die "usage: install.sh [all|redis|kafka]" ;;
esac
