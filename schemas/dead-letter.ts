/** Builds the DeadLetter record for bytes a codec refused, keeping the bytes untouched. */
import { DecodeError } from './errors';
import type { DeadLetter } from './types';

export interface UndecodableRecord {
  topic: string;
  partition: number;
  /** Kafka offset as the client gives it (decimal string). */
  offset: string;
  key: Buffer | null;
  value: Buffer;
}

export function deadLetterOf(source: UndecodableRecord, error: unknown, nowMs: number = Date.now()): DeadLetter {
  const reason =
    error instanceof DecodeError ? `${error.reason}: ${error.detail}` : error instanceof Error ? error.message : String(error);
  return {
    topic: source.topic,
    partition: source.partition,
    offset: source.offset,
    key: source.key,
    value: source.value,
    reason,
    tsMs: nowMs,
  };
}
