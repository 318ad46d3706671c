/**
 * HDR recording of per-packet latency (intended send time -> verdict), in microseconds, as a sink
 * on the chain's main output: every record leaving the last operator (mitigate) is a verdict. Only
 * packets intended at or after `measureFromUs` are recorded (the warm-up is not), but all are
 * counted, so the runner knows when the pipeline has drained.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import type { PacketRecord } from '../../operators/packet-record';
import type { StreamSink } from '../../sinks/stream-sink';
import type { BenchClock } from './bench-clock';

/** Highest latency tracked: 10 minutes, in µs (a step that stalls longer has failed anyway). */
const HIGHEST_US = 600_000_000;

export function newLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: true });
}

export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): Histogram {
  return decodeFromCompressedBase64(s);
}

export class LatencyRecorder implements StreamSink {
  readonly histogram: Histogram = newLatencyHistogram();
  /** Verdicts seen (warm-up included). */
  verdicts = 0;
  /** Verdicts of measured packets. */
  measured = 0;
  firstMeasuredVerdictUs = 0;
  lastMeasuredVerdictUs = 0;
  /** Time of the latest verdict of any packet (warm-up included). */
  lastVerdictUs = 0;

  constructor(private readonly clock: BenchClock, public measureFromUs: number = 0) {}

  /** Latency of one verdict of a packet intended at `intendedUs`, observed at `nowUs`. */
  recordVerdict(intendedUs: number, nowUs: number): void {
    this.verdicts++;
    this.lastVerdictUs = nowUs;
    if (intendedUs < this.measureFromUs) return;
    if (this.measured === 0) this.firstMeasuredVerdictUs = nowUs;
    this.measured++;
    this.lastMeasuredVerdictUs = nowUs;
    const lat = nowUs - intendedUs;
    this.histogram.recordValue(lat < 1 ? 1 : Math.min(HIGHEST_US, Math.round(lat)));
  }

  write(_stream: string, _key: string, value: unknown): void {
    this.recordVerdict((value as PacketRecord).packet.tsUs, this.clock.nowUs());
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
