/** Where the reader's bytes come from: a file (pread in large chunks) or an in-memory buffer. */
import { closeSync, openSync, readSync } from 'node:fs';

export interface ByteInput {
  /** Copies up to `length` bytes at file `position` into `target` at `targetOffset`; 0 at the end. */
  read(target: Buffer, targetOffset: number, length: number, position: number): number;
  close(): void;
}

export class FileInput implements ByteInput {
  private fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }
  read(target: Buffer, targetOffset: number, length: number, position: number): number {
    if (this.fd < 0) return 0;
    return readSync(this.fd, target, targetOffset, length, position);
  }
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export class BufferInput implements ByteInput {
  constructor(private readonly bytes: Uint8Array) {}
  read(target: Buffer, targetOffset: number, length: number, position: number): number {
    if (position >= this.bytes.length) return 0;
    const n = Math.min(length, this.bytes.length - position);
    target.set(this.bytes.subarray(position, position + n), targetOffset);
    return n;
  }
  close(): void {}
}
