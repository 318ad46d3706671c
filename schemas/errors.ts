/**
 * Typed errors of the schemas layer. Each carries the context a dead-letter record or a log line
 * needs (topic, file, reason), so callers never parse messages.
 */

/** Why a record could not be decoded; stable strings, written into DeadLetter.reason. */
export type DecodeFailure =
  | 'empty'
  | 'bad-magic'
  | 'truncated-header'
  | 'unknown-fingerprint'
  | 'unknown-schema-id'
  | 'incompatible-writer'
  | 'truncated'
  | 'trailing-bytes'
  | 'invalid-data';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: DecodeFailure,
    /** Topic (or record name when decoding outside a topic) the bytes were meant for. */
    readonly topic: string,
    readonly byteLength: number,
    readonly detail: string,
    /** Writer schema identity from the frame: fingerprint hex or Confluent id, when read. */
    readonly writer?: string,
  ) {
    super(`cannot decode ${topic} record (${byteLength} bytes): ${reason}: ${detail}`);
  }
}

export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  constructor(
    readonly topic: string,
    /** Path of the first invalid field (e.g. `actual.srcPort`), '' when unknown. */
    readonly path: string,
    readonly detail: string,
  ) {
    super(`cannot encode ${topic} record${path ? ` at ${path}` : ''}: ${detail}`);
  }
}

/** A .avsc file that is missing, unreadable, not JSON, or not a valid Avro schema. */
export class SchemaLoadError extends Error {
  override readonly name = 'SchemaLoadError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`cannot load schema ${file}: ${detail}`);
  }
}

/** A writer schema that a reader schema cannot read (avsc resolver creation failed). */
export class IncompatibleSchemaError extends Error {
  override readonly name = 'IncompatibleSchemaError';
  constructor(
    readonly writer: string,
    readonly reader: string,
    readonly detail: string,
  ) {
    super(`${reader} cannot read ${writer}: ${detail}`);
  }
}

/** Confluent framing asked to encode with a schema its id lookup does not know. */
export class SchemaNotRegisteredError extends Error {
  override readonly name = 'SchemaNotRegisteredError';
  constructor(
    readonly subject: string,
    readonly fingerprint: string,
  ) {
    super(`schema ${fingerprint} is not registered under subject ${subject}`);
  }
}

/** An id given to InMemorySchemaIdLookup.register that another schema already holds. */
export class SchemaIdConflictError extends Error {
  override readonly name = 'SchemaIdConflictError';
  constructor(
    readonly id: number,
    readonly subject: string,
  ) {
    super(`schema id ${id} (subject ${subject}) is already taken by another schema`);
  }
}
