/**
 * Region configuration (topology/region): every shipped region validates, and bad regions are refused
 * with the region, the file and the path inside it.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { isBadInput } from '../../../cli/errors';
import { listRegions, loadRegion, RegionError, type RegionInput } from '../../../topology/region';
import { REGIONS_DIR, REPO } from './deploy-paths';

function thrownRegionError(fn: () => unknown): RegionError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegionError) return err;
    throw err;
  }
  throw new Error('expected a RegionError');
}

/** Copies region `name` to a temp regions dir, changes its region.yaml with `edit`, returns the dir. */
function variant(name: string, edit: (r: RegionInput & Record<string, unknown>) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'prescient-region-'));
  cpSync(path.join(REGIONS_DIR, name), path.join(dir, name), { recursive: true });
  const file = path.join(dir, name, 'region.yaml');
  const r = parse(readFileSync(file, 'utf8')) as RegionInput & Record<string, unknown>;
  edit(r);
  writeFileSync(file, stringify(r));
  return dir;
}

describe('region configs in deploy/regions', () => {
  const regions = listRegions(REGIONS_DIR);

  it('has at least two example regions', () => {
    expect(regions.length).toBeGreaterThanOrEqual(2);
    expect(regions).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1']));
  });

  it.each(listRegions(REGIONS_DIR))('region %s validates with its topology, policy, model and k8s overlay', (name) => {
    const r = loadRegion(name, REGIONS_DIR, { rootDir: REPO });
    expect(r.config.region).toBe(name);
    expect(r.config.workers.replicas).toBeLessThanOrEqual(r.config.partitions);
    expect(r.topology.source.topic).toBe(r.config.topics.packets);
    expect(r.overlayDir).toBe(path.join(REPO, 'deploy', 'k8s', 'overlays', name));
  });
});

describe('bad region configs', () => {
  it('refuses a missing topology file, naming the region and the path', () => {
    const dir = variant('eu-west-1', (r) => { r.topology = 'deploy/regions/eu-west-1/nope.yaml'; });
    const err = thrownRegionError(() => loadRegion('eu-west-1', dir, { rootDir: REPO }));
    expect(isBadInput(err)).toBe(true);
    expect(err.region).toBe('eu-west-1');
    expect(err.file).toBe(path.join(dir, 'eu-west-1', 'region.yaml'));
    const issue = err.issues.find((i) => i.path === 'topology');
    expect(issue?.message).toContain(`topology file not found: ${path.join(REPO, 'deploy/regions/eu-west-1/nope.yaml')}`);
    expect(issue?.line).toBe(2);
    expect(err.message).toContain("invalid region 'eu-west-1'");
    expect(err.message).toContain(`${err.file}:2: topology: topology file not found`);
  });

  it('refuses more replicas than partitions', () => {
    const dir = variant('us-east-1', (r) => { r.workers = { replicas: 9 }; });
    const err = thrownRegionError(() => loadRegion('us-east-1', dir, { rootDir: REPO }));
    expect(err.region).toBe('us-east-1');
    const issue = err.issues.find((i) => i.path === 'workers.replicas');
    expect(issue?.message).toMatch(/replicas \(9\) exceed partitions \(8\)/);
    expect(err.message).toContain(`${err.file}:`);
  });

  it('accepts replicas equal to partitions (the schema alone)', () => {
    // The overlay still says 4 workers, so only the overlay disagrees: replicas == partitions is allowed.
    const dir = variant('us-east-1', (r) => { r.workers = { replicas: 8 }; });
    const err = thrownRegionError(() => loadRegion('us-east-1', dir, { rootDir: REPO }));
    expect(err.issues.filter((i) => /exceed partitions/.test(i.message))).toEqual([]);
    expect(err.issues.find((i) => i.path === 'workers.replicas')?.message).toMatch(/region says 8 workers, the overlay 4/);
  });

  it('refuses tls.required without TLS settings', () => {
    const dir = variant('eu-west-1', (r) => {
      r.tls = { required: true };
      r.redis = { url: 'redis://redis.eu-west-1.prescient.internal:6379' };
    });
    const err = thrownRegionError(() => loadRegion('eu-west-1', dir, { rootDir: REPO }));
    expect(err.region).toBe('eu-west-1');
    expect(err.issues.find((i) => i.path === 'tls.caFile')?.message).toMatch(/tls.required is true/);
    expect(err.issues.find((i) => i.path === 'redis.url')?.message).toMatch(/rediss:\/\//);
  });

  it('refuses topics without the region prefix and a model version that is not in the model dir', () => {
    const dir = variant('eu-west-1', (r) => {
      (r.topics as Record<string, string>).anomalies = 'anomalies';
      (r.model as Record<string, string>).version = 'lstm-19700101T000000Z-00000000';
    });
    const err = thrownRegionError(() => loadRegion('eu-west-1', dir, { rootDir: REPO }));
    expect(err.issues.find((i) => i.path === 'topics.anomalies')?.message).toMatch(/region prefix 'eu-west-1\.'/);
    // The schema failed, so file checks did not run yet: fix the topic and the model check speaks.
    const dir2 = variant('eu-west-1', (r) => { (r.model as Record<string, string>).version = 'lstm-19700101T000000Z-00000000'; });
    const err2 = thrownRegionError(() => loadRegion('eu-west-1', dir2, { rootDir: REPO }));
    expect(err2.issues.find((i) => i.path === 'model.version')?.message).toMatch(/the region names 'lstm-19700101T000000Z-00000000'/);
  });

  it('refuses an overlay that drifted from region.yaml', () => {
    const dir = variant('eu-west-1', (r) => { r.partitions = 16; });
    const err = thrownRegionError(() => loadRegion('eu-west-1', dir, { rootDir: REPO }));
    // The topology and the overlay both still say 12.
    expect(err.issues.find((i) => i.path === 'partitions' && /topology has 12 partitions/.test(i.message))).toBeDefined();
    expect(err.issues.find((i) => i.path === 'partitions' && /PARTITIONS='12'/.test(i.message))?.message).toContain('overlays/eu-west-1/kustomization.yaml');
  });

  it('refuses a region file whose folder names another region, and an unknown region', () => {
    const dir = variant('eu-west-1', (r) => { r.region = 'eu-west-2'; });
    const err = thrownRegionError(() => loadRegion('eu-west-1', dir, { rootDir: REPO }));
    expect(err.issues.some((i) => i.path === 'region' && /folder of region 'eu-west-1'/.test(i.message))).toBe(true);
    const missing = thrownRegionError(() => loadRegion('mars-north-1', dir, { rootDir: REPO }));
    expect(missing.region).toBe('mars-north-1');
    expect(missing.message).toContain(path.join(dir, 'mars-north-1', 'region.yaml'));
  });
});
