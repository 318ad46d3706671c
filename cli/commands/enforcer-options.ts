/**
 * The Linux enforcer flags shared by `prescient enforce` and `prescient run` (--netns, --allow-list,
 * --max-isolations-per-minute, --state-dir, ...), and the enforcer they build. sinks/enforcers loads
 * only when a Linux enforcer is asked for.
 */
import type { Command } from 'commander';
import { int as count } from '../arg-parsers';
import type { Enforcer } from '../../sinks/bullmq';
import type { EnforcerLog, LinuxEnforcer } from '../../sinks/enforcers';
import { BadArgumentError } from '../errors';

export const LINUX_ENFORCERS = ['nftables', 'tc', 'linux'] as const;

export interface LinuxEnforcerFlags {
  netns?: string;
  inventory?: string;
  allowList?: string;
  maxIsolationsPerMinute?: number;
  stateDir?: string;
  isolateAllow?: string;
  vmPorts?: string;
}


/**
 * Adds the enforcer flags to `prescient enforce` or `prescient run`. `run` already has --inventory and
 * a --netns of its own (the live capture's), so there the target is --enforce-netns (default: --netns).
 */
export function addEnforcerOptions(cmd: Command, mode: 'enforce' | 'run'): Command {
  if (mode === 'enforce') {
    cmd
      .option('--netns <name>', 'network namespace holding the VMs\' bridge, where rules go (required for nftables|tc|linux)')
      .option('--inventory <file>', 'VM inventory CSV (vmId -> IPs/MACs), required for nftables|tc|linux');
  } else {
    cmd
      .option('--enforcer <kind>', 'enforce mitigations in-process: log | webhook | nftables | tc | linux (default: none)')
      .option('--enforcer-url <url>', 'webhook URL for --enforcer webhook')
      .option('--enforce-netns <name>', 'netns holding the VMs\' bridge for nftables|tc|linux (default: --netns)');
  }
  return cmd
    .option('--allow-list <list>', 'VM ids and CIDRs never acted on, comma-separated')
    .option('--max-isolations-per-minute <n>', 'cap on isolations (token bucket); over it an isolation is refused and reported', count('--max-isolations-per-minute'), 10)
    .option('--state-dir <dir>', 'where applied actions are recorded (mitigations.json)', '/var/lib/prescient/enforcer')
    .option('--isolate-allow <list>', 'peers an isolated VM may still reach, proto:port@address, comma-separated (e.g. udp:53@10.0.0.53)')
    .option('--vm-ports <list>', 'vmId=bridge-port pairs for tc, when the bridge FDB cannot tell (comma-separated)');
}

/** Builds nftables|tc|linux from the flags (checks tools, capabilities and the netns first). */
export async function createLinuxEnforcerFromFlags(kind: string, f: LinuxEnforcerFlags, log?: EnforcerLog): Promise<LinuxEnforcer> {
  if (!(LINUX_ENFORCERS as readonly string[]).includes(kind)) throw new BadArgumentError(`--enforcer: expected ${LINUX_ENFORCERS.join(', ')}, got '${kind}'`);
  if (f.netns === undefined) throw new BadArgumentError(`--enforcer ${kind} needs --netns (the namespace holding the VMs' bridge)`);
  if (f.inventory === undefined) throw new BadArgumentError(`--enforcer ${kind} needs --inventory (to know each VM's IPs and MACs)`);
  const { createLinuxEnforcer, parseIsolateAllow } = await import('../../sinks/enforcers');
  const vmPorts = new Map<string, string>();
  for (const pair of (f.vmPorts ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const [vm, port] = pair.split('=');
    if (!vm || !port) throw new BadArgumentError(`--vm-ports: '${pair}' is not vmId=port`);
    vmPorts.set(vm, port);
  }
  return createLinuxEnforcer({
    kind: kind as (typeof LINUX_ENFORCERS)[number],
    netns: f.netns,
    inventory: f.inventory,
    allowList: (f.allowList ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
    maxIsolationsPerMinute: f.maxIsolationsPerMinute,
    stateDir: f.stateDir,
    isolateAllow: parseIsolateAllow(f.isolateAllow),
    vmPorts,
    log,
  });
}

/** Stops the expiry sweeper of a Linux enforcer (others have none). */
export function closeEnforcer(e: Enforcer): void {
  (e as Partial<LinuxEnforcer>).stopSweeper?.call(e);
}
