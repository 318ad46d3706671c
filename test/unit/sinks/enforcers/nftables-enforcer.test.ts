/**
 * nftables enforcer for real: VMs (namespaces) on a bridge inside a test-only switch netns; TCP works,
 * a drop / isolation stops it, lifting or the kernel timeout brings it back. Needs root, ip, nft, nc.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CommandFailedError, createLinuxEnforcer, VmAddressBook, type LinuxEnforcer, MitigationStateStore } from '../../../../sinks/enforcers';
import { createLab, netnsUnavailable, isEnvironmentLimit, tcpConnects, type Lab } from './netns-lab';
import { decision, memoryLog } from './decision-fixture';

const why = netnsUnavailable();
if (why !== null) {
  // CI must have what this needs; elsewhere say plainly why nothing ran.
  if (process.env.CI === 'true' && !isEnvironmentLimit(why)) it('needs root, ip, nft, tc and netns', () => { throw new Error(`cannot run the netns enforcer tests: ${why}`); });
  else {
    console.warn(`could not run (${why}): the netns enforcer tests need root and network namespaces`);
    it.skip(`netns enforcer tests skipped: ${why}`, () => undefined);
  }
}
const d = why === null ? describe : describe.skip;

d('nftables enforcer in a netns lab', () => {
  let lab: Lab;
  let stateDir: string;
  let enforcer: LinuxEnforcer;
  const log = memoryLog();

  beforeAll(() => {
    lab = createLab('pzn', ['a', 'b', 'c']);
    for (const vm of ['b', 'c']) lab.background(vm, ['nc', '-lk', '8080']);
    stateDir = mkdtempSync(join(tmpdir(), 'pz-nft-'));
    enforcer = createLinuxEnforcer({
      kind: 'nftables', netns: lab.sw, inventory: VmAddressBook.fromInventoryCsv(lab.inventoryCsv, 'lab'),
      stateDir, sweepIntervalMs: 0, log, maxIsolationsPerMinute: 1, allowList: ['10.77.0.3/32'],
      isolateAllow: [{ address: '10.77.0.3', protocol: 6, port: 8080 }],
    });
    // Listeners need a moment.
    for (let i = 0; i < 50 && !tcpConnects(lab, 'a', lab.vms.b.ip, 8080); i++) spawnSync('sleep', ['0.1']);
  });
  afterAll(() => {
    lab?.destroy();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const store = (): MitigationStateStore => new MitigationStateStore(stateDir);

  it('drops all traffic of a VM, leaves its neighbours alone, and lifts', async () => {
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(true);
    const drop = decision('a', 'DROP');
    expect(await enforcer.applyDecision(drop, 'j1')).toBe('applied');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(false);
    expect(tcpConnects(lab, 'c', lab.vms.b.ip, 8080)).toBe(true);
    // A replayed decision is not applied twice.
    expect(await enforcer.applyDecision(drop, 'j1')).toBe('already-applied');
    const rec = store().load().find((r) => r.id === drop.id)!;
    expect(rec).toMatchObject({ status: 'active', applied: 'DROP_VM', netns: lab.sw });
    expect(rec.nft.map((e) => e.set).sort()).toEqual(['drop_ip4', 'drop_mac']);

    expect(await enforcer.applyDecision(decision('a', 'NONE'), 'j2')).toBe('lifted');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(true);
    expect(store().load().find((r) => r.id === drop.id)!.status).toBe('lifted');
  });

  it('drops one flow and not the VM\'s other flows', async () => {
    // The source port is pinned with nc -p; the reverse element (replies) is checked in enforcer-parts.
    const pinned = { srcIp: lab.vms.a.ip, dstIp: lab.vms.b.ip, srcPort: 41001, dstPort: 8080, protocol: 6 };
    await enforcer.applyDecision(decision('a', 'DROP', { flow: pinned }), 'j3');
    const nc = (src: number): boolean => spawnSync('ip', ['netns', 'exec', lab.vms.a.ns, 'nc', '-z', '-w', '1', '-p', String(src), lab.vms.b.ip, '8080']).status === 0;
    expect(nc(41001)).toBe(false);
    expect(nc(41002)).toBe(true);
    expect(tcpConnects(lab, 'a', lab.vms.c.ip, 8080)).toBe(true);
    await enforcer.liftWhere((r) => r.vmId === 'a', 'test');
    expect(nc(41003)).toBe(true);
  });

  it('isolates a VM except its allow-list, refuses past the cap, and expires in the kernel by itself', async () => {
    const iso = decision('a', 'ISOLATE', { ttlSec: 2 });
    expect(await enforcer.applyDecision(iso, 'j4')).toBe('applied');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(false);
    expect(tcpConnects(lab, 'a', lab.vms.c.ip, 8080)).toBe(true);
    expect(tcpConnects(lab, 'b', lab.vms.c.ip, 8080)).toBe(true);

    // Cap is 1 per minute: a second VM's isolation is refused, recorded and logged, and nothing changes.
    expect(await enforcer.applyDecision(decision('b', 'ISOLATE'), 'j5')).toBe('refused');
    expect(tcpConnects(lab, 'b', lab.vms.c.ip, 8080)).toBe(true);
    expect(store().load().find((r) => r.vmId === 'b')).toMatchObject({ status: 'refused', note: expect.stringContaining('isolation cap') });
    expect(log.lines.some((l) => l.level === 'warn' && l.msg === 'mitigation refused' && l.obj.vmId === 'b')).toBe(true);

    // No lift from Prescient: the kernel's element timeout ends the isolation.
    spawnSync('sleep', ['2.5']);
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(true);
    const swept = await enforcer.sweep();
    expect(swept.map((r) => [r.id, r.status])).toEqual([[iso.id, 'expired']]);
  });

  it('never acts on an allow-listed VM', async () => {
    expect(await enforcer.applyDecision(decision('c', 'DROP'), 'j6')).toBe('refused');
    expect(tcpConnects(lab, 'a', lab.vms.c.ip, 8080)).toBe(true);
    expect(store().load().find((r) => r.vmId === 'c')!.note).toMatch(/allow-listed \(10\.77\.0\.3\)/);
  });

  it('maps SCRUB to a drop with a log line, and refuses RATE_LIMIT it cannot do', async () => {
    expect(await enforcer.applyDecision(decision('a', 'SCRUB'), 'j7')).toBe('applied');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(false);
    expect(log.lines.some((l) => l.msg.includes('SCRUB is not implemented'))).toBe(true);
    expect(await enforcer.applyDecision(decision('b', 'RATE_LIMIT'), 'j8')).toBe('refused');
    await enforcer.liftWhere(() => true, 'cleanup');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(true);
  });

  it('only ever creates the bridge prescient table in the switch netns', () => {
    const tables = spawnSync('ip', ['netns', 'exec', lab.sw, 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(tables).toEqual(['table bridge prescient']);
    for (const vm of ['a', 'b', 'c']) {
      expect(spawnSync('ip', ['netns', 'exec', lab.vms[vm].ns, 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout.trim()).toBe('');
    }
  });

  it('re-creates its table when someone deleted it, so the retry of a failed apply succeeds', async () => {
    spawnSync('ip', ['netns', 'exec', lab.sw, 'nft', 'delete', 'table', 'bridge', 'prescient']);
    const drop = decision('a', 'DROP');
    await expect(enforcer.applyDecision(drop, 'j9')).rejects.toThrow(CommandFailedError);
    expect(store().load().find((r) => r.id === drop.id)!.status).toBe('failed');
    expect(await enforcer.applyDecision(drop, 'j9')).toBe('applied');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(false);
    await enforcer.liftWhere(() => true, 'cleanup');
    expect(tcpConnects(lab, 'a', lab.vms.b.ip, 8080)).toBe(true);
  });
});
