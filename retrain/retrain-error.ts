/** Typed failures of the retraining job, carrying the job and what it was reading or writing. */
export class RetrainError extends Error {
  constructor(message: string, readonly context: { jobId?: string; target?: string; path?: string } = {}) {
    super(message);
    this.name = 'RetrainError';
  }
}

/** A job whose data does not fit the schema (`path` is the field inside the job data). */
export class RetrainJobDataError extends RetrainError {
  constructor(readonly field: string, readonly expected: string, jobId?: string) {
    super(`retrain job${jobId !== undefined ? ` ${jobId}` : ''}: ${field === '' ? '(root)' : field}: ${expected}`, { jobId });
    this.name = 'RetrainJobDataError';
  }
}

/** A model update could not be swapped in; the running model stays. */
export class ModelSwapError extends RetrainError {
  constructor(message: string, readonly target: string, readonly dir: string, readonly version: string, override readonly cause: unknown) {
    super(message, { target, path: dir });
    this.name = 'ModelSwapError';
  }
}
