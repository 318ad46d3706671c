/**
 * Key groups: the unit in which keyed state moves between workers. For now a key group is
 * exactly a partition (= task), computed with Kafka's default partitioner, so a VM's state lives
 * in the task that receives its packets from the `packets` topic, in embedded mode and on Kafka.
 */
// kafkajs ships no typings for this file; it is the Java client's murmur2, byte for byte.
const kafkaMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string | Buffer) => number;

/** Kafka's murmur2 of the key's UTF-8 bytes (a signed 32-bit int, as in Java). */
export function murmur2(key: string | Buffer): number {
  return kafkaMurmur2(key);
}

/** Kafka's DefaultPartitioner for keyed records: toPositive(murmur2(keyBytes)) % partitions. */
export function kafkaPartition(key: string | Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/**
 * Caches kafkaPartition per key: murmur2 costs ~1 µs in JS and the hot path sees the same few
 * thousand VM ids over and over. The cache is cleared when it grows past `maxKeys`.
 */
export class KeyPartitioner {
  private readonly cache = new Map<string, number>();

  constructor(readonly partitions: number, private readonly maxKeys = 1 << 17) {
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  }

  partitionOf(key: string): number {
    let p = this.cache.get(key);
    if (p === undefined) {
      if (this.cache.size >= this.maxKeys) this.cache.clear();
      p = kafkaPartition(key, this.partitions);
      this.cache.set(key, p);
    }
    return p;
  }
}

/** Key group of a key; equal to its partition until state is split finer than partitions. */
export function keyGroupOf(key: string, partitions: number): number {
  return kafkaPartition(key, partitions);
}
