/**
 * Training: per-VM feature sequences -> fitted scaler + trained LSTM + validation metrics.
 * Sequences are cut into (seqLen, features) windows; each step's target is the next packet.
 * Validation split is BY TIME within each VM: the last `validationSplit` share of every VM's
 * packets is held out, so validation measures predicting the future of VMs the model knows
 * (what inference does) and no training window overlaps a validation one.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { EmptyTrainingSetError } from './errors';
import { FEATURE_COUNT, REGRESSION_TARGET_COLS, REGRESSION_TARGET_SLOTS, TARGET_COUNT, TGT, VmSequence, writeTargets } from './features';
import { buildLstmModel, FLAG_OUTPUTS, REGRESSION_OUTPUTS } from './lstm';
import { StandardScaler } from './scaler';

export interface TrainProgress {
  epoch: number;
  epochs: number;
  loss: number;
  valLoss: number | null;
  /** Epochs since val loss last improved (early stopping stops at `patience`). */
  stale: number;
}

export interface TrainOptions {
  hidden?: number;
  seqLen?: number;
  /** Window start advances by this many packets (default seqLen / 2: overlapping windows). */
  stride?: number;
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  /** Stop after this many epochs without a val-loss improvement, restoring the best weights. */
  patience?: number;
  learningRate?: number;
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
}

export interface HyperParams {
  hidden: number;
  seqLen: number;
  stride: number;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  patience: number;
  learningRate: number;
}

export interface TrainMetrics {
  trainWindows: number;
  valWindows: number;
  epochsRun: number;
  trainLoss: number;
  /** Null when no VM was long enough to give a validation window. */
  valLoss: number | null;
  /** On the validation windows (the training ones when there are none): */
  sizeMaeLog: number;
  entropyMae: number;
  iatMaeLog: number;
  flagAccuracy: number;
}

export interface TrainResult {
  model: tf.LayersModel;
  scaler: StandardScaler;
  hyper: HyperParams;
  metrics: TrainMetrics;
  fingerprint: string;
}

/** sha256 over the VMs' ids and feature bytes, in vmId order, so a model names the data it saw. */
export function fingerprintSequences(sequences: readonly VmSequence[]): string {
  const h = createHash('sha256');
  const sorted = [...sequences].sort((a, b) => (a.vmId < b.vmId ? -1 : a.vmId > b.vmId ? 1 : 0));
  for (const s of sorted) {
    h.update(s.vmId);
    h.update('\0');
    const bytes = new Uint8Array(s.rows.buffer, s.rows.byteOffset, s.length * FEATURE_COUNT * 4);
    h.update(bytes);
  }
  return h.digest('hex');
}

interface WindowSet {
  x: Float32Array;
  yReg: Float32Array;
  yFlags: Float32Array;
  count: number;
}

/** Window starts within rows [from, to) of one sequence: inputs s..s+L-1, targets from s+1..s+L. */
function windowStarts(from: number, to: number, seqLen: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = from; s + seqLen < to; s += stride) starts.push(s);
  return starts;
}

function buildWindows(
  sequences: readonly VmSequence[],
  ranges: ReadonlyArray<[number, number]>,
  seqLen: number,
  stride: number,
  scaler: StandardScaler,
): WindowSet {
  const plan: Array<[number, number]> = [];
  for (let i = 0; i < sequences.length; i++) {
    for (const s of windowStarts(ranges[i][0], ranges[i][1], seqLen, stride)) plan.push([i, s]);
  }
  const count = plan.length;
  const x = new Float32Array(count * seqLen * FEATURE_COUNT);
  const yReg = new Float32Array(count * seqLen * REGRESSION_OUTPUTS);
  const yFlags = new Float32Array(count * seqLen * FLAG_OUTPUTS);
  const target = new Float32Array(TARGET_COUNT);
  for (let w = 0; w < count; w++) {
    const [seqIdx, start] = plan[w];
    const rows = sequences[seqIdx].rows;
    for (let t = 0; t < seqLen; t++) {
      const src = (start + t) * FEATURE_COUNT;
      const dst = (w * seqLen + t) * FEATURE_COUNT;
      x.set(rows.subarray(src, src + FEATURE_COUNT), dst);
      scaler.transformRow(x, dst);
      writeTargets(rows, start + t, target, 0);
      const step = w * seqLen + t;
      for (let k = 0; k < REGRESSION_OUTPUTS; k++) {
        yReg[step * REGRESSION_OUTPUTS + k] = scaler.scale(REGRESSION_TARGET_COLS[k], target[REGRESSION_TARGET_SLOTS[k]]);
      }
      for (let b = 0; b < FLAG_OUTPUTS; b++) yFlags[step * FLAG_OUTPUTS + b] = target[TGT.flags + b];
    }
  }
  return { x, yReg, yFlags, count };
}

function resolveHyper(o: TrainOptions): HyperParams {
  const seqLen = o.seqLen ?? 32;
  return {
    hidden: o.hidden ?? 64,
    seqLen,
    stride: Math.max(1, o.stride ?? Math.floor(seqLen / 2)),
    epochs: o.epochs ?? 10,
    batchSize: o.batchSize ?? 64,
    validationSplit: o.validationSplit ?? 0.2,
    patience: o.patience ?? 3,
    learningRate: o.learningRate ?? 0.005,
  };
}

export async function trainModel(sequences: readonly VmSequence[], options: TrainOptions = {}): Promise<TrainResult> {
  const hyper = resolveHyper(options);
  const { seqLen, stride } = hyper;
  const usable = sequences.filter((s) => s.length > seqLen);
  if (usable.length === 0) throw new EmptyTrainingSetError(sequences.length, seqLen);

  // The scaler sees only the training part of each VM, so validation is truly unseen.
  const cuts = usable.map((s) => {
    const cut = Math.floor(s.length * (1 - hyper.validationSplit));
    // A VM whose tail is too short for a validation window trains on all its packets.
    return s.length - cut > seqLen ? cut : s.length;
  });
  const scaler = StandardScaler.fit(
    usable.map((s, i) => ({ rows: s.rows, length: cuts[i] })),
    FEATURE_COUNT,
  );
  const train = buildWindows(usable, usable.map((_, i) => [0, cuts[i]] as [number, number]), seqLen, stride, scaler);
  const val = buildWindows(usable, usable.map((s, i) => [cuts[i], s.length] as [number, number]), seqLen, stride, scaler);
  if (train.count === 0) throw new EmptyTrainingSetError(sequences.length, seqLen);

  const model = buildLstmModel({ hidden: hyper.hidden, learningRate: hyper.learningRate, seed: options.seed });
  const toTensors = (w: WindowSet) => ({
    x: tf.tensor3d(w.x, [w.count, seqLen, FEATURE_COUNT]),
    y: [tf.tensor3d(w.yReg, [w.count, seqLen, REGRESSION_OUTPUTS]), tf.tensor3d(w.yFlags, [w.count, seqLen, FLAG_OUTPUTS])],
  });
  const trainT = toTensors(train);
  const valT = val.count > 0 ? toTensors(val) : null;

  let best = Number.POSITIVE_INFINITY;
  let bestWeights: tf.Tensor[] | null = null;
  let stale = 0;
  let epochsRun = 0;
  let lastLoss = Number.NaN;
  try {
    await model.fit(trainT.x, trainT.y, {
      epochs: hyper.epochs,
      batchSize: hyper.batchSize,
      shuffle: true,
      validationData: valT === null ? undefined : [valT.x, valT.y],
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          epochsRun = epoch + 1;
          lastLoss = logs?.loss ?? Number.NaN;
          const valLoss = valT === null ? null : (logs?.val_loss ?? Number.NaN);
          const monitored = valLoss ?? lastLoss;
          if (monitored < best - 1e-6) {
            best = monitored;
            stale = 0;
            if (bestWeights !== null) tf.dispose(bestWeights);
            bestWeights = model.getWeights().map((w) => w.clone());
          } else {
            stale++;
            if (stale >= hyper.patience) model.stopTraining = true;
          }
          options.onProgress?.({ epoch: epoch + 1, epochs: hyper.epochs, loss: lastLoss, valLoss, stale });
        },
      },
    });
    if (bestWeights !== null) model.setWeights(bestWeights);
    const evalSet = valT !== null ? { t: valT, w: val } : { t: trainT, w: train };
    const metrics = evaluate(model, evalSet.t.x, evalSet.w, scaler, seqLen);
    const valLoss = valT === null ? null : best;
    return {
      model,
      scaler,
      hyper,
      fingerprint: fingerprintSequences(usable),
      metrics: { trainWindows: train.count, valWindows: val.count, epochsRun, trainLoss: lastLoss, valLoss, ...metrics },
    };
  } finally {
    if (bestWeights !== null) tf.dispose(bestWeights);
    tf.dispose([trainT.x, ...trainT.y]);
    if (valT !== null) tf.dispose([valT.x, ...valT.y]);
  }
}

/** Errors in natural units (log1p bytes, entropy/8, log1p us) and flag-bit accuracy. */
function evaluate(model: tf.LayersModel, x: tf.Tensor, w: WindowSet, scaler: StandardScaler, seqLen: number) {
  const [reg, flags] = model.predict(x, { batchSize: 256 }) as tf.Tensor[];
  const regData = reg.dataSync();
  const flagData = flags.dataSync();
  tf.dispose([reg, flags]);
  const steps = w.count * seqLen;
  const err = [0, 0, 0];
  let correct = 0;
  for (let s = 0; s < steps; s++) {
    for (let k = 0; k < REGRESSION_OUTPUTS; k++) {
      const col = REGRESSION_TARGET_COLS[k];
      const p = scaler.unscale(col, regData[s * REGRESSION_OUTPUTS + k]);
      const t = scaler.unscale(col, w.yReg[s * REGRESSION_OUTPUTS + k]);
      err[k] += Math.abs(p - t);
    }
    for (let b = 0; b < FLAG_OUTPUTS; b++) {
      const p = flagData[s * FLAG_OUTPUTS + b] >= 0.5 ? 1 : 0;
      if (p === w.yFlags[s * FLAG_OUTPUTS + b]) correct++;
    }
  }
  const n = Math.max(1, steps);
  return { sizeMaeLog: err[0] / n, entropyMae: err[1] / n, iatMaeLog: err[2] / n, flagAccuracy: correct / (n * FLAG_OUTPUTS) };
}
