/**
 * Whether this machine lets the tests build network namespaces (root, iproute2, a kernel that allows
 * `ip netns add`). Tests that need them are skipped with the reason printed, and fail instead when
 * PRESCIENT_REQUIRE_NETNS=1 (set it where namespaces are known to work, so a regression is not hidden).
 */
import { execFileSync } from 'node:child_process';

export interface NetnsAvailability {
  ok: boolean;
  why: string;
}

let cached: NetnsAvailability | undefined;

export function netnsAvailability(tools: string[] = []): NetnsAvailability {
  if (cached === undefined) {
    const probe = `plt-probe-${process.pid}`;
    try {
      if (process.getuid?.() !== 0) throw new Error(`not root (uid ${process.getuid?.()}): network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN`);
      execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
      execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
      cached = { ok: true, why: '' };
    } catch (e) {
      try { execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' }); } catch { /* was never made */ }
      const msg = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
      cached = { ok: false, why: `cannot create network namespaces here: ${msg}` };
    }
  }
  if (!cached.ok) return cached;
  const missing = tools.filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  return missing.length === 0 ? cached : { ok: false, why: `tools missing: ${missing.join(', ')} (deploy/lab/install.sh installs them)` };
}

/** `describe` when namespaces work; otherwise one skipped test whose name says why (or a failure when required). */
export function describeWithNetns(name: string, tools: string[], body: () => void): void {
  const a = netnsAvailability(tools);
  if (a.ok) {
    describe(name, body);
    return;
  }
  if (process.env.PRESCIENT_REQUIRE_NETNS === '1') {
    describe(name, () => {
      it('needs network namespaces', () => {
        throw new Error(`${name}: could not run: ${a.why}`);
      });
    });
    return;
  }
  process.stderr.write(`\n[${name}] COULD NOT RUN: ${a.why}\n`);
  describe(name, () => {
    it.skip(`could not run: ${a.why}`, () => undefined);
  });
}
