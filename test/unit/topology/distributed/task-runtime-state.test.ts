import { MemoryTaskState, type StateEntry, type TaskState } from '../../../../state';
import { decodeStateCell, encodeStateCell } from '../../../../state/redis-value-codec';
import { ManualClock, InProcessBroadcastTables, silentLogger, Task } from '../../../../topology';
import { restoreTaskRuntime, saveTaskRuntime, RUNTIME_STATE } from '../../../../topology/distributed/task-runtime-state';
import { testPlan } from '../fixtures/run-helpers';
import { windowCount, type Ev, type WindowResult } from '../fixtures/test-operators';

const plan = testPlan([[windowCount, { sizeUs: 1000 }]], 1);

function task(state: TaskState, out: WindowResult[]): Task {
  return new Task({
    topologyName: 't', partition: 0, chain: plan.chain, state, clock: new ManualClock(0), maxOutOfOrdernessUs: 0,
    outputs: { emit: () => undefined }, repartitions: { send: () => undefined }, broadcasts: new InProcessBroadcastTables(),
    logger: silentLogger(), onOutput: (_k, v) => void out.push(v as WindowResult),
  });
}

function feed(t: Task, evs: Ev[]): void {
  const r = t.runChunk(evs.map((e) => e.vm), evs, evs.map((e) => e.tsUs), evs.length);
  expect(r).toBeUndefined();
}

/** Through the Redis cell encoding, as a checkpoint and a restore on another worker would. */
function viaRedis(entries: StateEntry[]): StateEntry[] {
  return entries.map((e) => {
    const c = decodeStateCell(encodeStateCell(e.value, e.writtenAtMs));
    return { state: e.state, key: e.key, value: c.value };
  });
}

describe('task runtime state (timers and watermarks in checkpoints)', () => {
  const before: Ev[] = [{ tsUs: 100, vm: 'a', seq: 1 }, { tsUs: 1500, vm: 'b', seq: 2 }, { tsUs: 1600, vm: 'b', seq: 3 }];
  // No more packets of b: only its timer (at 2000) closes its window.
  const after: Ev[] = [{ tsUs: 2600, vm: 'a', seq: 4 }];

  test('a task restored from a checkpoint fires the same timers as the one that kept running', async () => {
    const outA: WindowResult[] = [];
    const a = task(new MemoryTaskState(0, 0), outA);
    await a.open();
    feed(a, before);
    saveTaskRuntime(a);
    const entries = viaRedis(a.state.snapshot());
    expect(entries.some((e) => e.state === RUNTIME_STATE)).toBe(true);

    const outB: WindowResult[] = [];
    const stateB = new MemoryTaskState(0, 0);
    stateB.restore(entries);
    const b = task(stateB, outB);
    await b.open();
    expect(restoreTaskRuntime(b)).toBe(1);
    expect(b.watermarkUs).toBe(a.watermarkUs);

    const tail = outA.length;
    feed(a, after);
    feed(b, after);
    expect(outA.slice(tail)).toEqual([{ window: 2000, key: 'b', count: 2, seqs: [2, 3] }]);
    expect(outB).toEqual(outA.slice(tail));
  });

  test('without it, the restored task never closes the window (what the checkpoint prevents)', async () => {
    const a = task(new MemoryTaskState(0, 0), []);
    await a.open();
    feed(a, before);
    const stateB = new MemoryTaskState(0, 0);
    stateB.restore(viaRedis(a.state.snapshot()));
    const outB: WindowResult[] = [];
    const b = task(stateB, outB);
    await b.open();
    expect(restoreTaskRuntime(b)).toBe(0);
    feed(b, after);
    expect(outB).toEqual([]);
  });
});
