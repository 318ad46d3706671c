/**
 * Linux enforcers: nftables (drop a VM or a flow, isolate a VM) and tc (rate-limit a VM) inside a
 * target netns, with an allow-list, an isolation cap, expiry and a state file; and the in-process
 * sink that runs one in the embedded pipeline. See README.md.
 */
export { createLinuxEnforcer, DEFAULT_STATE_DIR, type LinuxEnforcerConfig } from './create-linux-enforcer';
export { LinuxEnforcer, type LinuxEnforcerKind, type LinuxEnforcerOptions, type ApplyOutcome } from './linux-enforcer';
export {
  createEnforcerSink, enforcementTimes, clearEnforcementTimes, EnforcerSink,
  type EnforcerSinkOptions, type EnforcerSinkStats, type EnforcementTime, type EnforcementFailure,
} from './enforcer-sink';
export { liftMitigations, type LiftOptions } from './lift-mitigations';
export { MitigationStateStore } from './mitigation-state-store';
export type { MitigationRecord, MitigationStatus, AppliedAction } from './mitigation-record';
export { CommandRunner, type CommandRunnerOptions } from './command-runner';
export { NftablesActuator } from './nftables-actuator';
export { TcActuator, type TcTargets } from './tc-actuator';
export { parseIsolateAllow, NFT_FAMILY, NFT_TABLE, type IsolateAllowEntry, type NftElement } from './nft-ruleset';
export { VmAddressBook, type VmAddresses } from './vm-addresses';
export { SafetyAllowList } from './safety-allow-list';
export { IsolationRateCap } from './isolation-rate-cap';
export { preflight, checkCapabilities, checkInterface, checkNetns, findTool, effectiveCapabilities } from './preflight';
export { stderrEnforcerLog, type EnforcerLog } from './enforcer-log';
export {
  EnforcerError, MissingToolError, MissingCapabilityError, NetnsNotFoundError, InterfaceNotFoundError,
  VmNotFoundError, CommandFailedError, TcConflictError, EnforcerConfigError,
} from './enforcer-errors';
