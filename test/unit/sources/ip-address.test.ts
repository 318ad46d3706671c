import fc from 'fast-check';
import { isIPv6 } from 'node:net';
import { formatIpv4, formatIpv6, formatMac, parseIpv4, parseIpv6, parseMac } from '../../../sources/net';

/** WHATWG URL parsing canonicalises IPv6 hosts the RFC 5952 way: an independent oracle. */
const canonical = (ip: string): string => new URL(`http://[${ip}]/`).hostname.slice(1, -1);

describe('address text', () => {
  it('IPv4 round-trips and refuses junk', () => {
    expect(parseIpv4('10.0.0.5')).toBe(0x0a000005);
    expect(formatIpv4(0xc0a83201)).toBe('192.168.50.1');
    for (const bad of ['10.0.0', '10.0.0.5.1', '256.0.0.1', '1.2.3.x', '', '1..2.3', ' 1.2.3.4']) expect(parseIpv4(bad)).toBe(-1);
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => parseIpv4(formatIpv4(n)) === n));
  });

  it('IPv6 parses every text form and formats canonically', () => {
    fc.assert(fc.property(fc.ipV6(), (text) => {
      const w = new Uint32Array(4);
      expect(parseIpv6(text, w)).toBe(true);
      expect(formatIpv6(w)).toBe(canonical(text));
    }), { numRuns: 500 });
  });

  it('IPv6 refuses what node refuses', () => {
    const w = new Uint32Array(4);
    for (const bad of ['1:2:3:4:5:6:7', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', '::1.2.3', 'fe80::1%eth0', '12345::1', ':1:2:3:4:5:6:7']) {
      expect([bad, parseIpv6(bad, w)]).toEqual([bad, isIPv6(bad) && !bad.includes('%')]);
    }
  });

  it('MACs', () => {
    expect(parseMac('02:00:0A:00:00:05')).toBe(0x02000a000005);
    expect(parseMac('02-00-0a-00-00-05')).toBe(0x02000a000005);
    expect(parseMac('02:00-0a:00:00:05')).toBe(-1);
    expect(parseMac('02:00:0a:00:00')).toBe(-1);
    expect(formatMac(0x02000a000005)).toBe('02:00:0a:00:00:05');
  });
});
