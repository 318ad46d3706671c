/**
 * Consumes PacketEvents from a Kafka topic in a consumer group: each assigned partition is one
 * task's input. Decodes Avro with the topic codec; a record that cannot be decoded goes to the
 * dead-letter topic with the reason (before its batch is handed on, so a commit never skips it
 * unrecorded), and consumption goes on.
 */
import { createTopicCodec, deadLetterOf, DecodeError } from '../../schemas';
import type { RecordCodec } from '../../schemas/codec';
import type { DeadLetter, PacketEvent } from '../../schemas/types';
import type { SourceStats } from '../source';
import type { IncomingBatch, KafkaClient, KafkaConsumer, KafkaProducer, OutgoingRecord, TopicPartition } from './kafka-client';

/** One partition's decoded packets, and the offsets they span. */
export interface KafkaPacketBatch {
  topic: string;
  partition: number;
  /** Decoded packets in offset order (dead-lettered records are left out). */
  events: PacketEvent[];
  /** Kafka offset of each event (same index), so a runtime can checkpoint mid-batch exactly. */
  offsets: number[];
  /** Offset of the first record of the batch (decimal string). */
  firstOffset: string;
  /** Next offset to read after this batch: what a checkpoint covering it commits. */
  nextOffset: string;
  highWatermark: string;
}

export interface KafkaPacketSourceOptions {
  groupId: string;
  /** Default 'packets'. */
  topic?: string;
  /** Default 'dead-letters'. */
  deadLetterTopic?: string;
  /** Called with each partition's decoded batch; the partition's next batch waits for it. */
  onBatch(batch: KafkaPacketBatch): Promise<void>;
  /**
   * New partitions (= tasks). Return the offset to resume from (e.g. the restored checkpoint's),
   * or undefined to continue from the group's committed offset.
   */
  onAssign?(partition: number): Promise<string | undefined> | string | undefined;
  /** Partitions lost in a rebalance or on close: checkpoint and commit here. */
  onRevoke?(partitions: number[]): Promise<void> | void;
  onCrash?(error: Error): void;
  /** Codec for the packets topic; default createTopicCodec('packets'). */
  codec?: RecordCodec<PacketEvent>;
  startFrom?: 'earliest' | 'latest';
  partitionsConsumedConcurrently?: number;
  now?: () => number;
}

export interface KafkaPacketSourceStats extends SourceStats {
  deadLettered: number;
  /** Dead letters by DecodeError reason. */
  deadLetterReasons: Record<string, number>;
}

export class KafkaPacketSource {
  readonly description: string;
  private readonly topic: string;
  private readonly dlqTopic: string;
  private readonly consumer: KafkaConsumer;
  private readonly dlqProducer: KafkaProducer;
  private readonly codec: RecordCodec<PacketEvent>;
  private readonly dlqCodec: RecordCodec<DeadLetter>;
  private readonly now: () => number;
  private readonly counters: KafkaPacketSourceStats = { packets: 0, skipped: {}, deadLettered: 0, deadLetterReasons: {} };

  constructor(client: KafkaClient, private readonly options: KafkaPacketSourceOptions) {
    this.topic = options.topic ?? 'packets';
    this.dlqTopic = options.deadLetterTopic ?? 'dead-letters';
    this.description = `kafka ${this.topic} (group ${options.groupId}, brokers ${client.brokers.join(',')})`;
    this.consumer = client.consumer({
      groupId: options.groupId,
      startFrom: options.startFrom,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
    });
    this.dlqProducer = client.producer({ idempotent: true });
    this.codec = options.codec ?? createTopicCodec('packets');
    this.dlqCodec = createTopicCodec('dead-letters');
    this.now = options.now ?? Date.now;
  }

  /** Connects, joins the group and starts delivering batches; resolves once running. */
  async start(): Promise<void> {
    await this.dlqProducer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe([this.topic]);
    const o = this.options;
    await this.consumer.run({
      eachBatch: (b) => this.handle(b),
      onAssign: async (tps) => {
        for (const tp of tps) {
          const from = o.onAssign ? await o.onAssign(tp.partition) : undefined;
          if (from !== undefined) this.consumer.seek({ topic: tp.topic, partition: tp.partition, offset: from });
        }
      },
      onRevoke: o.onRevoke ? (tps) => o.onRevoke!(tps.map((tp) => tp.partition)) : undefined,
      onCrash: o.onCrash,
    });
  }

  private async handle(batch: IncomingBatch): Promise<void> {
    const events: PacketEvent[] = [];
    const offsets: number[] = [];
    let dead: OutgoingRecord[] | null = null;
    const records = batch.records;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const value = r.value ?? Buffer.alloc(0);
      try {
        events.push(this.codec.decode(value));
        offsets.push(Number(r.offset));
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        const letter = deadLetterOf({ topic: r.topic, partition: r.partition, offset: r.offset, key: r.key, value }, e, this.now());
        (dead ??= []).push({ key: r.key, value: this.dlqCodec.encode(letter) });
        this.counters.deadLettered++;
        this.counters.deadLetterReasons[e.reason] = (this.counters.deadLetterReasons[e.reason] ?? 0) + 1;
      }
    }
    if (dead !== null) await this.dlqProducer.send([{ topic: this.dlqTopic, records: dead }]);
    this.counters.packets += events.length;
    const last = records[records.length - 1];
    await this.options.onBatch({
      topic: batch.topic,
      partition: batch.partition,
      events,
      offsets,
      firstOffset: records[0].offset,
      nextOffset: (BigInt(last.offset) + 1n).toString(),
      highWatermark: batch.highWatermark,
    });
  }

  /** Backpressure: stop fetching these partitions until resume(). */
  pause(partitions: number[]): void {
    this.consumer.pause(partitions.map((partition) => ({ topic: this.topic, partition })));
  }

  resume(partitions: number[]): void {
    this.consumer.resume(partitions.map((partition) => ({ topic: this.topic, partition })));
  }

  /** Commits next-offsets to Kafka; call only after the checkpoint that covers them. */
  commit(offsets: ReadonlyArray<{ partition: number; offset: string }>): Promise<void> {
    return this.consumer.commit(offsets.map((o) => ({ topic: this.topic, partition: o.partition, offset: o.offset })));
  }

  /** Partitions (tasks) this member holds now. */
  partitions(): number[] {
    return this.consumer.assignment().filter((tp: TopicPartition) => tp.topic === this.topic).map((tp) => tp.partition).sort((a, b) => a - b);
  }

  stats(): KafkaPacketSourceStats {
    return { ...this.counters, skipped: { ...this.counters.skipped }, deadLetterReasons: { ...this.counters.deadLetterReasons } };
  }

  async close(): Promise<void> {
    try {
      await this.consumer.disconnect();
    } finally {
      await this.dlqProducer.disconnect();
    }
  }
}
