/** A region configuration that must not be deployed, with every problem: region, file, path, line, what is wrong. */

export interface RegionIssue {
  /** Path inside region.yaml, e.g. `workers.replicas` ('' for the whole file). */
  path: string;
  /** 1-based line in region.yaml, when known. */
  line?: number;
  message: string;
}

export class RegionError extends Error {
  constructor(readonly region: string, readonly file: string, readonly issues: RegionIssue[]) {
    super(RegionError.describe(region, file, issues));
    this.name = 'RegionError';
  }

  static describe(region: string, file: string, issues: readonly RegionIssue[]): string {
    const lines = issues.map((i) => `  ${file}${i.line !== undefined ? `:${i.line}` : ''}: ${i.path || '(top level)'}: ${i.message}`);
    return `invalid region '${region}' ${file} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
  }
}
