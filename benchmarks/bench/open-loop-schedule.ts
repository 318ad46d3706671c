/**
 * The open-loop schedule of one step: packet i is due at startUs + i / rate, whatever happened to
 * the packets before it. The generator stamps each packet with that intended time, so a pipeline
 * that stalls is charged for the whole stall (no coordinated omission), and it tracks how far it
 * fell behind its own schedule, which the report uses to say "could not keep up".
 */
export class OpenLoopSchedule {
  private readonly intervalUs: number;
  /** Largest (hand-over time - intended time) seen from packet `lagFrom` on, microseconds. */
  maxLagUs = 0;
  /** Lag is tracked from this packet on (the measured part; a warm-up hiccup is not the step's). */
  lagFrom = 0;

  /** Intended time of packet 0; NaN until `begin` (the generator starts it when the consumer first asks). */
  startUs = Number.NaN;

  constructor(readonly rate: number, readonly total: number, startUs?: number) {
    if (!(rate > 0)) throw new RangeError(`open-loop rate must be > 0, got ${rate}`);
    if (!(total > 0)) throw new RangeError(`open-loop schedule needs at least one packet, got ${total}`);
    this.intervalUs = 1e6 / rate;
    if (startUs !== undefined) this.startUs = startUs;
  }

  begin(startUs: number): void {
    this.startUs = startUs;
  }

  intendedUs(i: number): number {
    return this.startUs + i * this.intervalUs;
  }

  /** How many packets are due by `nowUs` (never more than `total`). */
  dueBy(nowUs: number): number {
    if (nowUs < this.startUs) return 0;
    return Math.min(this.total, Math.floor((nowUs - this.startUs) / this.intervalUs) + 1);
  }

  /** The generator hands packets [from, to) over at `nowUs`; the oldest of them sets the lag. */
  noteHandOver(from: number, to: number, nowUs: number): void {
    if (to <= this.lagFrom) return;
    const lag = nowUs - this.intendedUs(Math.max(from, this.lagFrom));
    if (lag > this.maxLagUs) this.maxLagUs = lag;
  }

  /** End of the schedule (the last packet's intended time). */
  get endUs(): number {
    return this.intendedUs(this.total - 1);
  }
}
