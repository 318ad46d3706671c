/** Runs deploy/lab/lab.sh (the namespaces, services, traffic and capture live there, in bash). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError } from './lab-error';
import type { LabAttackKind } from './lab-schedule';

/** deploy/lab from the sources (lab/) or from the build (dist/lab/). */
export function defaultLabDir(): string {
  const fromSrc = resolve(__dirname, '..', 'deploy', 'lab');
  return existsSync(join(fromSrc, 'lab.sh')) ? fromSrc : resolve(__dirname, '..', '..', 'deploy', 'lab');
}

export interface LabCommandResult {
  code: number;
  output: string;
  startMs: number;
  endMs: number;
}

export class LabScript {
  readonly script: string;

  /** `stateDir`: where lab.sh keeps pids, logs and inventory.csv (PL_STATE). */
  constructor(readonly stateDir: string, labDir: string = defaultLabDir()) {
    this.script = join(labDir, 'lab.sh');
    if (!existsSync(this.script)) throw new LabError(this.script, 'lab.sh not found');
  }

  get inventoryPath(): string {
    return join(this.stateDir, 'inventory.csv');
  }

  /** Log of "epoch_ms ok|fail" lines a benign client wrote, e.g. logPath('c1-http.ok'). */
  logPath(name: string): string {
    return join(this.stateDir, 'logs', name);
  }

  up(): Promise<LabCommandResult> {
    return this.run(['up'], true, 120_000);
  }

  down(): Promise<LabCommandResult> {
    return this.run(['down'], false, 60_000);
  }

  benign(seconds: number): Promise<LabCommandResult> {
    return this.run(['benign', String(Math.ceil(seconds))], true, 30_000);
  }

  /** Runs one attack to its end (lab.sh bounds it by `seconds`); startMs/endMs bracket it. */
  attack(kind: LabAttackKind, vm: string, seconds: number, targets: string[] = []): Promise<LabCommandResult> {
    return this.run(['attack', kind, vm, String(Math.max(1, Math.round(seconds))), ...targets], false, (seconds + 30) * 1000);
  }

  captureStart(file: string): Promise<LabCommandResult> {
    return this.run(['capture-start', file], true, 30_000);
  }

  captureStop(): Promise<LabCommandResult> {
    return this.run(['capture-stop'], false, 30_000);
  }

  private run(args: string[], mustSucceed: boolean, timeoutMs: number): Promise<LabCommandResult> {
    return new Promise((resolvePromise, reject) => {
      const startMs = Date.now();
      const child = spawn('bash', [this.script, ...args], { env: { ...process.env, PL_STATE: this.stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const keep = (b: Buffer): void => {
        output = (output + b.toString('utf8')).slice(-16384);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      // Every lab step is bounded; a hung one is killed, never waited on forever.
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new LabError(`lab.sh ${args[0]}`, e.message));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        const r = { code: code ?? -1, output, startMs, endMs: Date.now() };
        if (mustSucceed && r.code !== 0) reject(new LabError(`lab.sh ${args.join(' ')}`, `exit ${r.code}: ${output.trim().split('\n').slice(-5).join(' | ')}`));
        else resolvePromise(r);
      });
    });
  }
}
