/**
 * The end-of-run summary: packets read (total and per VM), anomalies, decisions, top VMs by score.
 * It is a StreamSink for the side outputs plus a packet counter the driver feeds per source batch.
 */
import type { Anomaly, MitigationDecision, PacketEvent } from '../schemas/types';
import type { StreamSink } from './stream-sink';

export interface VmSummary {
  vmId: string;
  packets: number;
  anomalies: number;
  maxScore: number;
  actions: string[];
}

export interface RunSummary {
  packets: number;
  vms: number;
  anomalies: number;
  decisions: number;
  decisionsByAction: Record<string, number>;
  topVms: VmSummary[];
  packetsPerVm: Record<string, number>;
}

interface VmCounters {
  packets: number;
  anomalies: number;
  maxScore: number;
  actions: string[];
}

export class SummarySink implements StreamSink {
  private readonly vms = new Map<string, VmCounters>();
  private packets = 0;
  private anomalies = 0;
  private decisions = 0;
  private readonly byAction: Record<string, number> = {};

  countPackets(batch: readonly PacketEvent[]): void {
    this.packets += batch.length;
    for (let i = 0; i < batch.length; i++) this.vm(batch[i].vmId).packets++;
  }

  write(stream: string, _key: string, value: unknown): void {
    if (stream === 'anomalies') {
      const a = value as Anomaly;
      const vm = this.vm(a.vmId);
      vm.anomalies++;
      if (a.score > vm.maxScore) vm.maxScore = a.score;
      this.anomalies++;
    } else if (stream === 'mitigations') {
      const d = value as MitigationDecision;
      this.decisions++;
      this.byAction[d.action] = (this.byAction[d.action] ?? 0) + 1;
      this.vm(d.vmId).actions.push(d.action);
    }
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}

  summary(top = 10): RunSummary {
    const all = [...this.vms.entries()].map(([vmId, c]) => ({ vmId, ...c }));
    const topVms = all
      .filter((v) => v.anomalies > 0)
      .sort((a, b) => b.maxScore - a.maxScore || b.anomalies - a.anomalies)
      .slice(0, top);
    const packetsPerVm: Record<string, number> = {};
    for (const v of all) packetsPerVm[v.vmId] = v.packets;
    return {
      packets: this.packets,
      vms: this.vms.size,
      anomalies: this.anomalies,
      decisions: this.decisions,
      decisionsByAction: { ...this.byAction },
      topVms,
      packetsPerVm,
    };
  }

  private vm(vmId: string): VmCounters {
    let c = this.vms.get(vmId);
    if (!c) {
      c = { packets: 0, anomalies: 0, maxScore: 0, actions: [] };
      this.vms.set(vmId, c);
    }
    return c;
  }
}

/** Human-readable summary for the terminal. */
export function formatSummary(s: RunSummary, wallMs: number): string {
  const lines = [
    `packets read      ${s.packets.toLocaleString('en-US')} (${s.vms} VMs, ${Math.round((s.packets / Math.max(wallMs, 1)) * 1000).toLocaleString('en-US')} packets/s)`,
    `anomalies         ${s.anomalies.toLocaleString('en-US')}`,
    `decisions         ${s.decisions} ${Object.entries(s.decisionsByAction).map(([a, n]) => `${a}=${n}`).join(' ')}`,
  ];
  if (s.topVms.length > 0) {
    lines.push('top VMs by score');
    for (const v of s.topVms) {
      lines.push(`  ${v.vmId.padEnd(24)} max ${v.maxScore.toFixed(2).padStart(8)}  anomalies ${String(v.anomalies).padStart(7)}  packets ${String(s.packetsPerVm[v.vmId] ?? 0).padStart(8)}  actions ${v.actions.join(',') || '-'}`);
    }
  }
  return lines.join('\n');
}
