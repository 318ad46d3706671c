/**
 * The bytes of a repartition record: the state value codec's JSON (state/redis-value-codec.ts),
 * written and read without its replacer/reviver when the value has nothing they would change.
 * JSON.stringify/parse call a replacer/reviver once per key and value, which made them 5-8% of a
 * Kafka worker's CPU (benchmarks/results/bench-2026-11-26-kafka-cpu/worker-profile.md); the typical
 * update (baseline's ProfileUpdate: numbers and number arrays) needs neither. The text is the same
 * either way, so old and new workers read each other's records.
 */
import { decodeStateValue, encodeStateValue } from '../../state/redis-value-codec';
import { hasNoTags, isPlainJson } from '../../state/plain-json';

// Re-exported for the callers that took it from here (it lives in state/, shared with the cell codec).
export { isPlainJson };

/** Same text as encodeStateValue(value). */
export function encodeWireValue(value: unknown): string {
  return isPlainJson(value) ? JSON.stringify({ v: value }) : encodeStateValue(value);
}

/** Same value as decodeStateValue(text): without the reviver when the text has no tag (state/plain-json.ts). */
export function decodeWireValue(text: string): unknown {
  return hasNoTags(text) ? (JSON.parse(text) as { v: unknown }).v : decodeStateValue(text);
}
