/**
 * The forensic store as a StreamSink: `forensics` records (anomalies with their decision) and
 * `mitigations` decisions go into the store; other streams are ignored. Flushed by batch size and by a
 * timer, so records are durable within `flushEveryMs` even while a long run goes on.
 */
import type { ForensicRecord, MitigationDecision } from '../../schemas/types';
import type { StreamSink } from '../stream-sink';
import type { ForensicStore } from './forensic-store';

export interface ForensicStoreSinkOptions {
  /** Default 1000 ms; 0 disables the timer (flush by batch size and on close only). */
  flushEveryMs?: number;
}

export class ForensicStoreSink implements StreamSink {
  private readonly timer: NodeJS.Timeout | null;
  private closed = false;
  /** A failure of a timer flush, rethrown by the next flush or close (a timer cannot throw to anyone). */
  private failure: unknown = null;

  constructor(readonly store: ForensicStore, options: ForensicStoreSinkOptions = {}) {
    const every = options.flushEveryMs ?? 1000;
    this.timer = every > 0 ? setInterval(() => this.timedFlush(), every) : null;
    // The timer alone must not keep the process alive after the run.
    this.timer?.unref();
  }

  write(stream: string, _key: string, value: unknown): void {
    if (stream === 'forensics') this.store.addForensic(value as ForensicRecord);
    else if (stream === 'mitigations') this.store.addDecision(value as MitigationDecision);
  }

  async flush(): Promise<void> {
    this.rethrow();
    if (!this.closed) this.store.flush();
  }

  private timedFlush(): void {
    try {
      this.store.flush();
    } catch (err) {
      this.failure ??= err;
    }
  }

  private rethrow(): void {
    const f = this.failure;
    this.failure = null;
    if (f !== null) throw f;
  }

  /** Idempotent: one sink may be registered under several streams and closed for each. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.store.close();
    this.rethrow();
  }
}
