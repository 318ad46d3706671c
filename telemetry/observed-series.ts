/**
 * Values the runtime already counts (operator records, mailbox sizes, lag, dead letters), read
 * only when Prometheus scrapes: the hot path pays nothing. A reader is a callback that emits
 * (label, value) pairs; several runtimes may report the same label and their values add up.
 * Cumulative series fold a released reader's last values into a base, so a counter never goes
 * back when a task is dropped (rebalance) or a run ends.
 */

/** Emits (label value, number) pairs for one series when called. */
export type SeriesReader = (emit: (label: string, value: number) => void) => void;

/** A registered reader; `release()` stops reading it (cumulative series keep its last values). */
export interface Tracked {
  release(): void;
}

export class ObservedSeries {
  private readonly readers = new Set<SeriesReader>();
  private readonly base = new Map<string, number>();

  constructor(readonly cumulative: boolean) {}

  track(reader: SeriesReader): Tracked {
    this.readers.add(reader);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        if (this.cumulative) reader((label, v) => this.base.set(label, (this.base.get(label) ?? 0) + v));
        this.readers.delete(reader);
      },
    };
  }

  /** Adds to the base directly (counts that are not read from a live object). */
  add(label: string, v: number): void {
    this.base.set(label, (this.base.get(label) ?? 0) + v);
  }

  /** Current value per label: the base plus what every live reader emits. */
  collect(): Map<string, number> {
    const out = new Map(this.base);
    const emit = (label: string, v: number): void => {
      out.set(label, (out.get(label) ?? 0) + v);
    };
    for (const r of this.readers) r(emit);
    return out;
  }
}
