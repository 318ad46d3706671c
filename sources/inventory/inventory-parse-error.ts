/** A line of a VM inventory file that does not parse, with the file and line number. */
export class InventoryParseError extends Error {
  override readonly name = 'InventoryParseError';

  constructor(
    readonly file: string,
    /** 1-based line number; 0 for the file as a whole (no header). */
    readonly line: number,
    /** What was wrong, e.g. "bad MAC '02:00:zz:00:00:05'". */
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}
