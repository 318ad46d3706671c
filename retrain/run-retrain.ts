/**
 * One retraining run, without Redis: read the job's source into per-VM sequences, train, save the
 * model under <modelsDir>/<version>. Written to a temporary directory first and renamed, so a
 * listener never sees a half-written version directory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectSequences, saveModel, trainModel, type TrainProgress } from '../models';
import { PcapSource, SyntheticSource, type PacketSource } from '../sources';
import { RetrainError } from './retrain-error';
import type { RetrainJob, RetrainResult } from './retrain-job';

export interface RunRetrainOptions {
  jobId?: string;
  onProgress?: (p: TrainProgress) => void;
}

function openSource(job: RetrainJob, jobId: string | undefined): PacketSource {
  const s = job.source;
  if (s.kind === 'synthetic') return new SyntheticSource({ seed: s.seed, vmCount: s.vms, durationSec: s.durationSec, attacks: [] });
  try {
    return new PcapSource({ path: s.path, inventory: s.inventory });
  } catch (err) {
    throw new RetrainError(`retrain: cannot read source ${s.path}: ${(err as Error).message}`, { jobId, target: job.target, path: s.path });
  }
}

export async function runRetrain(job: RetrainJob, opts: RunRetrainOptions = {}): Promise<RetrainResult> {
  const source = openSource(job, opts.jobId);
  let sequences;
  try {
    sequences = await collectSequences(source, {
      maxPerVm: job.train.maxPerVm,
      maxPackets: job.source.kind === 'pcap' ? job.source.maxPackets : undefined,
    });
  } finally {
    await source.close?.();
  }
  const packets = sequences.reduce((n, s) => n + s.length, 0);
  const t0 = performance.now();
  // EmptyTrainingSetError (models/errors) when the source had no usable packets.
  const result = await trainModel(sequences, {
    hidden: job.train.hidden,
    seqLen: job.train.seqLen,
    epochs: job.train.epochs,
    patience: job.train.patience,
    batchSize: job.train.batchSize,
    seed: job.train.seed,
    validationSplit: 0.2,
    onProgress: opts.onProgress,
  });
  const trainMs = performance.now() - t0;
  fs.mkdirSync(job.modelsDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(job.modelsDir, '.incoming-'));
  try {
    const meta = await saveModel(tmp, result);
    let dir = path.resolve(job.modelsDir, meta.version);
    // Same data in the same second gives the same version: keep both directories.
    if (fs.existsSync(dir)) dir = `${dir}-${opts.jobId ?? Date.now().toString(36)}`;
    fs.renameSync(tmp, dir);
    return { target: job.target, version: meta.version, dir, packets, vms: sequences.length, valLoss: meta.metrics.valLoss, trainMs: Math.round(trainMs) };
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new RetrainError(`retrain: saving the model under ${job.modelsDir} failed: ${(err as Error).message}`, { jobId: opts.jobId, target: job.target, path: job.modelsDir });
  } finally {
    result.model.dispose();
  }
}
