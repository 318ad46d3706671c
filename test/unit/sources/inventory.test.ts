import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  Attribution, InventoryParseError, loadInventoryFile, parseInventory, PrivateRangeInventory, type VmResolver,
} from '../../../sources/inventory';
import { parseIpv4, parseIpv6, parseMac, type PacketAddresses } from '../../../sources/net';

const CSV = `# VM inventory for the tests
kind,value,vmId,accountId,vnetId

mac,02:00:0a:00:00:05,vm-web-1,acct-a,vnet-1
ip,10.0.0.5,vm-web-1,acct-a,vnet-1
ip,10.0.0.6,vm-db-1,acct-a,vnet-1
mac,02:00:0A:00:00:06,vm-db-1,acct-a,vnet-1
cidr,10.0.1.0/24,vm-pool-1,acct-b,vnet-2
cidr,10.0.1.128/25,vm-pool-2,acct-b,vnet-2
ip,10.0.1.200,vm-special,acct-b,vnet-2
cidr,10.0.0.0/8,vm-catchall,acct-c,vnet-3
ip,2001:db8::5,vm-v6,acct-d,vnet-6
cidr,fd00:1234::/32,vm-v6-pool,acct-d,vnet-6
cidr,fd00:1234:5678::/48,vm-v6-narrow,acct-d,vnet-6
`;

function pkt(o: { srcIp: string; dstIp: string; srcMac?: string; dstMac?: string }): PacketAddresses {
  const v6 = o.srcIp.includes(':');
  const srcIp6 = new Uint32Array(4);
  const dstIp6 = new Uint32Array(4);
  if (v6) { parseIpv6(o.srcIp, srcIp6); parseIpv6(o.dstIp, dstIp6); }
  return {
    hasSrcMac: o.srcMac !== undefined, hasDstMac: o.dstMac !== undefined,
    srcMac: o.srcMac ? parseMac(o.srcMac) : 0, dstMac: o.dstMac ? parseMac(o.dstMac) : 0,
    ipVersion: v6 ? 6 : 4,
    srcIp4: v6 ? 0 : parseIpv4(o.srcIp), dstIp4: v6 ? 0 : parseIpv4(o.dstIp), srcIp6, dstIp6,
  };
}

function who(inv: VmResolver, p: PacketAddresses): string {
  const a = new Attribution();
  return inv.attribute(p, a) ? `${a.vm.vmId}/${a.direction}` : 'none';
}

describe('inventory file', () => {
  const inv = parseInventory(CSV, 'vms.csv');

  it('reads every kind of entry', () => {
    expect(inv.size).toBe(11);
    expect(inv.description).toBe('inventory vms.csv (11 entries, 9 VMs)');
    expect(inv.lookupMac(parseMac('02:00:0a:00:00:06'))?.vmId).toBe('vm-db-1');
    expect(inv.lookupIpv4(parseIpv4('10.0.0.5'))).toEqual({ vmId: 'vm-web-1', accountId: 'acct-a', vnetId: 'vnet-1' });
  });

  it('matches the longest prefix', () => {
    const vm = (ip: string) => inv.lookupIpv4(parseIpv4(ip))?.vmId;
    expect(vm('10.0.1.7')).toBe('vm-pool-1');
    expect(vm('10.0.1.129')).toBe('vm-pool-2');
    expect(vm('10.0.1.200')).toBe('vm-special');
    expect(vm('10.200.0.1')).toBe('vm-catchall');
    expect(vm('11.0.0.1')).toBeUndefined();
    const w = new Uint32Array(4);
    const vm6 = (ip: string) => (parseIpv6(ip, w), inv.lookupIpv6(w)?.vmId);
    expect(vm6('2001:db8::5')).toBe('vm-v6');
    expect(vm6('2001:db8::6')).toBeUndefined();
    expect(vm6('fd00:1234:5678::1')).toBe('vm-v6-narrow');
    expect(vm6('fd00:1234:9999::1')).toBe('vm-v6-pool');
    expect(vm6('fd00:1235::1')).toBeUndefined();
  });

  it('attributes to the sender first (EGRESS), then to the receiver (INGRESS)', () => {
    expect(who(inv, pkt({ srcIp: '10.0.0.5', dstIp: '8.8.8.8' }))).toBe('vm-web-1/EGRESS');
    expect(who(inv, pkt({ srcIp: '8.8.8.8', dstIp: '10.0.0.5' }))).toBe('vm-web-1/INGRESS');
    expect(who(inv, pkt({ srcIp: '10.0.0.6', dstIp: '10.0.0.5' }))).toBe('vm-db-1/EGRESS');
    expect(who(inv, pkt({ srcIp: '8.8.8.8', dstIp: '9.9.9.9' }))).toBe('none');
    expect(who(inv, pkt({ srcIp: '2001:db8::99', dstIp: 'fd00:1234::1' }))).toBe('vm-v6-pool/INGRESS');
  });

  it('prefers a MAC match over an IP match: a spoofed source IP does not move the packet', () => {
    // vm-web-1's vNIC sends with vm-db-1's IP.
    expect(who(inv, pkt({ srcIp: '10.0.0.6', dstIp: '8.8.8.8', srcMac: '02:00:0a:00:00:05', dstMac: 'aa:aa:aa:aa:aa:aa' }))).toBe('vm-web-1/EGRESS');
    // Ingress: destination MAC beats destination IP.
    expect(who(inv, pkt({ srcIp: '8.8.8.8', dstIp: '10.0.0.5', srcMac: 'aa:aa:aa:aa:aa:aa', dstMac: '02:00:0a:00:00:06' }))).toBe('vm-db-1/INGRESS');
    // Unknown MACs fall back to the IPs.
    expect(who(inv, pkt({ srcIp: '10.0.1.9', dstIp: '8.8.8.8', srcMac: 'aa:aa:aa:aa:aa:aa', dstMac: 'bb:bb:bb:bb:bb:bb' }))).toBe('vm-pool-1/EGRESS');
  });

  describe('errors name the file and line', () => {
    const bad = (line: string, extra = '') => () =>
      parseInventory(`# c\nkind,value,vmId,accountId,vnetId\nip,10.0.0.5,vm-a,acct,vnet\n${extra}${line}\n`, 'bad.csv');

    it.each([
      ['mac,02:00:zz:00:00:05,vm-a,acct,vnet', /^bad\.csv:4: bad MAC '02:00:zz:00:00:05'$/],
      ['ip,10.0.0.256,vm-a,acct,vnet', /^bad\.csv:4: bad IP '10\.0\.0\.256'$/],
      ['ip,2001:db8:::1,vm-a,acct,vnet', /^bad\.csv:4: bad IP/],
      ['cidr,10.0.1.0/33,vm-a,acct,vnet', /^bad\.csv:4: bad CIDR '10\.0\.1\.0\/33': prefix length 33 above 32$/],
      ['cidr,10.0.1.5/24,vm-a,acct,vnet', /^bad\.csv:4: bad CIDR .*host bits set \(did you mean 10\.0\.1\.0\/24\?\)$/],
      ['cidr,10.0.1.0,vm-a,acct,vnet', /^bad\.csv:4: bad CIDR '10\.0\.1\.0': expected address\/prefix-length$/],
      ['ip,10.0.0.9,vm-a,acct', /^bad\.csv:4: wrong column count: 4 \(expected 5\)$/],
      ['ip,10.0.0.5,vm-b,acct,vnet', /^bad\.csv:4: duplicate ip 10\.0\.0\.5: already mapped to vm-a, here to vm-b$/],
      ['host,10.0.0.9,vm-a,acct,vnet', /^bad\.csv:4: unknown kind 'host'/],
      ['ip,10.0.0.9,vm-a,other-acct,vnet', /^bad\.csv:4: VM vm-a is in other-acct\/vnet here but in acct\/vnet on line 3$/],
    ])('%s', (line, message) => {
      let err: unknown;
      try { bad(line)(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(InventoryParseError);
      expect((err as Error).message).toMatch(message);
      expect(err).toMatchObject({ file: 'bad.csv', line: 4 });
    });

    it('counts blank and comment lines in the line number', () => {
      expect(bad('mac,nope,vm-a,acct,vnet', '\n# x\n\n')).toThrow(/^bad\.csv:7: bad MAC 'nope'$/);
    });

    it('the same entry twice for the same VM is fine', () => {
      expect(() => bad('ip,10.0.0.5,vm-a,acct,vnet')()).not.toThrow();
    });

    it('a missing or wrong header is an error', () => {
      expect(() => parseInventory('# only comments\n', 'e.csv')).toThrow(/^e\.csv:0: no header line/);
      expect(() => parseInventory('kind,value,vm,accountId,vnetId\n', 'h.csv')).toThrow(/^h\.csv:1: bad header/);
    });
  });

  it('loads from a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prescient-inv-'));
    try {
      const file = path.join(dir, 'vms.csv');
      writeFileSync(file, CSV.replace(/\n/g, '\r\n'));
      expect(loadInventoryFile(file).size).toBe(11);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('default inventory: each private address is a VM', () => {
  const inv = new PrivateRangeInventory();

  it('a private sender is an EGRESS VM named for its address, in its /24', () => {
    const a = new Attribution();
    expect(inv.attribute(pkt({ srcIp: '172.16.0.5', dstIp: '192.168.50.1' }), a)).toBe(true);
    expect(a.direction).toBe('EGRESS');
    expect(a.vm).toEqual({ vmId: 'vm-172.16.0.5', accountId: 'default', vnetId: '172.16.0.0/24' });
  });

  it('an external sender lands on the private VM it targets; two externals are nobody', () => {
    expect(who(inv, pkt({ srcIp: '130.211.223.103', dstIp: '10.87.1.10' }))).toBe('vm-10.87.1.10/INGRESS');
    expect(who(inv, pkt({ srcIp: '172.32.0.1', dstIp: '192.169.0.1' }))).toBe('none');
    expect(who(inv, pkt({ srcIp: 'fd12::1', dstIp: '2001:db8::1' }))).toBe('vm-fd12::1/EGRESS');
    expect(who(inv, pkt({ srcIp: '2001:db8::1', dstIp: 'fe80::1' }))).toBe('none');
  });

  it('IPv6 VMs get a /64 vnet', () => {
    const a = new Attribution();
    inv.attribute(pkt({ srcIp: 'fd12:3456:789a:1::99', dstIp: '2001:db8::1' }), a);
    expect(a.vm.vnetId).toBe('fd12:3456:789a:1::/64');
  });
});
