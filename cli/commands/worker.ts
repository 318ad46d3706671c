/**
 * `prescient worker -t topology.yaml`: one worker of the topology's consumer group. Source kind
 * must be kafka; brokers from --brokers, $KAFKA_BROKERS or `source.brokers`; Redis from --redis,
 * $REDIS_URL or `state.url` (env wins over the file, so one file serves every environment).
 * Side outputs go to Kafka topics (Avro, idempotent producer); mitigations also to the BullMQ
 * queue `mitigation`. Runs until SIGINT/SIGTERM, then checkpoints, commits and leaves the group.
 */
import { prescientTopicSpecs, ensureTopics, KafkajsClient, parseBrokers } from '../../sources/kafka';
import { KafkaStreamSink, FanOutSink, type StreamSink } from '../../sinks';
import { MitigationQueueSink } from '../../sinks/bullmq';
import { RedisStateBackend } from '../../state';
import { isTopicName } from '../../schemas';
import { createLogger, KafkaWorker, loadTopologyFile, planTopology, type ValidatedTopology, type WorkerStats } from '../../topology';
import { BadArgumentError } from '../errors';
import { ExitCode } from '../exit-codes';

export interface WorkerCommandOptions {
  topology: string;
  brokers?: string;
  redis?: string;
  group?: string;
  /** Do not enqueue mitigation jobs to BullMQ (Kafka topic only). */
  queue?: boolean;
  quiet?: boolean;
  /** Status log line every this many ms (default 5000; 0 = none). */
  statusEveryMs?: number;
}

function field(t: ValidatedTopology, name: string): string | undefined {
  const v = t.source[name];
  return typeof v === 'string' ? v : undefined;
}

export function workerSettings(t: ValidatedTopology, o: Pick<WorkerCommandOptions, 'brokers' | 'redis'>, env = process.env): { brokers: string[]; redisUrl: string; topic: string } {
  if (t.source.kind !== 'kafka') throw new BadArgumentError(`worker mode needs source.kind 'kafka' in topology '${t.name}', got '${t.source.kind}' (use \`prescient run\` for the embedded runtime)`);
  const list = o.brokers ?? env.KAFKA_BROKERS ?? field(t, 'brokers');
  if (list === undefined || list === '') throw new BadArgumentError('no Kafka brokers: pass --brokers, set KAFKA_BROKERS, or give source.brokers');
  let brokers: string[];
  try {
    brokers = parseBrokers(list);
  } catch (e) {
    throw new BadArgumentError(`brokers: ${(e as Error).message}`);
  }
  const redisUrl = o.redis ?? env.REDIS_URL ?? t.state.url;
  if (redisUrl === undefined || redisUrl === '') throw new BadArgumentError('no Redis: pass --redis, set REDIS_URL, or give state.url (worker state is checkpointed to Redis)');
  return { brokers, redisUrl, topic: field(t, 'topic') ?? 'packets' };
}

export async function workerCommand(o: WorkerCommandOptions): Promise<number> {
  const topology = loadTopologyFile(o.topology);
  const plan = planTopology(topology);
  const { brokers, redisUrl, topic } = workerSettings(topology, o);
  const log = createLogger({ level: o.quiet ? 'warn' : undefined });
  const client = new KafkajsClient({ brokers, clientId: `prescient-worker-${topology.name}` });
  const specs = prescientTopicSpecs(plan.partitions).map((s) => (s.topic === 'packets' ? { ...s, topic } : s));
  await ensureTopics(client, specs);

  const backend = new RedisStateBackend({ url: redisUrl, namespace: topology.name });
  await backend.connect();
  const kafkaSink = new KafkaStreamSink(client);
  await kafkaSink.connect();
  const queueSink = o.queue === false ? null : new MitigationQueueSink({ redisUrl });
  const sinks: Record<string, StreamSink> = {};
  for (const s of topology.sinks) {
    if (!isTopicName(s.stream)) continue;
    sinks[s.stream] = s.stream === 'mitigations' && queueSink !== null ? new FanOutSink([kafkaSink, queueSink]) : kafkaSink;
  }

  let failed: unknown;
  let wake: () => void = () => undefined;
  const done = new Promise<void>((r) => (wake = r));
  const worker = new KafkaWorker(plan, {
    client,
    stateBackend: backend,
    sinks,
    groupId: o.group,
    topic,
    logger: log,
    onFailure: (err) => {
      failed = err;
      wake();
    },
  });
  const onSignal = (): void => wake();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await worker.start();
  const every = o.statusEveryMs ?? 5000;
  const status = every > 0 ? setInterval(() => log.info(statusLine(worker.stats(), worker.ownedPartitions()), 'worker status'), every) : undefined;
  await done;
  if (status !== undefined) clearInterval(status);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (failed === undefined) await worker.stop();
  else await worker.kill();
  await kafkaSink.close().catch((err: unknown) => log.warn({ err }, 'kafka sink close failed'));
  await queueSink?.close().catch((err: unknown) => log.warn({ err }, 'mitigation queue close failed'));
  await backend.close();
  if (failed !== undefined) {
    process.stderr.write(`prescient worker: failed: ${failed instanceof Error ? failed.message : String(failed)}\n`);
    return ExitCode.FAILURE;
  }
  return ExitCode.OK;
}

function statusLine(s: WorkerStats, owned: number[]): Record<string, unknown> {
  return { partitions: owned, packetsIn: s.packetsIn, outputs: s.outputs, deadLettered: s.deadLettered, checkpointRetries: s.checkpointRetries };
}
