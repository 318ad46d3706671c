/** Mitigation policies: loading, validation, and address matching for allow-lists. */
export { PolicyError, type PolicyIssue } from './policy-error';
export { ACTION_RANK, TIER_ACTIONS, policySchema, type Policy, type PolicyInput } from './policy-schema';
export { loadPolicyFile, parsePolicy, resolvePolicyPath, validatePolicy } from './load-policy';
export { ipInNet, parseIpNet, type IpNet } from './ip-match';
