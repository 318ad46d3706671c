/**
 * Encodes and decodes one topic's records: an Avro body in a single-object frame (default) or a
 * Confluent frame. Decoding looks the writer schema up by the frame's fingerprint or id and reads
 * it through a cached resolver into the current (reader) schema, so old records stay readable.
 * Anything that cannot be decoded throws DecodeError and nothing else; the caller dead-letters it.
 */
import type { Resolver, Type } from 'avsc';
import { checkCompatibility } from './compatibility';
import { DecodeError, DecodeFailure, EncodeError, SchemaNotRegisteredError } from './errors';
import {
  CONFLUENT_HEADER_BYTES,
  CONFLUENT_MAGIC,
  confluentHeader,
  Framing,
  SINGLE_OBJECT_HEADER_BYTES,
  singleObjectHeader,
} from './framing';
import { fingerprintBytes } from './rabin-fingerprint';
import type { SchemaIdLookup } from './schema-id-lookup';
import type { RecordName, SchemaSet } from './schema-set';

export interface CodecOptions {
  /** Default 'single-object'. */
  framing?: Framing;
  /** Required for 'confluent' framing. */
  idLookup?: SchemaIdLookup;
  /** Confluent subject; default `<topic>-value`. */
  subject?: string;
  /** Initial size of the reused encode buffer; it grows as records need. Default 4 KiB. */
  initialBufferBytes?: number;
}

/** A writer schema this codec can read, with its resolver (null when it is the reader schema). */
interface KnownWriter {
  /** Fingerprint high 32 bits (little-endian bytes 4..7); the map key holds the low 32. */
  hi: number;
  label: string;
  resolver: Resolver | null;
  /** Set when the writer cannot be read as this record: why. */
  incompatible: string | null;
}

function hex(buf: Buffer, start: number, end: number): string {
  return buf.toString('hex', start, end);
}

export class RecordCodec<T> {
  readonly type: Type;
  readonly framing: Framing;
  private readonly subject: string;
  private readonly idLookup: SchemaIdLookup | undefined;
  private readonly headerBytes: number;
  /** Reused encode buffer; starts with the frame header, which never changes. */
  private scratch: Buffer;
  private header: Buffer | null = null;
  /** Reader fingerprint as two uint32 so the common case is two integer compares. */
  private readonly fpLo: number;
  private readonly fpHi: number;
  private readonly byFingerprint = new Map<number, KnownWriter[]>();
  private readonly byId = new Map<number, KnownWriter>();
  private readonly initialBufferBytes: number;

  constructor(
    readonly topic: string,
    readonly record: RecordName,
    schemas: SchemaSet,
    opts: CodecOptions = {},
  ) {
    this.type = schemas.current[record];
    this.framing = opts.framing ?? 'single-object';
    this.subject = opts.subject ?? `${topic}-value`;
    this.idLookup = opts.idLookup;
    if (this.framing === 'confluent' && !this.idLookup) {
      throw new TypeError(`codec for ${topic}: confluent framing needs an idLookup`);
    }
    this.headerBytes = this.framing === 'confluent' ? CONFLUENT_HEADER_BYTES : SINGLE_OBJECT_HEADER_BYTES;
    const fp = fingerprintBytes(this.type);
    this.fpLo = fp.readUInt32LE(0);
    this.fpHi = fp.readUInt32LE(4);
    // Resolvers of every known writer are built now, once, not on the first record that needs one.
    for (const w of schemas.writers) {
      this.addWriter(w.fingerprint, w.type, `${w.record}@${w.version}`);
    }
    this.initialBufferBytes = opts.initialBufferBytes ?? 4096;
    this.scratch = Buffer.allocUnsafe(Math.max(this.initialBufferBytes, this.headerBytes + 1));
  }

  /** Frames and encodes `value` into a new Buffer of exactly its size. Throws EncodeError. */
  encode(value: T): Buffer {
    let end = this.encodeInto(value, this.scratch, 0);
    if (end < 0) {
      this.scratch = Buffer.allocUnsafe(2 * (this.scratch.length - end));
      end = this.encodeInto(value, this.scratch, 0);
    }
    const out = Buffer.allocUnsafe(end);
    this.scratch.copy(out, 0, 0, end);
    return out;
  }

  /**
   * Frames and encodes `value` into `target` at `offset`, for callers that batch into their own
   * buffer. Returns the end offset, or a negative number: how many bytes were missing.
   */
  encodeInto(value: T, target: Buffer, offset = 0): number {
    const header = this.header ?? this.buildHeader();
    const bodyStart = offset + header.length;
    if (bodyStart > target.length) return target.length - bodyStart - 1;
    header.copy(target, offset);
    let end: number;
    try {
      end = this.type.encode(value, target, bodyStart);
    } catch (e) {
      throw this.encodeError(value, e as Error);
    }
    return end;
  }

  /** Decodes one framed record into the current schema's shape. Throws DecodeError only. */
  decode(buf: Buffer): T {
    const len = buf.length;
    if (len === 0) throw this.fail('empty', buf, 'no bytes');
    let resolver: Resolver | undefined;
    if (this.framing === 'single-object') {
      if (buf[0] !== 0xc3 || (len > 1 && buf[1] !== 0x01)) {
        throw this.fail('bad-magic', buf, `expected c301, got ${hex(buf, 0, 2)}`);
      }
      if (len < SINGLE_OBJECT_HEADER_BYTES) throw this.fail('truncated-header', buf, `${len} of 10 header bytes`);
      const lo = buf.readUInt32LE(2);
      const hi = buf.readUInt32LE(6);
      if (lo !== this.fpLo || hi !== this.fpHi) resolver = this.resolverForFingerprint(buf, lo, hi);
    } else {
      if (buf[0] !== CONFLUENT_MAGIC) throw this.fail('bad-magic', buf, `expected 00, got ${hex(buf, 0, 1)}`);
      if (len < CONFLUENT_HEADER_BYTES) throw this.fail('truncated-header', buf, `${len} of 5 header bytes`);
      resolver = this.resolverForId(buf, buf.readInt32BE(1));
    }
    let value: unknown;
    let end: number;
    try {
      const r = this.type.decode(buf, this.headerBytes, resolver);
      value = r.value;
      end = r.offset;
    } catch (e) {
      // avsc throws plain Errors on bad union / enum indexes, unsafe longs, ...
      throw this.fail('invalid-data', buf, (e as Error).message);
    }
    if (end < 0) throw this.fail('truncated', buf, 'body ends before the record does');
    if (end !== len) throw this.fail('trailing-bytes', buf, `record ends at byte ${end}, ${len - end} bytes left`);
    return value as T;
  }

  private addWriter(fingerprint: Buffer, writer: Type, label: string): KnownWriter {
    const lo = fingerprint.readUInt32LE(0);
    const hi = fingerprint.readUInt32LE(4);
    const same = lo === this.fpLo && hi === this.fpHi;
    const c = same ? null : checkCompatibility(writer, this.type);
    const known: KnownWriter = {
      hi,
      label,
      resolver: c && c.compatible ? c.resolver : null,
      incompatible: c && !c.compatible ? c.reason : null,
    };
    const list = this.byFingerprint.get(lo);
    if (list) list.push(known);
    else this.byFingerprint.set(lo, [known]);
    return known;
  }

  private resolverForFingerprint(buf: Buffer, lo: number, hi: number): Resolver | undefined {
    const list = this.byFingerprint.get(lo);
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const w = list[i];
        if (w.hi !== hi) continue;
        if (w.incompatible !== null) throw this.fail('incompatible-writer', buf, `${w.label}: ${w.incompatible}`);
        return w.resolver ?? undefined;
      }
    }
    throw this.fail('unknown-fingerprint', buf, 'no known writer schema has this fingerprint');
  }

  private resolverForId(buf: Buffer, id: number): Resolver | undefined {
    let w = this.byId.get(id);
    if (!w) {
      const writer = (this.idLookup as SchemaIdLookup).schemaOf(id);
      // Unknown ids are not cached: garbage would fill the map, and the registry may learn the id later.
      if (!writer) throw this.fail('unknown-schema-id', buf, `schema id ${id} is not registered`);
      const fp = fingerprintBytes(writer);
      const same = fp.readUInt32LE(0) === this.fpLo && fp.readUInt32LE(4) === this.fpHi;
      const c = same ? null : checkCompatibility(writer, this.type);
      w = {
        hi: 0,
        label: `id ${id}`,
        resolver: c && c.compatible ? c.resolver : null,
        incompatible: c && !c.compatible ? c.reason : null,
      };
      this.byId.set(id, w);
    }
    if (w.incompatible !== null) throw this.fail('incompatible-writer', buf, `${w.label}: ${w.incompatible}`);
    return w.resolver ?? undefined;
  }

  private buildHeader(): Buffer {
    let header: Buffer;
    if (this.framing === 'confluent') {
      const id = (this.idLookup as SchemaIdLookup).idOf(this.subject, this.type);
      if (id === undefined) throw new SchemaNotRegisteredError(this.subject, fingerprintBytes(this.type).toString('hex'));
      header = confluentHeader(id);
    } else {
      header = singleObjectHeader(fingerprintBytes(this.type));
    }
    this.header = header;
    return header;
  }

  private fail(reason: DecodeFailure, buf: Buffer, detail: string): DecodeError {
    // The frame names a writer only once magic and header were read.
    const headerRead = reason !== 'empty' && reason !== 'bad-magic' && reason !== 'truncated-header';
    let writer: string | undefined;
    if (headerRead) writer = this.framing === 'confluent' ? `id:${buf.readInt32BE(1)}` : hex(buf, 2, 10);
    return new DecodeError(reason, this.topic, buf.length, detail, writer);
  }

  /** Slow path, only on failure: find which field is wrong so the error names it. */
  private encodeError(value: T, cause: Error): EncodeError {
    let path = '';
    this.type.isValid(value, {
      errorHook: (p: string[]) => {
        if (!path) path = p.join('.');
      },
    });
    return new EncodeError(this.topic, path, cause.message);
  }
}
