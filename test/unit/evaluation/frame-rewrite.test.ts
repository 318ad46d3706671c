import path from 'node:path';
import { rewriteFrame } from '../../../evaluation';
import { ipv4Offset } from '../../../evaluation/mix';
import { parseIpv4, readCaptureFile } from '../../../sources';

const PCAPS = path.resolve(__dirname, '../../../../shared/data/pcaps');

function sum16(b: Uint8Array, from: number, to: number, start = 0): number {
  let s = start;
  for (let i = from; i < to; i += 2) s += (b[i] << 8) | (i + 1 < to ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** True when the IPv4 header and the TCP/UDP checksum (with its pseudo-header) verify. */
function checksumsOk(f: Uint8Array): { ip: boolean; l4: boolean | null } {
  const ip = ipv4Offset(f, 0, f.length);
  const ihl = (f[ip] & 15) * 4;
  const ipOk = sum16(f, ip, ip + ihl) === 0xffff;
  const proto = f[ip + 9];
  if (proto !== 6 && proto !== 17) return { ip: ipOk, l4: null };
  const totalLen = (f[ip + 2] << 8) | f[ip + 3];
  const l4Len = totalLen - ihl;
  if (ip + totalLen > f.length) return { ip: ipOk, l4: null }; // truncated capture: cannot verify
  let pseudo = sum16(f, ip + 12, ip + 20);
  pseudo += proto + l4Len;
  return { ip: ipOk, l4: sum16(f, ip + ihl, ip + ihl + l4Len, pseudo) === 0xffff };
}

describe('frame address rewrite', () => {
  const attacker = parseIpv4('10.87.1.10');
  const vmIp = parseIpv4('10.0.3.7');
  const vmMac = Uint8Array.from([2, 0, 10, 0, 3, 7]);
  const gw = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]);
  const frames: Uint8Array[] = [];
  beforeAll(() => {
    readCaptureFile(path.join(PCAPS, 'esnet_nmap_80_all.pcap'), (f) => frames.push(Uint8Array.from(f.data)));
  });

  it('rewrites the attacker on either side, with its MAC, and the peer MAC to the gateway', () => {
    let src = 0, dst = 0;
    for (const orig of frames) {
      const f = Uint8Array.from(orig);
      const side = rewriteFrame(f, 0, f.length, { from: attacker, to: vmIp, toMac: vmMac, peerMac: gw });
      const ip = ipv4Offset(f, 0, f.length);
      const at = side === 'src' ? ip + 12 : ip + 16;
      expect(side).not.toBe('none'); // every packet of this capture involves the attacker
      expect(Array.from(f.subarray(at, at + 4))).toEqual([10, 0, 3, 7]);
      expect(Array.from(f.subarray(side === 'src' ? 6 : 0, side === 'src' ? 12 : 6))).toEqual(Array.from(vmMac));
      expect(Array.from(f.subarray(side === 'src' ? 0 : 6, side === 'src' ? 6 : 12))).toEqual(Array.from(gw));
      if (side === 'src') src++; else dst++;
    }
    expect(src).toBe(227);
    expect(dst).toBe(204);
  });

  it('keeps every checksum that verified before verifying after', () => {
    let checked = 0;
    for (const orig of frames) {
      const before = checksumsOk(orig);
      const f = Uint8Array.from(orig);
      rewriteFrame(f, 0, f.length, { from: attacker, to: vmIp, toMac: vmMac, peerMac: null });
      const after = checksumsOk(f);
      expect(after.ip).toBe(true);
      if (before.l4 === true) {
        expect(after.l4).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('leaves a frame without the address alone', () => {
    const f = Uint8Array.from(frames[0]);
    const copy = Uint8Array.from(f);
    expect(rewriteFrame(f, 0, f.length, { from: parseIpv4('192.0.2.1'), to: vmIp, toMac: vmMac, peerMac: gw })).toBe('none');
    expect(f).toEqual(copy);
  });
});
