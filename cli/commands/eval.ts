/** `prescient eval`: detection metrics of a topology on a labelled capture or a generated scenario. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EvaluationError, evaluationAttackPlan, formatReport, MixError, parseAttackKinds, runEvaluation, type EvaluationOutcome } from '../../evaluation';
import { parseLabelsJsonl, PcapSource, SyntheticSource, type AttackLabel, type PacketSource } from '../../sources';
import type { RunStats } from '../../topology';
import { BadArgumentError } from '../errors';

export interface EvalCommandOptions {
  topology?: string;
  /** 'synthetic': a generated region with labelled attacks. */
  scenario?: string;
  seed?: number;
  vms?: number;
  durationSec?: number;
  /** Attack kinds of the scenario, comma-separated, or 'all' (default). */
  kinds?: string;
  pcap?: string;
  labels?: string;
  inventory?: string;
  /** Also rank the packets after this many seconds alone (EvalReport.afterWarmup). */
  warmupSec?: number;
  out: string;
  quiet?: boolean;
}

function sourceOf(o: EvalCommandOptions): { source: PacketSource; labels: AttackLabel[] } {
  if ((o.scenario === undefined) === (o.pcap === undefined)) throw new BadArgumentError('eval needs exactly one input: --scenario synthetic, or --pcap FILE --labels FILE');
  if (o.scenario !== undefined) {
    if (o.scenario !== 'synthetic') throw new BadArgumentError(`--scenario: unknown scenario '${o.scenario}' (known: synthetic)`);
    const durationSec = o.durationSec ?? 60;
    const attacks = evaluationAttackPlan(parseAttackKinds(o.kinds ?? 'all'), durationSec);
    const source = new SyntheticSource({ seed: o.seed ?? 42, vmCount: o.vms ?? 64, durationSec, attacks });
    return { source, labels: source.labels() };
  }
  if (o.labels === undefined) throw new BadArgumentError('--pcap needs --labels FILE (labels.jsonl, as written by `prescient generate` or `prescient mix`)');
  const labels = parseLabelsJsonl(readFileSync(o.labels, 'utf8'), o.labels);
  return { source: new PcapSource({ path: o.pcap!, inventory: o.inventory }), labels };
}

/** Progress on stderr: one rewritten line on a terminal, a line every 5 s otherwise. */
function progressPrinter(quiet: boolean): { update: (s: RunStats) => void; done: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  let last = 0;
  let shown = false;
  return {
    update: (s) => {
      if (quiet) return;
      const line = `eval: ${s.packetsIn.toLocaleString('en-US')} packets, ${Math.round(s.packetsPerSec).toLocaleString('en-US')}/s`;
      if (tty) {
        process.stderr.write(`\r${line}   `);
        shown = true;
      } else if (performance.now() - last >= 5000) {
        process.stderr.write(`${line}\n`);
        last = performance.now();
      }
    },
    done: () => {
      if (shown) process.stderr.write('\n');
    },
  };
}

export async function evalCommand(o: EvalCommandOptions): Promise<EvaluationOutcome> {
  try {
    const { source, labels } = sourceOf(o);
    const progress = progressPrinter(o.quiet ?? false);
    if (!o.quiet) process.stderr.write(`eval: ${source.description}, ${labels.length} labelled attacks\n`);
    let outcome: EvaluationOutcome;
    try {
      outcome = await runEvaluation({ topologyFile: o.topology, source, labels, outDir: resolve(o.out), onProgress: progress.update, warmupSec: o.warmupSec });
    } finally {
      progress.done();
    }
    if (!o.quiet) {
      process.stdout.write(`${formatReport(outcome.report)}\n`);
      process.stdout.write(`report -> ${outcome.files.json}\ncharts -> ${outcome.files.scores}, ${outcome.files.roc}\n`);
    }
    return outcome;
  } catch (e) {
    // Our evaluation errors are the user's input (no attack packets, bad kinds): exit 2, not a crash.
    if (e instanceof EvaluationError || e instanceof MixError) throw new BadArgumentError(e.message);
    throw e;
  }
}
