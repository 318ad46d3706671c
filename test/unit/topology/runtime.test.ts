import { z } from 'zod';
import type { OperatorDefinition } from '../../../operators/contract';
import type { PacketRecord } from '../../../operators/packet-record';
import { OperatorRegistry } from '../../../operators/registry';
import type { PacketEvent } from '../../../schemas/types';
import type { PacketSource } from '../../../sources/source';
import { MemoryStateBackend } from '../../../state/memory-backend';
import { kafkaPartition } from '../../../state/key-group';
import { createLogger, MemoryLogDestination, silentLogger } from '../../../topology/log';
import { ManualClock } from '../../../topology/runtime/clock';
import { planTopology } from '../../../topology/runtime/planner';
import { runTopology } from '../../../topology/runtime/run-topology';
import { OperatorError } from '../../../topology/runtime/task';
import { arraySource, CollectingSink, testPlan } from './fixtures/run-helpers';
import { accountTally, asyncBatch, idleWatch, orderRecorder, slowBatch, windowCount, type Ev, type WindowResult } from './fixtures/test-operators';

const logger = silentLogger();

/** Deterministic pseudo-random numbers for shuffles and jitter. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function seqsByKey(items: Array<{ key: string; value: unknown }>): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const { key, value } of items) {
    const l = m.get(key) ?? [];
    l.push(value as number);
    m.set(key, l);
  }
  return m;
}

describe('runTopology (embedded)', () => {
  it('keeps per-key order across partitions and processes every record once, in its Kafka partition', async () => {
    const r = rng(1);
    const evs: Ev[] = [];
    for (let i = 0; i < 20_000; i++) evs.push({ vm: `vm-${Math.floor(r() * 61)}`, tsUs: i, seq: i });
    const sink = new CollectingSink();
    const seenIn = new Map<string, number>();
    const partitionProbe: OperatorDefinition<Record<string, never>, Ev, Ev> = {
      name: 'partition-probe',
      description: 'records the partition each key is processed in',
      configSchema: z.object({}),
      create: () => ({
        open() {},
        process(rec, ctx, out) {
          const prev = seenIn.get(ctx.currentKey);
          if (prev !== undefined && prev !== ctx.partition) throw new Error('key seen in two partitions');
          seenIn.set(ctx.currentKey, ctx.partition);
          out.collect(rec);
        },
      }),
    };
    const plan = testPlan([[partitionProbe, {}], [orderRecorder, {}]], 6, { chunkSize: 64, mailboxCapacity: 256 });
    const stats = await runTopology(plan, { source: arraySource(evs, 500), sinks: { order: sink }, logger });

    const expected = seqsByKey(evs.map((e) => ({ key: e.vm, value: e.seq })));
    expect(seqsByKey(sink.items)).toEqual(expected);
    for (const [key, p] of seenIn) expect([key, p]).toEqual([key, kafkaPartition(key, 6)]);
    expect(stats.packetsIn).toBe(20_000);
    expect(stats.partitions.reduce((a, p) => a + p.records, 0)).toBe(20_000);
    expect(stats.operators.map((o) => [o.name, o.recordsIn, o.recordsOut])).toEqual([['partition-probe', 20_000, 20_000], ['order-recorder', 20_000, 20_000]]);
    expect(stats.outputs).toEqual({ order: 20_000 });
    expect(stats.unroutedOutputs).toEqual({ output: 20_000 });
    expect(sink.closed).toBe(true);
  });

  it('pauses the source when a slow task falls behind, never overfills a mailbox and loses nothing', async () => {
    const evs: Ev[] = [];
    for (let i = 0; i < 600; i++) evs.push({ vm: `vm-${i % 10}`, tsUs: i, seq: i });
    const sink = new CollectingSink();
    let maxInFlight = 0;
    const batchSize = 16;
    const source = arraySource(evs, batchSize, (b) => {
      // Records handed out so far minus records the chain finished: what the runtime holds.
      maxInFlight = Math.max(maxInFlight, b * batchSize - sink.items.length);
    });
    const plan = testPlan([[slowBatch, { waitMs: 1 }], [orderRecorder, {}]], 2, { mailboxCapacity: 8, chunkSize: 4 });
    const stats = await runTopology(plan, { source, sinks: { order: sink }, logger, maxLogBacklog: 20 });

    expect(sink.items).toHaveLength(600);
    expect(seqsByKey(sink.items)).toEqual(seqsByKey(evs.map((e) => ({ key: e.vm, value: e.seq }))));
    expect(stats.sourcePauses).toBeGreaterThan(0);
    for (const p of stats.partitions) {
      expect(p.mailboxHighWater).toBeLessThanOrEqual(8);
      expect(p.mailboxHighWater).toBe(8);
    }
    // Bound: per partition, backlog limit + one batch over it + mailbox + the chunk in flight.
    expect(maxInFlight).toBeLessThanOrEqual(2 * (20 + 8 + 4) + batchSize);
  });

  it('closes event-time windows with out-of-order input within the bound, and all windows at the end', async () => {
    const r = rng(7);
    const evs: Ev[] = [];
    for (let i = 0; i < 6000; i++) evs.push({ vm: `vm-${i % 13}`, tsUs: 10_000 + i * 3, seq: i });
    // Jitter each timestamp back by up to 250 µs (bound is 300 µs), keeping arrival order.
    for (const e of evs) e.tsUs -= Math.floor(r() * 250);
    const sink = new CollectingSink();
    const plan = testPlan([[windowCount, { sizeUs: 1000 }]], 3, { maxOutOfOrdernessUs: 300, chunkSize: 32 });
    const stats = await runTopology(plan, { source: arraySource(evs, 100), sinks: { output: sink }, logger });

    const truth = new Map<string, number[]>();
    for (const e of evs) {
      const id = `${e.vm}@${(Math.floor(e.tsUs / 1000) + 1) * 1000}`;
      truth.set(id, [...(truth.get(id) ?? []), e.seq]);
    }
    const got = new Map<string, number[]>();
    for (const { key, value } of sink.items) {
      const w = value as WindowResult;
      expect(w.key).toBe(key);
      const id = `${key}@${w.window}`;
      expect(got.has(id)).toBe(false);
      got.set(id, w.seqs);
    }
    expect(got).toEqual(truth);
    // Per key, windows come out in time order.
    const ends = new Map<string, number>();
    for (const { key, value } of sink.items) {
      const w = value as WindowResult;
      expect(w.window).toBeGreaterThan(ends.get(key) ?? -Infinity);
      ends.set(key, w.window);
    }
    expect(stats.operators[0].timersFired).toBe(truth.size);
  });

  it('fires processing-time timers from an injected clock and expires TTL state', async () => {
    const clock = new ManualClock(1_000_000_000);
    const evs: Ev[] = [
      { vm: 'a', tsUs: 1, seq: 1 },
      { vm: 'b', tsUs: 2, seq: 2 },
      { vm: 'c', tsUs: 3, seq: 3 },
    ];
    const source = {
      description: 'clocked',
      async *batches(): AsyncIterable<Ev[]> {
        const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
        yield evs.slice(0, 2); // a, b at t0
        await settle(); // let the tasks take them at t0
        clock.advanceUs(6_000); // their 5 ms idle timers are due; their 10 ms TTL not yet
        await settle();
        yield evs.slice(2); // c at t0 + 6 ms
        await settle();
        clock.advanceUs(6_000); // a, b expire (12 ms since written); c does not (6 ms)
        await settle();
      },
    };
    const alerts = new CollectingSink();
    const backend = new MemoryStateBackend(() => clock.nowUs() / 1000);
    const plan = testPlan([[idleWatch, { idleUs: 5000, ttlMs: 10 }]], 2);
    await runTopology(plan, { source, sinks: { alerts }, clock, logger, stateBackend: backend });

    const fired = alerts.items.map((i) => [i.key, (i.value as { idleAt: number }).idleAt]).sort();
    expect(fired).toEqual([['a', 1_000_005_000], ['b', 1_000_005_000], ['c', 1_000_011_000]]);
    const cells = (await Promise.all([0, 1].map((p) => backend.loadCheckpoint(p)))).flatMap((c) => c?.entries ?? []);
    expect(cells.map((c) => [c.state, c.key, c.value])).toEqual([['idle-watch/last', 'c', 3]]);
  });

  it('fires processing-time timers on the system clock while a task is idle', async () => {
    let secondBatchAt = Infinity;
    const source = {
      description: 'gappy',
      async *batches(): AsyncIterable<Ev[]> {
        yield [{ vm: 'a', tsUs: 1, seq: 1 }, { vm: 'b', tsUs: 2, seq: 2 }];
        await new Promise((r) => setTimeout(r, 60)); // the tasks idle; a's and b's 10 ms timers come due
        secondBatchAt = performance.now();
        yield [{ vm: 'c', tsUs: 3, seq: 3 }]; // the run ends before c's timer is due
      },
    };
    const firedAt: Array<[string, number]> = [];
    const alerts = { write: (_s: string, key: string) => void firedAt.push([key, performance.now()]), flush: async () => {}, close: async () => {} };
    await runTopology(testPlan([[idleWatch, { idleUs: 10_000, ttlMs: 1000 }]], 2), { source, sinks: { alerts }, logger });
    expect(firedAt.map(([k]) => k).sort()).toEqual(['a', 'b']);
    for (const [, at] of firedAt) expect(at).toBeLessThan(secondBatchAt);
  });

  it('routes repartitioned values to the task owning the new key, with its keyed state, and shares broadcast tables', async () => {
    const evs: Ev[] = [];
    for (let i = 0; i < 300; i++) evs.push({ vm: `vm-${i % 17}`, tsUs: i, seq: i });
    const backend = new MemoryStateBackend();
    const plan = testPlan([[accountTally, {}]], 4);
    const stats = await runTopology(plan, { source: arraySource(evs, 64), logger, stateBackend: backend });

    expect(stats.partitions.reduce((a, p) => a + p.repartitionedIn, 0)).toBe(300);
    for (let k = 0; k < 3; k++) {
      const owner = kafkaPartition(`acct-${k}`, 4);
      const cp = await backend.loadCheckpoint(owner);
      const cell = cp?.entries.find((e) => e.key === `acct-${k}`);
      expect(cell).toEqual({ state: 'account-tally/tally', key: `acct-${k}`, value: 100 });
      expect(stats.partitions[owner].repartitionedIn).toBeGreaterThanOrEqual(100);
    }
  });

  it('runs async processBatch operators in the chain, keeping keys and per-key order', async () => {
    const evs: Ev[] = [];
    for (let i = 0; i < 3000; i++) evs.push({ vm: `vm-${i % 7}`, tsUs: i, seq: i });
    const sink = new CollectingSink();
    const plan = testPlan([[asyncBatch, {}], [orderRecorder, {}]], 3, { chunkSize: 50 });
    await runTopology(plan, { source: arraySource(evs, 200), sinks: { order: sink }, logger });
    expect(seqsByKey(sink.items)).toEqual(seqsByKey(evs.map((e) => ({ key: e.vm, value: e.seq * 2 }))));
  });

  it('fails the run with the operator, partition and key when an operator throws', async () => {
    const boom: OperatorDefinition<Record<string, never>, Ev, Ev> = {
      name: 'boom',
      description: 'throws on seq 77',
      configSchema: z.object({}),
      create: () => ({
        open() {},
        process(rec, _ctx, out) {
          if (rec.seq === 77) throw new Error('bad record');
          out.collect(rec);
        },
      }),
    };
    const evs: Ev[] = Array.from({ length: 500 }, (_, i) => ({ vm: `vm-${i % 5}`, tsUs: i, seq: i }));
    const run = runTopology(testPlan([[boom, {}]], 2), { source: arraySource(evs, 50), logger });
    await expect(run).rejects.toThrow(OperatorError);
    await expect(run).rejects.toMatchObject({ operator: 'boom', key: 'vm-2', partition: kafkaPartition('vm-2', 2) });
  });

  it('feeds PacketRecords keyed by vmId from a packet source by default', async () => {
    const seen: string[] = [];
    const probe: OperatorDefinition<Record<string, never>, PacketRecord, PacketRecord> = {
      name: 'packet-probe',
      description: 'checks the record shape',
      configSchema: z.object({}),
      create: () => ({
        open() {},
        process(rec, ctx, out) {
          if (rec.packet.vmId !== ctx.currentKey || rec.iatUs !== 0) throw new Error('bad record');
          seen.push(`${rec.packet.vmId}:${rec.packet.size}`);
          out.collect(rec);
        },
      }),
    };
    const registry = new OperatorRegistry();
    registry.register(probe);
    const packet = (vmId: string, size: number, tsUs: number): PacketEvent => ({
      tsUs, vmId, accountId: 'acc', vnetId: 'vnet', srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2,
      protocol: 6, size, tcpFlags: 0x02, direction: 'EGRESS', fragment: false, payloadLength: 0, payload: Buffer.alloc(0),
    });
    const plan = planTopology({
      name: 'p', source: { kind: 'synthetic' }, partitions: 2, operators: [{ use: 'packet-probe', name: 'packet-probe', config: {} }], sinks: [],
      state: { backend: 'memory', checkpointEveryUs: 1e6 }, runtime: { mailboxCapacity: 16, chunkSize: 4, maxOutOfOrdernessUs: 0 },
    }, { registry });
    const packets = [packet('vm-a', 60, 1), packet('vm-b', 70, 2), packet('vm-a', 80, 3)];
    const source: PacketSource = { description: 'three', stats: () => ({ packets: 3, skipped: {} }), async *batches() { yield packets; } };
    const stats = await runTopology(plan, { source, logger });
    expect(stats.packetsIn).toBe(3);
    expect(seen.filter((s) => s.startsWith('vm-a'))).toEqual(['vm-a:60', 'vm-a:80']);
    expect(seen).toContain('vm-b:70');
  });

  it('writes structured JSON logs (operator lines carry topology, partition, operator) and reports progress', async () => {
    const talker: OperatorDefinition<Record<string, never>, Ev, Ev> = {
      name: 'talker',
      description: 'logs once per key',
      configSchema: z.object({}),
      create: () => ({
        open() {},
        process(rec, ctx, out) {
          if (rec.seq < 2) ctx.log.warn('first records', { seq: rec.seq });
          out.collect(rec);
        },
      }),
    };
    const dest = new MemoryLogDestination();
    const progress: boolean[] = [];
    const evs: Ev[] = Array.from({ length: 50 }, (_, i) => ({ vm: `vm-${i % 2}`, tsUs: i, seq: i }));
    await runTopology(testPlan([[talker, {}]], 2), {
      source: arraySource(evs, 10), logger: createLogger({ level: 'info', destination: dest }), onProgress: (s) => progress.push(s.finished), progressIntervalMs: 0,
    });
    const warn = dest.lines.filter((l) => l.msg === 'first records');
    expect(warn).toHaveLength(2);
    for (const l of warn) expect(l).toMatchObject({ level: 40, topology: 'test', operator: 'talker', partition: expect.any(Number) });
    expect(dest.lines.find((l) => l.msg === 'run finished')).toMatchObject({ topology: 'test', packetsIn: 50 });
    expect(progress[progress.length - 1]).toBe(true);
    expect(progress.length).toBeGreaterThan(1);
  });
});
