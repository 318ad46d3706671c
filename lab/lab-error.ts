/** A lab step that failed (a bad schedule, lab.sh refusing, a tool missing), with where and why. */
export class LabError extends Error {
  override readonly name = 'LabError';

  constructor(
    /** What failed: a schedule file path with the path inside it, or the lab.sh command. */
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}
