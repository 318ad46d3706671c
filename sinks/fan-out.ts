/** One stream to several sinks (e.g. the JSON-lines file and the run summary). */
import type { StreamSink } from './stream-sink';

export class FanOutSink implements StreamSink {
  constructor(private readonly sinks: readonly StreamSink[]) {}

  write(stream: string, key: string, value: unknown): void {
    for (let i = 0; i < this.sinks.length; i++) this.sinks[i].write(stream, key, value);
  }

  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.flush()));
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
