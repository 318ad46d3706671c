/**
 * Classic libpcap format: a 24-byte file header, then per packet a 16-byte record header and
 * the captured bytes. Both byte orders; microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magic.
 */
import { CaptureFormatError } from './capture-format-error';
import type { ChunkBuffer } from './chunk-buffer';
import { u32, type FrameParser } from './frame-parser';
import type { RawFrame } from './raw-frame';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

/** Wireshark's limit for ordinary link types; a larger record length means a corrupt file. */
const MAX_RECORD_BYTES = 262144;
/** Hard cap even when the header's snaplen claims more. */
const MAX_RECORD_BYTES_HARD = 16 << 20;

export class ClassicPcapParser implements FrameParser {
  readonly format = 'pcap' as const;
  private readonly le: boolean;
  private readonly nanos: boolean;
  private readonly linkType: number;
  private readonly maxRecord: number;
  private index = 0;

  /** `magicLE` is the first 4 bytes read little-endian; the caller has checked it is a pcap magic. */
  constructor(private readonly chunk: ChunkBuffer, private readonly file: string, magicLE: number) {
    this.le = magicLE === PCAP_MAGIC_US || magicLE === PCAP_MAGIC_NS;
    const magic = this.le ? magicLE : u32(chunk.buf, chunk.pos, false);
    this.nanos = magic === PCAP_MAGIC_NS;
    if (!chunk.ensure(24)) {
      throw new CaptureFormatError(file, 0, 1, `truncated pcap file header: need 24 bytes, ${chunk.available} in file`);
    }
    const b = chunk.buf;
    const p = chunk.pos;
    const snaplen = u32(b, p + 16, this.le);
    // The low 16 bits are the link type; the high bits carry FCS information.
    this.linkType = u32(b, p + 20, this.le) & 0xffff;
    this.maxRecord = Math.min(Math.max(MAX_RECORD_BYTES, snaplen), MAX_RECORD_BYTES_HARD);
    chunk.pos += 24;
  }

  next(f: RawFrame): boolean {
    const c = this.chunk;
    if (!c.ensure(16)) {
      if (c.available === 0) return false;
      throw this.error(c.offset, `truncated record header: need 16 bytes, ${c.available} left`);
    }
    let b = c.buf;
    let p = c.pos;
    const le = this.le;
    const sec = u32(b, p, le);
    const frac = u32(b, p + 4, le);
    const incl = u32(b, p + 8, le);
    const orig = u32(b, p + 12, le);
    if (incl > this.maxRecord) {
      throw this.error(c.offset, `bad record length ${incl} (more than ${this.maxRecord})`);
    }
    if (!c.ensure(16 + incl)) {
      throw this.error(c.offset, `truncated record: need ${16 + incl} bytes, ${c.available} left`);
    }
    b = c.buf;
    p = c.pos;
    f.tsUs = sec * 1e6 + (this.nanos ? Math.floor(frac / 1000) : frac);
    f.linkType = this.linkType;
    f.buf = b;
    f.offset = p + 16;
    f.capLen = incl;
    f.origLen = orig;
    f.index = this.index++;
    f.byteOffset = c.offset;
    f.interfaceId = 0;
    c.pos = p + 16 + incl;
    return true;
  }

  private error(offset: number, reason: string): CaptureFormatError {
    return new CaptureFormatError(this.file, offset, this.index + 1, reason);
  }
}
