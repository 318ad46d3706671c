/**
 * Where the model committed with the repository lives (models/default/), found from this file's
 * location both under ts-node/jest (models/) and from the compiled tree (dist/models/).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DEFAULT_MODEL_NAME = 'default';

export function defaultModelDir(): string {
  const candidates = [path.resolve(__dirname, 'default'), path.resolve(__dirname, '../../models/default')];
  for (const c of candidates) if (fs.existsSync(path.join(c, 'metadata.json'))) return c;
  return candidates[0];
}

/** `model: default` in a topology means the committed model; anything else is a directory. */
export function resolveModelDir(model: string): string {
  return model === DEFAULT_MODEL_NAME ? defaultModelDir() : path.resolve(model);
}
