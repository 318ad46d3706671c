/**
 * Where a bench result came from: the machine (CPU model, cores, memory, load at start, whether
 * the CPUs were shared), versions (node, kafka, redis, key libraries), the git commit and whether
 * the tree was dirty, node flags, and the config as run. Written into every report.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../operators/policy/load-policy';
import type { BenchConfig } from './bench-config';

export interface Provenance {
  date: string;
  machine: { hostname: string; cpuModel: string; cores: number; memGiB: number; loadAvgAtStart: number[] };
  versions: Record<string, string>;
  git: { commit: string; dirty: boolean };
  node: { version: string; flags: string };
  command: string;
  config: BenchConfig;
}

function run(cmd: string, args: string[], cwd?: string): string | undefined {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function packageVersion(name: string): string {
  try {
    const p = require.resolve(`${name}/package.json`, { paths: [repoRoot()] });
    return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Kafka's version as pinned by deploy/local (kafka/pom.xml), the one start.sh runs. */
export function kafkaVersion(): string {
  const pom = path.join(repoRoot(), 'deploy', 'local', 'kafka', 'pom.xml');
  if (!existsSync(pom)) return 'unknown';
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pom, 'utf8'))?.[1] ?? 'unknown';
}

export function collectProvenance(config: BenchConfig, extraVersions: Record<string, string> = {}): Provenance {
  const root = repoRoot();
  const cpu = cpus();
  const redis = run('redis-server', ['--version']);
  return {
    date: new Date().toISOString(),
    machine: { hostname: hostname(), cpuModel: cpu[0]?.model ?? 'unknown', cores: cpu.length, memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100) },
    versions: {
      node: process.version,
      kafka: kafkaVersion(),
      redis: redis === undefined ? 'not installed' : (/v=(\S+)/.exec(redis)?.[1] ?? redis),
      kafkajs: packageVersion('kafkajs'),
      '@tensorflow/tfjs': packageVersion('@tensorflow/tfjs'),
      'hdr-histogram-js': packageVersion('hdr-histogram-js'),
      ...extraVersions,
    },
    git: { commit: run('git', ['rev-parse', 'HEAD'], root) ?? 'unknown', dirty: (run('git', ['status', '--porcelain'], root) ?? '') !== '' },
    node: { version: process.version, flags: process.execArgv.join(' ') || '(none)' },
    command: process.argv.slice(1).join(' '),
    config,
  };
}
