/**
 * Topologies for bench variants: a file as given, optionally with the `predict` operator's batch
 * size overridden (batch 1 = the unbatched-inference baseline), validated like any topology file.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { repoRoot } from '../../operators/policy/load-policy';
import { parseTopology, type ValidatedTopology } from '../../topology';
import { BenchConfigError } from './bench-errors';

/** A relative topology path is looked up in cwd, then in the repository root. */
export function resolveTopologyPath(file: string): string {
  if (path.isAbsolute(file)) return file;
  const fromCwd = path.resolve(process.cwd(), file);
  if (existsSync(fromCwd)) return fromCwd;
  return path.resolve(repoRoot(), file);
}

/** How a variant changes its topology's `predict`: its batch size, or removed (the model-off baseline). */
export interface PredictOverride {
  predictBatch?: number;
  modelOff?: boolean;
}

export function loadBenchTopology(file: string, override: PredictOverride | undefined, configPath: string, configFile = '<bench config>'): ValidatedTopology {
  const abs = resolveTopologyPath(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new BenchConfigError(configFile, configPath, `cannot read topology ${abs}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const predictBatch = override?.predictBatch;
  const modelOff = override?.modelOff === true;
  if (predictBatch === undefined && !modelOff) return parseTopology(text, abs);
  const doc = parseDocument(text);
  const ops = doc.get('operators', true) as { items?: Array<{ get(k: string): unknown; setIn(p: string[], v: unknown): void }> } | undefined;
  const items = ops?.items ?? [];
  const at = items.findIndex((o) => o.get('use') === 'predict');
  if (at < 0) throw new BenchConfigError(configFile, `${configPath}.${modelOff ? 'modelOff' : 'predictBatch'}`, `topology ${abs} has no predict operator to ${modelOff ? 'remove' : 'set the batch size of'}`);
  if (modelOff) {
    // The same chain without the model: what the model costs is the difference.
    items.splice(at, 1);
    return parseTopology(doc.toString(), `${abs} (without predict)`);
  }
  const predict = items[at];
  predict.setIn(['batch', 'max'], predictBatch);
  // Batch 1 waits for nobody: a wait would only add latency.
  if (predictBatch === 1) predict.setIn(['batch', 'waitUs'], 0);
  return parseTopology(doc.toString(), `${abs} (predict batch ${predictBatch})`);
}
