import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../models/backend';
import { CorruptWeightsError, EmptyTrainingSetError, FeatureSpecMismatchError, ModelFormatError } from '../../../models/errors';
import { FEATURE_COUNT, FEATURE_SPEC } from '../../../models/features';
import { loadModel, METADATA_JSON, readMetadata, saveModel } from '../../../models/model-store';
import { fingerprintSequences, TrainProgress, trainModel, TrainResult } from '../../../models/train';
import { toySequences } from './toy-sequences';

let dir: string;
let trained: TrainResult;
const progress: TrainProgress[] = [];

beforeAll(async () => {
  await selectBackend('wasm');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prescient-model-'));
  trained = await trainModel(toySequences(5, 150, 2), {
    hidden: 8, seqLen: 10, epochs: 3, batchSize: 32, validationSplit: 0.25, patience: 5, seed: 11,
    onProgress: (p) => progress.push(p),
  });
}, 30000);

afterAll(() => {
  trained?.model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function copyModel(to: string): string {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(path.join(dir, 'm'))) fs.copyFileSync(path.join(dir, 'm', f), path.join(to, f));
  return to;
}

describe('trainModel', () => {
  test('reports progress per epoch and validation metrics on a time split', () => {
    expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(progress.every((p) => Number.isFinite(p.loss) && p.valLoss !== null && Number.isFinite(p.valLoss))).toBe(true);
    const m = trained.metrics;
    // 5 VMs x 150 packets, cut at 112: train windows start 0,5,..,<102 -> 21 per VM; val rows 112..150 -> 6 per VM
    expect(m.trainWindows).toBe(5 * 21);
    expect(m.valWindows).toBe(5 * 6);
    expect(m.epochsRun).toBe(3);
    expect(m.flagAccuracy).toBeGreaterThan(0.5);
    expect(m.valLoss).toBe(Math.min(...progress.map((p) => p.valLoss!)));
    expect(trained.hyper).toMatchObject({ hidden: 8, seqLen: 10, stride: 5, epochs: 3 });
  });

  test('the loss goes down on the toy process with more epochs', async () => {
    const seen: number[] = [];
    const r = await trainModel(toySequences(3, 100, 4), { hidden: 8, seqLen: 10, epochs: 6, patience: 10, seed: 1, learningRate: 0.02, onProgress: (p) => seen.push(p.loss) });
    r.model.dispose();
    expect(seen[seen.length - 1]).toBeLessThan(seen[0]);
  }, 20000);

  test('early stopping stops after `patience` epochs without improvement', async () => {
    const seen: TrainProgress[] = [];
    // learning rate 0 never improves after the first epoch
    const r = await trainModel(toySequences(2, 60, 4), { hidden: 4, seqLen: 8, epochs: 10, patience: 2, learningRate: 0, onProgress: (p) => seen.push(p) });
    r.model.dispose();
    expect(r.metrics.epochsRun).toBe(3);
    expect(seen[seen.length - 1].stale).toBe(2);
  }, 20000);

  test('an empty training set is a typed error', async () => {
    await expect(trainModel([], { seqLen: 10 })).rejects.toBeInstanceOf(EmptyTrainingSetError);
    await expect(trainModel(toySequences(2, 10, 1), { seqLen: 10 })).rejects.toThrow(/none has more than seqLen=10/);
  });

  test('fingerprint is order-independent and data-sensitive', () => {
    const a = toySequences(3, 20, 1);
    const fp = fingerprintSequences(a);
    expect(fingerprintSequences([...a].reverse())).toBe(fp);
    const b = toySequences(3, 20, 1);
    b[1].rows[5] += 1;
    expect(fingerprintSequences(b)).not.toBe(fp);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('model store', () => {
  test('save then load gives identical predictions and the metadata', async () => {
    const target = path.join(dir, 'm');
    const meta = await saveModel(target, trained, new Date('2026-01-02T03:04:05.678Z'));
    expect(fs.readdirSync(target).sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    expect(meta.version).toBe(`lstm-20260102T030405Z-${trained.fingerprint.slice(0, 8)}`);
    const loaded = await loadModel(target);
    expect(loaded.metadata.features.names).toEqual(FEATURE_SPEC.names);
    expect(loaded.metadata.trainingFingerprint).toBe(trained.fingerprint);
    expect(loaded.metadata.metrics.valWindows).toBe(trained.metrics.valWindows);
    expect(Array.from(loaded.scaler.mean)).toEqual(Array.from(trained.scaler.mean));
    const x = tf.randomNormal([2, 7, FEATURE_COUNT], 0, 1, 'float32', 5);
    const a = trained.model.predict(x) as tf.Tensor[];
    const b = loaded.model.predict(x) as tf.Tensor[];
    expect(Array.from(b[0].dataSync())).toEqual(Array.from(a[0].dataSync()));
    expect(Array.from(b[1].dataSync())).toEqual(Array.from(a[1].dataSync()));
    tf.dispose([x, ...a, ...b]);
    loaded.model.dispose();
  });

  test('a truncated weights file names the file and both sizes', async () => {
    const bad = copyModel(path.join(dir, 'truncated'));
    const w = path.join(bad, 'weights.bin');
    const size = fs.statSync(w).size;
    fs.truncateSync(w, size - 10);
    const err = await loadModel(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptWeightsError);
    expect((err as Error).message).toContain(w);
    expect((err as Error).message).toContain(`${size - 10} bytes but model.json expects ${size}`);
  });

  test('metadata with other features names which ones differ', () => {
    const bad = copyModel(path.join(dir, 'features'));
    const file = path.join(bad, METADATA_JSON);
    const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
    meta.features.names = meta.features.names.filter((n: string) => n !== 'new_peer').concat(['ttl']);
    fs.writeFileSync(file, JSON.stringify(meta));
    expect(() => readMetadata(bad)).toThrow(FeatureSpecMismatchError);
    expect(() => readMetadata(bad)).toThrow(/missing \[new_peer\], unexpected \[ttl\]/);
  });

  test('a missing or foreign metadata file is a format error naming the file', () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect(() => readMetadata(empty)).toThrow(ModelFormatError);
    fs.writeFileSync(path.join(empty, METADATA_JSON), '{"format":"other"}');
    expect(() => readMetadata(empty)).toThrow(new RegExp(`${path.join(empty, METADATA_JSON)}.*not a prescient-lstm`));
  });
});
