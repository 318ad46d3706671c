/**
 * Finds state/lua/*.lua at run time: next to this file when run from source (ts-jest, ts-node),
 * or in the package's state/lua when run from dist/ (tsc does not copy .lua files).
 */
import * as fs from 'fs';
import * as path from 'path';

export function readLuaScript(name: string): string {
  const tried: string[] = [];
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    for (const candidate of [path.join(dir, 'lua', name), path.join(dir, 'state', 'lua', name)]) {
      tried.push(candidate);
      if (fs.existsSync(candidate)) return fs.readFileSync(candidate, 'utf8');
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`Lua script ${name} not found (looked in ${tried.join(', ')})`);
}
