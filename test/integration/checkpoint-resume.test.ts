/**
 * Kafka source + Redis checkpoints together: a worker that checkpointed but died before
 * committing to Kafka is replaced by one that restores state and offset from Redis and resumes
 * there, so every packet is counted exactly once in state (Kafka would have redelivered all).
 */
import { createTopicCodec } from '../../schemas';
import { KafkajsClient, KafkaPacketSource } from '../../sources/kafka';
import { RedisStateBackend, type TaskState } from '../../state';
import { packetEvent } from '../unit/schemas/sample-records';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';

describeIntegration('checkpoint, crash before commit, resume from the Redis offset', ({ kafkaBrokers, redisUrl }) => {
  /** Closed after each test even when it failed, so no client keeps jest alive. */
  const closers: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  test('counts are exact after a worker is replaced', async () => {
    const client = new KafkajsClient({ brokers: kafkaBrokers, clientId: 'it-resume' });
    const topic = uniqueName('packets');
    const dlq = uniqueName('dlq');
    const groupId = uniqueName('workers');
    const ns = uniqueName('resume');
    const admin = client.admin();
    await admin.connect();
    closers.push(() => admin.disconnect());
    await admin.createTopics([{ topic, partitions: 2 }, { topic: dlq, partitions: 1 }]);
    const producer = client.producer();
    await producer.connect();
    closers.push(() => producer.disconnect());
    const codec = createTopicCodec('packets');
    const send = (from: number, n: number) =>
      producer.send([{ topic, records: Array.from({ length: n }, (_, i) => ({ key: `vm-${(from + i) % 10}`, value: codec.encode({ ...packetEvent, vmId: `vm-${(from + i) % 10}` }) })) }]);

    /** One worker: state per partition in memory, checkpointed to Redis after every batch. */
    async function worker(commitToKafka: boolean) {
      const backend = new RedisStateBackend({ url: redisUrl, namespace: ns });
      await backend.connect();
      closers.push(() => backend.close());
      const tasks = new Map<number, TaskState>();
      let processed = 0;
      const source = new KafkaPacketSource(client, {
        groupId,
        topic,
        deadLetterTopic: dlq,
        onAssign: async (p) => {
          const task = backend.openTask(p);
          const cp = await backend.restore(p);
          if (cp) task.restore(cp.entries);
          tasks.set(p, task);
          return cp ? String(cp.offset) : undefined;
        },
        onBatch: async (b) => {
          const task = tasks.get(b.partition)!;
          const counts = task.table<number>('count');
          for (const e of b.events) counts.set(e.vmId, (counts.get(e.vmId) ?? 0) + 1);
          await backend.saveCheckpoint({ partition: b.partition, offset: Number(b.nextOffset), entries: task.dirtyEntries(), takenAtMs: Date.now() });
          task.clearDirty();
          // Offsets go to Kafka only after the checkpoint that covers them.
          if (commitToKafka) await source.commit([{ partition: b.partition, offset: b.nextOffset }]);
          processed += b.events.length;
        },
      });
      closers.push(() => source.close());
      await source.start();
      return { source, backend, tasks, processed: () => processed };
    }

    const total = (tasks: Map<number, TaskState>) => {
      const out = new Map<string, number>();
      for (const t of tasks.values()) for (const e of t.snapshot()) out.set(e.key, (out.get(e.key) ?? 0) + (e.value as number));
      return out;
    };

    await send(0, 40);
    const first = await worker(false);
    await waitFor('first worker to process 40', () => first.processed() >= 40);
    // Closing twice (here and after the test) is harmless.
    await first.source.close();
    // Kafka has no committed offset: a plain consumer would start over and double every count.
    expect([...(await admin.committedOffsets(groupId, topic)).values()].every((o) => o === '-1')).toBe(true);

    const second = await worker(true);
    await waitFor('second worker to own both partitions', () => second.source.partitions().length === 2);
    await send(40, 20);
    await waitFor('second worker to process the 20 new packets', () => second.processed() >= 20);
    await new Promise((r) => setTimeout(r, 500));
    expect(second.processed()).toBe(20);
    const counts = total(second.tasks);
    expect([...counts.keys()].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `vm-${i}`).sort());
    for (const n of counts.values()) expect(n).toBe(6);
  });
});
