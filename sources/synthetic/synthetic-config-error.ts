/** A synthetic-traffic config that cannot be used, with the path inside the config that is wrong. */
export class SyntheticConfigError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`synthetic config ${path || '(root)'}: ${detail}`);
    this.name = 'SyntheticConfigError';
  }
}
