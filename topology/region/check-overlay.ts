/**
 * Checks that a region's kustomize overlay agrees with its region.yaml (worker replicas, namespace,
 * topic names, partitions, the files its ConfigMap is generated from), by reading the overlay's
 * kustomization.yaml: this runs without a kustomize binary, so `prescient validate --region` can
 * refuse a drifted overlay anywhere. The rendered output is checked in test/unit/deploy.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { RegionIssue } from './region-error';
import type { RegionConfig } from './region-schema';

/** Name of the worker Deployment in deploy/k8s/base, and of the ConfigMaps the overlays generate. */
export const WORKER_NAME = 'prescient-worker';
export const CONFIG_MAP = 'prescient-config';
export const FILES_CONFIG_MAP = 'prescient-region-files';

export interface OverlayFiles {
  /** Absolute paths the region uses, compared with what the overlay packs into its ConfigMap. */
  regionFile: string;
  topologyFile: string;
  policyFile: string;
}

interface Generator {
  name?: unknown;
  literals?: unknown;
  files?: unknown;
}

function literalsOf(g: Generator | undefined): Map<string, string> {
  const m = new Map<string, string>();
  if (g === undefined || !Array.isArray(g.literals)) return m;
  for (const l of g.literals) {
    if (typeof l !== 'string') continue;
    const eq = l.indexOf('=');
    if (eq > 0) m.set(l.slice(0, eq), l.slice(eq + 1));
  }
  return m;
}

/** The values the overlay's `prescient-config` literals must carry, by key, with the region.yaml path each comes from. */
function expectedLiterals(r: RegionConfig): Array<[string, string, string]> {
  return [
    ['REGION', r.region, 'region'],
    ['TOPIC_PREFIX', r.topics.prefix, 'topics.prefix'],
    ['PACKETS_TOPIC', r.topics.packets, 'topics.packets'],
    ['ANOMALIES_TOPIC', r.topics.anomalies, 'topics.anomalies'],
    ['MITIGATIONS_TOPIC', r.topics.mitigations, 'topics.mitigations'],
    ['PREDICTIONS_TOPIC', r.topics.predictions, 'topics.predictions'],
    ['FORENSICS_TOPIC', r.topics.forensics, 'topics.forensics'],
    ['DEAD_LETTERS_TOPIC', r.topics.deadLetters, 'topics.deadLetters'],
    ['PARTITIONS', String(r.partitions), 'partitions'],
    ['KAFKA_BROKERS', r.kafka.brokers.join(','), 'kafka.brokers'],
    ['MODEL_VERSION', r.model.version, 'model.version'],
    ['TLS_REQUIRED', String(r.tls.required), 'tls.required'],
  ];
}

/** Problems between the overlay in `overlayDir` and the region; [] when they agree. */
export function checkOverlay(r: RegionConfig, overlayDir: string, files: OverlayFiles): RegionIssue[] {
  const issues: RegionIssue[] = [];
  const kfile = path.join(overlayDir, 'kustomization.yaml');
  if (!existsSync(kfile)) return [{ path: 'k8s.overlay', message: `no kustomization.yaml in the overlay ${overlayDir}` }];
  let k: Record<string, unknown>;
  try {
    const v: unknown = parse(readFileSync(kfile, 'utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return [{ path: 'k8s.overlay', message: `${kfile}: expected a mapping` }];
    k = v as Record<string, unknown>;
  } catch (err) {
    return [{ path: 'k8s.overlay', message: `${kfile}: not valid YAML: ${(err as Error).message.split('\n')[0]}` }];
  }
  const at = (p: string, message: string): void => {
    issues.push({ path: p, message: `${message} (overlay ${kfile})` });
  };

  if (r.k8s !== undefined && k.namespace !== r.k8s.namespace) at('k8s.namespace', `region says namespace '${r.k8s.namespace}', the overlay '${String(k.namespace)}'`);

  const replicas = Array.isArray(k.replicas) ? (k.replicas as Array<{ name?: unknown; count?: unknown }>).find((x) => x?.name === WORKER_NAME) : undefined;
  if (replicas === undefined) at('workers.replicas', `the overlay sets no replicas for ${WORKER_NAME} (expected ${r.workers.replicas})`);
  else if (replicas.count !== r.workers.replicas) at('workers.replicas', `region says ${r.workers.replicas} workers, the overlay ${String(replicas.count)}`);

  const gens = Array.isArray(k.configMapGenerator) ? (k.configMapGenerator as Generator[]) : [];
  const config = gens.find((g) => g?.name === CONFIG_MAP);
  if (config === undefined) {
    at('region', `the overlay generates no ConfigMap ${CONFIG_MAP}`);
  } else {
    const lit = literalsOf(config);
    for (const [key, want, p] of expectedLiterals(r)) {
      const got = lit.get(key);
      if (got === undefined) at(p, `ConfigMap ${CONFIG_MAP} has no ${key} (expected ${want})`);
      else if (got !== want) at(p, `region says '${want}', the overlay's ${CONFIG_MAP} ${key}='${got}'`);
    }
  }

  const fileGen = gens.find((g) => g?.name === FILES_CONFIG_MAP);
  if (fileGen === undefined || !Array.isArray(fileGen.files)) {
    at('topology', `the overlay generates no ConfigMap ${FILES_CONFIG_MAP} from the region's files`);
  } else {
    const byKey = new Map<string, string>();
    for (const f of fileGen.files) {
      if (typeof f !== 'string') continue;
      const eq = f.indexOf('=');
      const key = eq > 0 ? f.slice(0, eq) : path.basename(f);
      byKey.set(key, path.resolve(overlayDir, eq > 0 ? f.slice(eq + 1) : f));
    }
    const want: Array<[string, string, string]> = [
      ['region.yaml', files.regionFile, 'region'],
      ['topology.yaml', files.topologyFile, 'topology'],
      ['policy.yaml', files.policyFile, 'policy'],
    ];
    for (const [key, abs, p] of want) {
      const got = byKey.get(key);
      if (got === undefined) at(p, `ConfigMap ${FILES_CONFIG_MAP} has no ${key} (expected it from ${abs})`);
      else if (path.resolve(got) !== path.resolve(abs)) at(p, `ConfigMap ${FILES_CONFIG_MAP} takes ${key} from ${got}, the region uses ${abs}`);
    }
  }
  return issues;
}
