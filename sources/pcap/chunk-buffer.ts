/**
 * A large read buffer over a ByteInput with a cursor. `ensure(n)` makes n bytes available at the
 * cursor, moving the unread tail (a record straddling two chunks) to the front before reading on.
 * Views into `buf` are invalidated by the next `ensure` that has to read.
 */
import type { ByteInput } from './byte-input';

export const DEFAULT_CHUNK_BYTES = 4 << 20;

export class ChunkBuffer {
  buf: Buffer;
  /** Cursor: index in `buf` of the next unread byte. */
  pos = 0;
  /** End of valid bytes in `buf`. */
  end = 0;
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;

  constructor(private readonly input: ByteInput, chunkBytes = DEFAULT_CHUNK_BYTES) {
    this.buf = Buffer.allocUnsafe(Math.max(64, chunkBytes));
  }

  /** File offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.end - this.pos;
  }

  /** True when `n` bytes are available at the cursor; false when the input ends first. */
  ensure(n: number): boolean {
    return this.end - this.pos >= n || this.fill(n);
  }

  private fill(n: number): boolean {
    if (this.eof) return false;
    const tail = this.end - this.pos;
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(bigger, 0, this.pos, this.end);
      this.buf = bigger;
    } else if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
    }
    this.base += this.pos;
    this.pos = 0;
    this.end = tail;
    while (this.end < n) {
      const got = this.input.read(this.buf, this.end, this.buf.length - this.end, this.base + this.end);
      if (got <= 0) {
        this.eof = true;
        return false;
      }
      this.end += got;
    }
    return true;
  }
}
