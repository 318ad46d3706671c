/**
 * Detection of real attacks by a compromised VM. For each capture in shared/data/pcaps: generate
 * benign synthetic traffic, mix the attack into one VM (its attacker rewritten to the VM's IP and
 * MAC), and evaluate topology/default.yaml and topology/with-model.yaml on it. Separately, the
 * known-peer scenario: synthetic exfil_known_peer and c2_beacon_known_peer only, where peer novelty
 * sees nothing. Writes benchmarks/results/real-attacks-<date>.{json,md}.
 *
 *   npm run build && node dist/benchmarks/real-attacks.js [--vm vm-web-3] [--vms 40] [--seed 7] [--pcaps DIR] [--only NAME]
 *     [--warm SEC] [--rank-from SEC] [--topologies default.yaml,with-model.yaml] [--tag NAME]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { evaluationAttackPlan, KNOWN_PEER_KINDS, mixCapture, runEvaluation, type EvalReport, type EvaluationOutcome } from '../evaluation';
import { generateToPcap, parseLabelsJsonl, PcapSource, readCaptureFile, SyntheticSource, type AttackKind, type AttackLabel, type PacketSource } from '../sources';

interface CaptureCase {
  name: string;
  /** The generator's closest attack kind, written in the label. */
  kind: AttackKind;
  /** Idle gaps longer than this are shortened (seconds), for captures with long pauses. */
  maxGapSec?: number;
  why: string;
}

const CAPTURES: CaptureCase[] = [
  { name: 'esnet_masscan_tcp', kind: 'port_scan', why: 'masscan TCP SYN scan, ports 0-1000' },
  { name: 'esnet_masscan_udp', kind: 'port_scan', why: 'masscan UDP scan, ports 0-1000' },
  { name: 'esnet_nmap_80_all', kind: 'port_scan', why: 'nmap -p80 -A' },
  // 25.7 min, mostly idle: gaps over 1 s shortened to 1 s keep every packet and each burst's pacing.
  { name: 'lucid_WebDDoS', kind: 'syn_flood', maxGapSec: 1, why: 'CIC-DDoS2019 WebDDoS, idle gaps > 1 s cut to 1 s' },
];

const TOPOLOGIES = ['default.yaml', 'with-model.yaml'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface Row {
  case: string;
  topology: string;
  packets: number;
  attackPackets: number;
  auc: number | null;
  ap: number | null;
  tpr001: number;
  tpr01: number;
  normAuc: number | null;
  normTpr001: number;
  normTpr01: number;
  verdictTpr: number;
  verdictFpr: number;
  attacks: EvalReport['attacks'];
  packetsPerSec: number;
  wallMs: number;
  /** Rankings over the packets after --rank-from seconds only (null without it). */
  after: { packets: number; attackPackets: number; auc: number | null; tpr001: number; normAuc: number | null; normTpr001: number } | null;
}

function rowOf(name: string, o: EvaluationOutcome): Row {
  const r = o.report;
  return {
    case: name,
    topology: o.topology,
    packets: r.packets,
    attackPackets: r.attackPackets,
    auc: r.auc,
    ap: r.averagePrecision,
    tpr001: r.tprAtFpr[0].tpr,
    tpr01: r.tprAtFpr[1].tpr,
    normAuc: r.perVmNormalised.auc,
    normTpr001: r.perVmNormalised.tprAtFpr[0].tpr,
    normTpr01: r.perVmNormalised.tprAtFpr[1].tpr,
    verdictTpr: r.verdicts.tpr,
    verdictFpr: r.verdicts.fpr,
    attacks: r.attacks,
    packetsPerSec: Math.round(o.run.packetsPerSec),
    wallMs: Math.round(o.run.wallMs),
    after: r.afterWarmup === undefined ? null : {
      packets: r.afterWarmup.packets,
      attackPackets: r.afterWarmup.attackPackets,
      auc: r.afterWarmup.score.auc,
      tpr001: r.afterWarmup.score.tprAtFpr[0].tpr,
      normAuc: r.afterWarmup.perVmNormalised.auc,
      normTpr001: r.afterWarmup.perVmNormalised.tprAtFpr[0].tpr,
    },
  };
}

function captureSpanSec(file: string, maxGapSec?: number): number {
  let prev = -1, span = 0;
  const cap = maxGapSec === undefined ? Number.POSITIVE_INFINITY : maxGapSec * 1e6;
  readCaptureFile(file, (f) => {
    if (prev >= 0) span += Math.min(Math.max(0, f.tsUs - prev), cap);
    prev = f.tsUs;
  });
  return span / 1e6;
}

/** How each case is evaluated: the topologies run, and --rank-from (rank the packets after it alone too). */
interface EvalPlan {
  topologyDir: string;
  topologies: string[];
  rankFromSec: number;
}

async function evaluateAll(name: string, makeSource: () => PacketSource, labels: AttackLabel[], outDir: string, plan: EvalPlan): Promise<Row[]> {
  const { topologyDir, rankFromSec } = plan;
  const rows: Row[] = [];
  for (const t of plan.topologies) {
    process.stderr.write(`  ${name} / ${t} ...`);
    const o = await runEvaluation({ topologyFile: join(topologyDir, t), source: makeSource(), labels, outDir: join(outDir, t.replace('.yaml', '')), warmupSec: rankFromSec > 0 ? rankFromSec : undefined });
    const row = rowOf(name, o);
    const a = row.after;
    process.stderr.write(` AUC ${row.auc?.toFixed(4)} TPR@1e-3 ${row.tpr001.toFixed(3)} (normalised: AUC ${row.normAuc?.toFixed(4)} TPR@1e-3 ${row.normTpr001.toFixed(3)})${a === null ? '' : `; after ${rankFromSec} s: AUC ${a.auc?.toFixed(4)} TPR@1e-3 ${a.tpr001.toFixed(3)} (normalised ${a.normAuc?.toFixed(4)} / ${a.normTpr001.toFixed(3)})`} ${row.packetsPerSec} pkt/s\n`);
    rows.push(row);
  }
  return rows;
}

const f4 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(4));
const f3 = (x: number): string => x.toFixed(3);

function table(rows: Row[]): string[] {
  const out = [
    '| case | topology | packets | attack pkts | AUC | AP | TPR@FPR 0.001 | TPR@FPR 0.01 | AUC (score/VM thr.) | TPR@0.001 (score/VM thr.) | TPR@0.01 (score/VM thr.) | verdict TPR / FPR | first-anomaly delay |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const delays = r.attacks.map((a) => (a.delayMs === 'missed' ? 'missed' : `${a.delayMs.toFixed(0)} ms`)).join(', ');
    out.push(`| ${r.case} | ${r.topology} | ${r.packets} | ${r.attackPackets} | ${f4(r.auc)} | ${f4(r.ap)} | ${f3(r.tpr001)} | ${f3(r.tpr01)} | ${f4(r.normAuc)} | ${f3(r.normTpr001)} | ${f3(r.normTpr01)} | ${f3(r.verdictTpr)} / ${r.verdictFpr.toExponential(1)} | ${delays} |`);
  }
  return out;
}

/** The rankings over the packets after --rank-from seconds (empty without it). */
function afterTable(rows: Row[], rankFromSec: number): string[] {
  if (rankFromSec <= 0) return [];
  const f4 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(4));
  return [
    `### Ranked after the first ${rankFromSec} s (those packets learnt from, not ranked)`,
    '',
    '| case | topology | packets ranked | attack pkts | AUC | TPR@FPR 0.001 | AUC (score/VM thr.) | TPR@0.001 (score/VM thr.) |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows.filter((r) => r.after !== null).map((r) => `| ${r.case} | ${r.topology} | ${r.after!.packets} | ${r.after!.attackPackets} | ${f4(r.after!.auc)} | ${r.after!.tpr001.toFixed(3)} | ${f4(r.after!.normAuc)} | ${r.after!.normTpr001.toFixed(3)} |`),
    '',
  ];
}

async function main(): Promise<void> {
  const seed = Number(arg('seed', '7'));
  const vms = Number(arg('vms', '40'));
  const vm = arg('vm', 'vm-web-3');
  const only = arg('only', '');
  const warmSec = Number(arg('warm', '0'));
  const repo = resolve(__dirname, '..', '..');
  const pcaps = resolve(arg('pcaps', join(repo, '..', 'shared', 'data', 'pcaps')));
  const topologyDir = join(repo, 'topology');
  const plan: EvalPlan = { topologyDir, topologies: arg('topologies', TOPOLOGIES.join(',')).split(','), rankFromSec: Number(arg('rank-from', '0')) };
  const resultsDir = join(repo, 'benchmarks', 'results');
  const work = join(resultsDir, 'tmp', 'real-attacks');
  const date = new Date().toISOString();
  const rows: Row[] = [];
  const mixes: Record<string, unknown>[] = [];

  for (const c of CAPTURES) {
    if (only !== '' && only !== c.name) continue;
    const attack = join(pcaps, `${c.name}.pcap`);
    const span = captureSpanSec(attack, c.maxGapSec);
    // The attack starts at 45% of the run, after every VM's baseline and threshold have settled; with
    // --warm, no earlier than that many seconds of benign traffic (the profiles' half-life is 10 min:
    // a 90 s run judges a region that has just been switched on).
    const durationSec = Math.max(90, Math.ceil((span + 15) / 0.55), Math.ceil(warmSec + span + 15));
    const atSec = Math.max(Math.round(durationSec * 0.45), warmSec);
    process.stderr.write(`${c.name}: benign ${vms} VMs x ${durationSec} s, attack (${span.toFixed(1)} s) at ${atSec} s on ${vm}\n`);
    const benign = await generateToPcap({ seed, vmCount: vms, durationSec, attacks: [] }, join(work, `benign-${durationSec}`));
    const out = join(work, c.name);
    const m = mixCapture({ benign: benign.pcapPath, benignInventory: benign.inventoryPath, attack, vmId: vm, atSec, maxGapSec: c.maxGapSec, kind: c.kind, out });
    mixes.push({ case: c.name, what: c.why, benignPackets: m.benignPackets, attackPackets: m.attackPackets, attacker: m.attacker, vm, atSec, originalSpanSec: m.originalSpanSec, mixedSpanSec: m.mixedSpanSec, knownPeer: m.label.knownPeer });
    const labels = parseLabelsJsonl(readFileSync(m.labelsPath, 'utf8'), m.labelsPath);
    rows.push(...await evaluateAll(c.name, () => new PcapSource({ path: m.pcapPath, inventory: m.inventoryPath }), labels, join(out, 'eval'), plan));
  }

  const knownRows: Row[] = [];
  if (only === '' || only === 'known-peer') {
    const durationSec = 120;
    const config = { seed, vmCount: vms, durationSec, attacks: evaluationAttackPlan(KNOWN_PEER_KINDS, durationSec) };
    process.stderr.write(`known-peer scenario: ${vms} VMs x ${durationSec} s, ${KNOWN_PEER_KINDS.join(', ')}\n`);
    const labels = new SyntheticSource(config).labels();
    knownRows.push(...await evaluateAll('known-peer (synthetic)', () => new SyntheticSource(config), labels, join(work, 'known-peer'), plan));
  }

  mkdirSync(resultsDir, { recursive: true });
  const stem = join(resultsDir, `real-attacks-${date.slice(0, 10)}${arg('tag', '') === '' ? '' : `-${arg('tag', '')}`}`);
  const host = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  writeFileSync(`${stem}.json`, JSON.stringify({ date, host, seed, vms, vm, mixes, realAttacks: rows, knownPeer: knownRows }, null, 2));
  const md = [
    `# Detection of real attacks from a compromised VM, ${date}`,
    '',
    `${host}. Benign traffic: synthetic, seed ${seed}, ${vms} VMs, no attacks. Each capture mixed into ${vm} (attacker address and MAC rewritten to the VM's) at 45% of the run${warmSec > 0 ? `, and after at least ${warmSec} s of benign traffic` : ''}. Every packet of the run is scored and ranked, the first seconds' included.`,
    'AUC, AP and TPR@FPR rank every packet by its score; "score/VM thr." ranks by score divided by the VM\'s own threshold (the quantity the per-VM verdict compares with 1). Verdict TPR/FPR: the score operator\'s own anomalous flag.',
    '',
    '## Real captures mixed into benign traffic',
    '',
    ...mixes.map((m) => `- ${m.case}: ${m.what}; ${m.attackPackets} attack packets over ${(m.mixedSpanSec as number).toFixed(1)} s (capture span ${(m.originalSpanSec as number).toFixed(1)} s) among ${m.benignPackets} benign; attacker ${m.attacker}`),
    '',
    ...table(rows),
    '',
    ...afterTable(rows, plan.rankFromSec),
    '## Known-peer attacks (synthetic: exfil_known_peer, c2_beacon_known_peer only)',
    '',
    ...table(knownRows),
    '',
  ].join('\n');
  writeFileSync(`${stem}.md`, md);
  process.stdout.write(`${md}\nwritten ${stem}.json and ${stem}.md\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
