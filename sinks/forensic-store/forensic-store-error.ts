/** Typed failures of the forensic store, each naming the store file. */

/** The store file could not be opened or used (missing for a query, unreadable, a schema from the future). */
export class ForensicStoreError extends Error {
  constructor(readonly file: string, message: string, override readonly cause?: unknown) {
    super(`forensic store ${file}: ${message}`);
    this.name = 'ForensicStoreError';
  }
}

/**
 * The store file is not a SQLite database or failed its integrity check. A writer moves it aside
 * (`movedTo`) and starts a fresh store so new records are kept; a reader only reports it.
 */
export class ForensicStoreCorruptError extends ForensicStoreError {
  constructor(file: string, readonly detail: string, readonly movedTo: string | null, cause?: unknown) {
    super(file, movedTo === null ? `corrupt (${detail})` : `corrupt (${detail}); moved aside to ${movedTo}, a fresh store was started`, cause);
    this.name = 'ForensicStoreCorruptError';
  }
}
