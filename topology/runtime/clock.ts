/** Processing time, injectable so tests drive processing-time timers and TTL by hand. */

export interface Clock {
  /** Microseconds since the epoch. */
  nowUs(): number;
  /** Called after the clock jumps (manual clocks), so idle tasks can re-check their timers. */
  onAdvance?(listener: () => void): () => void;
}

const ORIGIN_MS = Date.now();
const ORIGIN_PERF = performance.now();

/** Wall clock with microsecond resolution (performance.now anchored to Date.now at load). */
export class SystemClock implements Clock {
  nowUs(): number {
    return Math.round((ORIGIN_MS + (performance.now() - ORIGIN_PERF)) * 1000);
  }
}

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private listeners: Array<() => void> = [];

  constructor(private timeUs = 0) {}

  nowUs(): number {
    return this.timeUs;
  }

  /** Sets the time (never backwards) and wakes listeners. */
  setUs(timeUs: number): void {
    if (timeUs < this.timeUs) throw new RangeError(`clock cannot go back: ${timeUs} < ${this.timeUs}`);
    this.timeUs = timeUs;
    for (const l of this.listeners) l();
  }

  advanceUs(deltaUs: number): void {
    this.setUs(this.timeUs + deltaUs);
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
