/**
 * Maps "records run through a task's chain" to the Kafka offset a checkpoint covers. A task
 * counts records, Kafka counts offsets, and the two differ where records were dead-lettered; a
 * checkpoint must name the offset of the first record NOT yet in its state, even mid-batch, or a
 * restore would count some packets twice (offset too low) or skip some (too high).
 */

interface Segment {
  /** Records counted before this batch. */
  start: number;
  /** Kafka offset of each record of the batch. */
  offsets: number[];
  /** Offset after the batch (dead letters at its end included). */
  next: number;
}

export class OffsetTracker {
  private readonly segments: Segment[] = [];
  private head = 0;
  /** Records appended so far (the count after the last batch). */
  private appended = 0;

  /**
   * `start`: where the partition resumed (the restored checkpoint's offset); undefined when it
   * resumed from the group's committed offset, which the first batch then tells.
   */
  constructor(private covered: number | undefined) {}

  /** Records one batch handed to the task, in offset order (`firstOffset`: its first record, dead or not). */
  append(offsets: readonly number[], firstOffset: number, nextOffset: number): void {
    if (this.covered === undefined) this.covered = firstOffset;
    this.segments.push({ start: this.appended, offsets: offsets as number[], next: nextOffset });
    this.appended += offsets.length;
  }

  /** Records appended and not yet released by `coveredOffset`. */
  get pendingBatches(): number {
    return this.segments.length - this.head;
  }

  /**
   * The next offset to read once the first `processed` records are in state. Drops the batches
   * fully behind it, so memory stays bounded by what is in flight.
   */
  coveredOffset(processed: number): number | undefined {
    if (processed > this.appended) throw new RangeError(`processed ${processed} records but only ${this.appended} were appended`);
    const segs = this.segments;
    while (this.head < segs.length) {
      const s = segs[this.head];
      const end = s.start + s.offsets.length;
      if (processed < end) {
        if (processed >= s.start) this.covered = Math.max(this.covered ?? 0, s.offsets[processed - s.start]);
        break;
      }
      // The whole batch is in state: everything up to its end offset (trailing dead letters too).
      this.covered = Math.max(this.covered ?? 0, s.next);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > segs.length) {
      segs.splice(0, this.head);
      this.head = 0;
    }
    return this.covered;
  }
}
