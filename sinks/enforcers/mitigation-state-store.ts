/**
 * The enforcers' record of every action, in one JSON file under a state dir (default
 * /var/lib/prescient/enforcer). A file, not Redis: embedded mode has no Redis, the file survives a
 * restart so a new process can lift or sweep what a dead one applied, and `prescient mitigations`
 * reads it with no service running. Writes are whole-file (temp + rename) under a lock file, so the
 * enforcer and `mitigations lift` can run at once.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnforcerConfigError } from './enforcer-errors';
import type { MitigationRecord } from './mitigation-record';

const FILE = 'mitigations.json';
/** Ended records are kept this long for `mitigations list`, and at most this many. */
const KEEP_ENDED_MS = 24 * 3600_000;
const MAX_RECORDS = 5000;

export class MitigationStateStore {
  readonly file: string;
  private readonly lockFile: string;

  constructor(readonly dir: string, private readonly now: () => number = Date.now) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, FILE);
    this.lockFile = `${this.file}.lock`;
  }

  load(): MitigationRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    try {
      const doc = JSON.parse(text) as { version: number; records: MitigationRecord[] };
      if (!Array.isArray(doc.records)) throw new Error('no records array');
      return doc.records;
    } catch (e) {
      throw new EnforcerConfigError(this.file, `not a Prescient mitigation state file (${(e as Error).message})`);
    }
  }

  /** Reads, lets `fn` change the records in place, prunes old ended ones and writes back, under the lock. */
  update<T>(fn: (records: MitigationRecord[]) => T): T {
    this.lock();
    try {
      const records = this.load();
      const result = fn(records);
      this.write(records);
      return result;
    } finally {
      unlinkSync(this.lockFile);
    }
  }

  private write(records: MitigationRecord[]): void {
    const cutoff = this.now() - KEEP_ENDED_MS;
    let kept = records.filter((r) => r.status === 'active' || (r.endedAtMs ?? r.appliedAtMs) >= cutoff);
    if (kept.length > MAX_RECORDS) {
      const active = kept.filter((r) => r.status === 'active');
      kept = [...active, ...kept.filter((r) => r.status !== 'active').slice(-(MAX_RECORDS - active.length))];
    }
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, records: kept }, null, 1));
    renameSync(tmp, this.file);
  }

  /** A lock file made with O_EXCL; one left by a dead process is taken over after 30 s. */
  private lock(): void {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        closeSync(openSync(this.lockFile, 'wx'));
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      try {
        if (Date.now() - statSync(this.lockFile).mtimeMs > 30_000) unlinkSync(this.lockFile);
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new EnforcerConfigError(this.lockFile, 'state file locked for over 10 s by another process');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}
