/**
 * Real `prescient worker` processes for the fault tests: spawned from the TypeScript sources
 * (ts-require-hook.js), their JSON log lines kept for assertions and written to a file for
 * debugging, killed with SIGKILL (a crash: no checkpoint, no commit, no leave-group) or stopped
 * with SIGTERM (graceful: checkpoint, commit, leave).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../setup/services';

export const TS_HOOK = join(REPO_ROOT, 'test/integration/helpers/ts-require-hook.js');
const MAIN = join(REPO_ROOT, 'cli/main.ts');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  /** Exit status once exited, else undefined. */
  exit(): Exit | undefined;
  /** stdout + stderr so far. */
  output(): string;
  /** Parsed JSON log lines (pino and kafkajs) so far. */
  logs(): Array<Record<string, unknown>>;
  /** Partitions the worker says it owns now ('partition assigned' minus 'partition revoked'). */
  owned(): number[];
  kill9(): Promise<Exit>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<Exit>;
}

/** Runs `prescient <args>` from the sources; its output also goes to `logFile` when given. */
export function spawnCli(name: string, args: string[], logFile?: string, env: NodeJS.ProcessEnv = process.env): CliProcess {
  const child = spawn(process.execPath, ['--max-semi-space-size=128', '-r', TS_HOOK, MAIN, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file: WriteStream | undefined = logFile === undefined ? undefined : createWriteStream(logFile);
  let text = '';
  const onData = (d: Buffer): void => {
    const s = d.toString('utf8');
    // Bounded: a long run must not grow the test's memory without limit.
    text = text.length > 4_000_000 ? text.slice(-2_000_000) + s : text + s;
    file?.write(s);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let status: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      status = { code, signal };
      file?.end();
      resolve(status);
    });
  });
  const logs = (): Array<Record<string, unknown>> => {
    const out: Array<Record<string, unknown>> = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line cut by the bound above, or not JSON.
      }
    }
    return out;
  };
  return {
    name,
    child,
    exited,
    exit: () => status,
    output: () => text,
    logs,
    owned: () => {
      const owned = new Set<number>();
      for (const l of logs()) {
        if (typeof l.partition !== 'number') continue;
        if (l.msg === 'partition assigned') owned.add(l.partition);
        if (l.msg === 'partition revoked') owned.delete(l.partition);
      }
      return [...owned].sort((a, b) => a - b);
    },
    kill9: () => {
      if (status === undefined) child.kill('SIGKILL');
      return exited;
    },
    stop: async (graceMs = 30_000) => {
      if (status !== undefined) return status;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
}
