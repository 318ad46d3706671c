/**
 * Frames rebuilt from stored PacketEvents (TCP with options, UDP, ICMP, IPv6, ICMPv6, fragments,
 * a payload longer than its sample) re-read through the pcap reader and the decoder to the same fields.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPcap, buildFrame, FrameBuildError } from '../../../../sinks/forensic-store';
import { FrameDecodeContext, decodeFrameToPacketEvent, readCaptureFile } from '../../../../sources';
import type { PacketEvent } from '../../../../schemas/types';
import { forensic, packetEvent, T0 } from './make-record';

const payload = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));

const CASES: Array<[string, Partial<PacketEvent>]> = [
  ['TCP SYN, 20-byte header', { size: 54, tcpFlags: 0x02 }],
  ['TCP with 12 bytes of options and a sampled payload', { size: 14 + 20 + 32 + 1400, tcpFlags: 0x18, payloadLength: 1400, payload: payload(64) }],
  ['UDP DNS', { protocol: 17, srcPort: 53000, dstPort: 53, size: 14 + 20 + 8 + 40, tcpFlags: 0, payloadLength: 40, payload: payload(40) }],
  ['UDP in a padded 60-byte frame', { protocol: 17, srcPort: 5000, dstPort: 5001, size: 60, tcpFlags: 0, payloadLength: 2, payload: payload(2) }],
  ['ICMP echo', { protocol: 1, srcPort: 0, dstPort: 0, size: 14 + 20 + 8 + 56, tcpFlags: 0, payloadLength: 56, payload: payload(56) }],
  ['IPv6 TCP', { srcIp: 'fd00:1::5', dstIp: '2001:db8::9', size: 14 + 40 + 20 + 100, tcpFlags: 0x10, payloadLength: 100, payload: payload(64) }],
  ['ICMPv6', { srcIp: 'fe80::1', dstIp: 'ff02::1', protocol: 58, srcPort: 0, dstPort: 0, size: 14 + 40 + 8 + 16, tcpFlags: 0, payloadLength: 16, payload: payload(16) }],
  ['a non-first IPv4 fragment', { protocol: 17, srcPort: 0, dstPort: 0, fragment: true, size: 14 + 20 + 500, tcpFlags: 0, payloadLength: 500, payload: payload(64) }],
];

describe('pcap export of stored packets', () => {
  it('re-reads every kind of packet to the same 5-tuple, size, flags, fragment bit and payload', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'prescient-frame-')), 'x.pcap');
    const recs = CASES.map(([, over], i) => {
      const r = forensic(T0 + i * 1000);
      r.anomaly.actual = packetEvent({ tsUs: T0 + i * 1000, payload: Buffer.alloc(0), payloadLength: 0, ...over });
      return r;
    });
    expect(exportPcap(recs, file)).toBe(CASES.length);
    const ctx = new FrameDecodeContext();
    const got: PacketEvent[] = [];
    const res = readCaptureFile(file, (f) => {
      const p = decodeFrameToPacketEvent(f, ctx);
      if (p !== null) got.push(p);
    });
    expect(res.error).toBeNull();
    expect(ctx.skipped).toEqual({});
    const pick = (p: PacketEvent): unknown => ({ tsUs: p.tsUs, srcIp: p.srcIp, dstIp: p.dstIp, srcPort: p.srcPort, dstPort: p.dstPort, protocol: p.protocol, size: p.size, tcpFlags: p.tcpFlags, fragment: p.fragment, payloadLength: p.payloadLength, payload: p.payload.toString('hex') });
    expect(got.map(pick)).toEqual(recs.map((r) => pick(r.anomaly.actual)));
  });

  it('refuses an address it cannot write, naming the anomaly', () => {
    expect(() => buildFrame(packetEvent({ srcIp: '10.0.0.300' }), 'vm-1:1:2')).toThrow(FrameBuildError);
    expect(() => buildFrame(packetEvent({ srcIp: '10.0.0.3', dstIp: '::1' }), 'vm-1:1:2')).toThrow(/vm-1:1:2/);
  });
});
