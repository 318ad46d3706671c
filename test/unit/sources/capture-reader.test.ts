import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CaptureFileReader, CaptureFormatError, readCaptureBuffer, readCaptureFile } from '../../../sources/pcap';
import { classicPcap } from '../../helpers/classic-pcap-bytes';

const PCAPS = path.resolve(__dirname, '../../../../shared/data/pcaps');
const capture = (name: string): string => path.join(PCAPS, `${name}.pcap`);

interface Seen { tsUs: number; capLen: number; origLen: number; byteOffset: number; index: number; first: number }

function collect(bytes: Buffer, chunkBytes?: number): { frames: Seen[]; error: CaptureFormatError | null; packets: number } {
  const frames: Seen[] = [];
  const r = readCaptureBuffer(bytes, 'mem.pcap', (f) => {
    frames.push({ tsUs: f.tsUs, capLen: f.capLen, origLen: f.origLen, byteOffset: f.byteOffset, index: f.index, first: f.buf[f.offset] });
  }, { chunkBytes });
  return { frames, error: r.error, packets: r.packets };
}

describe('classic pcap reader on the real captures', () => {
  it.each([
    ['esnet_masscan_tcp', 1005],
    ['esnet_masscan_udp', 1001],
    ['esnet_nmap_80_all', 431],
    ['lucid_WebDDoS', 3104],
  ])('%s has %i packets, read to the end without error', (name, count) => {
    let n = 0;
    let lastTs = 0;
    let bytes = 24;
    let misplaced = 0;
    const r = readCaptureFile(capture(name), (f) => {
      // expect() per frame is slow; count disagreements instead.
      if (f.index !== n || f.byteOffset !== bytes || f.linkType !== 1) misplaced++;
      bytes += 16 + f.capLen;
      lastTs = f.tsUs;
      n++;
    });
    expect(r).toEqual({ format: 'pcap', packets: count, error: null });
    expect(n).toBe(count);
    expect(misplaced).toBe(0);
    // Every byte of the file is accounted for by headers and records.
    expect(bytes).toBe(readFileSync(capture(name)).length);
    expect(lastTs).toBeGreaterThan(1.5e15); // microseconds in 2019..2020
  });

  it('gives the same frames whatever the chunk size (records straddling chunks)', () => {
    const bytes = readFileSync(capture('esnet_nmap_80_all'));
    const big = collect(bytes);
    for (const chunk of [64, 100, 1000, 4099]) {
      expect(collect(bytes, chunk).frames).toEqual(big.frames);
    }
  });
});

describe('classic pcap variants', () => {
  const frames = [
    { sec: 1700000000, frac: 123456, data: Buffer.from([1, 2, 3, 4]) },
    { sec: 1700000001, frac: 999999, data: Buffer.from([9, 8, 7]), origLen: 1500 },
  ];

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('bigEndian=%s nanos=%s', (bigEndian, nanos) => {
    const fs = nanos ? frames.map((f) => ({ ...f, frac: f.frac * 1000 + 789 })) : frames;
    const got = collect(classicPcap(fs, { bigEndian, nanos, linkType: 101 }));
    expect(got.error).toBeNull();
    expect(got.frames.map((f) => [f.tsUs, f.capLen, f.origLen, f.first])).toEqual([
      [1700000000123456, 4, 4, 1],
      [1700000001999999, 3, 1500, 9],
    ]);
  });

  it('reports the link type from the header', () => {
    const r = CaptureFileReader.fromBuffer(classicPcap(frames, { linkType: 113 }), 'x');
    expect(r.next()?.linkType).toBe(113);
  });
});

describe('truncated and corrupt captures', () => {
  const original = readFileSync(capture('esnet_masscan_tcp'));
  const offsets: number[] = [];
  readCaptureBuffer(original, 'o', (f) => offsets.push(f.byteOffset));
  let dir = '';
  beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'prescient-pcap-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a copy cut mid-record keeps the packets before and names the cut record', () => {
    const k = 700; // 0-based record that gets cut
    const file = path.join(dir, 'cut.pcap');
    writeFileSync(file, original.subarray(0, offsets[k] + 16 + 10));
    let delivered = 0;
    const r = readCaptureFile(file, () => delivered++);
    expect(delivered).toBe(k);
    expect(r.packets).toBe(k);
    expect(r.error).toBeInstanceOf(CaptureFormatError);
    expect(r.error).toMatchObject({ file, byteOffset: offsets[k], packetNumber: k + 1 });
    expect(r.error!.message).toContain('truncated record');
    expect(r.error!.message).toContain(`at byte ${offsets[k]} (packet ${k + 1})`);
  });

  it('a copy cut inside a record header is reported too', () => {
    const k = 3;
    const r = readCaptureBuffer(original.subarray(0, offsets[k] + 7), 'cut2', () => undefined);
    expect(r.packets).toBe(k);
    expect(r.error).toMatchObject({ byteOffset: offsets[k], packetNumber: k + 1 });
    expect(r.error!.reason).toMatch(/truncated record header/);
  });

  it('a copy cut exactly between records is a clean, shorter file', () => {
    const r = readCaptureBuffer(original.subarray(0, offsets[10]), 'short', () => undefined);
    expect(r).toMatchObject({ packets: 10, error: null });
  });

  it('a bad record length stops with CaptureFormatError at that record', () => {
    const k = 421;
    const corrupt = Buffer.from(original);
    corrupt.writeUInt32LE(0x7fff0000, offsets[k] + 8);
    const file = path.join(dir, 'corrupt.pcap');
    writeFileSync(file, corrupt);
    let delivered = 0;
    const r = readCaptureFile(file, () => delivered++);
    expect(delivered).toBe(k);
    expect(r.error).toMatchObject({ name: 'CaptureFormatError', file, byteOffset: offsets[k], packetNumber: k + 1 });
    expect(r.error!.reason).toMatch(/bad record length 2147418112/);
  });

  it('a file that is not a capture gives an error before any packet', () => {
    const r = readCaptureBuffer(Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'http.txt', () => undefined);
    expect(r.format).toBeNull();
    expect(r.error).toMatchObject({ byteOffset: 0, packetNumber: 1 });
    expect(r.error!.reason).toMatch(/not a pcap or pcapng file/);
  });

  it('a file shorter than the pcap header is an error', () => {
    const r = readCaptureBuffer(original.subarray(0, 20), 'tiny', () => undefined);
    expect(r.error!.reason).toMatch(/truncated pcap file header/);
  });

  it('a missing file throws the fs error (not a format error)', () => {
    expect(() => readCaptureFile(path.join(dir, 'nope.pcap'), () => undefined)).toThrow(/ENOENT/);
  });
});
