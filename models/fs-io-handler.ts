/**
 * A tf.io.IOHandler over node:fs (tfjs' file:// handler lives in tfjs-node, which cannot be
 * installed here). Layout: model.json (topology + weights manifest) and one weights.bin.
 * Loading checks the weights file's size against the manifest so a truncated file fails with
 * its name instead of as garbage weights.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { CorruptWeightsError, ModelFormatError } from './errors';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Writes a file through a temp name and a rename, so a concurrent reader never sees half of it. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export function fsIOHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      fs.mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      const json = JSON.stringify(modelJson);
      writeFileAtomic(path.join(dir, MODEL_JSON), json);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: json.length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonFile = path.join(dir, MODEL_JSON);
      let parsed: {
        modelTopology?: unknown;
        weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
        format?: string;
        generatedBy?: string;
        convertedBy?: string | null;
        trainingConfig?: tf.io.TrainingConfig;
      };
      try {
        parsed = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
      } catch (e) {
        throw new ModelFormatError(jsonFile, `cannot read: ${(e as Error).message}`);
      }
      if (parsed.modelTopology === undefined || !Array.isArray(parsed.weightsManifest)) {
        throw new ModelFormatError(jsonFile, 'expected modelTopology and weightsManifest');
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of parsed.weightsManifest) {
        let expected = 0;
        for (const w of group.weights) {
          const bytes = DTYPE_BYTES[w.dtype];
          if (bytes === undefined) throw new ModelFormatError(jsonFile, `weight ${w.name} has unsupported dtype ${w.dtype}`);
          expected += bytes * w.shape.reduce((a, b) => a * b, 1);
          specs.push(w);
        }
        let actual = 0;
        const groupBuffers: Buffer[] = [];
        for (const p of group.paths) {
          const file = path.join(dir, p);
          let buf: Buffer;
          try {
            buf = fs.readFileSync(file);
          } catch (e) {
            throw new ModelFormatError(file, `cannot read weights: ${(e as Error).message}`);
          }
          actual += buf.length;
          groupBuffers.push(buf);
        }
        if (actual !== expected) throw new CorruptWeightsError(path.join(dir, group.paths.join('+')), expected, actual);
        buffers.push(...groupBuffers);
      }
      const all = Buffer.concat(buffers);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      return {
        modelTopology: parsed.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: specs,
        weightData,
        format: parsed.format,
        generatedBy: parsed.generatedBy,
        convertedBy: parsed.convertedBy,
        trainingConfig: parsed.trainingConfig,
      };
    },
  };
}
