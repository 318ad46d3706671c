/**
 * Pull reader for classic pcap and pcapng files: `next()` returns the next frame (one reused
 * RawFrame) or null at the end or at the first corrupt record, after which `error` says why.
 * Hand-written: no npm package reads pcapng, or reports a byte offset for a corrupt record.
 */
import { BufferInput, FileInput, type ByteInput } from './byte-input';
import { CaptureFormatError } from './capture-format-error';
import { ChunkBuffer, DEFAULT_CHUNK_BYTES } from './chunk-buffer';
import { ClassicPcapParser, PCAP_MAGIC_NS, PCAP_MAGIC_US } from './classic-pcap-parser';
import type { FrameParser } from './frame-parser';
import { PCAPNG_SHB, PcapngParser } from './pcapng-parser';
import { RawFrame } from './raw-frame';

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CaptureReaderOptions {
  /** Bytes per read (default 4 MiB). Small values only make sense in tests. */
  chunkBytes?: number;
}

const swap32 = (n: number): number =>
  (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;

export class CaptureFileReader {
  /** Set when reading stopped on a truncated or corrupt file; the frames before it were delivered. */
  error: CaptureFormatError | null = null;
  /** Frames delivered so far. */
  framesRead = 0;
  private readonly frame = new RawFrame();
  private readonly chunk: ChunkBuffer;
  private parser: FrameParser | null = null;
  private done = false;

  /** Opens a file; throws only for I/O errors (missing file, permissions). */
  static open(path: string, options: CaptureReaderOptions = {}): CaptureFileReader {
    return new CaptureFileReader(new FileInput(path), path, options);
  }

  /** Reads a capture held in memory; `name` stands for the file in errors. */
  static fromBuffer(bytes: Uint8Array, name: string, options: CaptureReaderOptions = {}): CaptureFileReader {
    return new CaptureFileReader(new BufferInput(bytes), name, options);
  }

  private constructor(private readonly input: ByteInput, readonly file: string, options: CaptureReaderOptions) {
    this.chunk = new ChunkBuffer(input, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    try {
      this.parser = this.detect();
    } catch (e) {
      this.fail(e);
    }
  }

  /** 'pcap' or 'pcapng', or null when the file is neither. */
  get format(): CaptureFormat | null {
    return this.parser?.format ?? null;
  }

  /** The next frame, valid until the following call; null at the end of the file or on error. */
  next(): RawFrame | null {
    if (this.done || this.parser === null) return null;
    try {
      if (this.parser.next(this.frame)) {
        this.framesRead++;
        return this.frame;
      }
    } catch (e) {
      this.fail(e);
      return null;
    }
    this.close();
    return null;
  }

  close(): void {
    if (!this.done) this.input.close();
    this.done = true;
  }

  private detect(): FrameParser {
    const c = this.chunk;
    if (!c.ensure(4)) {
      throw new CaptureFormatError(this.file, 0, 1, `not a capture file: ${c.available} bytes`);
    }
    const magic = c.buf.readUInt32LE(c.pos);
    if (magic === PCAPNG_SHB) return new PcapngParser(c, this.file);
    if (magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS || swap32(magic) === PCAP_MAGIC_US || swap32(magic) === PCAP_MAGIC_NS) {
      return new ClassicPcapParser(c, this.file, magic);
    }
    throw new CaptureFormatError(this.file, 0, 1, `not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`);
  }

  private fail(e: unknown): void {
    this.close();
    if (!(e instanceof CaptureFormatError)) throw e;
    this.error = e;
  }
}
