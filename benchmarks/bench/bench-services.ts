/**
 * Kafka + Redis for the Kafka bench, started and stopped by deploy/local (start.sh / stop.sh) in a
 * run folder of the bench's own, optionally pinned to a CPU list with taskset (the JVM and Redis
 * inherit the affinity).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../operators/policy/load-policy';
import { BenchRunError } from './bench-errors';

export interface BenchServices {
  runDir: string;
  brokers: string[];
  redisUrl: string;
  /** Pids of the broker JVM and redis-server from the pid files deploy/local wrote in the run dir (null: no such file). */
  pids(): { kafka: number | null; redis: number | null };
  stop(): Promise<void>;
}

/** The pid in a pid file (deploy/local/kafka.sh: $RUN_DIR/kafka/kafka.pid, redis.sh: $RUN_DIR/redis/redis.pid). */
export function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(Object.assign(err, { stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

export async function startBenchServices(runDir: string, cpuList: string | null): Promise<BenchServices> {
  const dir = path.join(repoRoot(), 'deploy', 'local');
  const env = { ...process.env, PRESCIENT_RUN_DIR: runDir };
  const start = path.join(dir, 'start.sh');
  try {
    if (cpuList === null) await sh('bash', [start], env, 300_000);
    else await sh('taskset', ['-c', cpuList, 'bash', start], env, 300_000);
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new BenchRunError('services', `deploy/local/start.sh failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-5).join(' | ')}`, err);
  }
  const vars = new Map<string, string>();
  for (const line of readFileSync(path.join(runDir, 'services.env'), 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) vars.set(line.slice(0, i), line.slice(i + 1));
  }
  const brokers = vars.get('KAFKA_BROKERS');
  const redisUrl = vars.get('REDIS_URL');
  if (brokers === undefined || redisUrl === undefined) throw new BenchRunError('services', `${runDir}/services.env lacks KAFKA_BROKERS or REDIS_URL`);
  return {
    runDir,
    brokers: brokers.split(','),
    redisUrl,
    pids: () => ({ kafka: readPidFile(path.join(runDir, 'kafka', 'kafka.pid')), redis: readPidFile(path.join(runDir, 'redis', 'redis.pid')) }),
    stop: async () => {
      await sh('bash', [path.join(dir, 'stop.sh')], env, 120_000).catch(() => undefined);
    },
  };
}
