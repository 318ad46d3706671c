/**
 * Real Redis: a checkpoint (dirty cells + offset) is applied all or nothing, restore gives state
 * and offset back (typed arrays intact), fencing refuses a stale owner, TTL cells leave Redis.
 */
import Redis from 'ioredis';
import { CheckpointFencedError, RedisStateBackend, type Checkpoint, type StateEntry } from '../../state';
import { describeIntegration, uniqueName } from './helpers/services';

describeIntegration('redis state backend checkpoints', ({ redisUrl }) => {
  const backends: RedisStateBackend[] = [];
  let raw: Redis;

  async function backend(namespace: string, now?: () => number): Promise<RedisStateBackend> {
    const b = new RedisStateBackend({ url: redisUrl, namespace, now });
    await b.connect();
    backends.push(b);
    return b;
  }

  beforeAll(() => {
    raw = new Redis(redisUrl);
  });
  afterAll(async () => {
    await Promise.all(backends.map((b) => b.close()));
    await raw.quit();
  });

  test('restore gives back the state and the offset of the last checkpoint, typed arrays intact', async () => {
    const ns = uniqueName('cp');
    const b = await backend(ns);
    expect(await b.restore(2)).toBeUndefined();
    const task = b.openTask(2);
    const lstm = task.table<{ h: Float32Array; c: Float32Array; n: number }>('predict/hc');
    const counts = task.table<number>('window/count');
    const h = Float32Array.from([0.25, -1.5, 3.125, Number.NaN]);
    lstm.set('vm-1', { h, c: new Float32Array([1, 2]), n: 7 });
    counts.set('vm-1', 3);
    counts.set('vm-2', 5);
    await b.saveCheckpoint({ partition: 2, offset: 120, entries: task.dirtyEntries(), takenAtMs: 1000 });
    task.clearDirty();
    counts.delete('vm-2');
    counts.set('vm-1', 4);
    await b.saveCheckpoint({ partition: 2, offset: 180, entries: task.dirtyEntries(), takenAtMs: 2000 });

    const other = await backend(ns);
    const cp = (await other.restore(2))!;
    expect(cp.offset).toBe(180);
    expect(cp.takenAtMs).toBe(2000);
    const byId = new Map(cp.entries.map((e) => [`${e.state}/${e.key}`, e.value]));
    expect([...byId.keys()].sort()).toEqual(['predict/hc/vm-1', 'window/count/vm-1']);
    expect(byId.get('window/count/vm-1')).toBe(4);
    const hc = byId.get('predict/hc/vm-1') as { h: Float32Array; c: Float32Array; n: number };
    expect(hc.h).toBeInstanceOf(Float32Array);
    expect(Array.from(hc.h)).toEqual(Array.from(h));
    expect(Array.from(hc.c)).toEqual([1, 2]);
    expect(hc.n).toBe(7);
    // A task restored from it sees the same values.
    const restored = other.openTask(2);
    restored.restore(cp.entries);
    expect(restored.get('window/count', 'vm-1')).toBe(4);
    // Other partitions (key groups) are untouched.
    expect(await other.loadCheckpoint(3)).toBeUndefined();
  });

  test('a concurrent reader never sees half a checkpoint', async () => {
    const ns = uniqueName('atomic');
    const writer = await backend(ns);
    const reader = await backend(ns);
    const cells = 3000;
    const entriesAt = (offset: number): StateEntry[] =>
      Array.from({ length: cells }, (_, i) => ({ state: 's', key: `vm-${i}`, value: { offset, blob: 'x'.repeat(64) } }));
    let writing = true;
    const writes = (async () => {
      for (let offset = 1; offset <= 25; offset++) {
        await writer.saveCheckpoint({ partition: 0, offset, entries: entriesAt(offset), takenAtMs: offset });
      }
      writing = false;
    })();
    let reads = 0;
    let nonEmpty = 0;
    while (writing) {
      const cp = await reader.loadCheckpoint(0);
      reads++;
      if (cp === undefined) continue;
      nonEmpty++;
      // Every cell carries the offset of the checkpoint that wrote it: all must equal the stored offset.
      expect(cp.entries.length).toBe(cells);
      const stale = cp.entries.filter((e) => (e.value as { offset: number }).offset !== cp.offset);
      expect(stale.length).toBe(0);
    }
    await writes;
    expect(reads).toBeGreaterThan(3);
    expect(nonEmpty).toBeGreaterThan(0);
  });

  test('a fenced checkpoint writes nothing at all', async () => {
    const ns = uniqueName('fence');
    const oldOwner = await backend(ns);
    const newOwner = await backend(ns);
    await oldOwner.restore(1);
    await oldOwner.saveCheckpoint({ partition: 1, offset: 10, entries: [{ state: 's', key: 'a', value: 1 }], takenAtMs: 1 });
    // A rebalance hands the partition to another worker, which restores (claims) it.
    expect((await newOwner.restore(1))!.offset).toBe(10);
    const late: Checkpoint = {
      partition: 1,
      offset: 99,
      entries: [{ state: 's', key: 'a', value: 666 }, { state: 's', key: 'b', value: 666 }, { state: 's', key: 'a', value: undefined, deleted: true }],
      takenAtMs: 2,
    };
    await expect(oldOwner.saveCheckpoint(late)).rejects.toBeInstanceOf(CheckpointFencedError);
    const cp = (await newOwner.loadCheckpoint(1))!;
    expect(cp.offset).toBe(10);
    expect(cp.entries).toEqual([{ state: 's', key: 'a', value: 1 }]);
    // The owner of the current epoch still writes.
    await newOwner.saveCheckpoint({ partition: 1, offset: 11, entries: [{ state: 's', key: 'b', value: 2 }], takenAtMs: 3 });
    expect((await newOwner.loadCheckpoint(1))!.offset).toBe(11);
  });

  test('cells of TTL states that went silent leave Redis and are not restored', async () => {
    const ns = uniqueName('ttl');
    let now = 10_000;
    const b = await backend(ns, () => now);
    const task = b.openTask(0);
    task.setProcessingTimeMs(now);
    const t = task.table<number>('baseline/profile', { ttlMs: 1000 });
    t.set('vm-silent', 1);
    task.setProcessingTimeMs(now + 900);
    t.set('vm-active', 2);
    await b.saveCheckpoint({ partition: 0, offset: 5, entries: task.dirtyEntries(), takenAtMs: now + 900 });
    const keys = b.keysOf(0);
    expect(await raw.hlen(keys.cells)).toBe(2);
    // 1.5 s later vm-silent (written at 10.0 s) is past its TTL; vm-active (10.9 s) is not.
    now = 11_500;
    expect((await b.loadCheckpoint(0))!.entries.map((e) => e.key)).toEqual(['vm-active']);
    task.clearDirty();
    await b.writeCheckpoint({ partition: 0, offset: 6, entries: [], takenAtMs: now }).then((r) => expect(r.expired).toBe(1));
    expect(await raw.hkeys(keys.cells)).toEqual(['baseline/profile\u0000vm-active']);
    expect(await raw.zcard(keys.expiry)).toBe(1);
  });
});
