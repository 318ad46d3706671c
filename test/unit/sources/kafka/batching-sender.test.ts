import { BatchingSender, type KafkaProducer, type OutgoingRecord } from '../../../../sources/kafka';

/** A producer whose sends settle when the test says, recording what each carried. */
class ManualProducer implements KafkaProducer {
  readonly sends: Array<{ records: string[]; settle(err?: Error): void }> = [];
  inFlight = 0;
  maxInFlight = 0;
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  send(batches: ReadonlyArray<{ topic: string; records: OutgoingRecord[] }>): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<void>((resolve, reject) => {
      this.sends.push({
        records: batches.flatMap((b) => b.records.map((r) => `${b.topic}:${r.value.toString()}`)),
        settle: (err) => {
          this.inFlight--;
          if (err) reject(err);
          else resolve();
        },
      });
    });
  }
}

const rec = (i: number): OutgoingRecord => ({ key: `k${i % 3}`, value: Buffer.from(String(i)) });
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('one send on the wire at a time; what accumulates meanwhile goes out as one batch, in order', async () => {
  const p = new ManualProducer();
  const s = new BatchingSender(p, 4, 100);
  for (let i = 0; i < 4; i++) s.add('t', rec(i));
  await tick();
  expect(p.sends).toHaveLength(1);
  for (let i = 4; i < 14; i++) s.add('t', rec(i));
  await tick();
  expect(p.sends).toHaveLength(1);
  expect(s.backlog).toBe(14);
  p.sends[0].settle();
  await tick();
  // The 10 records that piled up behind the first send went out together.
  expect(p.sends).toHaveLength(2);
  expect(p.sends[1].records).toEqual(Array.from({ length: 10 }, (_, i) => `t:${i + 4}`));
  const flushed = s.flush();
  p.sends[1].settle();
  await flushed;
  expect(p.maxInFlight).toBe(1);
  expect(s.sent).toBe(14);
  expect(s.backlog).toBe(0);
});

test('a partial batch waits for sendNow or flush', async () => {
  const p = new ManualProducer();
  const s = new BatchingSender(p, 100);
  s.add('a', rec(1));
  s.add('b', rec(2));
  await tick();
  expect(p.sends).toHaveLength(0);
  s.sendNow();
  await tick();
  expect(p.sends.map((x) => x.records)).toEqual([['a:1', 'b:2']]);
  p.sends[0].settle();
  await s.flush();
  expect(s.sent).toBe(2);
});

test('ready() holds a fast writer until the backlog is under maxUnacked', async () => {
  const p = new ManualProducer();
  const s = new BatchingSender(p, 2, 3);
  for (let i = 0; i < 6; i++) s.add('t', rec(i));
  expect(s.saturated).toBe(true);
  let ready = false;
  const r = s.ready().then(() => (ready = true));
  await tick();
  expect(ready).toBe(false);
  p.sends[0].settle();
  await tick();
  // 2 acknowledged, 4 on the wire (all that piled up): still over 3.
  expect(ready).toBe(false);
  expect(p.sends[1].records).toHaveLength(4);
  p.sends[1].settle();
  await r;
  expect(s.backlog).toBe(0);
  expect(s.saturated).toBe(false);
});

test('a failed send is rethrown by the next flush, once; later sends go on', async () => {
  const p = new ManualProducer();
  const s = new BatchingSender(p, 1);
  s.add('t', rec(1));
  await tick();
  p.sends[0].settle(new Error('broker said no'));
  await expect(s.flush()).rejects.toThrow('broker said no');
  s.add('t', rec(2));
  await tick();
  p.sends[1].settle();
  await expect(s.flush()).resolves.toBeUndefined();
  expect(s.sent).toBe(1);
});

test('a send never carries more than 4 x maxBatch records, whatever piled up', async () => {
  const p = new ManualProducer();
  const s = new BatchingSender(p, 2, 1000);
  for (let i = 0; i < 2; i++) s.add('a', rec(i));
  await tick();
  for (let i = 2; i < 13; i++) s.add(i % 2 === 0 ? 'a' : 'b', rec(i));
  p.sends[0].settle();
  await tick();
  expect(p.sends[1].records).toHaveLength(8);
  p.sends[1].settle();
  await tick();
  expect(p.sends[2].records).toHaveLength(3);
  p.sends[2].settle();
  await s.flush();
  // Per topic, records went out in the order they were added.
  const all = p.sends.flatMap((x) => x.records);
  expect(all.filter((r) => r.startsWith('a:'))).toEqual(['a:0', 'a:1', 'a:2', 'a:4', 'a:6', 'a:8', 'a:10', 'a:12']);
  expect(all.filter((r) => r.startsWith('b:'))).toEqual(['b:3', 'b:5', 'b:7', 'b:9', 'b:11']);
  expect(s.sent).toBe(13);
});

test('a send stays under its byte bound: a burst of large records goes out in several sends, in order; one record over the bound goes alone', async () => {
  const p = new ManualProducer();
  // 10 kB bound, count bound far away (4 x 100 records per send).
  const s = new BatchingSender(p, 100, 1000, 10_000);
  const big = (i: number, bytes: number): OutgoingRecord => ({ key: 'k', value: Buffer.concat([Buffer.from(`${i}|`), Buffer.alloc(bytes)]) });
  for (let i = 0; i < 10; i++) s.add('a', big(i, 3000));
  s.add('b', big(10, 25_000));
  s.add('b', big(11, 10));
  const flushed = s.flush();
  const sizes: number[] = [];
  const order: string[] = [];
  for (let round = 0; round < 20 && p.sends.length > sizes.length; round++) {
    await tick();
    const send = p.sends[sizes.length];
    sizes.push(send.records.length);
    order.push(...send.records.map((r) => r.slice(0, r.indexOf('|'))));
    send.settle();
    await tick();
  }
  await flushed;
  // 3 x 3 kB per send under 10 kB; the 25 kB record alone; the small one after it.
  expect(sizes).toEqual([3, 3, 3, 1, 1, 1]);
  expect(order).toEqual(['a:0', 'a:1', 'a:2', 'a:3', 'a:4', 'a:5', 'a:6', 'a:7', 'a:8', 'a:9', 'b:10', 'b:11']);
  expect(s.sent).toBe(12);
});
