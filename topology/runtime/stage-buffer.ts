/**
 * The output of one chain stage for one chunk: parallel arrays of key, value and the watermark
 * in effect when the value was emitted. Reused chunk after chunk (the `Collector` operators get).
 */
import type { Collector } from '../../operators/contract';

export class StageBuffer implements Collector<unknown> {
  keys: string[] = [];
  values: unknown[] = [];
  wms: number[] = [];
  n = 0;
  /** Key and watermark stamped on what `collect` receives; set by the task before each call. */
  key = '';
  wm = -Infinity;
  // While a `processBatch` runs, outputs are matched back to the input they came from to find their key.
  private batchValues: readonly unknown[] | undefined;
  private batchKeys: readonly string[] | undefined;
  private batchPos = 0;
  private batchIndex: Map<unknown, string> | undefined;

  collect(record: unknown): void {
    const i = this.n++;
    this.keys[i] = this.batchValues === undefined ? this.key : this.keyOfBatchOutput(record);
    this.values[i] = record;
    this.wms[i] = this.wm;
  }

  reset(): void {
    this.n = 0;
  }

  beginBatch(values: readonly unknown[], keys: readonly string[]): void {
    this.batchValues = values;
    this.batchKeys = keys;
    this.batchPos = 0;
    this.batchIndex = undefined;
  }

  endBatch(): void {
    this.batchValues = undefined;
    this.batchKeys = undefined;
    this.batchIndex = undefined;
  }

  /**
   * Operators usually emit the (annotated) input objects in order: check the next one first, then
   * any input; a new object takes the key of the input at its position.
   */
  private keyOfBatchOutput(record: unknown): string {
    const vals = this.batchValues as readonly unknown[];
    const keys = this.batchKeys as readonly string[];
    if (this.batchPos < vals.length && vals[this.batchPos] === record) return keys[this.batchPos++];
    if (this.batchIndex === undefined) {
      this.batchIndex = new Map();
      for (let j = 0; j < vals.length; j++) if (!this.batchIndex.has(vals[j])) this.batchIndex.set(vals[j], keys[j]);
    }
    const k = this.batchIndex.get(record);
    if (k !== undefined) return k;
    // A new object: assume outputs follow inputs one to one, in order.
    const pos = Math.min(this.batchPos++, keys.length - 1);
    return pos >= 0 ? keys[pos] : this.key;
  }
}
