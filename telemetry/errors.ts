/** Errors of the telemetry layer, carrying what they concern. */

/** The metrics port could not be bound (another process holds it, or no permission). */
export class MetricsPortError extends Error {
  constructor(readonly port: number, readonly host: string, readonly code: string | undefined, override readonly cause: unknown) {
    super(code === 'EADDRINUSE'
      ? `metrics port ${port} is already in use on ${host} (--metrics-port ${port}); pick another port or stop the process holding it`
      : `cannot serve metrics on ${host}:${port} (--metrics-port ${port}): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'MetricsPortError';
  }
}

/** The trace file cannot be written. */
export class TraceFileError extends Error {
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`cannot write the trace file ${path} (--trace-file): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TraceFileError';
  }
}
