/**
 * Kafka mode: a real broker and Redis (deploy/local, a run folder of our own), 1..N bench workers
 * (kafka-bench-worker.ts: the real KafkaWorker) as child processes in one consumer group, and this
 * process as the open-loop producer of Avro PacketEvents keyed by vmId. Each step gets fresh
 * topics, group and Redis namespace, so no step sees another's backlog or state. Workers record
 * latency at the verdict and send their HDR histograms back over IPC when stopped.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { createTopicCodec } from '../../schemas';
import type { PacketEvent } from '../../schemas/types';
import { createKafkaClient, type OutgoingRecord } from '../../sources/kafka';
import type { ValidatedTopology } from '../../topology';
import { BenchClock } from './bench-clock';
import type { BenchConfig } from './bench-config';
import { BenchConfigError, BenchRunError } from './bench-errors';
import { startBenchServices, type BenchServices } from './bench-services';
import { cpuBetween, takeCpuSample, type CpuComponentSpec, type CpuSample } from './cpu-accounting';
import { loadBenchTopology, resolveTopologyPath } from './bench-topology';
import type { BenchWorkerArgs, BenchWorkerMessage } from './kafka-bench-worker';
import { decodeHistogram, newLatencyHistogram } from './latency-recorder';
import { OpenLoopSchedule } from './open-loop-schedule';
import { OpenLoopSource } from './open-loop-source';
import { clockTicksPerSec } from './proc-cpu';
import type { BenchProgress } from './progress';
import { toStepResult, type StepResult } from './step-result';

export interface KafkaBenchPlan {
  topologyFile: string;
  topology: ValidatedTopology;
  partitions: number;
  workerEntry: string;
}

/** Produce requests in flight before the generator waits for the oldest (then it is behind). */
const MAX_IN_FLIGHT = 64;
/** Packets sent (and answered) before a step's schedule starts; never measured. */
const PRIME_PACKETS = 500;
const MAX_RECORDS_PER_REQUEST = 1000;
/** Offered rate the "cores needed" line of the CPU accounting is worked out for (issue 4's target). */
const CPU_TARGET_PPS = 50_000;

/**
 * The processes whose CPU a step accounts for. Broker and Redis pids come from deploy/local's pid
 * files in the run dir, never from a process search. Redis counts its reaped children (BGSAVE and
 * AOF-rewrite forks); the bench process does not, since its children are the workers, counted apart.
 */
function cpuComponents(svc: BenchServices, workers: readonly WorkerHandle[]): CpuComponentSpec[] {
  const { kafka, redis } = svc.pids();
  const specs: CpuComponentSpec[] = [];
  if (kafka !== null) specs.push({ name: 'kafka broker (JVM)', pid: kafka, children: false });
  if (redis !== null) specs.push({ name: 'redis-server', pid: redis, children: true });
  workers.forEach((w, i) => {
    if (w.child.pid !== undefined) specs.push({ name: `worker ${i + 1}`, pid: w.child.pid, children: false });
  });
  specs.push({ name: 'bench (generator/producer)', pid: process.pid, children: false });
  return specs;
}

/** Checks the Kafka part of the config before anything runs. */
export function planKafkaBench(c: BenchConfig, file: string): KafkaBenchPlan {
  const topologyFile = resolveTopologyPath(c.kafka.topology);
  const topology = loadBenchTopology(c.kafka.topology, undefined, 'kafka.topology', file);
  if (topology.source.kind !== 'kafka') throw new BenchConfigError(file, 'kafka.topology', `topology ${topologyFile} has source.kind '${topology.source.kind}'; the Kafka bench needs a kafka-sourced topology (e.g. topology/distributed.yaml)`);
  const partitions = c.kafka.partitions ?? topology.partitions;
  c.kafka.workers.forEach((w, i) => {
    if (w > partitions) throw new BenchConfigError(file, `kafka.workers[${i}]`, `${w} workers but the topic has ${partitions} partitions: the extra workers would sit idle in the group`);
  });
  const workerEntry = path.join(__dirname, 'kafka-bench-worker.js');
  if (!existsSync(workerEntry)) throw new BenchConfigError(file, 'modes', `the Kafka bench runs workers from compiled JS (${workerEntry} is missing): run \`npm run build\` and use dist/cli/main.js`);
  return { topologyFile, topology, partitions, workerEntry };
}

/** Where each process runs. 'auto': services + generator on CPU 0, worker i on CPU (n-1-i) mod n. */
export interface PinPlan {
  services: string | null;
  generator: string | null;
  worker(i: number): string | null;
  describe(workers: number): string;
}

export function pinPlan(mode: 'auto' | 'none', cores = cpus().length): PinPlan {
  if (mode === 'none' || cores < 2) {
    return { services: null, generator: null, worker: () => null, describe: () => `not pinned (${cores} CPUs, the OS schedules everything)` };
  }
  const worker = (i: number): string => String((((cores - 1 - i) % cores) + cores) % cores);
  return {
    services: '0',
    generator: '0',
    worker,
    describe: (n) =>
      `taskset: Kafka broker (JVM) + Redis + the generator/producer (bench process) on CPU 0; ${Array.from({ length: n }, (_, i) => `worker ${i + 1} on CPU ${worker(i)}`).join(', ')} (${cores} CPUs in all)`,
  };
}

interface WorkerHandle {
  child: ChildProcess;
  status: { owned: number[]; verdicts: number; measured: number };
  result: Promise<Extract<BenchWorkerMessage, { type: 'result' }>>;
  failed: string | undefined;
  /** The worker sent its result and is on its way out (it exits by itself 200 ms later). */
  gotResult: boolean;
  exited: Promise<void>;
}

/** Extra node flags for the workers (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile them), from PRESCIENT_BENCH_WORKER_NODE_FLAGS. */
function workerNodeFlags(): string[] {
  return (process.env.PRESCIENT_BENCH_WORKER_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f.length > 0);
}

function spawnWorker(entry: string, args: BenchWorkerArgs, cpu: string | null): WorkerHandle {
  const nodeArgs = ['--max-semi-space-size=128', ...workerNodeFlags(), entry, JSON.stringify(args)];
  const stdio: Array<'ignore' | 'inherit' | 'ipc'> = ['ignore', 'inherit', 'inherit', 'ipc'];
  const child = cpu === null ? spawn(process.execPath, nodeArgs, { stdio }) : spawn('taskset', ['-c', cpu, process.execPath, ...nodeArgs], { stdio });
  let resolveResult!: (m: Extract<BenchWorkerMessage, { type: 'result' }>) => void;
  let rejectResult!: (e: Error) => void;
  const h: WorkerHandle = {
    child,
    status: { owned: [], verdicts: 0, measured: 0 },
    result: new Promise((res, rej) => ((resolveResult = res), (rejectResult = rej))),
    failed: undefined,
    gotResult: false,
    exited: new Promise((res) => child.once('exit', () => res())),
  };
  h.result.catch(() => undefined);
  child.on('message', (m: BenchWorkerMessage) => {
    if (m.type === 'status') h.status = m;
    else if (m.type === 'result') {
      h.gotResult = true;
      resolveResult(m);
    } else if (m.type === 'failed') h.failed = m.message;
  });
  child.once('exit', (code) => rejectResult(new Error(`worker exited (code ${code}) before sending its result${h.failed === undefined ? '' : `: ${h.failed}`}`)));
  return h;
}

/** The unit of every /proc time, asked once (getconf) and only by a Kafka run. */
let clockTicks: ReturnType<typeof clockTicksPerSec> | undefined;
const ticks = (): ReturnType<typeof clockTicksPerSec> => (clockTicks ??= clockTicksPerSec());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`, or a rejection after `ms`; the timer never keeps the process alive. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`${what}: nothing within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

async function waitFor(what: string, step: string, timeoutMs: number, workers: WorkerHandle[], ok: () => boolean): Promise<boolean> {
  const t0 = Date.now();
  while (!ok()) {
    const f = workers.find((w) => w.failed !== undefined);
    if (f !== undefined) throw new BenchRunError(step, `a worker failed while waiting for ${what}: ${f.failed}`);
    if (Date.now() - t0 > timeoutMs) return false;
    await sleep(50);
  }
  return true;
}

function pinSelf(cpuList: string): void {
  try {
    execFileSync('taskset', ['-a', '-cp', cpuList, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // Pinning is best effort; the report says what was asked.
  }
}

async function runKafkaStep(svc: BenchServices, plan: KafkaBenchPlan, pins: PinPlan, c: BenchConfig, pool: readonly PacketEvent[], nWorkers: number, rate: number, stepNo: number, progress: BenchProgress): Promise<StepResult> {
  const step = `kafka ${nWorkers}w ${rate} pps`;
  const id = `${Date.now().toString(36)}-${stepNo}`;
  const name = `${plan.topology.name}-bench-${id}`;
  const topic = `bench-packets-${id}`;
  const client = createKafkaClient(c.kafka.client, { brokers: svc.brokers, clientId: 'prescient-bench' });
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics([{ topic, partitions: plan.partitions }]);
  } finally {
    await admin.disconnect();
  }
  const clock = new BenchClock();
  const args: BenchWorkerArgs = { topologyFile: plan.topologyFile, name, brokers: svc.brokers, redisUrl: svc.redisUrl, topic, groupId: `bench-${id}`, partitions: plan.partitions, anchor: clock.anchor, statusEveryMs: 100, client: c.kafka.workerClient };
  const workers = Array.from({ length: nWorkers }, (_, i) => spawnWorker(plan.workerEntry, args, pins.worker(i)));
  const producer = client.producer({ idempotent: false });
  try {
    const allAssigned = (): boolean => {
      const owned = new Set<number>();
      for (const w of workers) for (const p of w.status.owned) owned.add(p);
      return owned.size === plan.partitions && workers.every((w) => w.status.owned.length > 0);
    };
    if (!(await waitFor('partition assignment', step, 90_000, workers, allAssigned))) throw new BenchRunError(step, `workers did not get all ${plan.partitions} partitions within 90 s`);
    await producer.connect();
    const codec = createTopicCodec('packets');
    // Priming: the workers must be fetching (group joined, state restored, first fetch done) before
    // the schedule starts, or the first seconds measure the consumer's start-up, not the pipeline.
    const prime = Math.min(PRIME_PACKETS, pool.length);
    const primeTs = Math.round(clock.nowUs());
    await producer.send([{ topic, records: pool.slice(0, prime).map((p) => ({ key: p.vmId, value: codec.encode({ ...p, tsUs: primeTs }) })) }]);
    const verdicts = (): number => workers.reduce((a, w) => a + w.status.verdicts, 0);
    if (!(await waitFor('the priming packets', step, 90_000, workers, () => verdicts() >= prime))) throw new BenchRunError(step, `workers gave ${verdicts()} verdicts for ${prime} priming packets within 90 s`);
    const warmup = Math.round(rate * c.warmupSec);
    const total = warmup + Math.round(rate * c.durationSec);
    const schedule = new OpenLoopSchedule(rate, total);
    schedule.lagFrom = warmup;
    let measureFromUs = Number.POSITIVE_INFINITY;
    const source = new OpenLoopSource(pool, schedule, clock, {
      abortLagUs: c.keepUp.abortLagMs * 1000,
      startDelayUs: 50_000,
      onBegin: (s) => {
        measureFromUs = Math.round(s.intendedUs(warmup));
        for (const w of workers) w.child.send({ type: 'measure', fromUs: measureFromUs });
      },
    });
    // CPU accounting window: from the first moment the schedule is in its measured part to the end
    // of the drain; divided by the verdicts in between (the workers' status counts, <= 100 ms old).
    const cpuSpecs = cpuComponents(svc, workers);
    let cpuStart = null as CpuSample | null;
    let verdictsAtCpuStart = 0;
    const startCpuWindow = (): void => {
      cpuStart = takeCpuSample(cpuSpecs, clock.nowUs());
      verdictsAtCpuStart = verdicts();
    };
    const inFlight: Array<Promise<void>> = [];
    let sendError: unknown;
    // Like a real agent's producer (linger.ms), packets are sent in requests of up to lingerMs of
    // schedule: thousands of tiny requests a second would measure the broker's request overhead.
    const lingerUs = c.kafka.lingerMs * 1000;
    let records: OutgoingRecord[] = [];
    let firstTs = 0;
    const flush = async (): Promise<void> => {
      if (records.length === 0) return;
      inFlight.push(producer.send([{ topic, records }]).catch((e: unknown) => void (sendError ??= e)));
      records = [];
      // A broker that does not keep up with the produce rate makes the generator late: counted as lag.
      if (inFlight.length > MAX_IN_FLIGHT) await inFlight.shift();
    };
    for await (const batch of source.batches()) {
      if (records.length === 0) firstTs = batch[0].tsUs;
      for (let i = 0; i < batch.length; i++) records.push({ key: batch[i].vmId, value: codec.encode(batch[i]) });
      if (cpuStart === null && clock.nowUs() >= measureFromUs) startCpuWindow();
      if (records.length >= MAX_RECORDS_PER_REQUEST || clock.nowUs() - firstTs >= lingerUs) await flush();
      if (sendError !== undefined) throw new BenchRunError(step, `producing failed: ${(sendError as Error).message}`, sendError);
      progress.tick(step, `sent ${source.sent}/${total} verdicts ${verdicts() - prime} lag ${(schedule.maxLagUs / 1000).toFixed(1)} ms`);
    }
    await flush();
    await Promise.all(inFlight);
    const measuredScheduled = total - warmup;
    const measuredSeen = (): number => workers.reduce((a, w) => a + w.status.measured, 0);
    await waitFor('the last verdicts', step, c.keepUp.drainTimeoutSec * 1000, workers, () => source.aborted || measuredSeen() >= measuredScheduled);
    const endUs = clock.nowUs();
    const cpuEnd = takeCpuSample(cpuSpecs, endUs);
    const cpu = cpuStart === null ? undefined : cpuBetween(cpuSpecs, cpuStart, cpuEnd, verdicts() - verdictsAtCpuStart, ticks(), cpus().length, CPU_TARGET_PPS);
    for (const w of workers) w.child.send({ type: 'stop' });
    const results = await Promise.all(workers.map((w) => within(w.result, 60_000, 'worker result after stop')));
    const h = newLatencyHistogram();
    let measured = 0;
    let lastVerdictUs = 0;
    let lastAny = 0;
    let all = 0;
    for (const r of results) {
      lastAny = Math.max(lastAny, r.lastAnyVerdictUs);
      all += r.verdicts;
      h.add(decodeHistogram(r.histogram));
      measured += r.measured;
      lastVerdictUs = Math.max(lastVerdictUs, r.lastVerdictUs);
    }
    return toStepResult(
      {
        mode: 'kafka',
        variant: `kafka-${nWorkers}w`,
        workers: nWorkers,
        offeredPps: rate,
        scheduled: total,
        sent: source.sent,
        measuredScheduled,
        histogram: h,
        measuredVerdicts: measured,
        measureFromUs,
        lastVerdictUs,
        endUs,
        maxScheduleLagUs: schedule.maxLagUs,
        aborted: source.aborted,
        throughput: { verdicts: all - prime, fromUs: schedule.startUs, toUs: lastAny },
        notes: {
          topic,
          partitions: plan.partitions,
          pinning: pins.describe(nWorkers),
          perWorker: results.map((r, i) => ({ worker: i + 1, cpu: pins.worker(i), partitions: r.owned, packetsIn: r.packetsIn, measured: r.measured, outputs: r.outputs, repartitionSent: r.repartitionSent, repartitionReceived: r.repartitionReceived })),
        },
        cpu,
      },
      c,
    );
  } finally {
    await producer.disconnect().catch(() => undefined);
    // A worker that sent its result exits by itself; letting it do so lets --cpu-prof write its profile.
    await Promise.all(workers.filter((w) => w.gotResult).map((w) => within(w.exited, 3000, 'worker exit').catch(() => undefined)));
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => within(w.exited, 5000, 'worker exit').catch(() => undefined)));
  }
}

export interface KafkaStepsResult {
  steps: StepResult[];
  setup: Record<string, unknown>;
}

export async function runKafkaSteps(plan: KafkaBenchPlan, c: BenchConfig, pool: readonly PacketEvent[], progress: BenchProgress, onStep?: (r: StepResult) => void): Promise<KafkaStepsResult> {
  const pins = pinPlan(c.kafka.pin);
  const runDir = process.env.PRESCIENT_RUN_DIR ?? path.join('/tmp', `prescient-bench-${process.pid}`);
  progress.line(`kafka: starting Kafka + Redis in ${runDir} (deploy/local/start.sh) ...`);
  const svc = await startBenchServices(runDir, pins.services);
  const steps: StepResult[] = [];
  const all = `0-${cpus().length - 1}`;
  if (pins.generator !== null) pinSelf(pins.generator);
  try {
    let n = 0;
    for (const w of c.kafka.workers) {
      for (const rate of [...c.kafka.rates].sort((a, b) => a - b)) {
        progress.line(`kafka ${w} worker(s) @ ${rate}/s ...`);
        const r = await runKafkaStep(svc, plan, pins, c, pool, w, rate, n++, progress);
        steps.push(r);
        onStep?.(r);
      }
    }
  } finally {
    if (pins.generator !== null) pinSelf(all);
    progress.line('kafka: stopping Kafka + Redis ...');
    await svc.stop();
  }
  return {
    steps,
    setup: {
      kafkaPinning: c.kafka.workers.map((w) => pins.describe(w)),
      ...(workerNodeFlags().length > 0 ? { workerNodeFlags: workerNodeFlags().join(' ') } : {}),
      cpuAccounting: `CPU time (utime+stime) from /proc/<pid>/stat at the start and end of each step's measured window (first moment the schedule is past its warm-up to the end of the drain), clock ticks ${ticks().hz}/s (${ticks().source}); broker and Redis pids from the pid files in the run dir (Redis with its reaped children); divided by the verdicts in the window; machine busy = all processes on all CPUs (/proc/stat)`,
      kafka: `broker and Redis from deploy/local/start.sh (run dir ${runDir}); topic of ${plan.partitions} partitions per step, fresh group/topics/Redis namespace per step; producer: ${c.kafka.client === 'platformatic' ? '@platformatic/kafka' : 'kafkajs'}, not idempotent, acks all, linger ${c.kafka.lingerMs} ms (counted in the latency), up to ${MAX_IN_FLIGHT} requests in flight; workers: KafkaWorker (Kafka client ${c.kafka.workerClient === 'platformatic' ? '@platformatic/kafka producer + kafkajs consumer' : 'kafkajs'}) + Redis state (checkpoint ${plan.topology.state.checkpointEveryUs / 1e6} s) + Kafka side outputs, no BullMQ queue`,
    },
  };
}
