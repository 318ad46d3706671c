import { Partitioners } from 'kafkajs';
import { EmbeddedLog } from '../../../topology/embedded-log';
import { kafkaPartition, murmur2 } from '../../../state/key-group';

// murmur2 vectors of the Java client (Kafka's UtilsTest, and kafkajs's Java-generated fixtures).
const JAVA_MURMUR2: Record<string, number> = {
  '21': -973932308,
  foobar: -790332482,
  'a-little-bit-long-string': -985981536,
  'a-little-bit-longer-string': -1486304829,
  lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: -58897971,
  abc: 479470107,
  '0': 971027396,
  '1': -1993445489,
  '128': -326012175,
  '2187': -1508407203,
};

// Partitions from Java's DefaultPartitioner: toPositive(murmur2(keyBytes)) % n, for n = 3, 4, 8, 12, 32.
const JAVA_PARTITIONS: Record<string, number[]> = {
  '0': [2, 0, 4, 8, 4],
  '1': [0, 3, 7, 3, 15],
  '21': [0, 0, 4, 0, 12],
  '128': [2, 1, 1, 5, 17],
  '2187': [2, 1, 5, 5, 29],
  foobar: [0, 2, 6, 6, 30],
  'a-little-bit-long-string': [2, 0, 0, 8, 0],
  'a-little-bit-longer-string': [2, 3, 3, 11, 3],
  lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8: [2, 1, 5, 5, 13],
  abc: [0, 3, 3, 3, 27],
};
const COUNTS = [3, 4, 8, 12, 32];

describe('Kafka partitioning of the embedded log', () => {
  it('hashes keys like the Java client', () => {
    for (const [key, h] of Object.entries(JAVA_MURMUR2)) expect([key, murmur2(key)]).toEqual([key, h]);
  });

  it('puts keys on the partitions Kafka would', () => {
    for (const [key, parts] of Object.entries(JAVA_PARTITIONS)) {
      COUNTS.forEach((n, i) => {
        const log = new EmbeddedLog<string>(n);
        expect([key, n, log.append(key, 'v')]).toEqual([key, n, parts[i]]);
        expect(kafkaPartition(key, n)).toBe(parts[i]);
      });
    }
  });

  it('agrees with kafkajs DefaultPartitioner for VM ids', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 12 }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
    const log = new EmbeddedLog<number>(12);
    for (let i = 0; i < 300; i++) {
      const key = `vm-${i.toString(16)}`;
      expect(log.partitionOf(key)).toBe(partitioner({ topic: 'packets', partitionMetadata, message: { key, value: null } }));
    }
  });

  it('keeps per-partition order and offsets; reading consumes', () => {
    const log = new EmbeddedLog<number>(4);
    const expected: number[][] = [[], [], [], []];
    for (let i = 0; i < 5000; i++) expected[log.append(`vm${i % 37}`, i, i * 10)].push(i);
    for (let p = 0; p < 4; p++) {
      expect(log.endOffset(p)).toBe(expected[p].length);
      const keys: string[] = [];
      const values: unknown[] = [];
      const ts = new Float64Array(10_000);
      const n1 = log.read(p, 100, keys, values, ts);
      expect(log.readOffset(p)).toBe(n1);
      const first = values.slice(0, n1);
      const n2 = log.read(p, 10_000, keys, values, ts);
      expect([...first, ...values.slice(0, n2)]).toEqual(expected[p]);
      expect(ts[n2 - 1]).toBe(expected[p][expected[p].length - 1] * 10);
      expect(log.backlog(p)).toBe(0);
    }
  });
});
