/**
 * One captured frame as the reader hands it over. The reader reuses one RawFrame and its buffer:
 * everything here is valid only until the next frame is read; copy what you keep.
 */
export class RawFrame {
  /** Capture timestamp, microseconds since the Unix epoch. */
  tsUs = 0;
  /** LINKTYPE_ of the frame (per interface in pcapng). */
  linkType = 0;
  /** The reader's chunk buffer; the frame is bytes [offset, offset + capLen). */
  buf: Buffer = Buffer.alloc(0);
  offset = 0;
  /** Captured length (may be less than origLen when the capture had a snap length). */
  capLen = 0;
  /** Length on the wire. */
  origLen = 0;
  /** 0-based position of the packet in the file. */
  index = 0;
  /** File offset of the packet's record (pcap) or block (pcapng). */
  byteOffset = 0;
  /** pcapng interface id; 0 for classic pcap. */
  interfaceId = 0;

  /** The frame bytes as a view (allocates a Buffer object; hot code reads buf/offset/capLen). */
  get data(): Buffer {
    return this.buf.subarray(this.offset, this.offset + this.capLen);
  }
}
