/**
 * `prescient validate FILE`: checks a topology file (and the policies and operators it names) without running it.
 * `prescient validate --region NAME`: checks a region's whole configuration (deploy/regions/NAME/region.yaml:
 * topology, policy, model, topics, replicas <= partitions, TLS, and its k8s overlay) before a deploy.
 */
import * as path from 'node:path';
import { loadTopologyFile, planTopology } from '../../topology';
import { loadRegion } from '../../topology/region';
import { BadArgumentError } from '../errors';

export function validateCommand(file: string): string {
  const topology = loadTopologyFile(file);
  // Planning instantiates nothing but resolves every operator, so a missing module shows up here too.
  const plan = planTopology(topology);
  return `${file}: ok (topology '${topology.name}', source ${topology.source.kind}, ${plan.partitions} partitions, operators ${topology.operators.map((o) => o.name).join(' -> ')}, sinks ${topology.sinks.map((s) => s.stream).join(', ')})`;
}

/** Throws RegionError (exit 2) listing every problem; returns one summary line when the region is fine. */
export function validateRegionCommand(region: string, regionsDir?: string): string {
  const r = loadRegion(region, regionsDir === undefined ? undefined : path.resolve(regionsDir));
  planTopology(r.topology);
  const c = r.config;
  const rel = (p: string): string => path.relative(r.rootDir, p) || '.';
  return `${c.region}: ok (${rel(r.file)}: topology '${r.topology.name}' reads ${c.topics.packets}, ${c.partitions} partitions, ${c.workers.replicas} workers, ` +
    `model ${c.model.version}, policy ${rel(r.policyFile)}, TLS ${c.tls.required ? 'required' : 'optional'}, ` +
    `${r.overlayDir !== undefined ? `overlay ${rel(r.overlayDir)} agrees` : 'no k8s overlay'})`;
}

/** The `validate` action: exactly one of a topology file or --region. */
export function validateAction(file: string | undefined, o: { region?: string; regionsDir?: string }): string {
  if (file !== undefined && o.region !== undefined) throw new BadArgumentError('validate: give a topology file or --region, not both');
  if (o.region !== undefined) return validateRegionCommand(o.region, o.regionsDir);
  if (file === undefined) throw new BadArgumentError('validate: give a topology file, or --region NAME to check deploy/regions/NAME/region.yaml');
  return validateCommand(file);
}
