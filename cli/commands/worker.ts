/**
 * `prescient worker -t topology.yaml` or `prescient worker --region NAME`: one worker of the
 * topology's consumer group. Source kind must be kafka; brokers from --brokers, $KAFKA_BROKERS,
 * the region's kafka.brokers or `source.brokers`; Redis from --redis, $REDIS_URL, the region's
 * redis.url or `state.url` (flag over env over file, so one file serves every environment; the
 * region's Redis URL has no password, the k8s manifests splice it into $REDIS_URL). With a region,
 * topology, topic names, TLS and SASL come from deploy/regions/<NAME>/region.yaml too.
 * Side outputs go to Kafka topics (Avro, idempotent producer); mitigations also to the BullMQ
 * queue `mitigation`. Runs until SIGINT/SIGTERM, then checkpoints, commits and leaves the group.
 */
import { prescientTopicSpecs, ensureTopics, createKafkaClient, describeKafkaSecurity, parseBrokers, withConnectBackoff, type KafkaSecurityDefaults } from '../../sources/kafka';
import { KafkaStreamSink, FanOutSink, type StreamSink } from '../../sinks';
import { MitigationQueueSink } from '../../sinks/bullmq';
import { RedisStateBackend } from '../../state';
import { isTopicName } from '../../schemas';
import { createLogger, KafkaWorker, loadTopologyFile, planTopology, type ValidatedTopology, type WorkerStats } from '../../topology';
import { loadRegion, type RegionConfig } from '../../topology/region';
import { kafkaConnection, type KafkaCliOptions } from '../kafka-options';
import { ModelUpdateListener } from '../../retrain';
import { BadArgumentError } from '../errors';
import { ExitCode } from '../exit-codes';
import { startCliTelemetry, stopCliTelemetry, type TelemetryCliOptions } from '../telemetry-options';

export interface WorkerCommandOptions extends TelemetryCliOptions, KafkaCliOptions {
  /** Topology file; with --region it overrides the region's. One of the two is required. */
  topology?: string;
  /** Region in deploy/regions (or regionsDir): topology, topics, brokers, Redis, TLS/SASL from its region.yaml. */
  region?: string;
  regionsDir?: string;
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

export function workerSettings(t: ValidatedTopology, o: Pick<WorkerCommandOptions, 'brokers' | 'redis'>, env = process.env, region?: RegionConfig): { brokers: string[]; redisUrl: string; topic: string } {
  if (t.source.kind !== 'kafka') throw new BadArgumentError(`worker mode needs source.kind 'kafka' in topology '${t.name}', got '${t.source.kind}' (use \`prescient run\` for the embedded runtime)`);
  const list = o.brokers ?? env.KAFKA_BROKERS ?? region?.kafka.brokers.join(',') ?? field(t, 'brokers');
  if (list === undefined || list === '') throw new BadArgumentError('no Kafka brokers: pass --brokers, set KAFKA_BROKERS, or give source.brokers');
  let brokers: string[];
  try {
    brokers = parseBrokers(list);
  } catch (e) {
    throw new BadArgumentError(`brokers: ${(e as Error).message}`);
  }
  const redisUrl = o.redis ?? env.REDIS_URL ?? region?.redis.url ?? t.state.url;
  if (redisUrl === undefined || redisUrl === '') throw new BadArgumentError('no Redis: pass --redis, set REDIS_URL, or give state.url (worker state is checkpointed to Redis)');
  return { brokers, redisUrl, topic: region?.topics.packets ?? field(t, 'topic') ?? 'packets' };
}

/** Output and dead-letter topics: --topic-prefix, else the region's names, else unprefixed. */
export interface WorkerTopics {
  anomalies: string;
  mitigations: string;
  forensics: string;
  predictions: string;
  deadLetters: string;
}

export function workerTopics(region: RegionConfig | undefined, topicPrefix: string | undefined): WorkerTopics {
  if (topicPrefix === undefined && region !== undefined) {
    const t = region.topics;
    return { anomalies: t.anomalies, mitigations: t.mitigations, forensics: t.forensics, predictions: t.predictions, deadLetters: t.deadLetters };
  }
  const p = topicPrefix ?? '';
  return { anomalies: `${p}anomalies`, mitigations: `${p}mitigations`, forensics: `${p}forensics`, predictions: `${p}predictions`, deadLetters: `${p}dead-letters` };
}

/** The region's TLS and SASL, under the flags and env (kafka-security.ts). */
export function regionSecurityDefaults(r: RegionConfig): KafkaSecurityDefaults {
  const d: KafkaSecurityDefaults = { tls: r.tls.required, source: `region ${r.region}` };
  if (r.tls.caFile !== undefined) d.caFile = r.tls.caFile;
  if (r.tls.certFile !== undefined) d.certFile = r.tls.certFile;
  if (r.tls.keyFile !== undefined) d.keyFile = r.tls.keyFile;
  if (r.tls.serverName !== undefined) d.serverName = r.tls.serverName;
  if (r.kafka.sasl !== undefined) d.saslMechanism = r.kafka.sasl.mechanism;
  return d;
}

/** The topology (-t, else the region's) and the region's config when --region is given. */
export function loadWorkerTopology(o: Pick<WorkerCommandOptions, 'topology' | 'region' | 'regionsDir'>): { topology: ValidatedTopology; region?: RegionConfig } {
  if (o.region === undefined) {
    if (o.topology === undefined) throw new BadArgumentError('worker needs a topology: pass -t <file> or --region <name>');
    return { topology: loadTopologyFile(o.topology) };
  }
  // Checked whole (topology, policy, model, overlay agree) as `prescient validate --region` does.
  const r = loadRegion(o.region, o.regionsDir);
  return { topology: o.topology === undefined ? r.topology : loadTopologyFile(o.topology), region: r.config };
}

export async function workerCommand(o: WorkerCommandOptions): Promise<number> {
  const { topology, region } = loadWorkerTopology(o);
  const plan = planTopology(topology);
  const { brokers, redisUrl, topic } = workerSettings(topology, o, process.env, region);
  const kafka = kafkaConnection(o, process.env, region === undefined ? undefined : regionSecurityDefaults(region));
  const topics = workerTopics(region, o.topicPrefix);
  // Made before telemetry starts: an unreadable CA or key file fails here with nothing to undo.
  const client = createKafkaClient(kafka.kind, { brokers, clientId: `prescient-worker-${topology.name}`, security: kafka.security });
  const log = createLogger({ level: o.quiet ? 'warn' : undefined });
  // Started first: /healthz answers while Kafka and Redis connect; /readyz once the worker consumes.
  const telemetry = await startCliTelemetry(o, log);
  log.info({ brokers, region: region?.region, client: kafka.kind, security: describeKafkaSecurity(kafka.security) }, 'kafka connection');
  const names: Record<string, string> = { packets: topic, ...topics, 'dead-letters': topics.deadLetters };
  const specs = prescientTopicSpecs(plan.partitions).map((s) => ({ ...s, topic: names[s.topic] ?? s.topic }));
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
  const kafkaSink = new KafkaStreamSink(client, { topics: { anomalies: topics.anomalies, mitigations: topics.mitigations, forensics: topics.forensics, predictions: topics.predictions } });
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
    deadLetterTopic: topics.deadLetters,
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
