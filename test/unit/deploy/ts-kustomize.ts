/**
 * The fallback when no kustomize binary is present: renders an overlay in TS for the subset of
 * kustomize that deploy/k8s uses (resources, namespace, labels, images, replicas, configMapGenerator
 * with literals/files and behavior merge, JSON6902 patches with add/replace/remove), so the same
 * checks run on its output. Generated ConfigMap names carry no content hash here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export type K8sObject = Record<string, any>;

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: Array<{ pairs: Record<string, string>; includeSelectors?: boolean }>;
  images?: Array<{ name: string; newName?: string; newTag?: string }>;
  replicas?: Array<{ name: string; count: number }>;
  configMapGenerator?: Array<{ name: string; behavior?: 'create' | 'merge' | 'replace'; literals?: string[]; files?: string[] }>;
  patches?: Array<{ path: string; target: { kind: string; name: string } }>;
}

export class TsKustomizeError extends Error {
  constructor(readonly dir: string, message: string) {
    super(`${dir}: ${message}`);
    this.name = 'TsKustomizeError';
  }
}

const NAMESPACED_EXEMPT = new Set(['Namespace']);

function readKustomization(dir: string): Kustomization {
  const file = path.join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new TsKustomizeError(dir, 'no kustomization.yaml');
  return parse(readFileSync(file, 'utf8')) as Kustomization;
}

function pointer(p: string): string[] {
  return p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function applyOp(obj: K8sObject, op: { op: string; path: string; value?: unknown }, where: string): void {
  const parts = pointer(op.path);
  const last = parts.pop()!;
  let cur: any = obj;
  for (const p of parts) {
    if (cur === undefined || cur === null || !(p in cur)) throw new TsKustomizeError(where, `patch path ${op.path} does not exist (at '${p}')`);
    cur = cur[p];
  }
  if (op.op === 'replace' || op.op === 'remove') {
    if (!(last in cur)) throw new TsKustomizeError(where, `patch path ${op.path} does not exist`);
  }
  if (op.op === 'remove') {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else if (op.op === 'add' && Array.isArray(cur)) {
    cur.splice(last === '-' ? cur.length : Number(last), 0, op.value);
  } else if (op.op === 'add' || op.op === 'replace') {
    cur[last] = op.value;
  } else {
    throw new TsKustomizeError(where, `unsupported patch op ${op.op}`);
  }
}

/** Renders the kustomization in `dir` (recursively through its resources). */
export function renderKustomization(dir: string): K8sObject[] {
  const k = readKustomization(dir);
  const objects: K8sObject[] = [];
  for (const r of k.resources ?? []) {
    const p = path.resolve(dir, r);
    if (!existsSync(p)) throw new TsKustomizeError(dir, `resource ${r} not found`);
    if (statSync(p).isDirectory()) objects.push(...renderKustomization(p));
    else for (const d of parseAllDocuments(readFileSync(p, 'utf8'))) if (d.contents !== null) objects.push(d.toJS() as K8sObject);
  }
  for (const g of k.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const l of g.literals ?? []) {
      const eq = l.indexOf('=');
      data[l.slice(0, eq)] = l.slice(eq + 1);
    }
    for (const f of g.files ?? []) {
      const eq = f.indexOf('=');
      const key = eq > 0 ? f.slice(0, eq) : path.basename(f);
      const file = path.resolve(dir, eq > 0 ? f.slice(eq + 1) : f);
      if (!existsSync(file)) throw new TsKustomizeError(dir, `configMapGenerator ${g.name}: file ${file} not found`);
      data[key] = readFileSync(file, 'utf8');
    }
    const existing = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === g.name);
    if (g.behavior === 'merge' || g.behavior === 'replace') {
      if (existing === undefined) throw new TsKustomizeError(dir, `configMapGenerator ${g.name}: behavior ${g.behavior} but no base ConfigMap`);
      existing.data = g.behavior === 'merge' ? { ...existing.data, ...data } : data;
    } else {
      if (existing !== undefined) throw new TsKustomizeError(dir, `configMapGenerator ${g.name}: already generated`);
      objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name }, data });
    }
  }
  for (const rep of k.replicas ?? []) {
    const o = objects.find((x) => (x.kind === 'Deployment' || x.kind === 'StatefulSet') && x.metadata?.name === rep.name);
    if (o === undefined) throw new TsKustomizeError(dir, `replicas: no workload ${rep.name}`);
    o.spec.replicas = rep.count;
  }
  for (const patch of k.patches ?? []) {
    const file = path.resolve(dir, patch.path);
    if (!existsSync(file)) throw new TsKustomizeError(dir, `patch ${patch.path} not found`);
    const ops = parse(readFileSync(file, 'utf8')) as Array<{ op: string; path: string; value?: unknown }>;
    const targets = objects.filter((o) => o.kind === patch.target.kind && o.metadata?.name === patch.target.name);
    if (targets.length === 0) throw new TsKustomizeError(dir, `patch ${patch.path}: no ${patch.target.kind} ${patch.target.name}`);
    for (const t of targets) for (const op of ops) applyOp(t, op, `${dir} (${patch.path})`);
  }
  for (const img of k.images ?? []) {
    for (const o of objects) {
      for (const c of o.spec?.template?.spec?.containers ?? []) {
        if (c.image === img.name || String(c.image).startsWith(`${img.name}:`)) c.image = `${img.newName ?? img.name}${img.newTag ? `:${img.newTag}` : ''}`;
      }
    }
  }
  for (const l of k.labels ?? []) {
    for (const o of objects) o.metadata = { ...o.metadata, labels: { ...o.metadata?.labels, ...l.pairs } };
  }
  if (k.namespace !== undefined) for (const o of objects) if (!NAMESPACED_EXEMPT.has(o.kind)) o.metadata = { ...o.metadata, namespace: k.namespace };
  return objects;
}
