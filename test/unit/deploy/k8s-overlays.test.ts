/**
 * Every region overlay in deploy/k8s/overlays renders, and what it renders is deployable: worker
 * probes on the metrics port, replicas <= partitions, topics with the region's prefix, a PDB, the
 * region's files in the ConfigMap where the topology looks for them, Secrets referenced not shipped.
 * Rendered with a real `kustomize build` when a binary is found ($KUSTOMIZE, .deploy-run/bin/kustomize
 * from deploy/k8s/install-kustomize.sh, or PATH); under CI (CI=true) a missing binary fails. Without
 * CI and without the binary the same checks run on a TS rendering of the kustomization files
 * (KUSTOMIZE=none forces that fallback).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadRegion } from '../../../topology/region';
import { renderKustomization, type K8sObject } from './ts-kustomize';
import { OVERLAYS_DIR, REGIONS_DIR, REPO } from './deploy-paths';

function findKustomize(): string | undefined {
  // KUSTOMIZE=none forces the TS fallback (to test it where a binary is installed).
  if (process.env.KUSTOMIZE === 'none') return undefined;
  const candidates = [process.env.KUSTOMIZE, path.join(REPO, '.deploy-run', 'bin', 'kustomize')];
  for (const c of candidates) if (c !== undefined && c !== '' && existsSync(c)) return c;
  try {
    return execFileSync('sh', ['-c', 'command -v kustomize'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const KUSTOMIZE = findKustomize();
const CI = process.env.CI === 'true';
const overlays = readdirSync(OVERLAYS_DIR).filter((d) => existsSync(path.join(OVERLAYS_DIR, d, 'kustomization.yaml'))).sort();

function render(overlay: string): K8sObject[] {
  const dir = path.join(OVERLAYS_DIR, overlay);
  if (KUSTOMIZE === undefined) return renderKustomization(dir);
  // The overlay's ConfigMap is generated from deploy/regions/<region>, outside the overlay's folder.
  const out = execFileSync(KUSTOMIZE, ['build', '--load-restrictor', 'LoadRestrictionsNone', dir], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject).filter((o) => o !== null);
}

function one(objs: K8sObject[], kind: string, name: string): K8sObject {
  const found = objs.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}

/** A generated ConfigMap: `name` plus kustomize's content hash (or none under the TS fallback). */
function configMap(objs: K8sObject[], name: string): K8sObject {
  const found = objs.filter((o) => o.kind === 'ConfigMap' && (o.metadata.name === name || new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name)));
  if (found.length !== 1) throw new Error(`expected one ConfigMap ${name}(-hash), found ${found.length}`);
  return found[0];
}

const mode = KUSTOMIZE !== undefined ? `kustomize build (${KUSTOMIZE})` : 'TS check of the kustomization files (no kustomize binary found)';

describe(`k8s overlays rendered with ${mode}`, () => {
  it('finds a kustomize binary when CI=true (run deploy/k8s/install-kustomize.sh)', () => {
    // Outside CI the fallback is allowed; in CI a missing binary is a failure, not a skip.
    if (CI) expect(KUSTOMIZE).toBeDefined();
    else expect(typeof mode).toBe('string');
  });

  it('has an overlay for every region in deploy/regions and a region for every overlay', () => {
    const regions = readdirSync(REGIONS_DIR).filter((d) => existsSync(path.join(REGIONS_DIR, d, 'region.yaml'))).sort();
    expect(overlays.length).toBeGreaterThanOrEqual(2);
    expect(overlays).toEqual(regions);
  });

  describe.each(overlays)('overlay %s', (name) => {
    let objs: K8sObject[];
    const region = loadRegion(name, REGIONS_DIR, { rootDir: REPO }).config;
    beforeAll(() => {
      objs = render(name);
    });

    it('renders workers with requests, limits, probes on the metrics port, non-root, in the region namespace', () => {
      const w = one(objs, 'Deployment', 'prescient-worker');
      expect(w.metadata.namespace).toBe(region.k8s?.namespace);
      const c = w.spec.template.spec.containers.find((x: K8sObject) => x.name === 'worker');
      expect(c.args.slice(0, 3)).toEqual(['worker', '--region', name]);
      expect(c.args).toContain('--metrics-port');
      expect(c.ports).toContainEqual(expect.objectContaining({ name: 'metrics', containerPort: 9464 }));
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
      for (const k of ['cpu', 'memory']) {
        expect(c.resources.requests[k]).toBeDefined();
        expect(c.resources.limits[k]).toBeDefined();
      }
      expect(w.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      expect(w.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(c.image).toMatch(/^[^:]+\/prescient:[\w.-]+$/);
    });

    it('never runs more worker replicas than partitions, and matches region.yaml', () => {
      const w = one(objs, 'Deployment', 'prescient-worker');
      const cfg = configMap(objs, 'prescient-config').data;
      expect(w.spec.replicas).toBe(region.workers.replicas);
      expect(Number(cfg.PARTITIONS)).toBe(region.partitions);
      expect(w.spec.replicas).toBeLessThanOrEqual(Number(cfg.PARTITIONS));
    });

    it('prefixes every topic with the region, in the ConfigMap and in the packed topology', () => {
      const cfg = configMap(objs, 'prescient-config').data;
      expect(cfg.REGION).toBe(name);
      expect(cfg.TOPIC_PREFIX.startsWith(name)).toBe(true);
      const topicKeys = Object.keys(cfg).filter((k) => k.endsWith('_TOPIC'));
      expect(topicKeys.length).toBeGreaterThanOrEqual(6);
      for (const k of topicKeys) expect(`${k}=${cfg[k]}`).toMatch(new RegExp(`^${k}=${cfg.TOPIC_PREFIX.replace(/[.]/g, '\\.')}`));
      const files = configMap(objs, 'prescient-region-files').data;
      const topology = parse(files['topology.yaml']) as { source: { topic: string }; partitions: number; operators: Array<{ use: string; policy?: string }> };
      expect(topology.source.topic).toBe(cfg.PACKETS_TOPIC);
      expect(topology.partitions).toBe(Number(cfg.PARTITIONS));
      // The topology's policy path is inside the folder the ConfigMap is mounted at.
      const mitigate = topology.operators.find((o) => o.use === 'mitigate');
      expect(mitigate?.policy).toBe(`deploy/regions/${name}/policy.yaml`);
      expect(Object.keys(files).sort()).toEqual(['policy.yaml', 'region.yaml', 'topology.yaml']);
    });

    it('mounts the generated ConfigMaps that exist, where the topology path points', () => {
      const w = one(objs, 'Deployment', 'prescient-worker');
      const spec = w.spec.template.spec;
      const c = spec.containers[0];
      const vol = spec.volumes.find((v: K8sObject) => v.name === 'region-files');
      expect(vol.configMap.name).toBe(configMap(objs, 'prescient-region-files').metadata.name);
      expect(c.volumeMounts.find((m: K8sObject) => m.name === 'region-files').mountPath).toBe(`/app/deploy/regions/${name}`);
      expect(c.envFrom[0].configMapRef.name).toBe(configMap(objs, 'prescient-config').metadata.name);
    });

    it('has a PodDisruptionBudget for the workers and a metrics Service selecting them', () => {
      const w = one(objs, 'Deployment', 'prescient-worker');
      const pdb = one(objs, 'PodDisruptionBudget', 'prescient-worker');
      expect(pdb.spec.maxUnavailable).toBe(1);
      const podLabels = w.spec.template.metadata.labels;
      for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) expect(podLabels[k]).toBe(v);
      const svc = one(objs, 'Service', 'prescient-worker-metrics');
      for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
      expect(svc.spec.ports[0].targetPort).toBe('metrics');
    });

    it('references Kafka SASL/TLS and Redis Secrets without shipping any, and runs the enforcer', () => {
      expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
      const w = one(objs, 'Deployment', 'prescient-worker');
      const refs = JSON.stringify(w.spec.template.spec);
      for (const s of ['prescient-kafka-sasl', 'prescient-kafka-tls', 'prescient-redis']) expect(refs).toContain(s);
      const e = one(objs, 'Deployment', 'prescient-enforcer');
      expect(e.spec.template.spec.containers[0].args[0]).toBe('enforce');
      expect(one(objs, 'ServiceAccount', 'prescient').automountServiceAccountToken).toBe(false);
    });
  });
});
