/** `prescient mitigations list|lift` on a real state file, lifting real nft elements in a test netns. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mitigationsLift, mitigationsList } from '../../../cli/commands/mitigations';
import { CommandRunner, MitigationStateStore, NftablesActuator, type MitigationRecord } from '../../../sinks/enforcers';
import { netnsUnavailable, isEnvironmentLimit } from '../sinks/enforcers/netns-lab';

const why = netnsUnavailable();
if (why !== null) {
  if (process.env.CI === 'true' && !isEnvironmentLimit(why)) it('needs root, ip, nft, tc and netns', () => { throw new Error(`cannot run the mitigations command tests: ${why}`); });
  else {
    console.warn(`could not run (${why}): the netns enforcer tests need root and network namespaces`);
    it.skip(`mitigations command tests skipped: ${why}`, () => undefined);
  }
}
const d = why === null ? describe : describe.skip;

d('prescient mitigations', () => {
  const ns = `pzm${process.pid % 100000}`;
  let dir: string;
  beforeAll(() => { spawnSync('ip', ['netns', 'add', ns]); });
  afterAll(() => { spawnSync('ip', ['netns', 'del', ns]); });
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'pz-mit-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const record = (id: string, vmId: string, ip: string): MitigationRecord => ({
    id, jobId: id, vmId, requested: 'DROP', applied: 'DROP_VM', enforcer: 'nftables', netns: ns, nft: [{ set: 'drop_ip4', element: ip }], tc: null,
    appliedAtMs: 1_000_000, expiresAtMs: 1_060_000, status: 'active', note: '', endedAtMs: null,
  });

  it('lists active actions, lifts by VM from the kernel, and keeps the ended ones for --all', async () => {
    const nft = new NftablesActuator(new CommandRunner({ netns: ns }));
    await nft.change([{ set: 'drop_ip4', element: '10.1.0.1' }, { set: 'drop_ip4', element: '10.1.0.2' }], 60_000, []);
    const store = new MitigationStateStore(dir);
    store.update((all) => { all.push(record('d1', 'vm1', '10.1.0.1'), record('d2', 'vm2', '10.1.0.2')); });

    const table = mitigationsList({ stateDir: dir }, 1_030_000).split('\n');
    expect(table[0]).toMatch(/^ID\s+VM\s+ACTION\s+STATUS/);
    expect(table[1]).toMatch(/^d1\s+vm1\s+DROP_VM\s+active\s+pzm\d+\s+1 nft elements .* 30s left/);

    expect(await mitigationsLift(undefined, { stateDir: dir, vm: 'vm1' })).toBe('lifted d1 (vm1 DROP_VM)\n');
    expect(await nft.listSet('drop_ip4')).toEqual([expect.stringMatching(/^10\.1\.0\.2 timeout/)]);
    expect(mitigationsList({ stateDir: dir, json: true }).trim().split('\n').map((l) => (JSON.parse(l) as MitigationRecord).id)).toEqual(['d2']);
    expect(mitigationsList({ stateDir: dir, all: true, json: true })).toContain('"status":"lifted"');

    await expect(mitigationsLift('d1', { stateDir: dir })).rejects.toThrow(/no active mitigation 'd1'/);
    await expect(mitigationsLift('d2', { stateDir: dir, all: true })).rejects.toThrow(/exactly one of/);
    expect(await mitigationsLift(undefined, { stateDir: dir, all: true })).toBe('lifted d2 (vm2 DROP_VM)\n');
    expect(await nft.listSet('drop_ip4')).toEqual([]);
  });

  it('says plainly when the state dir has no state', () => {
    expect(() => mitigationsList({ stateDir: dir })).toThrow(/no mitigation state in .* \(is --state-dir the enforcer's\?\)/);
  });
});
