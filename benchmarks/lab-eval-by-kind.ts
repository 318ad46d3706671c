/**
 * Per-attack-kind detection on a lab capture: ROC AUC and TPR at FPR 0.001 of each kind against
 * all benign packets (other kinds' packets left out, so one loud attack does not hide a quiet one),
 * plus each attack's detection delay. `prescient eval` gives the pooled figures; this splits them.
 * Usage: npm run build && npm run lab:eval-by-kind -- \
 *          CAPTURE LABELS INVENTORY [TOPOLOGY] > by-kind.json
 */
import { readFileSync } from 'node:fs';
import { BENIGN, collectScores, evaluateScores, labelerFor, rocAuc, rocCurve, tprAtFpr } from '../evaluation';
import { parseLabelsJsonl, PcapSource } from '../sources';
import { defaultTopologyPath, loadTopologyFile, planTopology } from '../topology';

const FPR = 0.001;

function ranking(values: Float32Array, labels: Uint8Array): { auc: number; tpr: number } {
  return { auc: rocAuc(values, labels), tpr: tprAtFpr(rocCurve(values, labels), FPR).tpr };
}

async function main(): Promise<void> {
  const [capture, labelsFile, inventory, topologyFile = defaultTopologyPath()] = process.argv.slice(2);
  if (inventory === undefined) throw new Error('usage: eval-by-kind.ts CAPTURE LABELS INVENTORY [TOPOLOGY]');
  const labels = parseLabelsJsonl(readFileSync(labelsFile, 'utf8'), labelsFile);
  const plan = planTopology(loadTopologyFile(topologyFile));
  const { table } = await collectScores(plan, new PcapSource({ path: capture, inventory }), labelerFor(labels));
  const cols = table.view();
  const detections = evaluateScores(cols, labels).report.attacks;
  const kinds = [...new Set(labels.map((l) => l.kind))];
  const out = kinds.map((kind) => {
    const keep: number[] = [];
    for (let i = 0; i < cols.attack.length; i++) if (cols.attack[i] === BENIGN || labels[cols.attack[i]].kind === kind) keep.push(i);
    const pick = <T extends Float32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(keep.length);
      keep.forEach((j, k) => { b[k] = a[j]; });
      return b;
    };
    const y = pick(cols.labels, (n) => new Uint8Array(n));
    const attacks = detections.filter((d) => d.kind === kind);
    return {
      kind,
      knownPeer: labels.some((l) => l.kind === kind && l.knownPeer),
      attackPackets: y.reduce((s, v) => s + v, 0),
      benignPackets: y.length - y.reduce((s, v) => s + v, 0),
      score: ranking(pick(cols.scores, (n) => new Float32Array(n)), y),
      perVmNormalised: ranking(pick(cols.margins, (n) => new Float32Array(n)), y),
      attacks: attacks.map((d) => ({ id: d.id, vmId: d.vmId, packets: d.packets, recall: d.recall, delayMs: d.delayMs })),
    };
  });
  process.stdout.write(`${JSON.stringify({ topologyFile, fpr: FPR, kinds: out }, null, 2)}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`eval-by-kind: ${e.message}\n`);
  process.exitCode = 1;
});
