/**
 * Checks made before tcpdump starts, so that a missing tool, namespace, interface or capability is
 * refused up front with a LiveCaptureError naming it (rather than a broken pipe later).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { LiveCaptureError } from './live-capture-error';

export const CAP_NET_RAW = 13;
export const CAP_SYS_ADMIN = 21;

/** The absolute path of `tool` on `pathEnv` (or `tool` itself when absolute and executable), or null. */
export function findTool(tool: string, pathEnv: string = process.env.PATH ?? ''): string | null {
  const candidates = isAbsolute(tool) ? [tool] : pathEnv.split(delimiter).filter((d) => d !== '').map((d) => join(d, tool));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // Not here: try the next directory.
    }
  }
  return null;
}

/** The effective capability set of this process, from /proc (null where /proc is not Linux's). */
export function effectiveCapabilities(statusText?: string): bigint | null {
  let text = statusText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(text);
  return m ? BigInt(`0x${m[1]}`) : null;
}

export function hasCapability(caps: bigint | null, bit: number): boolean {
  // Unknown (no /proc): let tcpdump itself say whether it may capture.
  return caps === null || (caps & (1n << BigInt(bit))) !== 0n;
}

export interface PreflightInput {
  iface: string;
  netns: string | null;
  tcpdump: string;
  pathEnv?: string;
  /** For tests: the CapEff set to judge instead of this process's. */
  capabilities?: bigint | null;
}

export interface PreflightResult {
  tcpdumpPath: string;
  ipPath: string | null;
}

export function preflightLiveCapture(input: PreflightInput): PreflightResult {
  const { iface, netns } = input;
  const where = netns === null ? '' : ` in network namespace '${netns}'`;
  const fail = (problem: ConstructorParameters<typeof LiveCaptureError>[0], msg: string): never => {
    throw new LiveCaptureError(problem, iface, netns, msg);
  };
  const tcpdumpPath = findTool(input.tcpdump, input.pathEnv);
  if (tcpdumpPath === null) {
    fail('tool-missing', `live capture needs tcpdump, and '${input.tcpdump}' is not on PATH (install it: apt-get install tcpdump)`);
  }
  const caps = input.capabilities !== undefined ? input.capabilities : effectiveCapabilities();
  if (!hasCapability(caps, CAP_NET_RAW)) {
    fail('no-capability', `capturing on '${iface}' needs CAP_NET_RAW, which this process does not have (run as root or grant cap_net_raw)`);
  }
  let ipPath: string | null = null;
  if (netns !== null) {
    ipPath = findTool('ip', input.pathEnv);
    if (ipPath === null) fail('tool-missing', `capturing in network namespace '${netns}' needs 'ip' (iproute2), which is not on PATH`);
    if (!hasCapability(caps, CAP_SYS_ADMIN)) {
      fail('no-capability', `entering network namespace '${netns}' needs CAP_SYS_ADMIN, which this process does not have`);
    }
    if (!existsSync(join('/run/netns', netns))) fail('netns-missing', `network namespace '${netns}' does not exist (ip netns list)`);
  }
  if (iface !== 'any' && !interfaceExists(iface, netns, ipPath)) {
    fail('interface-missing', `network interface '${iface}' does not exist${where}`);
  }
  return { tcpdumpPath: tcpdumpPath as string, ipPath };
}

function interfaceExists(iface: string, netns: string | null, ipPath: string | null): boolean {
  if (netns === null) return existsSync(join('/sys/class/net', iface)) && !iface.includes('/');
  try {
    execFileSync(ipPath as string, ['-n', netns, 'link', 'show', 'dev', iface], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
