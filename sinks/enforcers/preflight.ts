/**
 * Checks before an enforcer starts, so a missing tool, capability or netns is reported once, clearly,
 * at startup rather than as a failed rule on the first attack.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CommandRunner } from './command-runner';
import { InterfaceNotFoundError, MissingCapabilityError, MissingToolError, NetnsNotFoundError } from './enforcer-errors';

const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;

/** Effective capability mask of a process, from /proc/<pid>/status. */
export function effectiveCapabilities(pid: number | 'self' = 'self'): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

/** Throws MissingCapabilityError unless the process holds CAP_NET_ADMIN (and CAP_SYS_ADMIN when it must enter a netns). */
export function checkCapabilities(netns: string | null, pid: number | 'self' = 'self'): void {
  const caps = effectiveCapabilities(pid);
  const has = (bit: number): boolean => (caps & (1n << BigInt(bit))) !== 0n;
  const who = pid === 'self' ? `this process (pid ${process.pid})` : `process ${pid}`;
  if (!has(CAP_NET_ADMIN)) {
    throw new MissingCapabilityError('CAP_NET_ADMIN', 'change nftables rules and tc qdiscs', `${who} has CapEff=${caps.toString(16)}`);
  }
  if (netns !== null && !has(CAP_SYS_ADMIN)) {
    throw new MissingCapabilityError('CAP_SYS_ADMIN', `enter netns '${netns}' (ip netns exec)`, `${who} has CapEff=${caps.toString(16)}`);
  }
}

/** The absolute path of `tool` on PATH, or MissingToolError naming the PATH searched. */
export function findTool(tool: string, pathEnv: string = process.env.PATH ?? ''): string {
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === '') continue;
    const p = join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  throw new MissingToolError(tool, pathEnv);
}

/** `ip netns add` keeps named namespaces under /run/netns. */
export function checkNetns(netns: string): void {
  if (!existsSync(join('/run/netns', netns))) throw new NetnsNotFoundError(netns);
}

export async function checkInterface(runner: CommandRunner, iface: string, vmId: string | null = null): Promise<void> {
  try {
    await runner.run('ip', ['link', 'show', 'dev', iface]);
  } catch (e) {
    if (e instanceof InterfaceNotFoundError) throw new InterfaceNotFoundError(iface, runner.netns, vmId);
    throw e;
  }
}

/** All startup checks for an enforcer that runs `tools` inside `netns`. */
export function preflight(tools: readonly string[], netns: string | null, pathEnv?: string): void {
  for (const t of new Set(netns === null ? tools : ['ip', ...tools])) findTool(t, pathEnv);
  checkCapabilities(netns);
  if (netns !== null) checkNetns(netns);
}
