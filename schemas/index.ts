/** What the rest of Prescient may use from schemas/: record types, codecs, schema set, errors. */
export * from './types';
export { RecordCodec } from './codec';
export type { CodecOptions } from './codec';
export { topicSchemas, createTopicCodec, isTopicName } from './topics';
export type { TopicName, TopicRecords } from './topics';
export { loadSchemaSet, defaultSchemaSet, expandedSchema, RECORD_NAMES, NAMESPACE } from './schema-set';
export type { RecordName, SchemaSet, WriterSchema } from './schema-set';
export { locateSchemaDir, SCHEMAS_DIR_ENV } from './schema-dir';
export { checkCompatibility, resolverFor } from './compatibility';
export type { Compatibility } from './compatibility';
export { InMemorySchemaIdLookup } from './schema-id-lookup';
export type { SchemaIdLookup } from './schema-id-lookup';
export type { Framing } from './framing';
export { rabinFingerprint, canonicalForm, fingerprintBytes } from './rabin-fingerprint';
export { deadLetterOf } from './dead-letter';
export type { UndecodableRecord } from './dead-letter';
export {
  DecodeError,
  EncodeError,
  SchemaLoadError,
  IncompatibleSchemaError,
  SchemaNotRegisteredError,
  SchemaIdConflictError,
} from './errors';
export type { DecodeFailure } from './errors';
