/**
 * The open-loop load generator as a packet source: hands the runtime (or a Kafka producer) every
 * packet that is due by now, stamped with its intended time as capture timestamp, and sleeps until
 * the next one is due. It never waits for the pipeline's answer; when the consumer blocks it (a
 * paused source), the packets pile up as lag, which the latency of every later packet includes.
 */
import type { PacketEvent } from '../../schemas/types';
import type { BatchSource } from '../../topology';
import type { BenchClock } from './bench-clock';
import type { OpenLoopSchedule } from './open-loop-schedule';

export interface OpenLoopSourceOptions {
  /** Most packets per hand-over (default 256): a late generator catches up in bounded batches. */
  maxBatch?: number;
  /** Stop the step once the generator is this far behind its schedule (microseconds). */
  abortLagUs?: number;
  /** Packet 0 is due this long after the consumer first asks (default 5 ms). */
  startDelayUs?: number;
  /** Called once the schedule has its start time (the runner derives its measured window from it). */
  onBegin?(schedule: OpenLoopSchedule): void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function yieldTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

export class OpenLoopSource implements BatchSource<PacketEvent> {
  readonly description: string;
  /** Packets handed over so far. */
  sent = 0;
  /** True when the step stopped early because the generator fell more than abortLagUs behind. */
  aborted = false;
  /** Clock time the last packet was handed over. */
  lastHandOverUs = 0;
  private readonly maxBatch: number;
  private readonly abortLagUs: number;
  private readonly startDelayUs: number;
  private readonly onBegin: ((s: OpenLoopSchedule) => void) | undefined;

  constructor(private readonly pool: readonly PacketEvent[], readonly schedule: OpenLoopSchedule, private readonly clock: Pick<BenchClock, 'nowUs'>, o: OpenLoopSourceOptions = {}) {
    if (pool.length < schedule.total) throw new RangeError(`open-loop source needs ${schedule.total} packets, has ${pool.length}`);
    this.maxBatch = Math.max(1, o.maxBatch ?? 256);
    this.abortLagUs = o.abortLagUs ?? Number.POSITIVE_INFINITY;
    this.startDelayUs = o.startDelayUs ?? 5000;
    this.onBegin = o.onBegin;
    this.description = `open-loop ${schedule.rate} packets/s x ${schedule.total}`;
  }

  async *batches(): AsyncIterable<PacketEvent[]> {
    const s = this.schedule;
    const total = s.total;
    // The schedule starts when the consumer is ready to read (tasks opened, model loaded), not before.
    if (Number.isNaN(s.startUs)) {
      s.begin(this.clock.nowUs() + this.startDelayUs);
      this.onBegin?.(s);
    }
    while (this.sent < total) {
      const now = this.clock.nowUs();
      const due = s.dueBy(now);
      if (due <= this.sent) {
        // Long sleeps by timer (gives the core to the pipeline), the last stretch by turns of the loop.
        const waitUs = s.intendedUs(this.sent) - now;
        if (waitUs > 2000) await sleep(Math.floor(waitUs / 1000) - 1);
        else await yieldTurn();
        continue;
      }
      const from = this.sent;
      const to = Math.min(due, from + this.maxBatch);
      s.noteHandOver(from, to, now);
      if (now - s.intendedUs(from) > this.abortLagUs) {
        this.aborted = true;
        return;
      }
      const batch = new Array<PacketEvent>(to - from);
      for (let i = from; i < to; i++) batch[i - from] = { ...this.pool[i], tsUs: Math.round(s.intendedUs(i)) };
      this.sent = to;
      this.lastHandOverUs = now;
      yield batch;
    }
  }
}
