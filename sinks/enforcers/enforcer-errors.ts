/**
 * Typed failures of the Linux enforcers, each naming what is missing or what failed (tool, capability,
 * netns, interface, the command and its stderr). `retryable` tells a caller whether trying again can help.
 */

export class EnforcerError extends Error {
  /** False when retrying cannot help until someone changes the machine (install a tool, grant a capability). */
  readonly retryable: boolean = true;
  constructor(message: string) {
    super(message);
    this.name = 'EnforcerError';
  }
}

/** A command-line tool (nft, tc, ip) is not installed or not on PATH. */
export class MissingToolError extends EnforcerError {
  override readonly retryable = false;
  constructor(readonly tool: string, readonly searchedPath: string, readonly netns: string | null = null) {
    super(`${tool} not found${netns === null ? '' : ` (run inside netns '${netns}')`}: searched PATH=${searchedPath}; install it (${tool === 'nft' ? 'apt-get install nftables' : 'apt-get install iproute2'})`);
    this.name = 'MissingToolError';
  }
}

/** The process lacks a Linux capability the enforcer needs (CAP_NET_ADMIN for rules, CAP_SYS_ADMIN to enter a netns). */
export class MissingCapabilityError extends EnforcerError {
  override readonly retryable = false;
  constructor(readonly capability: string, readonly needFor: string, detail: string) {
    super(`missing ${capability} (needed to ${needFor}): ${detail}; run as root or grant it (e.g. setcap cap_net_admin,cap_sys_admin+ep, or a container with --cap-add NET_ADMIN)`);
    this.name = 'MissingCapabilityError';
  }
}

/** The network namespace named by config does not exist. */
export class NetnsNotFoundError extends EnforcerError {
  override readonly retryable = false;
  constructor(readonly netns: string) {
    super(`network namespace '${netns}' does not exist (see \`ip netns list\`)`);
    this.name = 'NetnsNotFoundError';
  }
}

/** An interface (a VM's bridge port, or one given by config) does not exist in the target netns. */
export class InterfaceNotFoundError extends EnforcerError {
  constructor(readonly iface: string, readonly netns: string | null, readonly vmId: string | null = null) {
    super(`interface '${iface}'${vmId === null ? '' : ` (port of VM ${vmId})`} does not exist in ${netns === null ? 'the current netns' : `netns '${netns}'`}`);
    this.name = 'InterfaceNotFoundError';
  }
}

/** A VM to act on has no address in the inventory, or no bridge port could be found for it. */
export class VmNotFoundError extends EnforcerError {
  override readonly retryable = false;
  constructor(readonly vmId: string, readonly detail: string) {
    super(`VM '${vmId}': ${detail}`);
    this.name = 'VmNotFoundError';
  }
}

/** A tool ran and failed for another reason; the argv and its stderr say why. */
export class CommandFailedError extends EnforcerError {
  constructor(readonly argv: readonly string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`\`${argv.join(' ')}\` failed (exit ${exitCode ?? 'signal'}): ${stderr.trim().split('\n').slice(0, 4).join(' | ') || '(no stderr)'}`);
    this.name = 'CommandFailedError';
  }
}

/** tc found a qdisc on the port that is not Prescient's: replacing it would break someone else's config. */
export class TcConflictError extends EnforcerError {
  override readonly retryable = false;
  constructor(readonly iface: string, readonly netns: string | null, readonly found: string) {
    super(`interface '${iface}'${netns === null ? '' : ` in netns '${netns}'`} already has root qdisc ${found} that Prescient did not create; refusing to replace it`);
    this.name = 'TcConflictError';
  }
}

/** A configuration value of an enforcer is wrong (allow-list entry, option); `path` names it. */
export class EnforcerConfigError extends EnforcerError {
  override readonly retryable = false;
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'EnforcerConfigError';
  }
}
