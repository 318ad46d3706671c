/**
 * A model directory: model.json + weights.bin (tfjs layers format, via fs-io-handler.ts) and
 * metadata.json (version, feature spec, scaler, hyper-parameters, metrics, data fingerprint).
 * Loading refuses a model whose feature spec differs from the one this build computes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FeatureSpecMismatchError, ModelFormatError } from './errors';
import { FEATURE_COUNT, FEATURE_SPEC, FeatureSpec, TARGET_NAMES } from './features';
import { fsIOHandler, writeFileAtomic } from './fs-io-handler';
import { StandardScaler, ScalerJson } from './scaler';
import type { HyperParams, TrainMetrics, TrainResult } from './train';

export const METADATA_JSON = 'metadata.json';
const FORMAT = 'prescient-lstm';
const FORMAT_VERSION = 1;

export interface ModelMetadata {
  format: typeof FORMAT;
  formatVersion: number;
  /** Names this model everywhere (records' modelVersion, logs): created time + data fingerprint. */
  version: string;
  createdAt: string;
  features: FeatureSpec;
  targets: string[];
  scaler: ScalerJson;
  hyper: HyperParams;
  metrics: TrainMetrics;
  /** sha256 of the training sequences (see train.fingerprintSequences). */
  trainingFingerprint: string;
}

export interface LoadedModel {
  dir: string;
  model: tf.LayersModel;
  metadata: ModelMetadata;
  scaler: StandardScaler;
}

export function modelVersionOf(createdAt: Date, fingerprint: string): string {
  const stamp = createdAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `lstm-${stamp}-${fingerprint.slice(0, 8)}`;
}

/** Saves a training result; metadata is written last so a directory with metadata is complete. */
export async function saveModel(dir: string, result: TrainResult, createdAt: Date = new Date()): Promise<ModelMetadata> {
  fs.mkdirSync(dir, { recursive: true });
  await result.model.save(fsIOHandler(dir));
  const metadata: ModelMetadata = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    version: modelVersionOf(createdAt, result.fingerprint),
    createdAt: createdAt.toISOString(),
    features: { name: FEATURE_SPEC.name, version: FEATURE_SPEC.version, names: [...FEATURE_SPEC.names] },
    targets: [...TARGET_NAMES],
    scaler: result.scaler.toJSON(),
    hyper: result.hyper,
    metrics: result.metrics,
    trainingFingerprint: result.fingerprint,
  };
  writeFileAtomic(path.join(dir, METADATA_JSON), JSON.stringify(metadata, null, 2));
  return metadata;
}

/** Reads and checks metadata.json alone (cheap: used before loading weights, and by hot swap). */
export function readMetadata(dir: string, expected: FeatureSpec = FEATURE_SPEC): ModelMetadata {
  const file = path.join(dir, METADATA_JSON);
  let meta: ModelMetadata;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelMetadata;
  } catch (e) {
    throw new ModelFormatError(file, `cannot read: ${(e as Error).message}`);
  }
  if (meta === null || typeof meta !== 'object' || meta.format !== FORMAT) {
    throw new ModelFormatError(file, `not a ${FORMAT} metadata file`);
  }
  if (meta.formatVersion !== FORMAT_VERSION) {
    throw new ModelFormatError(file, `formatVersion ${String(meta.formatVersion)} is not supported (expected ${FORMAT_VERSION})`);
  }
  const f = meta.features;
  if (f === undefined || !Array.isArray(f.names)) throw new ModelFormatError(file, 'features.names is missing');
  const same = f.name === expected.name && f.version === expected.version && f.names.length === expected.names.length && f.names.every((n, i) => n === expected.names[i]);
  if (!same) throw new FeatureSpecMismatchError(dir, expected, f);
  if (!Array.isArray(meta.targets) || meta.targets.join(',') !== TARGET_NAMES.join(',')) {
    throw new ModelFormatError(file, `targets [${String(meta.targets)}] differ from [${TARGET_NAMES.join(', ')}]`);
  }
  if (typeof meta.version !== 'string' || meta.version.length === 0) throw new ModelFormatError(file, 'version is missing');
  return meta;
}

export async function loadModel(dir: string, expected: FeatureSpec = FEATURE_SPEC): Promise<LoadedModel> {
  const metadata = readMetadata(dir, expected);
  const scaler = StandardScaler.fromJSON(metadata.scaler, path.join(dir, METADATA_JSON), FEATURE_COUNT);
  const model = await tf.loadLayersModel(fsIOHandler(dir));
  return { dir, model, metadata, scaler };
}
