/**
 * Schema compatibility: can records written with `writer` be read as `reader`? avsc decides it by
 * trying to build a resolver, which is the exact check decoding will face.
 */
import type { Resolver, Type } from 'avsc';
import { IncompatibleSchemaError } from './errors';

export type Compatibility = { compatible: true; resolver: Resolver } | { compatible: false; reason: string };

function label(type: Type): string {
  return type.name ?? type.typeName;
}

export function checkCompatibility(writer: Type, reader: Type): Compatibility {
  try {
    return { compatible: true, resolver: reader.createResolver(writer) };
  } catch (e) {
    return { compatible: false, reason: (e as Error).message };
  }
}

/** The resolver from writer to reader, or an IncompatibleSchemaError saying why there is none. */
export function resolverFor(writer: Type, reader: Type, writerLabel = label(writer)): Resolver {
  const c = checkCompatibility(writer, reader);
  if (!c.compatible) throw new IncompatibleSchemaError(writerLabel, label(reader), c.reason);
  return c.resolver;
}
