/**
 * Loads a mitigation policy from YAML and validates it; every problem becomes a PolicyIssue with the
 * file, the path inside it, the line and what was expected. A relative path is looked up in the
 * current directory, then in the repository root (the folder holding package.json).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { ZodIssue } from 'zod';
import { PolicyError, type PolicyIssue } from './policy-error';
import { policySchema, toPolicy, type Policy } from './policy-schema';

/** The folder holding package.json above this module (works from operators/ and dist/operators/). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Absolute path of a policy file: as given when absolute, else from cwd, else from the repo root. */
export function resolvePolicyPath(file: string): string {
  if (path.isAbsolute(file)) return file;
  const fromCwd = path.resolve(process.cwd(), file);
  if (existsSync(fromCwd)) return fromCwd;
  const fromRoot = path.resolve(repoRoot(), file);
  if (existsSync(fromRoot)) return fromRoot;
  throw new PolicyError(file, [{ path: '(file)', expected: `a readable policy file; looked in ${fromCwd} and ${fromRoot}` }]);
}

export function formatPath(p: ReadonlyArray<string | number>): string {
  if (p.length === 0) return '(root)';
  let s = '';
  for (const k of p) s += typeof k === 'number' ? `[${k}]` : s === '' ? k : `.${k}`;
  return s;
}

/** Validates an already parsed policy object; `file` names it in errors ('<inline>' for a config object). */
export function validatePolicy(value: unknown, file: string, lineOf?: (p: ReadonlyArray<string | number>) => number | undefined): Policy {
  const r = policySchema.safeParse(value ?? {});
  if (r.success) return toPolicy(r.data);
  throw new PolicyError(file, r.error.issues.map((i) => issueOf(i, lineOf)));
}

function issueOf(i: ZodIssue, lineOf?: (p: ReadonlyArray<string | number>) => number | undefined): PolicyIssue {
  let expected = i.message;
  if (i.code === 'invalid_type') expected = `expected ${i.expected}, got ${i.received}`;
  else if (i.code === 'invalid_enum_value') expected = `expected one of ${i.options.join(', ')}, got ${JSON.stringify(i.received)}`;
  else if (i.code === 'unrecognized_keys') expected = `unknown key(s) ${i.keys.join(', ')}; expected only tiers, scrubWhen, minAnomalies, window, cooldown, hysteresis, expireAfter, allowList, dryRun (or the fields of this entry)`;
  const line = lineOf?.(i.path);
  return line === undefined ? { path: formatPath(i.path), expected } : { path: formatPath(i.path), expected, line };
}

/** Parses and validates policy YAML text. */
export function parsePolicy(text: string, file: string): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new PolicyError(file, doc.errors.map((e) => ({ path: '(yaml)', expected: `valid YAML: ${e.message.split('\n')[0]}`, line: e.linePos?.[0].line })));
  }
  // Line of the deepest node that exists on the path (a missing field points at its parent).
  const lineOf = (p: ReadonlyArray<string | number>): number | undefined => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node !== undefined && node !== null && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return validatePolicy(doc.toJS(), file, lineOf);
}

/** Reads, parses and validates a policy file. */
export function loadPolicyFile(file: string): Policy {
  const abs = resolvePolicyPath(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new PolicyError(abs, [{ path: '(file)', expected: `a readable policy file: ${(e as Error).message}` }]);
  }
  return parsePolicy(text, abs);
}
