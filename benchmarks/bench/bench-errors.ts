/** Typed failures of `prescient bench`: a config that cannot be run, and a run that broke. */

/** The bench config asks for something impossible; `path` is the place in the config (e.g. `rates[2]`). */
export class BenchConfigError extends Error {
  constructor(readonly file: string, readonly path: string, readonly reason: string) {
    super(`${file}${path === '' ? '' : ` at ${path}`}: ${reason}`);
    this.name = 'BenchConfigError';
  }
}

/** A bench step failed while running (a service, a worker, the pipeline); `step` names it. */
export class BenchRunError extends Error {
  constructor(readonly step: string, reason: string, override readonly cause?: unknown) {
    super(`bench step ${step}: ${reason}`);
    this.name = 'BenchRunError';
  }
}
