/**
 * Worker telemetry on real Kafka + Redis: /readyz follows the worker (503 before start, 200 while
 * consuming, 503 after stop); /metrics counts every packet into the first operator, one latency per
 * verdict, checkpoints with their duration, dead letters by reason, and lag per partition that
 * drains to 0 once the worker has caught up.
 */
import { publishCommand } from '../../cli/commands/publish';
import { KafkajsClient } from '../../sources/kafka';
import type { StreamSink } from '../../sinks';
import { RedisStateBackend } from '../../state';
import { METRIC, startTelemetry } from '../../telemetry';
import { KafkaWorker, silentLogger } from '../../topology';
import { createTopics, names, syntheticCapture, writeTopology } from './helpers/distributed';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';
import { byLabel, get, scrape, value } from '../unit/telemetry/scrape';

jest.setTimeout(120_000);

class NullSink implements StreamSink {
  write(): void {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

describeIntegration('worker telemetry', ({ kafkaBrokers, redisUrl }) => {
  test('readiness, records, latencies, checkpoints, dead letters and lag of a worker', async () => {
    const capture = await syntheticCapture(10, 8, 31);
    const client = new KafkajsClient({ brokers: kafkaBrokers, clientId: 'it-worker-telemetry' });
    const n = names(uniqueName('tel'));
    const plan = writeTopology(capture.dir, n, redisUrl);
    await createTopics(client, n);
    const telemetry = await startTelemetry({ metricsPort: 0, metricsHost: '127.0.0.1' });
    const port = telemetry.metricsPort as number;
    const backend = new RedisStateBackend({ url: redisUrl, namespace: n.name });
    await backend.connect();
    const sink = new NullSink();
    const worker = new KafkaWorker(plan, {
      client, stateBackend: backend, sinks: { anomalies: sink, mitigations: sink, forensics: sink },
      groupId: n.group, topic: n.packets, deadLetterTopic: n.deadLetters, logger: silentLogger(), telemetry,
    });
    try {
      expect((await get(port, '/readyz')).status).toBe(503);
      await worker.start();
      expect((await get(port, '/readyz')).status).toBe(200);
      await waitFor('the worker to own the partitions', () => worker.ownedPartitions().length === 4, 30_000);
      const pub = await publishCommand({ pcap: capture.pcap, inventory: capture.inventory, topic: n.packets, client, progressEveryMs: 0 });
      const producer = client.producer({ idempotent: true });
      await producer.connect();
      await producer.send([{ topic: n.packets, records: [{ key: 'bad', value: Buffer.from([0x42, 1, 2, 3]), partition: 0 }] }]);
      await producer.disconnect();
      const ends = pub.perPartition.map((c, p) => c + (p === 0 ? 1 : 0));
      await waitFor('the worker to checkpoint every partition to its end', () => {
        const s = worker.stats().partitions;
        return ends.every((end, p) => s.find((x) => x.partition === p)?.checkpointedOffset === end);
      }, 60_000);

      const m = await scrape(port);
      expect(value(m, METRIC.operatorRecords, { operator: plan.chain[0].name })).toBe(pub.packets);
      expect(value(m, `${METRIC.packetLatency}_count`)).toBe(pub.packets);
      const checkpoints = worker.stats().partitions.reduce((a, p) => a + p.checkpoints, 0);
      expect(value(m, `${METRIC.checkpointDuration}_count`)).toBe(checkpoints);
      expect(value(m, `${METRIC.checkpointSize}_count`)).toBe(checkpoints);
      expect(value(m, METRIC.deadLetters, { reason: 'bad-magic' })).toBe(1);
      const lag = byLabel(m, METRIC.consumerLag, 'partition');
      expect([...lag.keys()].sort()).toEqual(['0', '1', '2', '3']);
      for (const v of lag.values()) expect(v).toBe(0);
      expect(byLabel(m, METRIC.mailboxDepth, 'partition').size).toBe(4);
    } finally {
      await worker.stop();
      expect((await get(port, '/readyz')).status).toBe(503);
      await backend.close();
      await telemetry.shutdown();
    }
  });
});
