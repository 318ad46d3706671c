/** MitigationDecision builder for the enforcer tests. */
import type { FlowRef, MitigationAction, MitigationDecision } from '../../../../schemas/types';

let seq = 0;

export function decision(vmId: string, action: MitigationAction, o: { ttlSec?: number; rateKbps?: number; flow?: FlowRef; dryRun?: boolean; id?: string } = {}): MitigationDecision {
  const tsUs = 1_700_000_000_000_000 + ++seq * 1000;
  return {
    id: o.id ?? `${vmId}:${action}:${tsUs}`,
    tsUs,
    vmId,
    accountId: 'acct',
    vnetId: 'vnet',
    action,
    previousAction: 'NONE',
    score: 9,
    reason: 'test',
    rateKbps: action === 'RATE_LIMIT' ? o.rateKbps ?? 1000 : null,
    flow: o.flow ?? null,
    expiresAtUs: tsUs + (o.ttlSec ?? 60) * 1e6,
    dryRun: o.dryRun ?? false,
    anomalyId: `a-${seq}`,
  };
}

/** A log that keeps its lines, for asserting what was reported. */
export function memoryLog(): { lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }>; info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void } {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object, msg: string): void => { lines.push({ level, msg, obj: obj as Record<string, unknown> }); };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
