import { StateError } from '../../../state/backend';
import { MemoryStateBackend, MemoryTaskState } from '../../../state/memory-backend';
import { TaskKeyedStateStore } from '../../../state/keyed-state-store';
import { keyGroupOf, kafkaPartition, KeyPartitioner } from '../../../state/key-group';

describe('MemoryTaskState and keyed handles', () => {
  it('scopes value handles to the cursor key and to the operator namespace', () => {
    const state = new MemoryTaskState(0, 0);
    const cursor = { currentKey: 'vm-1' };
    const a = new TaskKeyedStateStore(state, cursor, 'window/').value<number>('count');
    const b = new TaskKeyedStateStore(state, cursor, 'score/').value<number>('count');
    a.set(1);
    b.set(10);
    cursor.currentKey = 'vm-2';
    expect(a.get()).toBeUndefined();
    a.set(2);
    cursor.currentKey = 'vm-1';
    expect([a.get(), b.get()]).toEqual([1, 10]);
    a.clear();
    expect(a.get()).toBeUndefined();
    expect(state.get('window/count', 'vm-2')).toBe(2);
    expect(state.stateNames().sort()).toEqual(['score/count', 'window/count']);
  });

  it('tracks dirty cells (writes, clears) until clearDirty', () => {
    const state = new MemoryTaskState(3, 0);
    const t = state.table<string>('s');
    t.set('a', 'x');
    t.set('b', 'y');
    t.delete('b');
    expect(state.dirtyEntries()).toEqual([{ state: 's', key: 'a', value: 'x' }, { state: 's', key: 'b', value: undefined, deleted: true }]);
    state.clearDirty();
    expect(state.dirtyEntries()).toEqual([]);
    t.set('a', 'z');
    expect(state.dirtyEntries()).toEqual([{ state: 's', key: 'a', value: 'z' }]);
  });

  it('expires TTL cells by processing time since their last write, oldest first', () => {
    const state = new MemoryTaskState(0, 1000);
    const t = state.table<number>('last', { ttlMs: 100 });
    t.set('a', 1); // written at 1000
    state.setProcessingTimeMs(1050);
    t.set('b', 2); // written at 1050
    state.setProcessingTimeMs(1090);
    t.set('a', 3); // rewritten at 1090: a now outlives b
    state.clearDirty();
    state.setProcessingTimeMs(1150);
    expect(t.get('b')).toBeUndefined(); // expired on read even before expire() runs
    expect(t.get('a')).toBe(3);
    expect(state.expire(1150)).toBe(1);
    expect(t.size).toBe(1);
    expect(state.dirtyEntries()).toEqual([{ state: 'last', key: 'b', value: undefined, deleted: true }]);
    // a expired at 1190 for readers; its cell goes at the next queue check (it was rewritten).
    state.setProcessingTimeMs(1190);
    expect(t.get('a')).toBeUndefined();
    expect(state.expire(1250)).toBe(1);
    expect(t.size).toBe(0);
  });

  it('reads like a reference map of (value, write time) under random writes, deletes and expiry', () => {
    const r = (() => {
      let x = 12345;
      return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    })();
    const state = new MemoryTaskState(0, 0);
    const t = state.table<number>('s', { ttlMs: 50 });
    const ref = new Map<string, { v: number; at: number }>();
    let now = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const key = `k${Math.floor(r() * 40)}`;
      const op = r();
      if (op < 0.45) {
        t.set(key, i);
        ref.set(key, { v: i, at: now });
      } else if (op < 0.55) {
        t.delete(key);
        ref.delete(key);
      } else if (op < 0.7) {
        now += Math.floor(r() * 20);
        state.setProcessingTimeMs(now);
        if (r() < 0.5) state.expire(now);
      } else {
        const e = ref.get(key);
        const want = e !== undefined && now - e.at < 50 ? e.v : undefined;
        if (t.get(key) !== want) mismatches.push(`step ${i}: ${key} = ${t.get(key)}, want ${want}`);
      }
    }
    expect(mismatches).toEqual([]);
    state.expire(now + 1000);
    expect(t.size).toBe(0);
  });

  it('refuses one state name declared with two TTLs, and a non-positive TTL', () => {
    const state = new MemoryTaskState(5, 0);
    state.table('x', { ttlMs: 10 });
    expect(() => state.table('x', { ttlMs: 20 })).toThrow(StateError);
    expect(() => state.table('x')).toThrow(/partition 5, state 'x'/);
    expect(() => state.table('y', { ttlMs: 0 })).toThrow(StateError);
  });

  it('snapshots and restores, TTL write times included', () => {
    const state = new MemoryTaskState(0, 500);
    state.table<number>('plain').set('k', 1);
    state.table<number>('ttl', { ttlMs: 100 }).set('k', 2);
    const snap = state.snapshot();
    expect(snap).toEqual([{ state: 'plain', key: 'k', value: 1 }, { state: 'ttl', key: 'k', value: 2, writtenAtMs: 500 }]);
    const restored = new MemoryTaskState(0, 550);
    restored.restore(snap);
    const ttl = restored.table<number>('ttl', { ttlMs: 100 }); // declared after restore, as open() would
    expect(ttl.get('k')).toBe(2);
    expect(restored.table<number>('plain').get('k')).toBe(1);
    expect(restored.dirtyEntries()).toEqual([]);
    expect(restored.expire(600)).toBe(1);
    expect(ttl.get('k')).toBeUndefined();
  });
});

describe('MemoryStateBackend checkpoints', () => {
  it('applies dirty entries on top of the previous checkpoint with the offset they cover', async () => {
    const backend = new MemoryStateBackend(() => 0);
    const state = backend.openTask(2);
    const t = state.table<number>('n');
    t.set('a', 1);
    t.set('b', 2);
    await backend.saveCheckpoint({ partition: 2, offset: 10, entries: state.dirtyEntries(), takenAtMs: 1 });
    state.clearDirty();
    t.set('a', 5);
    t.delete('b');
    t.set('c', 3);
    await backend.saveCheckpoint({ partition: 2, offset: 25, entries: state.dirtyEntries(), takenAtMs: 2 });
    const cp = await backend.loadCheckpoint(2);
    expect(cp?.offset).toBe(25);
    expect(cp?.entries.map((e) => [e.key, e.value]).sort()).toEqual([['a', 5], ['c', 3]]);
    expect(await backend.loadCheckpoint(0)).toBeUndefined();
    const again = backend.openTask(2);
    again.restore(cp?.entries ?? []);
    expect(again.get('n', 'a')).toBe(5);
  });
});

describe('key groups', () => {
  it('equal the Kafka partition of the key', () => {
    const p = new KeyPartitioner(16, 4);
    for (let i = 0; i < 50; i++) {
      const key = `vm-${i}`;
      expect(p.partitionOf(key)).toBe(kafkaPartition(key, 16));
      expect(keyGroupOf(key, 16)).toBe(kafkaPartition(key, 16));
    }
    expect(() => new KeyPartitioner(0)).toThrow(RangeError);
  });
});
