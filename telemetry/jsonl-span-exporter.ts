/**
 * A SpanExporter writing one JSON object per span per line to a file: no collector is reachable
 * where Prescient runs its benchmarks, and a JSON-lines file is easy to load anywhere.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import type { HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { TraceFileError } from './errors';

/** One line of the trace file. */
export interface SpanLine {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** Microseconds since the epoch. */
  startUs: number;
  endUs: number;
  durationUs: number;
  attributes: Record<string, unknown>;
}

function us(t: HrTime): number {
  return t[0] * 1e6 + Math.round(t[1] / 1e3);
}

export function spanLine(s: ReadableSpan): SpanLine {
  const ctx = s.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: s.parentSpanContext?.spanId ?? null,
    name: s.name,
    startUs: us(s.startTime),
    endUs: us(s.endTime),
    durationUs: us(s.duration),
    attributes: { ...s.attributes },
  };
}

export class JsonLinesSpanExporter implements SpanExporter {
  private readonly out: WriteStream;
  private failed: Error | undefined;

  /** Opens (truncates) the file at once, so a bad path fails at start with TraceFileError. */
  constructor(readonly path: string) {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (err) {
      throw new TraceFileError(path, err);
    }
    this.out = createWriteStream(path, { fd });
    this.out.on('error', (err) => {
      this.failed = err;
    });
  }

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    if (this.failed !== undefined) {
      done({ code: ExportResultCode.FAILED, error: this.failed });
      return;
    }
    let text = '';
    for (const s of spans) text += JSON.stringify(spanLine(s)) + '\n';
    this.out.write(text, (err) => done(err ? { code: ExportResultCode.FAILED, error: err } : { code: ExportResultCode.SUCCESS }));
  }

  async forceFlush(): Promise<void> {
    await new Promise<void>((r) => (this.out.writableNeedDrain ? this.out.once('drain', () => r()) : r()));
  }

  shutdown(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.out.closed || this.out.destroyed) resolve();
      else this.out.end(() => resolve());
    });
  }
}
