/** A policy file (or inline policy) that cannot be used: names the file, the path inside it and what was expected. */

export interface PolicyIssue {
  /** Path inside the policy, e.g. `tiers[1].action`; `(root)` for the whole document. */
  path: string;
  /** What was expected (or what is wrong). */
  expected: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export class PolicyError extends Error {
  constructor(readonly file: string, readonly issues: PolicyIssue[]) {
    super(
      `invalid mitigation policy ${file}:\n` +
        issues.map((i) => `  ${file}${i.line !== undefined ? `:${i.line}` : ''}: ${i.path}: ${i.expected}`).join('\n'),
    );
    this.name = 'PolicyError';
  }
}
