/**
 * Streams every frame of a capture file to a callback, synchronously.
 * Never throws for a truncated or corrupt file: the frames before the damage are delivered and
 * the result carries the CaptureFormatError, so a caller can report it and go on with what it read.
 */
import type { CaptureFormatError } from './capture-format-error';
import { CaptureFileReader, type CaptureFormat, type CaptureReaderOptions } from './capture-file-reader';
import type { RawFrame } from './raw-frame';

export interface CaptureReadResult {
  format: CaptureFormat | null;
  /** Frames delivered to the callback. */
  packets: number;
  /** Null when the whole file was read. */
  error: CaptureFormatError | null;
}

/** `onFrame` gets one reused RawFrame: its bytes are valid only during the call. */
export function readCaptureFile(path: string, onFrame: (f: RawFrame) => void, options?: CaptureReaderOptions): CaptureReadResult {
  return drain(CaptureFileReader.open(path, options), onFrame);
}

export function readCaptureBuffer(bytes: Uint8Array, name: string, onFrame: (f: RawFrame) => void, options?: CaptureReaderOptions): CaptureReadResult {
  return drain(CaptureFileReader.fromBuffer(bytes, name, options), onFrame);
}

function drain(reader: CaptureFileReader, onFrame: (f: RawFrame) => void): CaptureReadResult {
  try {
    for (let f = reader.next(); f !== null; f = reader.next()) onFrame(f);
  } finally {
    reader.close();
  }
  return { format: reader.format, packets: reader.framesRead, error: reader.error };
}
