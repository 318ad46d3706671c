/**
 * Microseconds since the epoch read from the system-wide monotonic clock (process.hrtime), anchored
 * once to the wall clock. A child process built from the same anchor reads the same time scale, so
 * a worker's verdict time and the generator's intended time can be subtracted across processes
 * without the wall clock's millisecond steps or NTP slews.
 */
export interface ClockAnchor {
  /** Wall-clock microseconds at the anchor. */
  epochUs: number;
  /** process.hrtime.bigint() at the anchor, as a decimal string (IPC and argv safe). */
  monoNs: string;
}

export class BenchClock {
  private readonly epochUs: number;
  private readonly monoNs: bigint;

  constructor(readonly anchor: ClockAnchor = BenchClock.newAnchor()) {
    this.epochUs = anchor.epochUs;
    this.monoNs = BigInt(anchor.monoNs);
  }

  static newAnchor(): ClockAnchor {
    return { epochUs: Date.now() * 1000, monoNs: process.hrtime.bigint().toString() };
  }

  nowUs(): number {
    return this.epochUs + Number(process.hrtime.bigint() - this.monoNs) / 1000;
  }
}
