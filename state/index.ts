/** Keyed state: what operators declare (keyed-state.ts) and what the runtime keeps it in. */
export type { KeyedStateStore, ValueState, ValueStateOptions } from './keyed-state';
export type { Checkpoint, StateBackend, StateEntry, StateTable, TaskState } from './backend';
export { StateError } from './backend';
export { MemoryStateBackend, MemoryTaskState } from './memory-backend';
export { TaskKeyedStateStore, type KeyCursor } from './keyed-state-store';
export { KeyPartitioner, kafkaPartition, keyGroupOf, murmur2 } from './key-group';
export { RedisStateBackend, type RedisStateBackendOptions, type CheckpointResult } from './redis-backend';
export { RedisUnavailableError, CheckpointFencedError, StoredStateError } from './redis-errors';
export { encodeStateValue, decodeStateValue } from './redis-value-codec';
export { isPlainJson, hasNoTags } from './plain-json';
