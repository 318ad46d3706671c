import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeFrameToPacketEvent, FrameDecodeContext } from '../../../sources';
import { CaptureFormatError, LinkType, readCaptureBuffer } from '../../../sources/pcap';
import { ethernet, fragmentHeader, hopByHop, ipv4, ipv6, tcp, udp } from '../../helpers/frame-builder';
import { PcapngBuilder } from '../../helpers/pcapng-writer';

const PCAPS = path.resolve(__dirname, '../../../../shared/data/pcaps');

/** Reads `bytes`; whatever happens must be a clean end or a CaptureFormatError, never a throw. */
function readAll(bytes: Uint8Array, chunkBytes?: number): { packets: number; error: CaptureFormatError | null; offsets: number[] } {
  const offsets: number[] = [];
  const ctx = new FrameDecodeContext();
  const r = readCaptureBuffer(bytes, 'fuzz', (f) => {
    offsets.push(f.byteOffset);
    decodeFrameToPacketEvent(f, ctx);
  }, { chunkBytes });
  if (r.error !== null && !(r.error instanceof CaptureFormatError)) throw new Error('not a CaptureFormatError');
  expect(r.packets).toBe(offsets.length);
  return { packets: r.packets, error: r.error, offsets };
}

// The first 60 records of the nmap capture: real frames with payloads, small enough to fuzz fast.
const nmapAll = readFileSync(path.join(PCAPS, 'esnet_nmap_80_all.pcap'));
const nmapOffsets = readAll(nmapAll).offsets;
const nmap = nmapAll.subarray(0, nmapOffsets[60]);

const ng = (() => {
  const b = new PcapngBuilder().interface(LinkType.ETHERNET).interface(LinkType.RAW, { tsresol: 9 });
  const a = '02:00:00:00:00:01';
  for (let i = 0; i < 20; i++) {
    b.packet(0, BigInt(i), ethernet(a, a, 0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 6, payload: tcp(i, 80, 2, Buffer.alloc(i)) })));
    b.packet(1, BigInt(i) * 1000n, ipv6('fd00::1', 'fd00::2', 17, udp(i, 53, Buffer.alloc(i)), [hopByHop(), fragmentHeader(i % 3, i % 2 === 0)]));
    if (i % 5 === 0) b.simplePacket(Buffer.alloc(30, i));
  }
  return b.toBuffer();
})();
const ngOffsets = readAll(ng).offsets;

const prefixes = [
  Buffer.alloc(0),
  nmap.subarray(0, 24), // little-endian microsecond pcap header
  Buffer.from('a1b23c4d000200040000000000000000000000ff00000065', 'hex'), // big-endian nanosecond, raw IP
  ng.subarray(0, 28), // pcapng section header
  ng.subarray(0, ngOffsets[0]), // section + interfaces
];

describe('fuzzing the reader and decoder', () => {
  it('random bytes after a plausible header end cleanly or with a CaptureFormatError', () => {
    fc.assert(fc.property(
      fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 600 }), fc.constantFrom(undefined, 64, 97),
      (prefix, junk, chunk) => { readAll(Buffer.concat([prefix, junk]), chunk); },
    ), { numRuns: 400 });
  });

  it('a classic pcap cut anywhere keeps exactly the whole records before the cut', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: nmap.length }), (cut) => {
      const r = readAll(nmap.subarray(0, cut));
      const whole = nmapOffsets.filter((o, i) => i < 60 && (nmapOffsets[i + 1] ?? nmap.length) <= cut).length;
      expect(r.packets).toBe(whole);
      const clean = cut === 0 ? false : cut === nmap.length || nmapOffsets.includes(cut);
      expect(r.error === null).toBe(clean);
      if (r.error && cut >= 24) expect(r.error).toMatchObject({ packetNumber: whole + 1, byteOffset: nmapOffsets[whole] });
    }), { numRuns: 300 });
  });

  it('a pcapng cut anywhere keeps exactly the whole packet blocks before the cut', () => {
    fc.assert(fc.property(fc.integer({ min: 28, max: ng.length }), (cut) => {
      const r = readAll(ng.subarray(0, cut));
      expect(r.offsets).toEqual(ngOffsets.slice(0, r.packets));
      if (r.error) expect(r.error.packetNumber).toBe(r.packets + 1);
    }), { numRuns: 300 });
  });

  it('flipped bytes in real and pcapng captures never escape as another error', () => {
    fc.assert(fc.property(
      fc.constantFrom(nmap, ng),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.constantFrom(undefined, 128),
      (base, flips, chunk) => {
        const b = Buffer.from(base);
        for (const [at, v] of flips) b[at % b.length] = v;
        readAll(b, chunk);
      },
    ), { numRuns: 300 });
  });

  it('the decoder survives any frame bytes on every link type and reads nothing past the capture', () => {
    const seeds: Array<[number, Buffer]> = [
      [1, ethernet('02:00:00:00:00:01', '02:00:00:00:00:02', 0x0800, ipv4({ src: '10.0.0.1', dst: '1.1.1.1', protocol: 6, payload: tcp(1, 2, 2, Buffer.alloc(20)) }))],
      [1, ethernet('02:00:00:00:00:01', '02:00:00:00:00:02', 0x86dd, ipv6('fd00::1', 'fd00::2', 17, udp(1, 2, Buffer.alloc(9)), [hopByHop(), fragmentHeader(0, true)]), [[0x8100, 5]])],
      [101, ipv6('fd00::1', 'fd00::2', 6, tcp(1, 2, 2), [hopByHop(), fragmentHeader(0, true)])],
      [228, ipv4({ src: '10.0.0.1', dst: '1.1.1.1', protocol: 17, payload: udp(1, 2, Buffer.alloc(5)), moreFragments: true })],
    ];
    let decoded = 0;
    // The frame sits before different poison bytes: any read past its end would change the result.
    const decodeIn = (data: Buffer, poison: number, linkType: number, origLen: number) => {
      const ctx = new FrameDecodeContext();
      const buf = Buffer.concat([Buffer.alloc(3, poison), data, Buffer.alloc(64, poison)]);
      const ev = decodeFrameToPacketEvent({ tsUs: 0, linkType, buf, offset: 3, capLen: data.length, origLen, index: 0 }, ctx);
      return { ev, skipped: ctx.skipped };
    };
    fc.assert(fc.property(
      fc.oneof(
        fc.tuple(fc.constantFrom(0, 1, 101, 108, 113, 228, 229, 276, 9999), fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a))),
        // A real frame with one byte changed and cut somewhere in its second half.
        fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat()).map(([[lt, s], at, v, cut]) => {
          const b = Buffer.from(s);
          b[at % b.length] = v;
          return [lt, b.subarray(0, b.length - (cut % (b.length / 2)))] as [number, Buffer];
        }),
      ),
      fc.integer({ min: 0, max: 3000 }),
      ([linkType, data], origLen) => {
        const a = decodeIn(data, 0x00, linkType, origLen);
        const b = decodeIn(data, 0xff, linkType, origLen);
        expect(b).toEqual(a);
        if (a.ev !== null) {
          decoded++;
          expect(a.ev.payload.length).toBeLessThanOrEqual(64);
          expect(a.ev.payloadLength).toBeGreaterThanOrEqual(0);
        }
      },
    ), { numRuns: 2000 });
    expect(decoded).toBeGreaterThan(50); // the property reached the L4 decoders, not only the skips
  });
});
