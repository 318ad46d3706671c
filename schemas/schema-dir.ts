/**
 * Finds the folder holding the .avsc files at run time. The same code runs as schemas/*.ts under
 * ts-jest and as dist/schemas/*.js once compiled, so walk up to the package root instead of
 * trusting a relative path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SchemaLoadError } from './errors';

/** Environment variable that overrides the lookup (e.g. a container that mounts schemas elsewhere). */
export const SCHEMAS_DIR_ENV = 'PRESCIENT_SCHEMAS_DIR';

export function locateSchemaDir(from: string = __dirname): string {
  const override = process.env[SCHEMAS_DIR_ENV];
  if (override) return path.resolve(override);
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      const candidate = path.join(dir, 'schemas');
      if (fs.existsSync(path.join(candidate, 'PacketEvent.avsc'))) return candidate;
      throw new SchemaLoadError(candidate, `no PacketEvent.avsc under the package root found from ${from}`);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new SchemaLoadError(from, 'no package.json above it, cannot locate schemas/');
    dir = parent;
  }
}
