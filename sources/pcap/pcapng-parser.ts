/**
 * pcapng: a sequence of blocks (type, total length, body, total length again). Reads the Section
 * Header (byte order per section), Interface Description (link type, if_tsresol, if_tsoffset),
 * Enhanced / Simple / obsolete Packet blocks; every other block type is skipped.
 */
import { CaptureFormatError } from './capture-format-error';
import type { ChunkBuffer } from './chunk-buffer';
import { u16, u32, type FrameParser } from './frame-parser';
import type { RawFrame } from './raw-frame';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OBSOLETE_PB = 2;
const SPB = 3;
const EPB = 6;
/** A larger block means a corrupt length field (Wireshark's bound is of the same order). */
const MAX_BLOCK_BYTES = 16 << 20;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

interface Interface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second is 10^decimals (decimals >= 0) or 2^binary. */
  decimals: number;
  binary: number;
  /** if_tsoffset, seconds added to every timestamp. */
  offsetSec: number;
}

export class PcapngParser implements FrameParser {
  readonly format = 'pcapng' as const;
  private le = true;
  private interfaces: Interface[] = [];
  private index = 0;

  constructor(private readonly chunk: ChunkBuffer, private readonly file: string) {}

  next(f: RawFrame): boolean {
    const c = this.chunk;
    for (;;) {
      if (!c.ensure(8)) {
        if (c.available === 0) return false;
        throw this.error(c.offset, `truncated block header: need 8 bytes, ${c.available} left`);
      }
      let b = c.buf;
      let p = c.pos;
      const type = u32(b, p, this.le);
      if (type === PCAPNG_SHB) this.readByteOrder();
      b = c.buf;
      p = c.pos;
      const len = u32(b, p + 4, this.le);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_BYTES) {
        throw this.error(c.offset, `bad block length ${len} (block type 0x${type.toString(16)})`);
      }
      if (!c.ensure(len)) {
        throw this.error(c.offset, `truncated block: need ${len} bytes, ${c.available} left`);
      }
      b = c.buf;
      p = c.pos;
      if (u32(b, p + len - 4, this.le) !== len) {
        throw this.error(c.offset, `block length mismatch: header says ${len}, trailer ${u32(b, p + len - 4, this.le)}`);
      }
      if (type === EPB || type === OBSOLETE_PB) {
        this.packet(f, b, p, len, type === EPB);
        c.pos = p + len;
        return true;
      }
      if (type === SPB) {
        this.simplePacket(f, b, p, len);
        c.pos = p + len;
        return true;
      }
      if (type === PCAPNG_SHB) this.section(b, p, len);
      else if (type === IDB) this.interfaceBlock(b, p, len);
      c.pos = p + len;
    }
  }

  /** The SHB's byte-order magic decides how this section (its own length included) is read. */
  private readByteOrder(): void {
    const c = this.chunk;
    if (!c.ensure(12)) throw this.error(c.offset, `truncated section header: need 12 bytes, ${c.available} left`);
    const bom = u32(c.buf, c.pos + 8, true);
    if (bom === BYTE_ORDER_MAGIC) this.le = true;
    else if (u32(c.buf, c.pos + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
    else throw this.error(c.offset, `bad byte-order magic 0x${bom.toString(16)} in section header`);
  }

  private section(b: Buffer, p: number, len: number): void {
    if (len < 28) throw this.error(this.chunk.offset, `section header block too short (${len} bytes)`);
    const major = u16(b, p + 12, this.le);
    if (major !== 1) throw this.error(this.chunk.offset, `unsupported pcapng major version ${major}`);
    this.interfaces = [];
  }

  private interfaceBlock(b: Buffer, p: number, len: number): void {
    if (len < 20) throw this.error(this.chunk.offset, `interface description block too short (${len} bytes)`);
    const itf: Interface = {
      linkType: u16(b, p + 8, this.le),
      snaplen: u32(b, p + 12, this.le),
      decimals: 6,
      binary: 0,
      offsetSec: 0,
    };
    // Options: code, length, value padded to 4 bytes; code 0 ends the list.
    let o = p + 16;
    const end = p + len - 4;
    while (o + 4 <= end) {
      const code = u16(b, o, this.le);
      const olen = u16(b, o + 2, this.le);
      if (code === 0) break;
      if (o + 4 + olen > end) throw this.error(this.chunk.offset, `interface option ${code} overruns its block`);
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const r = b[o + 4];
        if (r & 0x80) { itf.decimals = -1; itf.binary = r & 0x7f; }
        else itf.decimals = r;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = this.le ? b.readInt32LE(o + 8) : b.readInt32BE(o + 4);
        const lo = u32(b, this.le ? o + 4 : o + 8, this.le);
        itf.offsetSec = hi * 4294967296 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.interfaces.push(itf);
  }

  private packet(f: RawFrame, b: Buffer, p: number, len: number, enhanced: boolean): void {
    if (len < 32) throw this.error(this.chunk.offset, `packet block too short (${len} bytes)`);
    const id = enhanced ? u32(b, p + 8, this.le) : u16(b, p + 8, this.le);
    const itf = this.interfaces[id];
    if (itf === undefined) {
      throw this.error(this.chunk.offset, `packet names interface ${id}, but the section has ${this.interfaces.length}`);
    }
    const capLen = u32(b, p + 20, this.le);
    if (capLen > len - 32) throw this.error(this.chunk.offset, `captured length ${capLen} exceeds its block (${len} bytes)`);
    f.tsUs = this.timestampUs(itf, u32(b, p + 12, this.le), u32(b, p + 16, this.le));
    this.fill(f, b, p + 28, capLen, u32(b, p + 24, this.le), itf, id);
  }

  private simplePacket(f: RawFrame, b: Buffer, p: number, len: number): void {
    if (len < 16) throw this.error(this.chunk.offset, `simple packet block too short (${len} bytes)`);
    const itf = this.interfaces[0];
    if (itf === undefined) throw this.error(this.chunk.offset, 'simple packet block before any interface description');
    const orig = u32(b, p + 8, this.le);
    let capLen = Math.min(orig, len - 16);
    if (itf.snaplen > 0) capLen = Math.min(capLen, itf.snaplen);
    f.tsUs = 0;
    this.fill(f, b, p + 12, capLen, orig, itf, 0);
  }

  private fill(f: RawFrame, b: Buffer, data: number, capLen: number, orig: number, itf: Interface, id: number): void {
    f.linkType = itf.linkType;
    f.buf = b;
    f.offset = data;
    f.capLen = capLen;
    f.origLen = orig;
    f.index = this.index++;
    f.byteOffset = this.chunk.offset;
    f.interfaceId = id;
  }

  /** 64-bit timestamp in interface units to microseconds, exact for resolutions down to 1 ps. */
  private timestampUs(itf: Interface, hi: number, lo: number): number {
    let us: number;
    if (itf.decimals >= 6) {
      // Split the division so no intermediate exceeds 2^53 (ns since 1970 does not fit a double).
      const d = 10 ** (itf.decimals - 6);
      us = Math.floor(hi / d) * 4294967296 + Math.floor(((hi % d) * 4294967296 + lo) / d);
    } else if (itf.decimals >= 0) {
      us = (hi * 4294967296 + lo) * 10 ** (6 - itf.decimals);
    } else {
      us = Math.floor(((hi * 4294967296 + lo) / 2 ** itf.binary) * 1e6);
    }
    return us + itf.offsetSec * 1e6;
  }

  private error(offset: number, reason: string): CaptureFormatError {
    return new CaptureFormatError(this.file, offset, this.index + 1, reason);
  }
}
