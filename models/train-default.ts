/**
 * Trains the small default model committed in models/default/ (so `prescient run` predicts out
 * of the box) on attack-free synthetic traffic from sources/synthetic. Deterministic inputs
 * (fixed generator seed); weights vary slightly with the backend.
 *
 *   node dist/models/train-default.js [outDir]
 */
import { SyntheticSource } from '../sources/synthetic';
import { selectBackend } from './backend';
import { defaultModelDir } from './default-model';
import { saveModel, ModelMetadata } from './model-store';
import { collectSequences } from './train-source';
import { trainModel, TrainProgress } from './train';

export interface DefaultModelOptions {
  outDir?: string;
  hidden?: number;
  seqLen?: number;
  epochs?: number;
  vmCount?: number;
  durationSec?: number;
  maxPerVm?: number;
  seed?: number;
  onProgress?: (p: TrainProgress) => void;
}

export async function trainDefaultModel(o: DefaultModelOptions = {}): Promise<ModelMetadata> {
  const source = new SyntheticSource({ seed: o.seed ?? 7, vmCount: o.vmCount ?? 40, durationSec: o.durationSec ?? 120, attacks: [] });
  const sequences = await collectSequences(source, { maxPerVm: o.maxPerVm ?? 3000 });
  await source.close();
  const result = await trainModel(sequences, {
    hidden: o.hidden ?? 32,
    seqLen: o.seqLen ?? 32,
    epochs: o.epochs ?? 20,
    batchSize: 64,
    validationSplit: 0.2,
    patience: 3,
    seed: o.seed ?? 7,
    onProgress: o.onProgress,
  });
  try {
    return await saveModel(o.outDir ?? defaultModelDir(), result);
  } finally {
    result.model.dispose();
  }
}

if (require.main === module) {
  (async () => {
    const backend = await selectBackend('auto');
    console.log(`backend: ${backend}`);
    const t0 = Date.now();
    const meta = await trainDefaultModel({
      outDir: process.argv[2],
      onProgress: (p) => console.log(`epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} val ${p.valLoss?.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`),
    });
    console.log(JSON.stringify({ version: meta.version, metrics: meta.metrics }, null, 2));
  })().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
