/** Typed errors of the Redis state backend, naming the server and what was being done. */

/** Redis could not be reached, or stopped answering, during `operation`. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  constructor(
    /** Server URL without credentials. */
    readonly url: string,
    readonly operation: string,
    readonly detail: string,
    readonly partition?: number,
  ) {
    super(`redis ${url} unavailable during ${operation}${partition === undefined ? '' : ` (partition ${partition})`}: ${detail}`);
  }
}

/** A checkpoint refused because another owner claimed the partition since (rebalance race). */
export class CheckpointFencedError extends Error {
  override readonly name = 'CheckpointFencedError';
  constructor(readonly partition: number, readonly epoch: number, readonly detail: string) {
    super(`checkpoint of partition ${partition} refused: ${detail}`);
  }
}

/** Stored state that cannot be read back (corrupt or written by an incompatible version). */
export class StoredStateError extends Error {
  override readonly name = 'StoredStateError';
  constructor(readonly partition: number, readonly field: string, readonly detail: string) {
    super(`stored state of partition ${partition}, cell '${field.replace('\u0000', '/')}': ${detail}`);
  }
}
