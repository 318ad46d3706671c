/** The pure parts of the Linux enforcers: ruleset text, allow-list, isolation cap, inventory, state file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EnforcerConfigError, IsolationRateCap, MitigationStateStore, parseIsolateAllow, SafetyAllowList, VmAddressBook,
} from '../../../../sinks/enforcers';
import { baseRuleset, changeTransaction, flowDropElements, vmDropElements } from '../../../../sinks/enforcers/nft-ruleset';
import type { MitigationRecord } from '../../../../sinks/enforcers';

describe('nft ruleset text', () => {
  it('drops a TCP flow in both directions and a port-less flow by address pair', () => {
    const tcp = flowDropElements({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000, dstPort: 80, protocol: 6 });
    expect(tcp).toEqual([
      { set: 'drop_flow4', element: '10.0.0.1 . 6 . 40000 . 10.0.0.2 . 80' },
      { set: 'drop_flow4', element: '10.0.0.2 . 6 . 80 . 10.0.0.1 . 40000' },
    ]);
    const icmp6 = flowDropElements({ srcIp: 'fd00::1', dstIp: 'fd00::2', srcPort: 0, dstPort: 0, protocol: 58 });
    expect(icmp6.map((e) => e.set)).toEqual(['drop_pair6', 'drop_pair6']);
    expect(() => flowDropElements({ srcIp: '10.0.0.1', dstIp: 'fd00::2', srcPort: 1, dstPort: 2, protocol: 6 })).toThrow(EnforcerConfigError);
  });

  it('renews an element without a gap and never deletes what it adds', () => {
    const a = vmDropElements({ ip4: ['10.0.0.1'], ip6: [], mac: ['02:00:00:00:00:01'] });
    const old = [{ set: 'iso_ip4', element: '10.0.0.1' }, a[0]];
    const tx = changeTransaction(a, 2500, old).trim().split('\n');
    // The old isolation goes; the drop elements are reset then added with their new timeout, in one file.
    expect(tx.filter((l) => l.startsWith('delete')).map((l) => l.split(' ')[4])).toEqual(['iso_ip4', 'drop_mac', 'drop_ip4']);
    expect(tx.slice(-2)).toEqual([
      'add element bridge prescient drop_mac { 02:00:00:00:00:01 timeout 2500ms }',
      'add element bridge prescient drop_ip4 { 10.0.0.1 timeout 2500ms }',
    ]);
  });

  it('lists only prescient-table statements and the isolation allow-list', () => {
    const text = baseRuleset(parseIsolateAllow('udp:53@10.0.0.53,tcp:22@fd00::9'));
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(add|flush) (table|set|chain|rule|element) bridge prescient\b/);
    expect(text).toContain('add element bridge prescient iso_allow4 { 10.0.0.53 . 17 . 53 }');
    expect(text).toContain('add element bridge prescient iso_allow6 { fd00::9 . 6 . 22 }');
    expect(() => parseIsolateAllow('dns@10.0.0.53')).toThrow(/--isolate-allow\[0\].*proto:port@address/);
  });
});

describe('SafetyAllowList', () => {
  const list = new SafetyAllowList(['mgmt-vm', '10.9.0.0/16', 'fd00:9::/32']);
  it('protects listed VM ids and VMs with an address inside a listed CIDR', () => {
    expect(list.protects('mgmt-vm', undefined)).toBe('mgmt-vm');
    expect(list.protects('vm1', { ip4: ['10.9.3.4'], ip6: [], mac: [] })).toBe('10.9.3.4');
    expect(list.protects('vm2', { ip4: ['10.8.3.4'], ip6: ['fd00:9::5'], mac: [] })).toBe('fd00:9::5');
    expect(list.protects('vm3', { ip4: ['10.8.3.4'], ip6: [], mac: [] })).toBeNull();
  });
  it('refuses a malformed CIDR with its position', () => {
    expect(() => SafetyAllowList.parse('a,10.0.0.0/40')).toThrow(/--allow-list\[1\]: bad prefix length/);
  });
});

describe('IsolationRateCap', () => {
  it('allows a burst of perMinute, then one more per 60/perMinute seconds', () => {
    let t = 0;
    const cap = new IsolationRateCap(3, () => t);
    expect([cap.tryTake(), cap.tryTake(), cap.tryTake(), cap.tryTake()]).toEqual([true, true, true, false]);
    t += 19_000;
    expect(cap.tryTake()).toBe(false);
    t += 1_000;
    expect(cap.tryTake()).toBe(true);
    cap.giveBack();
    expect(cap.available()).toBe(1);
  });
});

describe('VmAddressBook', () => {
  it('collects every address of a VM from the inventory CSV', () => {
    const book = VmAddressBook.fromInventoryCsv('kind,value,vmId,accountId,vnetId\nip,10.0.0.1,a,x,y\nmac,02:00:00:00:00:0A,a,x,y\ncidr,fd00::/64,a,x,y\nip,10.0.0.2,b,x,y\n', 'inv.csv');
    expect(book.get('a')).toEqual({ ip4: ['10.0.0.1'], ip6: ['fd00::/64'], mac: ['02:00:00:00:00:0a'] });
    expect(book.get('c')).toBeUndefined();
  });
  it('names the file and line of a bad value', () => {
    expect(() => VmAddressBook.fromInventoryCsv('kind,value,vmId,accountId,vnetId\nip,10.0.0.300,a,x,y\n', 'inv.csv')).toThrow(/inv\.csv:2: bad ip '10\.0\.0\.300'/);
  });
});

describe('MitigationStateStore', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'pz-state-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const rec = (id: string, status: MitigationRecord['status'], endedAtMs: number | null): MitigationRecord => ({
    id, jobId: id, vmId: 'a', requested: 'DROP', applied: 'DROP_VM', enforcer: 'nftables', netns: 'ns', nft: [], tc: null,
    appliedAtMs: 0, expiresAtMs: 1, status, note: '', endedAtMs,
  });

  it('keeps active records and prunes ended ones older than a day', () => {
    let now = 0;
    const store = new MitigationStateStore(dir, () => now);
    store.update((all) => { all.push(rec('x', 'active', null), rec('y', 'lifted', 0)); });
    expect(new MitigationStateStore(dir).load().map((r) => r.id)).toEqual(['x', 'y']);
    now = 25 * 3600_000;
    store.update(() => undefined);
    expect(store.load().map((r) => r.id)).toEqual(['x']);
  });

  it('refuses a file that is not a state file, naming it', () => {
    writeFileSync(join(dir, 'mitigations.json'), '{"nope":1}');
    expect(() => new MitigationStateStore(dir).load()).toThrow(/mitigations\.json: not a Prescient mitigation state file/);
  });
});
