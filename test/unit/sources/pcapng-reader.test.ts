import { CaptureFileReader, readCaptureBuffer, type RawFrame } from '../../../sources/pcap';
import { PcapngBuilder } from '../../helpers/pcapng-writer';

interface Seen { tsUs: number; linkType: number; interfaceId: number; data: number[]; origLen: number; index: number; byteOffset: number }

function read(bytes: Buffer, chunkBytes?: number) {
  const frames: Seen[] = [];
  const r = readCaptureBuffer(bytes, 'mem.pcapng', (f: RawFrame) => {
    frames.push({ tsUs: f.tsUs, linkType: f.linkType, interfaceId: f.interfaceId, data: [...f.data], origLen: f.origLen, index: f.index, byteOffset: f.byteOffset });
  }, { chunkBytes });
  return { ...r, frames };
}

// 2020-08-02T05:49:38.734373123Z in ns: beyond 2^53, so the reader must not lose precision.
const NS = 1596347378734373123n;

describe('pcapng reader', () => {
  it('reads two interfaces with different link types and resolutions', () => {
    const b = new PcapngBuilder()
      .interface(1) // Ethernet, default microseconds
      .interface(101, { tsresol: 9 }) // raw IP, nanoseconds
      .packet(0, 1596347378734373n, Buffer.from([1, 2, 3, 4, 5]))
      .packet(1, NS, Buffer.from([0x45, 0, 0]), 60)
      .packet(0, 1596347378734374n, Buffer.from([7]));
    const r = read(b.toBuffer());
    expect(r.format).toBe('pcapng');
    expect(r.error).toBeNull();
    expect(r.frames.map((f) => [f.tsUs, f.linkType, f.interfaceId, f.data, f.origLen, f.index])).toEqual([
      [1596347378734373, 1, 0, [1, 2, 3, 4, 5], 5, 0],
      [1596347378734373, 101, 1, [0x45, 0, 0], 60, 1],
      [1596347378734374, 1, 0, [7], 1, 2],
    ]);
  });

  it('handles binary (2^-n) and millisecond resolutions', () => {
    const b = new PcapngBuilder()
      .interface(1, { tsresol: 0x80 | 10 }) // 1/1024 s
      .interface(1, { tsresol: 3 })
      .packet(0, 1024n * 5n + 512n, Buffer.from([1]))
      .packet(1, 1234n, Buffer.from([2]));
    expect(read(b.toBuffer()).frames.map((f) => f.tsUs)).toEqual([5_500_000, 1_234_000]);
  });

  it('reads a big-endian section, and a second section resets the interfaces', () => {
    const b = new PcapngBuilder(false)
      .interface(228, { tsresol: 9 })
      .packet(0, 2_000_000_123n, Buffer.from([0x45]))
      .section(true)
      .interface(229)
      .packet(0, 3_000_000n, Buffer.from([0x60, 1]));
    const r = read(b.toBuffer());
    expect(r.error).toBeNull();
    expect(r.frames.map((f) => [f.tsUs, f.linkType, f.data])).toEqual([
      [2_000_000, 228, [0x45]],
      [3_000_000, 229, [0x60, 1]],
    ]);
  });

  it('reads simple packet blocks (capped by snaplen) and skips unknown blocks', () => {
    const b = new PcapngBuilder()
      .interface(101, { snaplen: 4 })
      .block(0x00000bad, Buffer.from('custom block body'))
      .block(4, Buffer.alloc(8)) // name resolution block
      .simplePacket(Buffer.from([1, 2, 3, 4, 5, 6]), 6)
      .block(5, Buffer.alloc(12)); // interface statistics
    const r = read(b.toBuffer());
    expect(r.error).toBeNull();
    expect(r.frames.map((f) => [f.data, f.origLen, f.linkType])).toEqual([[[1, 2, 3, 4], 6, 101]]);
  });

  it('gives the same frames whatever the chunk size', () => {
    const b = new PcapngBuilder().interface(1).interface(113, { tsresol: 9 });
    for (let i = 0; i < 200; i++) b.packet(i % 2, BigInt(i) * 1_000_000n, Buffer.alloc(i % 97, i));
    const bytes = b.toBuffer();
    const whole = read(bytes);
    expect(whole.frames).toHaveLength(200);
    for (const c of [64, 77, 1024]) expect(read(bytes, c).frames).toEqual(whole.frames);
  });

  describe('errors', () => {
    const good = new PcapngBuilder().interface(1)
      .packet(0, 1n, Buffer.alloc(30, 1))
      .packet(0, 2n, Buffer.alloc(30, 2))
      .packet(0, 3n, Buffer.alloc(30, 3));
    const bytes = good.toBuffer();
    const offsets = read(bytes).frames.map((f) => f.byteOffset);

    it('a truncated block keeps the packets before it', () => {
      const r = read(bytes.subarray(0, offsets[2] + 20));
      expect(r.frames).toHaveLength(2);
      expect(r.error).toMatchObject({ name: 'CaptureFormatError', byteOffset: offsets[2], packetNumber: 3 });
      expect(r.error!.reason).toMatch(/truncated block/);
    });

    it('a bad block length is reported at its block', () => {
      const c = Buffer.from(bytes);
      c.writeUInt32LE(0x7ffffff0, offsets[1] + 4);
      const r = read(c);
      expect(r.frames).toHaveLength(1);
      expect(r.error).toMatchObject({ byteOffset: offsets[1], packetNumber: 2 });
      expect(r.error!.reason).toMatch(/bad block length/);
    });

    it('a trailer that disagrees with the header is reported', () => {
      const c = Buffer.from(bytes);
      c.writeUInt32LE(60, offsets[1] + 4); // plausible (the real length is 64) but the trailer disagrees
      const r = read(c);
      expect(r.error).toMatchObject({ byteOffset: offsets[1], packetNumber: 2 });
      expect(r.error!.reason).toMatch(/block length mismatch/);
    });

    it('a packet for an undeclared interface is reported', () => {
      const c = Buffer.from(bytes);
      c.writeUInt32LE(3, offsets[0] + 8);
      const r = read(c);
      expect(r.frames).toHaveLength(0);
      expect(r.error!.reason).toMatch(/interface 3, but the section has 1/);
    });

    it('a captured length beyond its block is reported', () => {
      const c = Buffer.from(bytes);
      c.writeUInt32LE(200, offsets[2] + 20);
      const r = read(c);
      expect(r.frames).toHaveLength(2);
      expect(r.error!.reason).toMatch(/captured length 200 exceeds its block/);
    });

    it('a bad byte-order magic is reported', () => {
      const c = Buffer.from(bytes);
      c.writeUInt32LE(0x12345678, 8);
      const reader = CaptureFileReader.fromBuffer(c, 'bom.pcapng');
      expect(reader.next()).toBeNull();
      expect(reader.error!.reason).toMatch(/byte-order magic/);
    });
  });
});
