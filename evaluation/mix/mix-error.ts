/** A mix that cannot be done or would not be labelled exactly; names the input at fault. */
export class MixError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`${input}: ${reason}`);
    this.name = 'MixError';
  }
}
