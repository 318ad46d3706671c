/**
 * Loads every .avsc of the project into one avsc registry (so Anomaly can name PacketEvent), plus
 * the older writer versions under history/<Name>/<version>.avsc, each parsed on its own since a
 * writer schema is self-contained. Types are built once per process and reused by every codec.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Type } from 'avsc';
import { boundedCollectionsHook, findUnboundedArray } from './bounded-collections';
import { SchemaLoadError } from './errors';
import { fingerprintBytes } from './rabin-fingerprint';
import { locateSchemaDir } from './schema-dir';

export const NAMESPACE = 'io.prescient';

/** Top-level .avsc files, in dependency order (a file may only name types of files before it). */
export const RECORD_NAMES = [
  'PacketEvent',
  'PredictedPacket',
  'ScoreBreakdown',
  'BaselineSnapshot',
  'Anomaly',
  'MitigationDecision',
  'ForensicRecord',
  'Prediction',
  'DeadLetter',
] as const;

export type RecordName = (typeof RECORD_NAMES)[number];

/** A schema records may have been written with: the current one or an older version from history/. */
export interface WriterSchema {
  record: RecordName;
  /** 'current' or the history file's base name (v0, v1, ...). */
  version: string;
  type: Type;
  /** CRC-64-AVRO of the parsing canonical form, little-endian, as in the single-object header. */
  fingerprint: Buffer;
  file: string;
}

export interface SchemaSet {
  dir: string;
  /** The reader (current) type of each record. */
  readonly current: Readonly<Record<RecordName, Type>>;
  /** Every named type of the current schemas by full name (io.prescient.FlowRef, ...). */
  readonly named: Readonly<Record<string, Type>>;
  /** Current and historic writer schemas of every record. */
  readonly writers: readonly WriterSchema[];
}

/** avsc options shared by every parse, so all types behave alike. */
export function parseOptions(registry: Record<string, Type>): Record<string, unknown> {
  // wrapUnions 'never': ["null", X] decodes to X | null, which is what schemas/types.ts declares.
  return { registry, typeHook: boundedCollectionsHook, wrapUnions: 'never', omitRecordMethods: true };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SchemaLoadError(file, (e as Error).message);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SchemaLoadError(file, `not JSON: ${(e as Error).message}`);
  }
}

/** Parses one schema into `registry`, checking it is the record the file name promises. */
export function parseSchemaFile(file: string, record: string, registry: Record<string, Type>): Type {
  let type: Type;
  try {
    type = Type.forSchema(readJson(file) as never, parseOptions(registry) as never);
  } catch (e) {
    if (e instanceof SchemaLoadError) throw e;
    throw new SchemaLoadError(file, (e as Error).message);
  }
  if (type.name !== `${NAMESPACE}.${record}`) {
    throw new SchemaLoadError(file, `defines ${String(type.name)}, expected ${NAMESPACE}.${record}`);
  }
  const unbounded = findUnboundedArray(type);
  if (unbounded !== undefined) {
    throw new SchemaLoadError(file, `array at ${unbounded} has items that can encode to zero bytes; garbage could not be bounded`);
  }
  return type;
}

function historyOf(dir: string, record: RecordName): WriterSchema[] {
  const folder = path.join(dir, 'history', record);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.avsc'))
    .sort()
    .map((f) => {
      const file = path.join(folder, f);
      const type = parseSchemaFile(file, record, {}); // self-contained: its own registry
      return { record, version: path.basename(f, '.avsc'), type, fingerprint: fingerprintBytes(type), file };
    });
}

export function loadSchemaSet(dir: string = locateSchemaDir()): SchemaSet {
  const registry: Record<string, Type> = {};
  const current = {} as Record<RecordName, Type>;
  const writers: WriterSchema[] = [];
  for (const record of RECORD_NAMES) {
    const file = path.join(dir, `${record}.avsc`);
    const type = parseSchemaFile(file, record, registry);
    current[record] = type;
    writers.push({ record, version: 'current', type, fingerprint: fingerprintBytes(type), file });
  }
  for (const record of RECORD_NAMES) {
    for (const w of historyOf(dir, record)) {
      const same = writers.find((x) => x.fingerprint.equals(w.fingerprint));
      if (same && same.record !== w.record) {
        throw new SchemaLoadError(w.file, `same canonical form as ${same.file}`);
      }
      if (!same) writers.push(w); // a history copy identical to current adds nothing
    }
  }
  const named: Record<string, Type> = {};
  for (const [name, type] of Object.entries(registry)) if (name.startsWith(`${NAMESPACE}.`)) named[name] = type;
  return { dir, current, named, writers };
}

let cached: SchemaSet | undefined;

/** The process-wide schema set from the located schemas/ folder, loaded on first use. */
export function defaultSchemaSet(): SchemaSet {
  if (!cached) cached = loadSchemaSet();
  return cached;
}

/** Full JSON of the current schema with every referenced type inlined: what to save under history/. */
export function expandedSchema(type: Type): unknown {
  return type.schema({ exportAttrs: true });
}
