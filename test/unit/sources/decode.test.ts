import { decodeFrameToPacketEvent, FrameDecodeContext, type FrameInput, type SkippedFrame } from '../../../sources';
import { FrameDecoder, SkipReason } from '../../../sources/decode';
import { LinkType } from '../../../sources/pcap';
import {
  arpRequest, ethernet, fragmentHeader, hopByHop, icmpEcho, ipv4, ipv6, sll, sll2, tcp, udp,
} from '../../helpers/frame-builder';

const A = '02:00:0a:00:00:05';
const B = '02:00:0a:00:00:06';

function frame(data: Buffer, linkType: number = LinkType.ETHERNET, origLen = data.length, index = 0): FrameInput {
  // Place the frame at an offset inside a larger buffer, as the reader does.
  const buf = Buffer.concat([Buffer.alloc(7, 0xee), data, Buffer.alloc(5, 0xee)]);
  return { tsUs: 1_000_000, linkType, buf, offset: 7, capLen: data.length, origLen, index };
}

function decode(data: Buffer, linkType: number = LinkType.ETHERNET, options: ConstructorParameters<typeof FrameDecodeContext>[0] = {}, origLen?: number) {
  const skips: SkippedFrame[] = [];
  const ctx = new FrameDecodeContext({ onSkip: (s) => skips.push(s), ...options });
  const ev = decodeFrameToPacketEvent(frame(data, linkType, origLen), ctx);
  return { ev, skips, ctx };
}

const payload = Buffer.from(Array.from({ length: 100 }, (_, i) => i));

describe('Ethernet + IPv4', () => {
  it('decodes a TCP segment: ports, flags, payload sample and length', () => {
    const f = ethernet(B, A, 0x0800, ipv4({ src: '10.0.0.5', dst: '8.8.8.8', protocol: 6, payload: tcp(40000, 443, 0x18, payload, 3) }));
    const { ev } = decode(f);
    expect(ev).toMatchObject({
      srcIp: '10.0.0.5', dstIp: '8.8.8.8', srcPort: 40000, dstPort: 443, protocol: 6, tcpFlags: 0x18,
      size: f.length, payloadLength: 100, fragment: false, tsUs: 1_000_000,
    });
    expect([...ev!.payload]).toEqual([...payload.subarray(0, 64)]);
  });

  it('takes the payload length from the IP header, not the padded or snapped capture', () => {
    // 6-byte UDP payload padded to the 60-byte Ethernet minimum.
    const ip = ipv4({ src: '10.0.0.5', dst: '10.0.0.6', protocol: 17, payload: udp(53, 5353, Buffer.from('abcdef')) });
    const padded = Buffer.concat([ethernet(B, A, 0x0800, ip), Buffer.alloc(60 - 14 - ip.length)]);
    expect(decode(padded).ev).toMatchObject({ payloadLength: 6, size: 60, payload: Buffer.from('abcdef') });
    // Snapped at 54 bytes: 10 payload bytes captured of 100 on the wire.
    const full = ethernet(B, A, 0x0800, ipv4({ src: '10.0.0.5', dst: '1.1.1.1', protocol: 6, payload: tcp(1, 2, 0x10, payload) }));
    const { ev } = decode(full.subarray(0, 64), LinkType.ETHERNET, {}, full.length);
    expect(ev).toMatchObject({ payloadLength: 100, size: full.length });
    expect([...ev!.payload]).toEqual([...payload.subarray(0, 10)]);
  });

  it('honours the payload sample size', () => {
    const f = ethernet(B, A, 0x0800, ipv4({ src: '10.0.0.5', dst: '1.1.1.1', protocol: 17, payload: udp(1, 2, payload) }));
    expect(decode(f, 1, { payloadSampleBytes: 5 }).ev!.payload).toEqual(payload.subarray(0, 5));
    expect(decode(f, 1, { payloadSampleBytes: 0 }).ev!.payload.length).toBe(0);
  });

  it('steps over 802.1Q and QinQ tags', () => {
    const ip = ipv4({ src: '10.0.0.5', dst: '10.9.9.9', protocol: 17, payload: udp(1000, 2000) });
    expect(decode(ethernet(B, A, 0x0800, ip, [[0x8100, 42]])).ev).toMatchObject({ srcPort: 1000, dstPort: 2000 });
    expect(decode(ethernet(B, A, 0x0800, ip, [[0x88a8, 7], [0x8100, 42]])).ev).toMatchObject({ srcPort: 1000, dstPort: 2000 });
  });

  it('decodes ICMP and other protocols without ports', () => {
    const icmp = decode(ethernet(B, A, 0x0800, ipv4({ src: '10.0.0.5', dst: '1.1.1.1', protocol: 1, payload: icmpEcho(Buffer.from('ping')) }))).ev;
    expect(icmp).toMatchObject({ protocol: 1, srcPort: 0, dstPort: 0, tcpFlags: 0, payloadLength: 4, payload: Buffer.from('ping') });
    const gre = decode(ethernet(B, A, 0x0800, ipv4({ src: '10.0.0.5', dst: '1.1.1.1', protocol: 47, payload: Buffer.from('grepayload') }))).ev;
    expect(gre).toMatchObject({ protocol: 47, srcPort: 0, dstPort: 0, payloadLength: 10 });
  });

  it('decodes a first fragment with ports and a non-first fragment without', () => {
    const seg = udp(5000, 53, payload);
    const first = ipv4({ src: '10.0.0.5', dst: '1.1.1.1', protocol: 17, payload: seg.subarray(0, 48), moreFragments: true });
    const rest = ipv4({ src: '10.0.0.5', dst: '1.1.1.1', protocol: 17, payload: seg.subarray(48), fragmentOffset: 6 });
    expect(decode(ethernet(B, A, 0x0800, first)).ev).toMatchObject({ fragment: true, srcPort: 5000, dstPort: 53, payloadLength: 40 });
    const ev = decode(ethernet(B, A, 0x0800, rest)).ev;
    expect(ev).toMatchObject({ fragment: true, srcPort: 0, dstPort: 0, protocol: 17, payloadLength: 60 });
    expect(ev!.payload[0]).toBe(40); // fragment data continues the UDP payload
  });

  it('keeps a tiny first fragment that splits the TCP header (an evasion) with the fields it has', () => {
    const seg = tcp(1234, 80, 0x02);
    const first = ipv4({ src: '10.0.0.5', dst: '1.1.1.1', protocol: 6, payload: seg.subarray(0, 8), moreFragments: true });
    expect(decode(ethernet(B, A, 0x0800, first)).ev).toMatchObject({ fragment: true, srcPort: 1234, dstPort: 80, tcpFlags: 0 });
  });
});

describe('other link types', () => {
  const ip = ipv4({ src: '192.168.1.2', dst: '192.168.1.3', protocol: 6, payload: tcp(22, 50000, 0x12) });

  it('Linux SLL gives the source MAC only', () => {
    const d = new FrameDecoder();
    const f = sll(A, 0x0800, ip);
    expect(d.decode(f, 0, f.length, f.length, LinkType.LINUX_SLL)).toBeNull();
    expect(d.packet).toMatchObject({ hasSrcMac: true, hasDstMac: false, srcMac: 0x02000a000005, srcPort: 22, tcpFlags: 0x12 });
  });

  it('Linux SLL2', () => {
    const d = new FrameDecoder();
    const f = sll2(A, 0x0800, ip);
    expect(d.decode(f, 0, f.length, f.length, LinkType.LINUX_SLL2)).toBeNull();
    expect(d.packet).toMatchObject({ hasSrcMac: true, hasDstMac: false, srcMac: 0x02000a000005, dstPort: 50000 });
  });

  it.each([[LinkType.RAW], [LinkType.IPV4]])('raw IPv4 (link type %i)', (lt) => {
    expect(decode(ip, lt).ev).toMatchObject({ srcIp: '192.168.1.2', dstIp: '192.168.1.3', srcPort: 22 });
  });

  it.each([[LinkType.RAW], [LinkType.IPV6]])('raw IPv6 (link type %i)', (lt) => {
    const v6 = ipv6('fd00::1', '2001:db8::2', 17, udp(1, 2, Buffer.from('x')));
    expect(decode(v6, lt).ev).toMatchObject({ srcIp: 'fd00::1', dstIp: '2001:db8::2', protocol: 17, payloadLength: 1 });
  });

  it('ethernet addresses come out as numbers for the inventory', () => {
    const d = new FrameDecoder();
    const f = ethernet(B, A, 0x0800, ip);
    d.decode(f, 0, f.length, f.length, LinkType.ETHERNET);
    expect(d.packet).toMatchObject({ hasSrcMac: true, hasDstMac: true, srcMac: 0x02000a000005, dstMac: 0x02000a000006 });
  });
});

describe('IPv6', () => {
  it('walks hop-by-hop and fragment headers: first fragment has ports', () => {
    const seg = tcp(443, 55555, 0x11, payload);
    const f = ethernet(B, A, 0x86dd, ipv6('2001:db8::1', 'fd12:3456::9', 6, seg.subarray(0, 56), [hopByHop(), fragmentHeader(0, true)]));
    expect(decode(f).ev).toMatchObject({ protocol: 6, fragment: true, srcPort: 443, dstPort: 55555, tcpFlags: 0x11, payloadLength: 36 });
  });

  it('a non-first fragment has no ports and its data as payload', () => {
    const f = ethernet(B, A, 0x86dd, ipv6('2001:db8::1', 'fd12:3456::9', 6, payload.subarray(0, 24), [fragmentHeader(7, false)]));
    const ev = decode(f).ev;
    expect(ev).toMatchObject({ protocol: 6, fragment: true, srcPort: 0, dstPort: 0, payloadLength: 24 });
    expect([...ev!.payload]).toEqual([...payload.subarray(0, 24)]);
  });

  it('an atomic fragment (offset 0, M clear) is a whole packet', () => {
    const f = ipv6('fd00::1', 'fd00::2', 17, udp(7, 8), [fragmentHeader(0, false)]);
    expect(decode(f, LinkType.IPV6).ev).toMatchObject({ fragment: false, srcPort: 7, dstPort: 8 });
  });

  it('ICMPv6', () => {
    const f = ipv6('fd00::1', 'fd00::2', 58, icmpEcho(Buffer.from('hi'), 128));
    expect(decode(f, LinkType.IPV6).ev).toMatchObject({ protocol: 58, srcPort: 0, payloadLength: 2 });
  });
});

describe('skips, counted by reason', () => {
  it('ARP is non-IP', () => {
    const { ev, skips, ctx } = decode(ethernet('ff:ff:ff:ff:ff:ff', A, 0x0806, arpRequest()));
    expect(ev).toBeNull();
    expect(ctx.skipped).toEqual({ [SkipReason.NON_IP]: 1 });
    expect(skips).toEqual([{ reason: 'non-ip', packetNumber: 1, detail: 'ethertype 0x0806' }]);
  });

  it.each([
    ['IPv4 header length below 20', ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: tcp(1, 2, 2), ihl: 4 }), SkipReason.MALFORMED_IP],
    ['total length below the header', ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: tcp(1, 2, 2), totalLength: 12 }), SkipReason.MALFORMED_IP],
    ['TCP data offset below 5 words', (() => {
      const seg = tcp(1, 2, 2);
      seg[12] = 0x30;
      return ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: seg });
    })(), SkipReason.MALFORMED_L4],
    ['TCP segment shorter than a header', ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: Buffer.alloc(10) }), SkipReason.MALFORMED_L4],
    ['IPv4 header cut by the capture', ipv4({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: tcp(1, 2, 2) }).subarray(0, 12), SkipReason.TRUNCATED],
    ['version 6 in an IPv4 frame', Buffer.concat([Buffer.from([0x65]), Buffer.alloc(39)]), SkipReason.MALFORMED_IP],
  ])('%s', (_name, ip, reason) => {
    const { ev, skips } = decode(ethernet(B, A, 0x0800, ip));
    expect(ev).toBeNull();
    expect(skips).toHaveLength(1);
    expect(skips[0].reason).toBe(reason);
    expect(skips[0].detail.length).toBeGreaterThan(0);
  });

  it('unknown link types are counted', () => {
    expect(decode(Buffer.alloc(40), 147).ctx.skipped).toEqual({ 'unsupported-link-type': 1 });
  });

  it('the packet number in the warning is 1-based', () => {
    const skips: SkippedFrame[] = [];
    const ctx = new FrameDecodeContext({ onSkip: (s) => skips.push(s) });
    decodeFrameToPacketEvent(frame(ethernet(B, A, 0x0806, arpRequest()), 1, 42, 41), ctx);
    expect(skips[0].packetNumber).toBe(42);
  });
});
