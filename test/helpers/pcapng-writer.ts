/**
 * A tiny pcapng writer for tests: section headers (either byte order), interface descriptions
 * with if_tsresol, enhanced / simple packet blocks and arbitrary blocks. Written from the
 * pcapng draft, independently of the reader.
 */

export interface InterfaceOptions {
  snaplen?: number;
  /** Raw if_tsresol byte: 6 = microseconds, 9 = nanoseconds, 0x80 | n = 2^-n. Omitted = microseconds. */
  tsresol?: number;
}

export class PcapngBuilder {
  private readonly blocks: Buffer[] = [];

  constructor(private le = true) {
    this.section(le);
  }

  /** Starts a section; later interface ids start again at 0. */
  section(littleEndian = this.le): this {
    this.le = littleEndian;
    const body = Buffer.alloc(16);
    this.w32(body, 0x1a2b3c4d, 0);
    this.w16(body, 1, 4);
    this.w16(body, 0, 6);
    body.fill(0xff, 8, 16); // section length unknown (-1)
    return this.block(0x0a0d0d0a, body);
  }

  interface(linkType: number, o: InterfaceOptions = {}): this {
    const opts: Buffer[] = [];
    if (o.tsresol !== undefined) opts.push(this.option(9, Buffer.from([o.tsresol])));
    if (opts.length > 0) opts.push(Buffer.alloc(4)); // opt_endofopt
    const head = Buffer.alloc(8);
    this.w16(head, linkType, 0);
    this.w32(head, o.snaplen ?? 262144, 4);
    return this.block(1, Buffer.concat([head, ...opts]));
  }

  /** Enhanced packet block; `ts` is in the interface's units. */
  packet(interfaceId: number, ts: bigint, data: Buffer, origLen = data.length): this {
    const head = Buffer.alloc(20);
    this.w32(head, interfaceId, 0);
    this.w32(head, Number(ts >> 32n), 4);
    this.w32(head, Number(ts & 0xffffffffn), 8);
    this.w32(head, data.length, 12);
    this.w32(head, origLen, 16);
    return this.block(6, Buffer.concat([head, pad4(data)]));
  }

  simplePacket(data: Buffer, origLen = data.length): this {
    const head = Buffer.alloc(4);
    this.w32(head, origLen, 0);
    return this.block(3, Buffer.concat([head, pad4(data)]));
  }

  /** Any block, e.g. a custom or name-resolution block the reader must skip. */
  block(type: number, body: Buffer): this {
    const len = 12 + pad4(body).length;
    const b = Buffer.alloc(len);
    this.w32(b, type, 0);
    this.w32(b, len, 4);
    pad4(body).copy(b, 8);
    this.w32(b, len, len - 4);
    this.blocks.push(b);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.blocks);
  }

  private option(code: number, value: Buffer): Buffer {
    const h = Buffer.alloc(4);
    this.w16(h, code, 0);
    this.w16(h, value.length, 2);
    return Buffer.concat([h, pad4(value)]);
  }

  private w32(b: Buffer, v: number, o: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, o);
    else b.writeUInt32BE(v >>> 0, o);
  }

  private w16(b: Buffer, v: number, o: number): void {
    if (this.le) b.writeUInt16LE(v, o);
    else b.writeUInt16BE(v, o);
  }
}

function pad4(b: Buffer): Buffer {
  return b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]);
}
