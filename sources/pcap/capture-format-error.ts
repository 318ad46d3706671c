/** A capture file that is truncated or corrupt, with where and why. */
export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';

  constructor(
    /** Path (or name) of the capture. */
    readonly file: string,
    /** File offset of the record (or block, or header) that failed. */
    readonly byteOffset: number,
    /**
     * 1-based number of the packet record that could not be read: the packets before it
     * (packetNumber - 1 of them) were delivered. Header errors give 1.
     */
    readonly packetNumber: number,
    /** What was wrong, e.g. "truncated record: need 74 bytes, 30 left". */
    readonly reason: string,
  ) {
    super(`${file}: ${reason} at byte ${byteOffset} (packet ${packetNumber})`);
  }
}
