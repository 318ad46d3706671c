/**
 * `prescient worker -t topology.yaml`: one worker of the topology's consumer group. Source kind
 * must be kafka; brokers from --brokers, $KAFKA_BROKERS or `source.brokers`; Redis from --redis,
 * $REDIS_URL or `state.url` (env wins over the file, so one file serves every environment).
 * Side outputs go to Kafka topics (Avro, idempotent producer); mitigations also to the BullMQ
 * queue `mitigation`. Runs until SIGINT/SIGTERM, then checkpoints, commits and leaves the group.
 */
import { prescientTopicSpecs, ensureTopics, KafkajsClient, parseBrokers, withConnectBackoff } from '../../sources/kafka';
import { KafkaStreamSink, FanOutSink, type StreamSink } from '../../sinks';
import { MitigationQueueSink } from '../../sinks/bullmq';
import { RedisStateBackend } from '../../state';
import { isTopicName } from '../../schemas';
import { createLogger, KafkaWorker, loadTopologyFile, planTopology, type ValidatedTopology, type WorkerStats } from '../../topology';
import { ModelUpdateListener } from '../../retrain';
import { BadArgumentError } from '../errors';
import { ExitCode } from '../exit-codes';
import { startCliTelemetry, stopCliTelemetry, type TelemetryCliOptions } from '../telemetry-options';

export interface WorkerCommandOptions extends TelemetryCliOptions {
  topology: string;
  brokers?: string;
  redis?: string;
  group?: string;
  /** Do not enqueue mitigation jobs to BullMQ (Kafka topic only). */
  queue?: boolean;
  quiet?: boolean;
  /** Status log line every this many ms (default 5000; 0 = none). */
  statusEveryMs?: number;
  /** Attempts to reach the brokers at start (default 5), with exponential backoff; then exit 69. */
  connectAttempts?: number;
  /** First backoff delay in ms (default 1000), doubling up to 15 s. */
  connectBackoffMs?: number;
  /** Prefix of the output and dead-letter topics (e.g. `eu-west-1.`); the packets topic is the topology's. */
  topicPrefix?: string;
  /** BullMQ queue of mitigation jobs (default 'mitigation'). */
  queueName?: string;
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
  // Started first: /healthz answers while Kafka and Redis connect; /readyz once the worker consumes.
  const telemetry = await startCliTelemetry(o, log);
  const client = new KafkajsClient({ brokers, clientId: `prescient-worker-${topology.name}` });
  const prefix = o.topicPrefix ?? '';
  const specs = prescientTopicSpecs(plan.partitions).map((s) => (s.topic === 'packets' ? { ...s, topic } : { ...s, topic: `${prefix}${s.topic}` }));
  // A broker not up yet is waited for (logged, exponential backoff); one that never comes ends
  // the process with the service-unavailable exit code instead of a crash loop.
  await withConnectBackoff('connect to brokers', () => ensureTopics(client, specs), {
    attempts: o.connectAttempts,
    initialDelayMs: o.connectBackoffMs,
    onRetry: (r) => log.warn({ brokers: r.brokers, attempt: r.attempt, attempts: r.attempts, retryInMs: r.delayMs, err: r.error.message }, 'kafka unreachable; retrying'),
  }).catch(async (e: unknown) => {
    await stopCliTelemetry(telemetry);
    throw e;
  });

  const backend = new RedisStateBackend({ url: redisUrl, namespace: topology.name });
  await backend.connect();
  const kafkaSink = new KafkaStreamSink(client, { topics: { anomalies: `${prefix}anomalies`, mitigations: `${prefix}mitigations`, forensics: `${prefix}forensics`, predictions: `${prefix}predictions` } });
  await kafkaSink.connect();
  const queueSink = o.queue === false ? null : new MitigationQueueSink({ redisUrl, queueName: o.queueName });
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
    deadLetterTopic: `${prefix}dead-letters`,
    logger: log,
    telemetry,
    onFailure: (err) => {
      failed = err;
      wake();
    },
  });
  const onSignal = (): void => wake();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await worker.start();
  // Retrained models (queue `retrain`) are swapped in without a restart; see retrain/.
  const targets = topology.operators.filter((op) => op.name === 'predict').map((op) => (op.config as { model: string }).model);
  const updates = targets.length > 0 ? new ModelUpdateListener({ redisUrl, targets, log }) : null;
  await updates?.start();
  const every = o.statusEveryMs ?? 5000;
  const status = every > 0 ? setInterval(() => log.info(statusLine(worker.stats(), worker.ownedPartitions()), 'worker status'), every) : undefined;
  await done;
  if (status !== undefined) clearInterval(status);
  await updates?.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (failed === undefined) await worker.stop();
  else await worker.kill();
  await kafkaSink.close().catch((err: unknown) => log.warn({ err }, 'kafka sink close failed'));
  await queueSink?.close().catch((err: unknown) => log.warn({ err }, 'mitigation queue close failed'));
  await backend.close();
  await stopCliTelemetry(telemetry);
  if (failed !== undefined) {
    process.stderr.write(`prescient worker: failed: ${failed instanceof Error ? failed.message : String(failed)}\n`);
    return ExitCode.FAILURE;
  }
  return ExitCode.OK;
}

function statusLine(s: WorkerStats, owned: number[]): Record<string, unknown> {
  return { partitions: owned, packetsIn: s.packetsIn, outputs: s.outputs, deadLettered: s.deadLettered, checkpointRetries: s.checkpointRetries };
}
