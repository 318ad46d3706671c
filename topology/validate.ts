/**
 * Validation of a topology object (from YAML or the builder): the file's own shape, then each
 * operator entry by its operator's configSchema. Every problem is collected before anything is
 * reported, so one run of `prescient validate` shows them all.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { ZodIssue } from 'zod';
import { defaultRegistry, isModulePath, OperatorRegistryError, type AnyOperatorDefinition, type OperatorRegistry } from '../operators/registry';
import { formatPath, TopologyError, type TopologyIssue } from './topology-error';
import { SOURCE_KINDS, topologySchema } from './topology-schema';
import type { OperatorSpec, SinkSpec, ValidatedTopology } from './types';

export interface ValidateOptions {
  /** Where operator names are looked up; default: operators/ (discovered) + registerOperator. */
  registry?: OperatorRegistry;
  /** Directory `use: ./path.js` is resolved against; default: the topology file's directory. */
  baseDir?: string;
  /** Maps a path inside the document to its 1-based line (set by parseTopology). */
  lineOf?: (path: ReadonlyArray<string | number>) => number | undefined;
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(root: unknown, p: ReadonlyArray<string | number>): unknown {
  let v = root;
  for (const k of p) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** One zod issue as one or more topology issues (path prefixed with `base`). */
function fromZodIssue(issue: ZodIssue, base: ReadonlyArray<string | number>, root: unknown, opts: ValidateOptions): TopologyIssue[] {
  const full = [...base, ...issue.path];
  const at = (p: ReadonlyArray<string | number>, message: string): TopologyIssue => {
    const line = opts.lineOf?.(p);
    return line === undefined ? { path: formatPath(p), message } : { path: formatPath(p), line, message };
  };
  switch (issue.code) {
    case 'invalid_type':
      if (issue.received === 'undefined') return [at(full, `missing field (expected ${issue.expected})`)];
      return [at(full, `wrong type: expected ${issue.expected}, got ${describeType(valueAt(root, full))}`)];
    case 'unrecognized_keys':
      return issue.keys.map((k) => at([...full, k], `unknown field '${k}'`));
    case 'invalid_union_discriminator':
      return [at(full, `expected one of: ${issue.options.map(String).join(', ')}; got ${describeType(valueAt(root, full))}`)];
    case 'invalid_enum_value':
      return [at(full, `expected one of: ${issue.options.map(String).join(', ')}; got ${describeType(issue.received)}`)];
    case 'invalid_union': {
      const expected = issue.unionErrors.map((e) => e.issues.map((x) => (x.code === 'invalid_type' ? x.expected : x.message)).join(' and ')).join(', or ');
      const got = valueAt(root, full);
      if (got === undefined) return [at(full, `missing field (expected ${expected})`)];
      return [at(full, `expected ${expected}; got ${describeType(got)}`)];
    }
    case 'too_small':
      if (issue.type === 'array' && issue.minimum === 1) return [at(full, issue.message.startsWith('expected') ? issue.message : 'expected at least one entry')];
      return [at(full, `${issue.message} (got ${describeType(valueAt(root, full))})`)];
    default:
      return [at(full, issue.message)];
  }
}

interface ResolvedOperator {
  def: AnyOperatorDefinition;
  modulePath?: string;
}

function resolveOperator(use: string, registry: OperatorRegistry, baseDir: string): ResolvedOperator | string {
  if (isModulePath(use)) {
    const hash = use.lastIndexOf('#');
    const file = hash > 0 ? use.slice(0, hash) : use;
    const abs = path.resolve(baseDir, file);
    if (!existsSync(abs)) return `operator module not found: ${abs} (expected a path relative to the topology file)`;
    const modulePath = hash > 0 ? `${abs}${use.slice(hash)}` : abs;
    try {
      return { def: registry.fromPath(modulePath), modulePath };
    } catch (err) {
      return err instanceof OperatorRegistryError ? err.message : `cannot load ${abs}: ${(err as Error).message}`;
    }
  }
  const def = registry.get(use);
  if (def === undefined) return `unknown operator '${use}' (expected one of: ${registry.names().join(', ') || 'none registered'}, or a ./path to a module)`;
  return { def };
}

/** Validates a topology object; throws TopologyError listing every problem. */
export function validateTopology(obj: unknown, fileName: string, options: ValidateOptions = {}): ValidatedTopology {
  const issues: TopologyIssue[] = [];
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new TopologyError(fileName, [{ path: '', line: options.lineOf?.([]), message: `expected a mapping with name, source, operators; got ${describeType(obj)}` }]);
  }
  const parsed = topologySchema.safeParse(obj);
  if (!parsed.success) for (const i of parsed.error.issues) issues.push(...fromZodIssue(i, [], obj, options));

  // Operators are checked even when the rest failed, so all problems come out at once.
  const entries = (obj as { operators?: unknown }).operators;
  const operators: OperatorSpec[] = [];
  if (Array.isArray(entries)) {
    let registry: OperatorRegistry | undefined;
    try {
      registry = options.registry ?? defaultRegistry();
    } catch (err) {
      issues.push({ path: 'operators', message: `cannot load the operator registry: ${(err as Error).message}` });
    }
    const baseDir = options.baseDir ?? (fileName.startsWith('<') ? process.cwd() : path.dirname(path.resolve(fileName)));
    entries.forEach((entry, i) => {
      if (registry === undefined || typeof entry !== 'object' || entry === null || typeof (entry as { use?: unknown }).use !== 'string') return;
      const { use, ...config } = entry as { use: string } & Record<string, unknown>;
      if (use.length === 0) return;
      const resolved = resolveOperator(use, registry, baseDir);
      if (typeof resolved === 'string') {
        const line = options.lineOf?.(['operators', i, 'use']);
        issues.push(line === undefined ? { path: `operators[${i}].use`, message: resolved } : { path: `operators[${i}].use`, line, message: resolved });
        return;
      }
      const r = resolved.def.configSchema.safeParse(config);
      if (!r.success) {
        for (const zi of r.error.issues) {
          for (const x of fromZodIssue(zi, ['operators', i], obj, options)) issues.push({ ...x, message: `${x.message} (operator '${resolved.def.name}')` });
        }
        return;
      }
      const spec: OperatorSpec = { use, name: resolved.def.name, config: r.data };
      if (resolved.modulePath !== undefined) spec.modulePath = resolved.modulePath;
      operators.push(spec);
    });
  }
  if (issues.length > 0 || !parsed.success) throw new TopologyError(fileName, issues);

  const t = parsed.data;
  const sinks: SinkSpec[] = t.sinks.map((s) => (typeof s === 'string' ? { stream: s, kind: 'default' } : { ...s }));
  const out: ValidatedTopology = {
    name: t.name,
    source: t.source,
    partitions: t.partitions,
    operators,
    sinks,
    state: { backend: t.state.backend, checkpointEveryUs: t.state.checkpointEvery },
    runtime: { mailboxCapacity: t.runtime.mailboxCapacity, chunkSize: t.runtime.chunkSize, maxOutOfOrdernessUs: t.runtime.maxOutOfOrderness },
  };
  if (t.state.url !== undefined) out.state.url = t.state.url;
  if (t.runtime.idleTimeout !== undefined) out.runtime.idleTimeoutUs = t.runtime.idleTimeout;
  return out;
}

export { SOURCE_KINDS };
