import { OperatorHarness, HarnessConfigError } from '../../harness/operator-harness';
import { accountTally, asyncBatch, idleWatch, windowCount, type Ev, type WindowResult } from './fixtures/test-operators';

const ev = (vm: string, tsUs: number, seq: number): Ev => ({ vm, tsUs, seq });

describe('OperatorHarness', () => {
  it('fires event-time timers when the watermark passes them, before the record that moved it', async () => {
    const h = await OperatorHarness.create(windowCount, { sizeUs: 1000 });
    expect(h.process('a', ev('a', 100, 1))).toEqual([]);
    expect(h.process('a', ev('a', 900, 2))).toEqual([]);
    expect(h.state('windows', 'a')).toEqual({ 1000: [1, 2] });
    // ts 1000 moves the watermark to 1000: window [0,1000) closes before record 3 is counted.
    const out = h.process('a', ev('a', 1000, 3)) as WindowResult[];
    expect(out).toEqual([{ window: 1000, key: 'a', count: 2, seqs: [1, 2] }]);
    expect(h.state('windows', 'a')).toEqual({ 2000: [3] });
    expect(h.advanceWatermark(5000)).toEqual([{ window: 2000, key: 'a', count: 1, seqs: [3] }]);
    expect(h.timerCount('event')).toBe(0);
    await h.close();
  });

  it('keeps out-of-order records within the bound in their window', async () => {
    const h = await OperatorHarness.create(windowCount, { sizeUs: 1000 }, { maxOutOfOrdernessUs: 500 });
    h.process('a', ev('a', 900, 1));
    expect(h.process('a', ev('a', 1400, 2))).toEqual([]); // watermark 900
    expect(h.process('a', ev('a', 950, 3))).toEqual([]); // late but within the bound
    const out = h.process('a', ev('a', 1600, 4)); // watermark 1100 closes [0,1000)
    expect(out).toEqual([{ window: 1000, key: 'a', count: 2, seqs: [1, 3] }]);
    expect(h.watermarkUs).toBe(1100);
  });

  it('fires processing-time timers with the manual clock, and expires TTL state', async () => {
    const h = await OperatorHarness.create(idleWatch, { idleUs: 5000, ttlMs: 10 }, { startProcessingTimeUs: 1_000_000 });
    h.process('vm1', ev('vm1', 1, 7));
    expect(h.state('last', 'vm1')).toBe(7);
    expect(h.advanceProcessingTime(1_004_999)).toEqual([]);
    expect(h.advanceProcessingTime(1_005_000)).toEqual(['idle:vm1@1005000']);
    expect(h.sideOutput('alerts')).toEqual([{ key: 'vm1', value: { idleAt: 1_005_000, last: 7 } }]);
    expect(h.state('last', 'vm1')).toBe(7);
    h.advanceProcessingTime(1_010_000); // written at 1000 ms, ttl 10 ms
    expect(h.state('last', 'vm1')).toBeUndefined();
    expect(h.taskState.dirtyEntries()).toContainEqual({ state: 'idle-watch/last', key: 'vm1', value: undefined, deleted: true });
  });

  it('delivers repartitioned values at once, with state scoped to the new key, and exposes broadcast tables', async () => {
    const h = await OperatorHarness.create(accountTally, {});
    for (let i = 0; i < 7; i++) h.process(`vm${i}`, ev(`vm${i}`, i, i));
    expect(h.repartitioned).toHaveLength(7);
    expect(h.state('tally', 'acct-0')).toBe(3);
    expect(h.state('tally', 'acct-1')).toBe(2);
    expect(h.broadcastTable('account-tallies')).toEqual(new Map([['acct-0', 3], ['acct-1', 2], ['acct-2', 2]]));
  });

  it('runs processBatch asynchronously and refuses a bad config', async () => {
    const h = await OperatorHarness.create(asyncBatch, {});
    const out = await h.processBatch(['a', 'b'], [ev('a', 1, 1), ev('b', 2, 5)]);
    expect(out.map((r) => r.seq)).toEqual([2, 10]);
    await expect(OperatorHarness.create(windowCount, { sizeUs: 'big' })).rejects.toThrow(HarnessConfigError);
  });
});
