/**
 * The two frames a record's Avro body can travel in. Single-object encoding (Avro spec) carries the
 * writer schema's fingerprint; Confluent wire format carries a schema registry id.
 */

export type Framing = 'single-object' | 'confluent';

/** 0xC3 0x01, then 8 bytes of CRC-64-AVRO fingerprint, little-endian. */
export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
export const SINGLE_OBJECT_HEADER_BYTES = 10;

/** Magic byte 0, then the schema id as a 4-byte big-endian int. */
export const CONFLUENT_MAGIC = 0x00;
export const CONFLUENT_HEADER_BYTES = 5;

export function singleObjectHeader(fingerprint: Buffer): Buffer {
  return Buffer.concat([SINGLE_OBJECT_MAGIC, fingerprint]);
}

export function confluentHeader(schemaId: number): Buffer {
  const header = Buffer.alloc(CONFLUENT_HEADER_BYTES);
  header[0] = CONFLUENT_MAGIC;
  header.writeInt32BE(schemaId, 1);
  return header;
}
