/** Builds a LinuxEnforcer from options (the CLI's flags), checking tools, capabilities and the netns first. */
import { CommandRunner } from './command-runner';
import { EnforcerConfigError } from './enforcer-errors';
import type { EnforcerLog } from './enforcer-log';
import { IsolationRateCap } from './isolation-rate-cap';
import { LinuxEnforcer, type LinuxEnforcerKind } from './linux-enforcer';
import { MitigationStateStore } from './mitigation-state-store';
import type { IsolateAllowEntry } from './nft-ruleset';
import { NftablesActuator } from './nftables-actuator';
import { preflight } from './preflight';
import { SafetyAllowList } from './safety-allow-list';
import { NETNS_NAME, TcActuator } from './tc-actuator';
import { VmAddressBook } from './vm-addresses';

export const DEFAULT_STATE_DIR = '/var/lib/prescient/enforcer';

export interface LinuxEnforcerConfig {
  kind: LinuxEnforcerKind;
  /** The netns holding the bridge (the lab's "switch"). Required: Prescient never changes the host's own network. */
  netns: string;
  /** Inventory CSV path (vmId -> IPs/MACs), or a book built already. */
  inventory: string | VmAddressBook;
  /** VM ids and CIDRs never acted on. */
  allowList?: readonly string[];
  /** Token bucket on isolations (default 10 per minute); 0 refuses every isolation. */
  maxIsolationsPerMinute?: number;
  stateDir?: string;
  /** Peers an isolated VM may still reach, e.g. DNS to the resolver and the management address. */
  isolateAllow?: readonly IsolateAllowEntry[];
  /** vmId -> bridge port, when the FDB cannot tell (no MAC in the inventory). */
  vmPorts?: ReadonlyMap<string, string>;
  /** Expiry sweep interval (default 1000 ms; 0: no timer, call sweep() yourself). */
  sweepIntervalMs?: number;
  log?: EnforcerLog;
  /** PATH for nft/tc/ip (tests) and an argv prefix for every command (tests). */
  env?: NodeJS.ProcessEnv;
  prefix?: readonly string[];
}

export function createLinuxEnforcer(c: LinuxEnforcerConfig): LinuxEnforcer {
  if (c.netns === '' || c.netns === undefined) throw new EnforcerConfigError('--netns', 'a target network namespace is required (Prescient never changes the host netns)');
  if (!NETNS_NAME.test(c.netns)) throw new EnforcerConfigError('--netns', `'${c.netns}' is not a plain netns name (letters, digits, _ . -)`);
  if (!['nftables', 'tc', 'linux'].includes(c.kind)) throw new EnforcerConfigError('--enforcer', `expected nftables, tc or linux, got '${c.kind}'`);
  const tools = c.kind === 'nftables' ? ['nft'] : c.kind === 'tc' ? ['tc', 'bridge'] : ['nft', 'tc', 'bridge'];
  preflight(tools, c.netns, (c.env ?? process.env).PATH);
  const runner = new CommandRunner({ netns: c.netns, env: c.env, prefix: c.prefix });
  const addresses = typeof c.inventory === 'string' ? VmAddressBook.fromInventoryFile(c.inventory) : c.inventory;
  const enforcer = new LinuxEnforcer({
    kind: c.kind,
    nft: c.kind === 'tc' ? null : new NftablesActuator(runner, c.isolateAllow ?? []),
    tc: c.kind === 'nftables' ? null : new TcActuator(runner, c.vmPorts),
    addresses,
    store: new MitigationStateStore(c.stateDir ?? DEFAULT_STATE_DIR),
    netns: c.netns,
    allowList: new SafetyAllowList(c.allowList ?? []),
    isolationCap: new IsolationRateCap(c.maxIsolationsPerMinute ?? 10),
    log: c.log,
  });
  if ((c.sweepIntervalMs ?? 1000) > 0) enforcer.startSweeper(c.sweepIntervalMs ?? 1000);
  return enforcer;
}
