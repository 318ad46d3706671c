/** An evaluation that cannot give a meaningful answer (no packets, no attack packets), naming its input. */
export class EvaluationError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`${input}: ${reason}`);
    this.name = 'EvaluationError';
  }
}
