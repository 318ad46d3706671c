/**
 * Loads deploy/regions/<region>/region.yaml and checks the region's whole configuration before a
 * deploy: the file's shape (region-schema.ts), then what it points at: the topology (validated and
 * matching the region's topic, partitions and state backend), the policy, the model directory and
 * its version, and the region's kustomize overlay when there is one. Every problem is collected and
 * thrown at once as a RegionError naming the region, the file and the path inside it.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { ZodIssue } from 'zod';
import { readMetadata } from '../../models/model-store';
import { resolveModelDir } from '../../models/default-model';
import { loadPolicyFile, PolicyError } from '../../operators/policy';
import { resolvePolicyPath } from '../../operators/policy/load-policy';
import type { OperatorRegistry } from '../../operators/registry';
import { loadTopologyFile } from '../load';
import { formatPath, TopologyError } from '../topology-error';
import type { ValidatedTopology } from '../types';
import { checkOverlay } from './check-overlay';
import { RegionError, type RegionIssue } from './region-error';
import { regionSchema, type RegionConfig } from './region-schema';

export const REGION_FILE = 'region.yaml';

export interface RegionLoadOptions {
  /** Relative paths in region.yaml resolve against this; default: the folder holding package.json above the file, else cwd. */
  rootDir?: string;
  /** Operator registry for the topology; default: operators/ (discovered). */
  registry?: OperatorRegistry;
}

export interface ValidatedRegion {
  config: RegionConfig;
  /** Absolute paths of everything the region was checked against. */
  file: string;
  rootDir: string;
  topologyFile: string;
  topology: ValidatedTopology;
  policyFile: string;
  modelDir: string;
  /** The overlay checked, when the region has one. */
  overlayDir?: string;
}

/** The folder holding package.json at or above `from`, or undefined. */
function packageRootAbove(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** deploy/regions of this project (from the sources or from dist/). */
export function defaultRegionsDir(): string {
  return path.join(packageRootAbove(__dirname) ?? process.cwd(), 'deploy', 'regions');
}

export function regionFilePath(region: string, regionsDir: string = defaultRegionsDir()): string {
  return path.join(regionsDir, region, REGION_FILE);
}

/** Names of the regions in `regionsDir` (folders with a region.yaml), sorted. */
export function listRegions(regionsDir: string = defaultRegionsDir()): string[] {
  if (!existsSync(regionsDir)) return [];
  return readdirSync(regionsDir)
    .filter((d) => statSync(path.join(regionsDir, d)).isDirectory() && existsSync(path.join(regionsDir, d, REGION_FILE)))
    .sort();
}

/** Checks the region `region` in `regionsDir` (default deploy/regions). Throws RegionError. */
export function loadRegion(region: string, regionsDir: string = defaultRegionsDir(), options: RegionLoadOptions = {}): ValidatedRegion {
  return loadRegionFile(regionFilePath(region, regionsDir), { ...options, expectedRegion: region });
}

function lineFinder(doc: Document, lc: LineCounter): (p: ReadonlyArray<string | number>) => number | undefined {
  return (p) => {
    for (let n = p.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

function zodIssue(i: ZodIssue): string {
  if (i.code === 'invalid_type') return i.received === 'undefined' ? `missing field (expected ${i.expected})` : `wrong type: expected ${i.expected}, got ${i.received}`;
  if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.join(', ')}`;
  if (i.code === 'invalid_enum_value') return `expected one of ${i.options.join(', ')}, got ${JSON.stringify(i.received)}`;
  return i.message;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** Checks one region file. `expectedRegion`: the name it was looked up by (its folder), which `region:` must match. */
export function loadRegionFile(file: string, options: RegionLoadOptions & { expectedRegion?: string } = {}): ValidatedRegion {
  const abs = path.resolve(file);
  const fallbackName = options.expectedRegion ?? path.basename(path.dirname(abs));
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new RegionError(fallbackName, abs, [{ path: '', message: `cannot read the region file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new RegionError(fallbackName, abs, doc.errors.map((e) => ({ path: '', line: e.linePos?.[0]?.line, message: `YAML syntax: ${e.message.split('\n')[0]}` })));
  }
  const lineOf = lineFinder(doc, lc);
  const issues: RegionIssue[] = [];
  const add = (p: ReadonlyArray<string | number> | string, message: string): void => {
    const segs = typeof p === 'string' ? (p === '' ? [] : p.split('.')) : p;
    const line = lineOf(segs);
    issues.push(line === undefined ? { path: formatPath(segs), message } : { path: formatPath(segs), line, message });
  };

  const raw: unknown = doc.toJS();
  const parsed = regionSchema.safeParse(raw);
  const name = parsed.success ? parsed.data.region : typeof (raw as { region?: unknown })?.region === 'string' ? String((raw as { region: string }).region) : fallbackName;
  if (options.expectedRegion !== undefined && name !== options.expectedRegion) {
    add('region', `the file is in the folder of region '${options.expectedRegion}' but says region '${name}'`);
  }
  if (!parsed.success) {
    for (const i of parsed.error.issues) add(i.path, zodIssue(i));
    throw new RegionError(name, abs, issues);
  }
  const r = parsed.data;
  const rootDir = path.resolve(options.rootDir ?? packageRootAbove(path.dirname(abs)) ?? process.cwd());
  const resolve = (p: string): string => path.resolve(rootDir, p);

  // Topology: exists, validates, and reads the region's topic with the region's partitions and Redis state.
  const topologyFile = resolve(r.topology);
  let topology: ValidatedTopology | undefined;
  if (!existsSync(topologyFile)) {
    add('topology', `topology file not found: ${topologyFile}`);
  } else {
    try {
      topology = loadTopologyFile(topologyFile, options.registry ? { registry: options.registry } : {});
    } catch (err) {
      if (!(err instanceof TopologyError)) throw err;
      add('topology', `the topology does not validate: ${err.message}`);
    }
  }
  if (topology !== undefined) {
    const src = topology.source;
    if (src.kind !== 'kafka') add('topology', `the topology's source must be kind kafka for a region, got '${src.kind}' (${topologyFile})`);
    else if (src.topic !== r.topics.packets) add('topics.packets', `the topology reads topic '${String(src.topic)}', the region's packets topic is '${r.topics.packets}' (${topologyFile})`);
    if (topology.partitions !== r.partitions) add('partitions', `the topology has ${topology.partitions} partitions, the region ${r.partitions} (${topologyFile})`);
    if (topology.state.backend !== 'redis') add('topology', `the topology's state backend must be redis for a region (workers checkpoint to Redis), got '${topology.state.backend}' (${topologyFile})`);
  }

  // Policy: loads, and is the one the topology's mitigate operators use.
  const policyFile = resolve(r.policy);
  if (!existsSync(policyFile)) {
    add('policy', `policy file not found: ${policyFile}`);
  } else {
    try {
      loadPolicyFile(policyFile);
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      add('policy', `the policy does not validate: ${err.message}`);
    }
    for (const op of topology?.operators ?? []) {
      if (op.name !== 'mitigate') continue;
      const used = (op.config as { policyFile?: string | null }).policyFile;
      if (used === null || used === undefined) add('policy', `the topology's mitigate operator has an inline policy, not ${policyFile}`);
      else {
        let usedAbs: string;
        try {
          usedAbs = resolvePolicyPath(used);
        } catch {
          usedAbs = path.resolve(used);
        }
        if (!sameFile(usedAbs, policyFile)) add('policy', `the topology's mitigate operator uses ${usedAbs}, the region ${policyFile}`);
      }
    }
  }

  // Model: a complete directory (metadata.json written last) of the version the region names.
  const modelDir = resolve(r.model.dir);
  if (!existsSync(modelDir)) {
    add('model.dir', `model directory not found: ${modelDir}`);
  } else {
    try {
      const meta = readMetadata(modelDir);
      if (meta.version !== r.model.version) add('model.version', `the model in ${modelDir} is version '${meta.version}', the region names '${r.model.version}'`);
    } catch (err) {
      add('model.dir', `not a usable model directory: ${(err as Error).message}`);
    }
    for (const op of topology?.operators ?? []) {
      if (op.name !== 'predict') continue;
      const given = String((op.config as { model?: unknown }).model ?? 'default');
      const used = resolveModelDir(given);
      // predict resolves a relative model path against the current directory, as the worker will.
      const hint = given !== 'default' && !path.isAbsolute(given) ? ` (predict's '${given}' is relative to the current directory ${process.cwd()}: run from the project root)` : '';
      if (!sameFile(used, modelDir)) add('model.dir', `the topology's predict operator uses the model in ${used}, the region ${modelDir}${hint}`);
    }
  }

  // Kubernetes overlay: optional, but when present it must agree with this file.
  const overlayDir = resolve(r.k8s?.overlay ?? path.join('deploy', 'k8s', 'overlays', r.region));
  const hasOverlay = existsSync(overlayDir);
  if (!hasOverlay && r.k8s?.overlay !== undefined) add('k8s.overlay', `overlay directory not found: ${overlayDir}`);
  if (hasOverlay) {
    for (const i of checkOverlay(r, overlayDir, { regionFile: abs, topologyFile, policyFile })) add(i.path, i.message);
  }

  if (issues.length > 0) throw new RegionError(r.region, abs, issues);
  const out: ValidatedRegion = { config: r, file: abs, rootDir, topologyFile, topology: topology!, policyFile, modelDir };
  if (hasOverlay) out.overlayDir = overlayDir;
  return out;
}
