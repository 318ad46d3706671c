/**
 * tc rate limit for real: iperf3 through the limited VM's bridge port drops to about N kbit/s in both
 * directions and recovers when lifted; a limit left behind by a dead process expires via its watchdog.
 * Needs root, ip, tc, bridge, iperf3.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createLinuxEnforcer, MitigationStateStore, VmAddressBook, type LinuxEnforcer } from '../../../../sinks/enforcers';
import { createLab, netnsUnavailable, isEnvironmentLimit, tcpConnects, throughputKbps, type Lab } from './netns-lab';
import { decision, memoryLog } from './decision-fixture';

const why = netnsUnavailable();
if (why !== null) {
  if (process.env.CI === 'true' && !isEnvironmentLimit(why)) it('needs root, ip, nft, tc and netns', () => { throw new Error(`cannot run the netns enforcer tests: ${why}`); });
  else {
    console.warn(`could not run (${why}): the netns enforcer tests need root and network namespaces`);
    it.skip(`netns enforcer tests skipped: ${why}`, () => undefined);
  }
}
const d = why === null ? describe : describe.skip;

const qdiscs = (lab: Lab, port: string): string => spawnSync('ip', ['netns', 'exec', lab.sw, 'tc', 'qdisc', 'show', 'dev', port], { encoding: 'utf8' }).stdout;

d('tc and linux enforcers in a netns lab', () => {
  let lab: Lab;
  let stateDir: string;
  let enforcer: LinuxEnforcer;

  beforeAll(() => {
    lab = createLab('pzt', ['a', 'b']);
    stateDir = mkdtempSync(join(tmpdir(), 'pz-tc-'));
    enforcer = createLinuxEnforcer({
      kind: 'linux', netns: lab.sw, inventory: VmAddressBook.fromInventoryCsv(lab.inventoryCsv, 'lab'), stateDir, sweepIntervalMs: 0, log: memoryLog(),
    });
    lab.background('b', ['nc', '-lk', '8080']);
    // The bridge learns a's MAC (how the enforcer finds its port) from its first frame.
    for (let i = 0; i < 50 && !tcpConnects(lab, 'a', lab.vms.b.ip, 8080); i++) spawnSync('sleep', ['0.1']);
  });
  afterAll(() => {
    lab?.destroy();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('limits a VM to about N kbit/s both ways, and recovers when lifted', async () => {
    const N = 2000;
    const before = throughputKbps(lab, 'a', 'b', 1);
    expect(before).toBeGreaterThan(20 * N);

    const limit = decision('a', 'RATE_LIMIT', { rateKbps: N });
    expect(await enforcer.applyDecision(limit, 'j1')).toBe('applied');
    const rec = new MitigationStateStore(stateDir).load().find((r) => r.id === limit.id)!;
    expect(rec.tc).toMatchObject({ port: lab.vms.a.port, kbps: N });
    const up = throughputKbps(lab, 'a', 'b', 2);
    const down = throughputKbps(lab, 'a', 'b', 2, true);
    // Wide tolerance: a 2 s TCP transfer on a shared 2-core machine.
    expect(up).toBeGreaterThan(0.4 * N);
    expect(up).toBeLessThan(1.6 * N);
    expect(down).toBeGreaterThan(0.4 * N);
    expect(down).toBeLessThan(1.6 * N);

    const watchdog = rec.tc!.watchdogPid!;
    expect(existsSync(`/proc/${watchdog}`)).toBe(true);
    expect(await enforcer.applyDecision(decision('a', 'NONE'), 'j2')).toBe('lifted');
    expect(qdiscs(lab, lab.vms.a.port)).not.toContain('7e57:');
    expect(throughputKbps(lab, 'a', 'b', 1)).toBeGreaterThan(10 * N);
    spawnSync('sleep', ['0.2']);
    expect(existsSync(`/proc/${watchdog}`)).toBe(false);
  });

  it('escalates from a rate limit to a drop: the drop is in place and the tc limit gone', async () => {
    await enforcer.applyDecision(decision('a', 'RATE_LIMIT', { rateKbps: 500 }), 'j3');
    expect(qdiscs(lab, lab.vms.a.port)).toContain('tbf 7e57:');
    expect(await enforcer.applyDecision(decision('a', 'DROP'), 'j4')).toBe('applied');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(false);
    expect(qdiscs(lab, lab.vms.a.port)).not.toContain('7e57:');
    const statuses = new MitigationStateStore(stateDir).load().filter((r) => r.vmId === 'a').map((r) => [r.applied, r.status]);
    expect(statuses.slice(-2)).toEqual([['RATE_LIMIT', 'superseded'], ['DROP_VM', 'active']]);
    await enforcer.liftWhere(() => true, 'cleanup');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(true);
  });

  it('a limit whose enforcer died is removed at expiry by its watchdog', async () => {
    await enforcer.applyDecision(decision('a', 'RATE_LIMIT', { rateKbps: 500, ttlSec: 1 }), 'j5');
    expect(qdiscs(lab, lab.vms.a.port)).toContain('tbf 7e57:');
    // No sweep and no lift from this process: only the detached watchdog can remove it.
    for (let i = 0; i < 40 && qdiscs(lab, lab.vms.a.port).includes('7e57:'); i++) spawnSync('sleep', ['0.1']);
    expect(qdiscs(lab, lab.vms.a.port)).not.toContain('7e57:');
    const swept = await enforcer.sweep();
    expect(swept.map((r) => r.status)).toEqual(['expired']);
  });

  it('names a port that does not exist', async () => {
    const e2 = createLinuxEnforcer({
      kind: 'tc', netns: lab.sw, inventory: VmAddressBook.fromInventoryCsv(lab.inventoryCsv, 'lab'), stateDir, sweepIntervalMs: 0,
      log: memoryLog(), vmPorts: new Map([['a', 'nope0']]),
    });
    await expect(e2.applyDecision(decision('a', 'RATE_LIMIT'), 'j6')).rejects.toThrow(`interface 'nope0' (port of VM a) does not exist in netns '${lab.sw}'`);
    expect(new MitigationStateStore(stateDir).load().at(-1)).toMatchObject({ status: 'failed', vmId: 'a' });
  });
});
