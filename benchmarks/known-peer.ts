/**
 * Detection of the known-peer attacks, one kind per scenario so each gets its own AUC and TPR: the
 * synthetic region with one attack of that kind (its peer one the VM already uses) from 45 % of the
 * run for --attack seconds, evaluated with topology/default.yaml. Prints one JSON line per kind.
 *
 *   npm run build && node dist/benchmarks/known-peer.js [--seed 7] [--vms 40] [--duration 150] [--attack 60] [--kinds k1,k2] [-t topology.yaml]
 */
import { join, resolve } from 'node:path';
import { runEvaluation } from '../evaluation';
import { KNOWN_PEER_ATTACK_KINDS, SyntheticSource, type AttackKind } from '../sources';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const seed = Number(arg('--seed', '7'));
  const vmCount = Number(arg('--vms', '40'));
  const durationSec = Number(arg('--duration', '150'));
  const attackSec = Number(arg('--attack', '60'));
  const kinds = arg('--kinds', KNOWN_PEER_ATTACK_KINDS.join(',')).split(',') as AttackKind[];
  const repo = resolve(__dirname, '..', '..');
  const topologyFile = resolve(arg('-t', join(repo, 'topology', 'default.yaml')));
  const work = join(repo, 'benchmarks', 'results', 'tmp', 'known-peer');
  for (const kind of kinds) {
    const atSec = Math.round(durationSec * 0.45);
    const config = { seed, vmCount, durationSec, attacks: [{ kind, atSec, durationSec: Math.min(attackSec, durationSec - atSec) }] };
    const labels = new SyntheticSource(config).labels();
    const o = await runEvaluation({ topologyFile, source: new SyntheticSource(config), labels, outDir: join(work, `${kind}-seed${seed}`), charts: false });
    const r = o.report;
    const a = r.attacks[0];
    process.stdout.write(`${JSON.stringify({
      kind, seed, vm: labels[0].vmId, knownPeer: labels[0].knownPeer, packets: r.packets, attackPackets: r.attackPackets,
      auc: r.auc, tpr001: r.tprAtFpr[0].tpr, tpr01: r.tprAtFpr[1].tpr,
      normAuc: r.perVmNormalised.auc, normTpr001: r.perVmNormalised.tprAtFpr[0].tpr,
      verdictTpr: r.verdicts.tpr, verdictFpr: r.verdicts.fpr, recall: a?.recall, delayMs: a?.delayMs,
    })}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
