/**
 * CRC-64-AVRO (Rabin) fingerprint of a schema's Parsing Canonical Form, as the Avro spec defines
 * it for single-object encoding. avsc 5 only offers crypto hashes, hence this file.
 */
import type { Type } from 'avsc';

const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: bigint[] = (() => {
  const table: bigint[] = new Array(256);
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n) & MASK);
    table[i] = fp;
  }
  return table;
})();

/** Rabin fingerprint of UTF-8 text, as an unsigned 64-bit bigint. Computed once per schema, never per record. */
export function rabinFingerprint(text: string): bigint {
  const bytes = Buffer.from(text, 'utf8');
  let fp = EMPTY;
  for (let i = 0; i < bytes.length; i++) fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(bytes[i])) & 0xffn)];
  return fp;
}

/** Parsing Canonical Form: avsc's `schema()` without attributes is exactly that (checked against Avro's vectors). */
export function canonicalForm(type: Type): string {
  return JSON.stringify(type.schema());
}

/** The 8 little-endian bytes single-object encoding puts after 0xC3 0x01. */
export function fingerprintBytes(type: Type): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(rabinFingerprint(canonicalForm(type)));
  return out;
}
