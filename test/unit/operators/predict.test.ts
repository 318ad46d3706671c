import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OperatorHarness } from '../../harness/operator-harness';
import { predictOperator, PredictOperator, type LstmState } from '../../../operators/predict';
import { newPacketRecord, type PacketRecord } from '../../../operators/packet-record';
import { selectBackend } from '../../../models/backend';
import { FeatureSpecMismatchError } from '../../../models/errors';
import { decodePrediction, FEATURE_COUNT, TARGET_COUNT, writeRecordFeatures } from '../../../models/features';
import { loadModel, METADATA_JSON, saveModel } from '../../../models/model-store';
import { sharedModelFor } from '../../../models/shared-model';
import { StatefulLstm } from '../../../models/stateful-lstm';
import { trainModel } from '../../../models/train';
import { toyInputs, toySequences } from '../models/toy-sequences';
import { packet, T0 } from './make-packet';

let root: string;
let modelA: string;
let modelB: string;
let versionA: string;
let versionB: string;

beforeAll(async () => {
  await selectBackend('wasm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'prescient-predict-'));
  modelA = path.join(root, 'a');
  modelB = path.join(root, 'b');
  const a = await trainModel(toySequences(3, 100, 1), { hidden: 10, seqLen: 10, epochs: 2, seed: 1 });
  versionA = (await saveModel(modelA, a, new Date('2026-01-01T00:00:00Z'))).version;
  a.model.dispose();
  const b = await trainModel(toySequences(3, 100, 2), { hidden: 6, seqLen: 10, epochs: 1, seed: 2 });
  versionB = (await saveModel(modelB, b, new Date('2026-02-01T00:00:00Z'))).version;
  b.model.dispose();
}, 30000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A VM's toy traffic as annotated records (what window/entropy/baseline would have filled). */
function toyRecords(vmId: string, n: number, seed: number): PacketRecord[] {
  let ts = T0;
  return toyInputs(n, seed).map((f) => {
    ts += Math.round(f.iatUs);
    const r = newPacketRecord(packet({ vmId, tsUs: ts, size: f.size, tcpFlags: f.tcpFlags, protocol: f.protocol, direction: f.direction, srcPort: f.srcPort, dstPort: f.dstPort }));
    r.iatUs = f.iatUs;
    r.entropy = f.entropy;
    if (f.newPeer) r.baseline = { newPeer: 1 } as PacketRecord['baseline'];
    return r;
  });
}

/** Interleaves several VMs' records into one arrival order (round robin). */
function interleave(perVm: PacketRecord[][]): { keys: string[]; records: PacketRecord[] } {
  const keys: string[] = [];
  const records: PacketRecord[] = [];
  const max = Math.max(...perVm.map((l) => l.length));
  for (let i = 0; i < max; i++) for (const l of perVm) if (i < l.length) {
    keys.push(l[i].packet.vmId);
    records.push(l[i]);
  }
  return { keys, records };
}

/** Reference: the model stepped alone per VM, in order; prediction of packet t+1 after packet t. */
async function reference(dir: string, recs: PacketRecord[]): Promise<Array<ReturnType<typeof decodePrediction> | undefined>> {
  const loaded = await loadModel(dir);
  const lstm = new StatefulLstm(loaded.model, loaded.scaler, 'ref', { kernel: 'tfjs' });
  const H = lstm.hidden;
  const h = new Float32Array(H);
  const c = new Float32Array(H);
  const x = new Float32Array(FEATURE_COUNT);
  const out = new Float32Array(TARGET_COUNT);
  const preds: Array<ReturnType<typeof decodePrediction> | undefined> = [undefined];
  for (const r of recs) {
    writeRecordFeatures(x, 0, r);
    lstm.step(1, x, h, c, out);
    preds.push(decodePrediction(out, 0));
  }
  lstm.dispose();
  loaded.model.dispose();
  return preds.slice(0, recs.length);
}

function operatorOf(h: OperatorHarness<PacketRecord, PacketRecord>): PredictOperator {
  return h.task.operators[0] as unknown as PredictOperator;
}

function expectClose(a: ReturnType<typeof decodePrediction> | undefined, b: ReturnType<typeof decodePrediction> | undefined): void {
  if (b === undefined) {
    expect(a).toBeUndefined();
    return;
  }
  expect(a).toBeDefined();
  expect(a!.size).toBeCloseTo(b.size, 2);
  expect(a!.iatUs / Math.max(1, b.iatUs)).toBeCloseTo(1, 3);
  expect(a!.entropy).toBeCloseTo(b.entropy, 3);
  expect(a!.tcpFlags).toBe(b.tcpFlags);
}

describe('predict operator', () => {
  test('refuses a bad config', async () => {
    await expect(OperatorHarness.create(predictOperator, { model: modelA, batch: { max: 0 } })).rejects.toThrow(/batch.max/);
    await expect(OperatorHarness.create(predictOperator, { model: modelA, backend: 'tpu' })).rejects.toThrow(/backend/);
    await expect(OperatorHarness.create(predictOperator, { model: modelA, extra: 1 })).rejects.toThrow(/extra/);
  });

  test('chunks of interleaved VMs get the same predictions as stepping each VM alone', async () => {
    const h = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, { model: modelA, kernel: 'auto', batch: { max: 8, waitUs: 100 } });
    const perVm = [toyRecords('vm-a', 30, 11), toyRecords('vm-b', 25, 12), toyRecords('vm-c', 9, 13)];
    const { keys, records } = interleave(perVm);
    const out: PacketRecord[] = [];
    // Uneven chunks: a chunk holds several packets of the same VM.
    for (let s = 0; s < records.length; s += 17) out.push(...(await h.processBatch(keys.slice(s, s + 17), records.slice(s, s + 17))));
    expect(out).toEqual(records); // same objects, same order
    expect(out.every((r) => r.modelVersion === versionA)).toBe(true);
    for (const vm of perVm) {
      const ref = await reference(modelA, vm);
      vm.forEach((r, i) => expectClose(r.predicted, ref[i]));
    }
    const st = h.state<LstmState>('lstm', 'vm-a')!;
    expect(st.h).toHaveLength(10);
    expect(st.next).toHaveLength(TARGET_COUNT);
    expect(st.v).toBe(versionA);
    expect(JSON.parse(JSON.stringify(st))).toEqual(st); // plain JSON: checkpointable
    expect(h.logs.lines.some((l) => l.msg === 'predict: model loaded' && typeof l.backend === 'string')).toBe(true);
    await h.close();
  });

  test('chunks of two tasks awaiting at the same time are stepped in one shared batch', async () => {
    const dir = path.join(root, 'merge');
    fs.cpSync(modelA, dir, { recursive: true });
    const cfg = { model: dir, kernel: 'js', batch: { max: 1024, waitUs: 20_000 } };
    const t0 = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, cfg, { partition: 0 });
    const t1 = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, cfg, { partition: 1 });
    const a = [toyRecords('vm-1', 1, 1)[0], toyRecords('vm-2', 1, 2)[0]];
    const b = [toyRecords('vm-3', 1, 3)[0], toyRecords('vm-4', 1, 4)[0], toyRecords('vm-5', 1, 5)[0]];
    await Promise.all([t0.processBatch(['vm-1', 'vm-2'], a), t1.processBatch(['vm-3', 'vm-4', 'vm-5'], b)]);
    const stats = (await sharedModelFor(dir)!).current.batcher.stats;
    expect(stats).toEqual({ batches: 1, rows: 5, maxBatchSeen: 5 });
    expect(t0.state<LstmState>('lstm', 'vm-1')).toBeDefined();
    expect(t1.state<LstmState>('lstm', 'vm-5')).toBeDefined();
    expect(t0.state<LstmState>('lstm', 'vm-5')).toBeUndefined();
    await t0.close();
    await t1.close();
  });

  test('per-record process() and processBatch() agree', async () => {
    const h1 = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, { model: modelA, kernel: 'js' });
    const h2 = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, { model: modelA, kernel: 'js' });
    const r1 = toyRecords('vm-x', 15, 5);
    const r2 = toyRecords('vm-x', 15, 5);
    for (const r of r1) h1.process('vm-x', r);
    await h2.processBatch(r2.map(() => 'vm-x'), r2);
    r1.forEach((r, i) => expectClose(r.predicted, r2[i].predicted));
    expect(r1[0].predicted).toBeUndefined();
    await h1.close();
    await h2.close();
  });

  test('reconstructs only packets far from their prediction', async () => {
    const always = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, { model: modelA, reconstructSteps: 4, reconstructThreshold: 1e-9 });
    const recs = toyRecords('vm-r', 10, 3);
    await always.processBatch(recs.map(() => 'vm-r'), recs);
    expect(recs[0].reconstructed).toBeUndefined(); // no prediction yet
    expect(recs.slice(1).every((r) => r.reconstructed?.length === 4)).toBe(true);
    const op = operatorOf(always);
    const state = always.state<LstmState>('lstm', 'vm-r')!;
    const again = op.reconstruct(state, 3);
    expect(again).toHaveLength(3);
    expect(again[0]).toEqual(decodePrediction(state.next, 0));
    await always.close();

    const never = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, { model: modelA, reconstructThreshold: 1e9 });
    const recs2 = toyRecords('vm-r', 10, 3);
    await never.processBatch(recs2.map(() => 'vm-r'), recs2);
    expect(recs2.every((r) => r.reconstructed === undefined)).toBe(true);
    await never.close();
  });

  test('a model trained on other features fails at open with the names', async () => {
    const bad = path.join(root, 'bad');
    fs.cpSync(modelA, bad, { recursive: true });
    const meta = JSON.parse(fs.readFileSync(path.join(bad, METADATA_JSON), 'utf8'));
    meta.features.names[25] = 'ttl';
    fs.writeFileSync(path.join(bad, METADATA_JSON), JSON.stringify(meta));
    const err = await OperatorHarness.create(predictOperator, { model: bad }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/missing \[new_peer\], unexpected \[ttl\]/);
    // The runtime wraps open() errors with the operator's name; the cause is ours, typed.
    expect((err as { cause?: unknown }).cause).toBeInstanceOf(FeatureSpecMismatchError);
  });

  test('hot swap: a failed load keeps the model; a new one is used from the next chunk and resets other-shaped state', async () => {
    const h = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, { model: modelA });
    const op = operatorOf(h);
    const first = toyRecords('vm-s', 6, 9);
    await h.processBatch(first.map(() => 'vm-s'), first);
    expect(h.state<LstmState>('lstm', 'vm-s')!.h).toHaveLength(10);

    await expect(op.swapModel(path.join(root, 'missing'))).rejects.toThrow(/metadata.json/);
    expect(h.logs.lines.some((l) => l.msg === 'predict: model swap failed, keeping the current model')).toBe(true);
    const second = toyRecords('vm-s', 3, 10);
    await h.processBatch(second.map(() => 'vm-s'), second);
    expect(second.every((r) => r.modelVersion === versionA)).toBe(true);

    await expect(op.swapModel(modelB)).resolves.toBe(versionB);
    const third = toyRecords('vm-s', 3, 11);
    await h.processBatch(third.map(() => 'vm-s'), third);
    expect(third.every((r) => r.modelVersion === versionB)).toBe(true);
    expect(third[0].predicted).toBeUndefined(); // memory reset: hidden size 10 -> 6
    expect(h.state<LstmState>('lstm', 'vm-s')!.h).toHaveLength(6);
    expect(h.logs.lines.filter((l) => l.msg === 'predict: LSTM state of another shape reset to zero memory')).toHaveLength(1);
    expect(h.logs.lines.some((l) => l.msg === 'predict: model swapped' && l.to === versionB)).toBe(true);
    await h.close();
    expect(sharedModelFor(modelA)).toBeUndefined(); // last user released it
  });
});
