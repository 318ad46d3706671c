/**
 * Runs a planned topology over a source and keeps, for each packet leaving the chain, its score,
 * verdict, ground truth, timestamp and VM in a ScoreTable. Nothing else of the record is kept.
 */
import type { PacketEvent } from '../schemas/types';
import type { PacketRecord } from '../operators/packet-record';
import type { StreamSink } from '../sinks';
import type { PacketSource } from '../sources/source';
import { attackLabelOf, type AttackLabel } from '../sources/synthetic';
import { MAIN_OUTPUT_STREAM, runTopology, silentLogger, type RunStats, type RuntimeLogger, type TopologyPlan } from '../topology';
import { BENIGN, ScoreTable } from './score-table';
import { EvaluationError } from './evaluation-error';

/** The index of the label a packet belongs to, or BENIGN (-1). */
export type PacketLabeler = (p: PacketEvent) => number;

/** Labeler over attack labels (sources/synthetic format, incl. labels written by `prescient mix`). */
export function labelerFor(labels: readonly AttackLabel[]): PacketLabeler {
  const index = new Map<AttackLabel, number>();
  labels.forEach((l, i) => index.set(l, i));
  return (p) => {
    const l = attackLabelOf(labels, p);
    return l === undefined ? BENIGN : index.get(l)!;
  };
}

class ScoreSink implements StreamSink {
  readonly table = new ScoreTable();
  unscored = 0;
  constructor(private readonly labelOf: PacketLabeler) {}

  write(_stream: string, _key: string, value: unknown): void {
    const r = value as PacketRecord;
    const p = r.packet;
    const s = r.score;
    // A chain without `score` leaves the record unscored: kept as NaN, ranked below everything.
    if (s === undefined) this.unscored++;
    this.table.push(s === undefined ? Number.NaN : s.score, s !== undefined && s.anomalous, this.labelOf(p), p.tsUs, p.vmId, s === undefined ? 1 : s.threshold);
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export interface CollectOptions {
  onProgress?: (stats: RunStats) => void;
  logger?: RuntimeLogger;
}

export interface CollectedScores {
  table: ScoreTable;
  run: RunStats;
  /** Records that left the chain without a score (the topology has no `score` operator). */
  unscored: number;
}

export async function collectScores(plan: TopologyPlan<PacketEvent>, source: PacketSource, labelOf: PacketLabeler, options: CollectOptions = {}): Promise<CollectedScores> {
  const sink = new ScoreSink(labelOf);
  const run = await runTopology(plan, {
    source,
    sinks: { [MAIN_OUTPUT_STREAM]: sink },
    logger: options.logger ?? silentLogger(),
    onProgress: options.onProgress,
    progressIntervalMs: 500,
  });
  if (sink.table.length === 0) throw new EvaluationError(source.description, 'no packet came out of the topology: nothing to evaluate');
  return { table: sink.table, run, unscored: sink.unscored };
}
