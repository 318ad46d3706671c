/** What the reader needs from a format parser (classic pcap or pcapng). */
import type { RawFrame } from './raw-frame';

export interface FrameParser {
  readonly format: 'pcap' | 'pcapng';
  /**
   * Fills `frame` with the next packet and returns true, or returns false at a clean end of file.
   * Throws CaptureFormatError when the file is truncated or corrupt.
   */
  next(frame: RawFrame): boolean;
}

/** Reads a uint32 in the file's byte order. Manual bytes: faster than Buffer's checked reads. */
export function u32(b: Buffer, p: number, le: boolean): number {
  return le
    ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0
    : ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

export function u16(b: Buffer, p: number, le: boolean): number {
  return le ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1];
}
