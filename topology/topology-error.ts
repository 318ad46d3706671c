/** A topology that cannot run, with every problem found: file, path inside it, line, what was expected. */

export interface TopologyIssue {
  /** Path inside the topology, e.g. `operators[2].halfLife` ('' for the whole file). */
  path: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s === '' ? p : `.${p}`;
  }
  return s;
}

export class TopologyError extends Error {
  constructor(readonly file: string, readonly issues: TopologyIssue[]) {
    super(TopologyError.describe(file, issues));
    this.name = 'TopologyError';
  }

  static describe(file: string, issues: readonly TopologyIssue[]): string {
    const lines = issues.map((i) => `  ${file}${i.line !== undefined ? `:${i.line}` : ''}: ${i.path || '(top level)'}: ${i.message}`);
    return `invalid topology ${file} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
  }
}
