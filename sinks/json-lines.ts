/**
 * Side-output streams as JSON lines, one file per stream (or stdout). Buffers are written as hex
 * so a payload sample survives the trip and stays greppable.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { StreamSink } from './stream-sink';

export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
      return Buffer.from((v as { data: number[] }).data).toString('hex');
    }
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}

export interface JsonLinesSinkOptions {
  /** Directory for `<stream>.jsonl` files, or '-' for stdout. */
  dir: string;
  /** Only these streams are written (all when absent). */
  streams?: readonly string[];
}

export class JsonLinesSink implements StreamSink {
  private readonly files = new Map<string, WriteStream>();
  private readonly allowed: Set<string> | null;

  constructor(private readonly options: JsonLinesSinkOptions) {
    this.allowed = options.streams ? new Set(options.streams) : null;
    if (options.dir !== '-') {
      mkdirSync(options.dir, { recursive: true });
      // Every named stream gets its file, empty when nothing came: a reader can tell "none" from "not run".
      for (const s of options.streams ?? []) this.fileFor(s);
    }
  }

  write(stream: string, key: string, value: unknown): void {
    if (this.allowed && !this.allowed.has(stream)) return;
    const line = toJsonLine(value) + '\n';
    if (this.options.dir === '-') {
      process.stdout.write(`{"stream":${JSON.stringify(stream)},"key":${JSON.stringify(key)},"value":${line.slice(0, -1)}}\n`);
      return;
    }
    this.fileFor(stream).write(line);
  }

  private fileFor(stream: string): WriteStream {
    let file = this.files.get(stream);
    if (!file) {
      file = createWriteStream(join(this.options.dir, `${stream}.jsonl`), { flags: 'w' });
      this.files.set(stream, file);
    }
    return file;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => new Promise<void>((resolve) => (f.writableNeedDrain ? f.once('drain', () => resolve()) : resolve()))));
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => new Promise<void>((resolve, reject) => f.end((err?: Error | null) => (err ? reject(err) : resolve())))));
    this.files.clear();
  }
}
