/**
 * Starts (or adopts) the real Kafka and Redis the integration suites run against. Used by the
 * jest globalSetup/globalTeardown of jest.integration.config.js; the suites read KAFKA_BROKERS and
 * REDIS_URL from the environment it sets (jest workers inherit it).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
const DEPLOY = path.join(REPO_ROOT, 'deploy', 'local');
/** Set to the reason when suites must skip (never under CI). */
export const SKIP_ENV = 'PRESCIENT_INTEGRATION_SKIP';
/** Set when this process started the services, so teardown stops only what it started. */
const STARTED_ENV = 'PRESCIENT_INTEGRATION_STARTED';

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function banner(lines: string[]): void {
  const bar = '!'.repeat(78);
  process.stderr.write(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n\n`);
}

export function startServices(): void {
  const isCi = process.env.CI === 'true' || process.env.CI === '1';
  if (process.env.KAFKA_BROKERS && process.env.REDIS_URL) {
    process.stderr.write(`[integration] using running services: KAFKA_BROKERS=${process.env.KAFKA_BROKERS} REDIS_URL=${process.env.REDIS_URL}\n`);
    return;
  }
  const t0 = Date.now();
  const res = spawnSync('bash', [path.join(DEPLOY, 'start.sh'), '--owner', String(process.pid)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10 * 60 * 1000,
  });
  if (res.status !== 0) {
    const why = `deploy/local/start.sh failed (${res.error ? res.error.message : `exit ${res.status}`}); see its output above`;
    if (isCi) throw new Error(`[integration] CI=true and the services could not start: ${why}`);
    process.env[SKIP_ENV] = why;
    banner([
      'INTEGRATION SUITES SKIPPED: Kafka/Redis could not be started.',
      why,
      'Needs java 17+, mvn and redis-server (deploy/local/install.sh installs them on Debian).',
      'Under CI=true this is a failure, not a skip.',
    ]);
    return;
  }
  const env = parseEnvFile(res.stdout);
  if (!env.KAFKA_BROKERS || !env.REDIS_URL) throw new Error(`[integration] start.sh printed no KAFKA_BROKERS/REDIS_URL:\n${res.stdout}`);
  for (const [k, v] of Object.entries(env)) process.env[k] = v;
  process.env[STARTED_ENV] = '1';
  process.stderr.write(`[integration] services up in ${Date.now() - t0} ms: ${env.KAFKA_BROKERS} ${env.REDIS_URL}\n`);
}

export function stopServices(): void {
  if (process.env[STARTED_ENV] !== '1') return;
  spawnSync('bash', [path.join(DEPLOY, 'stop.sh')], { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 60000 });
  delete process.env[STARTED_ENV];
}

/** Whether the services.env of a run we started exists (the Redis restart test needs it). */
export function runDirOf(): string | undefined {
  const dir = process.env.PRESCIENT_RUN_DIR;
  return dir && fs.existsSync(path.join(dir, 'redis', 'redis.conf')) ? dir : undefined;
}
