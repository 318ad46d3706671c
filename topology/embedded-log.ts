/**
 * The in-process partitioned log of embedded mode, standing in for the `packets` topic: records
 * go to partitions with Kafka's default partitioner (murmur2 of the key), so a VM lands on the
 * partition index it will have on Kafka. One consumer group reads it, so a record leaves the log
 * once read (retention = until consumed); offsets still count from 0 per partition.
 */
import { KeyPartitioner } from '../state/key-group';
import { RecordQueue } from './runtime/record-queue';

export class EmbeddedLog<V = unknown> {
  readonly partitioner: KeyPartitioner;
  private readonly parts: RecordQueue<V>[] = [];
  /** Offset of the next record appended, per partition. */
  private readonly endOffsets: number[] = [];

  constructor(readonly partitions: number) {
    this.partitioner = new KeyPartitioner(partitions);
    for (let p = 0; p < partitions; p++) {
      this.parts.push(new RecordQueue<V>(1024));
      this.endOffsets.push(0);
    }
  }

  partitionOf(key: string): number {
    return this.partitioner.partitionOf(key);
  }

  /** Appends a record; returns its partition (its offset is `endOffset(partition) - 1`). */
  append(key: string, value: V, tsUs = -Infinity): number {
    const p = this.partitioner.partitionOf(key);
    this.parts[p].push(key, value, tsUs);
    this.endOffsets[p]++;
    return p;
  }

  /** Records appended to the partition and not yet read. */
  backlog(partition: number): number {
    return this.parts[partition].size;
  }

  endOffset(partition: number): number {
    return this.endOffsets[partition];
  }

  /** Offset of the next record a reader gets from the partition. */
  readOffset(partition: number): number {
    return this.endOffsets[partition] - this.parts[partition].size;
  }

  /** The partition's unread records, for a mailbox to take from. */
  partition(partition: number): RecordQueue<V> {
    return this.parts[partition];
  }

  /** Reads up to `max` records of a partition into the arrays; returns how many. */
  read(partition: number, max: number, keys: string[], values: unknown[], ts: Float64Array | number[]): number {
    return this.parts[partition].drainInto(max, keys, values, ts);
  }
}
