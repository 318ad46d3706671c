/**
 * Writes classic pcap (microsecond timestamps, little-endian). Hand-written because the format is
 * 24 + 16 bytes of header and no npm package writes it without a native libpcap.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export const LinkType = { ETHERNET: 1, RAW: 101, LINUX_SLL: 113 } as const;

const FLUSH_BYTES = 1 << 20;

export class PcapWriter {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(FLUSH_BYTES * 2);
  private used = 0;
  private closed = false;
  packets = 0;

  constructor(readonly path: string, readonly linkType: number = LinkType.ETHERNET, readonly snaplen = 65535) {
    this.fd = openSync(path, 'w');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8);
    h.writeUInt32LE(0, 12);
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(linkType, 20);
    writeSync(this.fd, h);
  }

  /** Appends one frame. `origLen` is the length on the wire when `frame` is a truncated capture. */
  write(tsUs: number, frame: Uint8Array, origLen: number = frame.length): void {
    if (this.closed) throw new Error(`pcap writer for ${this.path} is closed`);
    const incl = Math.min(frame.length, this.snaplen);
    const need = 16 + incl;
    if (this.used + need > this.buf.length) this.flush();
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need * 2);
    const sec = Math.floor(tsUs / 1e6);
    this.buf.writeUInt32LE(sec >>> 0, this.used);
    this.buf.writeUInt32LE(Math.round(tsUs - sec * 1e6) >>> 0, this.used + 4);
    this.buf.writeUInt32LE(incl, this.used + 8);
    this.buf.writeUInt32LE(origLen, this.used + 12);
    this.buf.set(frame.subarray(0, incl), this.used + 16);
    this.used += need;
    this.packets++;
    if (this.used >= FLUSH_BYTES) this.flush();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
  }

  private flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }
}
