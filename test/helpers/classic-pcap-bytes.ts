/** Classic pcap bytes in any byte order and timestamp precision, for reader tests. */

export interface ClassicFrame {
  sec: number;
  /** Microseconds, or nanoseconds when the file is nanosecond. */
  frac: number;
  data: Buffer;
  origLen?: number;
}

export function classicPcap(frames: ClassicFrame[], o: { bigEndian?: boolean; nanos?: boolean; linkType?: number } = {}): Buffer {
  const w = (b: Buffer, v: number, off: number): void => {
    if (o.bigEndian) b.writeUInt32BE(v >>> 0, off);
    else b.writeUInt32LE(v >>> 0, off);
  };
  const h = Buffer.alloc(24);
  w(h, o.nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  if (o.bigEndian) { h.writeUInt16BE(2, 4); h.writeUInt16BE(4, 6); }
  else { h.writeUInt16LE(2, 4); h.writeUInt16LE(4, 6); }
  w(h, 65535, 16);
  w(h, o.linkType ?? 1, 20);
  const parts: Buffer[] = [h];
  for (const f of frames) {
    const r = Buffer.alloc(16);
    w(r, f.sec, 0);
    w(r, f.frac, 4);
    w(r, f.data.length, 8);
    w(r, f.origLen ?? f.data.length, 12);
    parts.push(r, f.data);
  }
  return Buffer.concat(parts);
}
