/**
 * Runs nft / tc / ip, inside the target netns when one is configured (`ip netns exec <ns> ...`), and
 * turns their failures into typed errors (missing tool, capability, netns, interface). Enforcer
 * changes are rare (one per decision), so a child process per change is cheap enough.
 */
import { spawn } from 'node:child_process';
import {
  CommandFailedError, InterfaceNotFoundError, MissingCapabilityError, MissingToolError, NetnsNotFoundError,
} from './enforcer-errors';

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export interface CommandRunnerOptions {
  /** Network namespace every command runs in; null = the current one (the host: only for tests that own it). */
  netns: string | null;
  /** Argv prefix for every command, e.g. ['setpriv', '--bounding-set=-all', ...] in tests. */
  prefix?: readonly string[];
  /** Environment (default process.env); PATH decides which nft/tc/ip run. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export class CommandRunner {
  readonly netns: string | null;
  private readonly prefix: readonly string[];
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;

  constructor(options: CommandRunnerOptions) {
    this.netns = options.netns;
    this.prefix = options.prefix ?? [];
    this.env = options.env ?? process.env;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Runs `tool args...` (with `input` on stdin) in the target netns; throws a typed error on failure. */
  run(tool: string, args: readonly string[], input?: string): Promise<CommandResult> {
    const inNs = this.netns === null ? [tool, ...args] : ['ip', 'netns', 'exec', this.netns, tool, ...args];
    const argv = [...this.prefix, ...inNs];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { env: this.env, stdio: ['pipe', 'pipe', 'pipe'], timeout: this.timeoutMs });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e: NodeJS.ErrnoException) => {
        reject(e.code === 'ENOENT' ? new MissingToolError(argv[0], this.env.PATH ?? '') : e);
      });
      child.on('close', (code) => {
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (code === 0) resolve({ stdout, stderr });
        else reject(classifyFailure(argv, tool, this.netns, code, stderr, this.env.PATH ?? ''));
      });
      // A tool that exits early closes stdin under us; its exit code reports the real problem.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
    });
  }
}

/** Maps the tools' well-known messages to what is missing; anything else stays a CommandFailedError. */
export function classifyFailure(argv: readonly string[], tool: string, netns: string | null, code: number | null, stderr: string, pathEnv: string): Error {
  let m = /exec of "([^"]+)" failed: No such file or directory/.exec(stderr);
  if (m) return new MissingToolError(m[1], pathEnv, netns);
  m = /Cannot open network namespace "([^"]+)": No such file or directory/.exec(stderr);
  if (m) return new NetnsNotFoundError(m[1]);
  if (/network namespace "[^"]+" failed: Operation not permitted|mount --make-rslave .*Operation not permitted/.test(stderr)) {
    return new MissingCapabilityError('CAP_SYS_ADMIN', `enter netns '${netns}'`, stderr.trim());
  }
  if (/Operation not permitted/.test(stderr)) {
    return new MissingCapabilityError('CAP_NET_ADMIN', `change ${tool === 'nft' ? 'nftables rules' : 'links and qdiscs'}`, `\`${argv.join(' ')}\`: ${stderr.trim()}`);
  }
  m = /Cannot find device "([^"]+)"|Device "([^"]+)" does not exist/.exec(stderr);
  if (m) return new InterfaceNotFoundError(m[1] ?? m[2], netns);
  return new CommandFailedError(argv, code, stderr);
}
