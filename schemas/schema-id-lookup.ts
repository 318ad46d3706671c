/**
 * Confluent framing names writer schemas by registry id. The codec asks this interface, which a
 * real registry client implements by fetching at start-up (lookups on the hot path are synchronous).
 */
import type { Type } from 'avsc';
import { SchemaIdConflictError } from './errors';
import { canonicalForm } from './rabin-fingerprint';

export interface SchemaIdLookup {
  /** Id under which this schema is registered for `subject` (e.g. `packets-value`), if it is. */
  idOf(subject: string, type: Type): number | undefined;
  /** The writer schema registered under `id`, if known. */
  schemaOf(id: number): Type | undefined;
}

/** Registry kept in memory: for tests, embedded mode, and until a registry client exists. */
export class InMemorySchemaIdLookup implements SchemaIdLookup {
  private readonly ids = new Map<string, number>();
  private readonly schemas = new Map<number, Type>();
  private nextId = 1;

  /** Registers `type` for `subject` and returns its id; the same schema gets the same id again. */
  register(subject: string, type: Type, id?: number): number {
    const key = `${subject}\n${canonicalForm(type)}`;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const assigned = id ?? this.nextId;
    const other = this.schemas.get(assigned);
    if (other && canonicalForm(other) !== canonicalForm(type)) {
      throw new SchemaIdConflictError(assigned, subject);
    }
    this.nextId = Math.max(this.nextId, assigned + 1);
    this.ids.set(key, assigned);
    this.schemas.set(assigned, type);
    return assigned;
  }

  idOf(subject: string, type: Type): number | undefined {
    return this.ids.get(`${subject}\n${canonicalForm(type)}`);
  }

  schemaOf(id: number): Type | undefined {
    return this.schemas.get(id);
  }
}
