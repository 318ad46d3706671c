/**
 * A `prescient worker` for the Kafka bench, run as a child process (node dist/benchmarks/bench/
 * kafka-bench-worker.js '<json>') with an IPC channel. It is the real worker (KafkaWorker from
 * topology/distributed, Redis state, Kafka side outputs) plus a latency recorder on the chain's
 * main output, so latency is measured where the verdict is produced, on the monotonic clock the
 * bench anchored (bench-clock.ts). Why here and not by consuming an output topic: only anomalies
 * reach a topic, not one verdict per packet, and a consumer would add its own fetch latency.
 * Messages in:  {type:'measure', fromUs}  {type:'stop'}
 * Messages out: {type:'status', owned, verdicts, measured}  {type:'result', ...}  {type:'failed', message}
 */
import { isTopicName } from '../../schemas';
import { KafkaStreamSink, type StreamSink } from '../../sinks';
import { createKafkaClient, ensureTopics, prescientTopicSpecs, type KafkaClientKind } from '../../sources/kafka';
import { RedisStateBackend } from '../../state';
import { createLogger, KafkaWorker, loadTopologyFile, MAIN_OUTPUT_STREAM, planTopology } from '../../topology';
import { BenchClock, type ClockAnchor } from './bench-clock';
import { encodeHistogram, LatencyRecorder } from './latency-recorder';

export interface BenchWorkerArgs {
  topologyFile: string;
  /** Per-step topology name: its repartition topics, Redis namespace and group are the step's own. */
  name: string;
  brokers: string[];
  redisUrl: string;
  topic: string;
  groupId: string;
  partitions: number;
  anchor: ClockAnchor;
  statusEveryMs: number;
  /** Kafka client as `prescient worker --kafka-client` takes it (default kafkajs). */
  client?: KafkaClientKind;
}

export type BenchWorkerMessage =
  | { type: 'status'; owned: number[]; verdicts: number; measured: number }
  | { type: 'result'; owned: number[]; verdicts: number; measured: number; lastVerdictUs: number; lastAnyVerdictUs: number; histogram: string; packetsIn: number; outputs: Record<string, number>; repartitionSent: number; repartitionReceived: number }
  | { type: 'failed'; message: string };

function send(m: BenchWorkerMessage): void {
  process.send?.(m);
}

async function main(args: BenchWorkerArgs): Promise<void> {
  const topology = { ...loadTopologyFile(args.topologyFile), name: args.name };
  const plan = planTopology(topology);
  const clock = new BenchClock(args.anchor);
  const recorder = new LatencyRecorder(clock, Number.POSITIVE_INFINITY);
  const client = createKafkaClient(args.client ?? 'kafkajs', { brokers: args.brokers, clientId: `prescient-bench-${args.name}` });
  await ensureTopics(client, prescientTopicSpecs(args.partitions).map((s) => (s.topic === 'packets' ? { ...s, topic: args.topic } : s)));
  const backend = new RedisStateBackend({ url: args.redisUrl, namespace: args.name });
  await backend.connect();
  const kafkaSink = new KafkaStreamSink(client);
  await kafkaSink.connect();
  const sinks: Record<string, StreamSink> = { [MAIN_OUTPUT_STREAM]: recorder };
  for (const s of topology.sinks) if (isTopicName(s.stream)) sinks[s.stream] = kafkaSink;
  let failure: unknown;
  const makeWorker = (): KafkaWorker =>
    new KafkaWorker(plan, {
      client,
      stateBackend: backend,
      sinks,
      groupId: args.groupId,
      topic: args.topic,
      logger: createLogger({ level: 'warn' }),
      onFailure: (err) => {
        failure = err;
        send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      },
    });
  // A broker started seconds ago can answer a topic creation with a transient metadata error
  // ("does not host this topic-partition"); a fresh start a moment later succeeds.
  let worker = makeWorker();
  for (let attempt = 1; ; attempt++) {
    try {
      await worker.start();
      break;
    } catch (err) {
      if (attempt >= 5) throw err;
      await worker.kill().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500 * attempt));
      worker = makeWorker();
    }
  }
  const status = setInterval(() => send({ type: 'status', owned: worker.ownedPartitions(), verdicts: recorder.verdicts, measured: recorder.measured }), args.statusEveryMs);
  await new Promise<void>((resolve) => {
    process.on('message', (m: { type: string; fromUs?: number }) => {
      if (m.type === 'measure' && typeof m.fromUs === 'number') recorder.measureFromUs = m.fromUs;
      else if (m.type === 'stop') resolve();
    });
    process.once('disconnect', () => resolve());
  });
  clearInterval(status);
  const owned = worker.ownedPartitions();
  if (failure === undefined) await worker.stop();
  else await worker.kill();
  const stats = worker.stats();
  await kafkaSink.close().catch(() => undefined);
  await backend.close().catch(() => undefined);
  send({
    type: 'result',
    owned,
    verdicts: recorder.verdicts,
    measured: recorder.measured,
    lastVerdictUs: recorder.lastMeasuredVerdictUs,
    lastAnyVerdictUs: recorder.lastVerdictUs,
    histogram: encodeHistogram(recorder.histogram),
    packetsIn: stats.packetsIn,
    outputs: stats.outputs,
    repartitionSent: stats.repartitionSent,
    repartitionReceived: stats.repartitionReceived,
  });
}

if (require.main === module) {
  main(JSON.parse(process.argv[2] ?? '{}') as BenchWorkerArgs)
    .then(() => {
      // kafkajs and ioredis may hold timers a while after close: the result is sent, so leave now.
      setTimeout(() => process.exit(0), 200);
    })
    .catch((err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      process.stderr.write(`bench worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
