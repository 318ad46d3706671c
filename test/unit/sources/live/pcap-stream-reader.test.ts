/** The push reader must hand out exactly the frames the file reader reads, however the bytes are cut. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { CaptureFileReader } from '../../../../sources/pcap/capture-file-reader';
import { PcapStreamReader } from '../../../../sources/pcap/pcap-stream-reader';

const PCAPS = resolve(__dirname, '../../../../../shared/data/pcaps');
const bytes = readFileSync(resolve(PCAPS, 'esnet_nmap_80_all.pcap'));

interface Seen { tsUs: number; capLen: number; origLen: number; byteOffset: number; first: number; last: number }

function fromFile(limit: number): Seen[] {
  const r = CaptureFileReader.fromBuffer(bytes, 'x');
  const out: Seen[] = [];
  for (let f = r.next(); f !== null && out.length < limit; f = r.next()) {
    out.push({ tsUs: f.tsUs, capLen: f.capLen, origLen: f.origLen, byteOffset: f.byteOffset, first: f.buf[f.offset], last: f.buf[f.offset + f.capLen - 1] });
  }
  return out;
}

function fromStream(data: Buffer, cuts: number[], limit: number): { seen: Seen[]; reader: PcapStreamReader } {
  const r = new PcapStreamReader('stream', 64);
  const out: Seen[] = [];
  let at = 0;
  const drain = (): void => {
    for (let f = r.next(); f !== null && out.length < limit; f = r.next()) {
      out.push({ tsUs: f.tsUs, capLen: f.capLen, origLen: f.origLen, byteOffset: f.byteOffset, first: f.buf[f.offset], last: f.buf[f.offset + f.capLen - 1] });
    }
  };
  for (const c of cuts) {
    const n = Math.min(c, data.length - at);
    if (n <= 0) break;
    r.push(data.subarray(at, at + n));
    at += n;
    drain();
  }
  if (at < data.length) r.push(data.subarray(at));
  drain();
  r.finish();
  return { seen: out, reader: r };
}

describe('PcapStreamReader', () => {
  // The first 2,000 records of a real capture are enough and keep the property test fast.
  const LIMIT = 2000;
  const expected = fromFile(LIMIT);
  const prefixEnd = expected.length < LIMIT ? bytes.length : fromFile(LIMIT + 1)[LIMIT].byteOffset;
  const prefix = bytes.subarray(0, prefixEnd);

  it('reads a real capture pushed in arbitrary chunks exactly as the file reader does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 400 }), (cuts) => {
        const { seen, reader } = fromStream(prefix, cuts, LIMIT);
        expect(reader.error).toBeNull();
        expect(seen).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('returns null while a record is incomplete and the frame once it is complete', () => {
    const r = new PcapStreamReader('s');
    r.push(prefix.subarray(0, 24 + 10));
    expect(r.next()).toBeNull();
    r.push(prefix.subarray(24 + 10, 24 + 16 + expected[0].capLen));
    const f = r.next();
    expect(f?.capLen).toBe(expected[0].capLen);
    expect(r.next()).toBeNull();
  });

  it('reports a stream cut inside a record, with its offset and packet number', () => {
    const { reader } = fromStream(prefix.subarray(0, expected[2].byteOffset + 20), [prefix.length], LIMIT);
    expect(reader.error?.message).toMatch(/stream ended inside a record: 20 bytes left over/);
    expect(reader.error?.byteOffset).toBe(expected[2].byteOffset);
    expect(reader.error?.packetNumber).toBe(3);
  });

  it('refuses a stream that is not classic pcap', () => {
    const r = new PcapStreamReader('s');
    r.push(Buffer.from('0a0d0d0a000000000000000000000000000000000000000000000000', 'hex'));
    expect(r.next()).toBeNull();
    expect(r.error?.message).toMatch(/not a classic pcap stream \(magic 0x0a0d0d0a\)/);
  });

  it('refuses an absurd record length instead of waiting for 4 GiB', () => {
    const bad = Buffer.from(prefix.subarray(0, 24 + 16));
    bad.writeUInt32LE(0xfffffff0, 24 + 8);
    const r = new PcapStreamReader('s');
    r.push(bad);
    expect(r.next()).toBeNull();
    expect(r.error?.message).toMatch(/bad record length/);
  });
});
