/**
 * EVE-JSON alerts as a StreamSink: one line per `forensics` record (one per anomaly) to a file
 * (`<out>/alerts.eve.json` in `prescient run`). `incidentOf` lets the forensic store, written just
 * before in the same fan-out, supply the incident the anomaly was put in.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ForensicRecord } from '../../schemas/types';
import type { StreamSink } from '../stream-sink';
import { toEveAlert } from './eve-alert';

export interface EveAlertSinkOptions {
  /** Incident of the VM's latest anomaly, when a store correlates them. */
  incidentOf?: (vmId: string) => string | null;
}

export class EveAlertSink implements StreamSink {
  private readonly out: WriteStream;
  private closed = false;
  alerts = 0;

  constructor(readonly path: string, private readonly options: EveAlertSinkOptions = {}) {
    this.out = createWriteStream(path, { flags: 'w' });
  }

  write(stream: string, _key: string, value: unknown): void {
    if (stream !== 'forensics' || this.closed) return;
    const rec = value as ForensicRecord;
    const incident = rec.incidentId ?? this.options.incidentOf?.(rec.anomaly.vmId) ?? null;
    this.out.write(JSON.stringify(toEveAlert(rec, incident)) + '\n');
    this.alerts++;
  }

  async flush(): Promise<void> {
    if (this.closed || !this.out.writableNeedDrain) return;
    await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }

  /** Idempotent: one sink may be closed once per stream it is registered under. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
