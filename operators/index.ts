/**
 * What the rest of the project may use from operators/: the contract, the record the built-in
 * operators pass along, the built-in operators (the registry finds them by scanning this folder; these
 * exports are for code that wires them by hand), the policy loader, and the duration parser.
 * Other engineers add their operator's line here (predict, the registry).
 */
export type {
  BroadcastTable, Collector, MaybePromise, Operator, OperatorContext, OperatorDefinition, OperatorLogger,
  RepartitionChannel, SideOutputs, TimeDomain, Timer, TimerService,
} from './contract';
export { newPacketRecord, type BaselineDeviation, type PacketRecord, type ScoreResult, type WindowFeatures } from './packet-record';
export { windowOperator, windowConfigSchema, type WindowConfig, type WindowSummary } from './window';
export { entropyOperator, entropyConfigSchema, type EntropyConfig } from './entropy';
export { BASELINE_PROFILES_TABLE, baselineOperator, baselineConfigSchema, type BaselineConfig, type ScopeProfileView } from './baseline';
export { scoreOperator, scoreConfigSchema, type ScoreConfig } from './score';
export { mitigateOperator, mitigateConfigSchema, type MitigateConfig } from './mitigate';
export { dnsTunnelOperator, dnsTunnelConfigSchema, parseDnsQueryName, type DnsTunnelAlert, type DnsTunnelConfig, type DnsQueryName } from './dns-tunnel';
export { ACTION_RANK, loadPolicyFile, parsePolicy, PolicyError, validatePolicy, type Policy, type PolicyIssue } from './policy';
export { DurationError, durationUs, parseDurationUs, positiveDurationUs } from './config/duration';
export { shannonEntropy } from '../models/shannon-entropy';
