/**
 * Why a labelled capture scores as it does: runs a topology over it and compares, term by term, the
 * score of attack packets with the benign packets that outrank them (the false positives at FPR 0.001)
 * and with the attacked VM's own benign packets. A diagnostic for tuning the score, not a benchmark.
 *
 *   npm run build && node dist/benchmarks/score-anatomy.js --pcap capture.pcap --labels labels.jsonl --inventory inventory.csv [-t topology.yaml]
 *   (--vm-top VM: also that VM's highest-scoring benign packets)
 *   node dist/benchmarks/score-anatomy.js --synthetic --seed 7 --vms 40 --duration 120 --kinds exfil_known_peer,c2_beacon_known_peer
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { evaluationAttackPlan } from '../evaluation';
import type { PacketRecord } from '../operators/packet-record';
import { attackLabelOf, parseLabelsJsonl, PcapSource, SyntheticSource, type AttackKind, type AttackLabel, type PacketSource } from '../sources';
import { defaultTopologyPath, loadTopologyFile, MAIN_OUTPUT_STREAM, planTopology, runTopology, silentLogger } from '../topology';

function arg(name: string, fallback = ''): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const TERMS = ['score', 'size', 'flags', 'entropy', 'iat', 'baseline', 'b.size', 'b.iat', 'b.ent', 'b.proto', 'b.port', 'b.novel', 'b.rate', 'b.syn', 'b.ports', 'b.peers', 'b.young', 'b.opens', 'b.outp', 'b.busy', 'b.beat', 'b.qname', 'thr'] as const;

interface Row { attack: boolean; vm: string; ts: number; t: number[]; desc: string }

async function main(): Promise<void> {
  let source: PacketSource;
  let labels: AttackLabel[];
  if (process.argv.includes('--synthetic')) {
    const durationSec = Number(arg('--duration', '120'));
    const kinds = arg('--kinds', 'exfil_known_peer,c2_beacon_known_peer').split(',') as AttackKind[];
    const config = { seed: Number(arg('--seed', '7')), vmCount: Number(arg('--vms', '40')), durationSec, attacks: evaluationAttackPlan(kinds, durationSec) };
    source = new SyntheticSource(config);
    labels = new SyntheticSource(config).labels();
  } else {
    const lp = resolve(arg('--labels'));
    labels = parseLabelsJsonl(readFileSync(lp, 'utf8'), lp);
    source = new PcapSource({ path: resolve(arg('--pcap')), inventory: arg('--inventory') || undefined });
  }
  const plan = planTopology(loadTopologyFile(resolve(arg('-t', defaultTopologyPath()))));
  const rows: Row[] = [];
  const sink = {
    write(_s: string, _k: string, v: unknown) {
      const r = v as PacketRecord;
      const s = r.score;
      if (s === undefined) return;
      const b = r.baseline;
      const p = r.packet;
      const t = [s.score, s.breakdown.size, s.breakdown.flags, s.breakdown.entropy, s.breakdown.iat, s.breakdown.baseline,
        b?.sizeZ ?? 0, b?.iatZ ?? 0, b?.entropyZ ?? 0, b?.protocolSurprise ?? 0, b?.portSurprise ?? 0, (b?.newPeer ?? 0) + (b?.newPort ?? 0),
        b?.rateZ ?? 0, b?.synZ ?? 0, b?.portsZ ?? 0, b?.peersZ ?? 0, b?.youngZ ?? 0, b?.opensZ ?? 0, b?.outPortSurprise ?? 0, b?.busyZ ?? 0, b?.beatZ ?? 0, b?.qnameZ ?? 0, s.threshold];
      const port = p.direction === 'EGRESS' ? p.dstPort : p.srcPort;
      const peer = p.direction === 'EGRESS' ? p.dstIp : p.srcIp;
      rows.push({ attack: attackLabelOf(labels, p) !== undefined, vm: p.vmId, ts: p.tsUs, t, desc: `t${(p.tsUs / 1e6 % 10000).toFixed(1)} ${p.direction[0]} p${p.protocol} ${peer}:${port} len${p.size} fl${p.tcpFlags.toString(16)}` });
    },
    flush: async () => undefined,
    close: async () => undefined,
  };
  await runTopology(plan, { source, sinks: { [MAIN_OUTPUT_STREAM]: sink }, logger: silentLogger() });
  process.stdout.write(`summary raw: ${summary(rows, (r) => r.t[0])} | score/VM thr.: ${summary(rows, (r) => r.t[0] / r.t[TERMS.length - 1])}\n`);
  if (process.argv.includes('--summary')) return;
  // --norm: rank by score / the VM's threshold (what the per-VM verdict compares with 1).
  if (process.argv.includes('--norm')) for (const r of rows) r.t[0] = r.t[0] / r.t[TERMS.length - 1];
  const attacks = rows.filter((r) => r.attack);
  const benign = rows.filter((r) => !r.attack).sort((a, b) => b.t[0] - a.t[0]);
  const fp = benign.slice(0, Math.max(1, Math.floor(benign.length * 0.001)));
  const vms = new Set(attacks.map((r) => r.vm));
  const sameVm = benign.filter((r) => vms.has(r.vm));
  const mean = (rs: Row[], i: number) => (rs.length === 0 ? NaN : rs.reduce((s, r) => s + r.t[i], 0) / rs.length);
  const q = (rs: Row[], i: number, f: number) => {
    const v = rs.map((r) => r.t[i]).sort((a, b) => a - b);
    return v.length === 0 ? NaN : v[Math.min(v.length - 1, Math.floor(f * v.length))];
  };
  const cut = fp[fp.length - 1].t[0];
  const caught = attacks.filter((r) => r.t[0] > cut).length;
  process.stdout.write(`packets ${rows.length}, attack ${attacks.length}, FPR-0.001 cut ${cut.toFixed(2)}: attack above ${caught} (${(caught / attacks.length).toFixed(3)})\n`);
  process.stdout.write(['term', 'atk mean', 'atk p10', 'atk p50', 'fp mean', 'vm-benign mean', 'vm-benign p99'].join('\t') + '\n');
  TERMS.forEach((name, i) => {
    process.stdout.write([name, mean(attacks, i), q(attacks, i, 0.1), q(attacks, i, 0.5), mean(fp, i), mean(sameVm, i), q(sameVm, i, 0.99)].map((x) => (typeof x === 'number' ? x.toFixed(2) : x)).join('\t') + '\n');
  });
  const fpVms = new Map<string, number>();
  for (const r of fp) fpVms.set(r.vm, (fpVms.get(r.vm) ?? 0) + 1);
  process.stdout.write(`false positives by VM: ${[...fpVms].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([v, n]) => `${v}:${n}`).join(' ')}\n`);
  process.stdout.write('top FP:\n' + fp.slice(0, 6).map((r) => `  ${r.vm} ${r.desc} ${r.t.map((x) => x.toFixed(1)).join(' ')}`).join('\n') + '\n');
  const low = attacks.slice().sort((a, b) => a.t[0] - b.t[0]);
  process.stdout.write('lowest attack:\n' + low.filter((_, i) => i % Math.max(1, Math.floor(low.length / 8)) === 0).slice(0, 8).map((r) => `  ${r.vm} ${r.desc} ${r.t.map((x) => x.toFixed(1)).join(' ')}`).join('\n') + '\n');
  // --vm-top VM: that VM's highest-scoring benign packets (what its calibrated threshold learns from).
  const vmTop = arg('--vm-top');
  if (vmTop !== '') {
    const own = rows.filter((r) => r.vm === vmTop && !r.attack).sort((x, y) => y.t[0] - x.t[0]);
    process.stdout.write(`top benign of ${vmTop} (${own.length} packets):\n` + own.slice(0, 12).map((r) => `  ${r.desc} ${r.t.map((x) => x.toFixed(1)).join(' ')}`).join('\n') + '\n');
  }
}

/** ROC AUC (ties one half) and TPR at FPR 0.001 (ties not split) of a ranking. */
function summary(rows: Row[], key: (r: Row) => number): string {
  const v = rows.map((r) => ({ s: key(r), a: r.attack })).sort((x, y) => x.s - y.s);
  let rankSum = 0, pos = 0;
  for (let i = 0; i < v.length;) {
    let j = i;
    while (j < v.length && v[j].s === v[i].s) j++;
    const mid = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (v[k].a) { rankSum += mid; pos++; }
    i = j;
  }
  const neg = v.length - pos;
  const auc = (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
  let fp = 0, tp = 0, best = 0;
  for (let i = v.length - 1; i >= 0;) {
    let j = i;
    while (j >= 0 && v[j].s === v[i].s) { if (v[j].a) tp++; else fp++; j--; }
    if (fp <= 0.001 * neg) best = tp / pos; else break;
    i = j;
  }
  return `AUC ${auc.toFixed(4)} TPR@0.001 ${best.toFixed(3)}`;
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
