/**
 * Push reader for a classic pcap byte stream (`tcpdump -w -` on a pipe): bytes arrive in chunks of
 * any size, `next()` hands out each complete record and returns null while the next one is still
 * incomplete. CaptureFileReader pulls and treats a short read as the end of the file, so a pipe
 * needs this separate entry. Classic pcap only: that is what tcpdump writes.
 */
import { CaptureFormatError } from './capture-format-error';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './classic-pcap-parser';
import { u32 } from './frame-parser';
import { RawFrame } from './raw-frame';

const swap32 = (n: number): number =>
  (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;

/** Largest record accepted whatever the header's snaplen says: a bigger length means a corrupt stream. */
const MAX_RECORD_BYTES = 16 << 20;

export class PcapStreamReader {
  /** Set when the stream turned out corrupt (or ended inside a record); nothing is read after it. */
  error: CaptureFormatError | null = null;
  framesRead = 0;
  private readonly frame = new RawFrame();
  private buf: Buffer;
  private pos = 0;
  private end = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private headerDone = false;
  private le = true;
  private nanos = false;
  private linkType = 0;
  private maxRecord = MAX_RECORD_BYTES;

  /** `name` stands for the stream in errors, e.g. "tcpdump -i br0". */
  constructor(readonly name: string, initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  /** LINKTYPE_ from the stream header; 0 until the header has arrived. */
  get streamLinkType(): number {
    return this.linkType;
  }

  /**
   * Appends bytes. Frames handed out before are invalid afterwards (the buffer may move):
   * drain `next()` before pushing again.
   */
  push(chunk: Uint8Array): void {
    if (this.error !== null) return;
    const tail = this.end - this.pos;
    if (this.end + chunk.length > this.buf.length) {
      const need = tail + chunk.length;
      if (need > this.buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
        this.buf.copy(bigger, 0, this.pos, this.end);
        this.buf = bigger;
      } else {
        this.buf.copyWithin(0, this.pos, this.end);
      }
      this.base += this.pos;
      this.pos = 0;
      this.end = tail;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The next complete frame (valid until the next `next` or `push`), or null when none is buffered. */
  next(): RawFrame | null {
    if (this.error !== null) return null;
    if (!this.headerDone && !this.readHeader()) return null;
    const avail = this.end - this.pos;
    if (avail < 16) return null;
    const b = this.buf;
    const p = this.pos;
    const incl = u32(b, p + 8, this.le);
    if (incl > this.maxRecord) {
      this.fail(`bad record length ${incl} (more than ${this.maxRecord})`);
      return null;
    }
    if (avail < 16 + incl) return null;
    const f = this.frame;
    const frac = u32(b, p + 4, this.le);
    f.tsUs = u32(b, p, this.le) * 1e6 + (this.nanos ? Math.floor(frac / 1000) : frac);
    f.linkType = this.linkType;
    f.buf = b;
    f.offset = p + 16;
    f.capLen = incl;
    f.origLen = u32(b, p + 12, this.le);
    f.index = this.framesRead++;
    f.byteOffset = this.base + p;
    f.interfaceId = 0;
    this.pos = p + 16 + incl;
    return f;
  }

  /** The stream ended: bytes left over mean it was cut inside a header or record (sets `error`). */
  finish(): void {
    if (this.error !== null) return;
    const left = this.end - this.pos;
    if (!this.headerDone) {
      this.fail(`stream ended before the 24-byte pcap header (${left} bytes)`);
    } else if (left > 0) {
      this.fail(`stream ended inside a record: ${left} bytes left over`);
    }
  }

  private readHeader(): boolean {
    if (this.end - this.pos < 24) return false;
    const b = this.buf;
    const p = this.pos;
    const magic = b.readUInt32LE(p);
    if (magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS) {
      this.le = true;
      this.nanos = magic === PCAP_MAGIC_NS;
    } else if (swap32(magic) === PCAP_MAGIC_US || swap32(magic) === PCAP_MAGIC_NS) {
      this.le = false;
      this.nanos = swap32(magic) === PCAP_MAGIC_NS;
    } else {
      this.fail(`not a classic pcap stream (magic 0x${magic.toString(16).padStart(8, '0')})`);
      return false;
    }
    const snaplen = u32(b, p + 16, this.le);
    this.linkType = u32(b, p + 20, this.le) & 0xffff;
    this.maxRecord = Math.min(Math.max(262144, snaplen), MAX_RECORD_BYTES);
    this.pos = p + 24;
    this.headerDone = true;
    return true;
  }

  private fail(reason: string): void {
    this.error = new CaptureFormatError(this.name, this.base + this.pos, this.framesRead + 1, reason);
  }
}
