#!/usr/bin/env bash
# Runs the local single-node Kafka (KRaft, broker+controller) from the Maven-fetched jars:
# `kafka.sh start` prints the broker port once a metadata request succeeds; `kafka.sh stop`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$RUN_DIR/kafka"
PIDFILE="$DIR/kafka.pid"

start() {
  [ -f "$KAFKA_LIBS/.complete" ] || die "Kafka jars missing in $KAFKA_LIBS: run deploy/local/install.sh"
  rm -rf "$DIR"
  mkdir -p "$DIR/data"
  local port ctl cluster_id
  port="$(free_port)"
  ctl="$(free_port)"
  while [ "$ctl" = "$port" ]; do ctl="$(free_port)"; done
  # Small topic defaults, one-replica internal topics and few partitions keep startup and tests fast.
  cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$ctl
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
log.segment.bytes=16777216
log.retention.hours=6
log.retention.check.interval.ms=60000
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=2
delete.topic.enable=true
PROPS
  cat > "$DIR/log4j2.properties" <<L4J
# Quiet broker: warnings and errors only, to a file.
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = $DIR/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka.server.KafkaServer
logger.kafka.level = INFO
logger.raft.name = kafka.server.KafkaRaftServer
logger.raft.level = INFO
L4J
  local jvm=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true "-Dlog4j2.configurationFile=$DIR/log4j2.properties")
  # A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
  cluster_id="$(node -e "console.log(require('crypto').randomBytes(16).toString('base64url'))")"
  java "${jvm[@]}" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$DIR/server.properties" --standalone > "$DIR/format.log" 2>&1 \
    || { cat "$DIR/format.log" >&2; die "kafka storage format failed (see $DIR/format.log)"; }
  # setsid: the broker must not die with a terminal's process group, only through stop.sh/watchdog.
  setsid nohup java "${jvm[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$DIR/server.properties" \
    > "$DIR/stdout.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  if ! node "$DEPLOY_LOCAL_DIR/kafka-ready.js" "127.0.0.1:$port" "${KAFKA_START_TIMEOUT_S:-90}" "$(cat "$PIDFILE")"; then
    tail -n 30 "$DIR/stdout.log" "$DIR/server.log" >&2 2>/dev/null || true
    stop_pidfile "$PIDFILE" 5
    die "kafka on 127.0.0.1:$port not ready"
  fi
  echo "$port"
}

case "${1:-}" in
  start) start ;;
  stop) stop_pidfile "$PIDFILE" 20 ;;
  *) die "usage: kafka.sh start | stop" ;;
esac
