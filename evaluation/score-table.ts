/**
 * Per-packet results of an evaluation run in compact typed arrays (about 27 bytes a packet): the
 * score and its ratio to the VM's threshold, the verdict, the ground truth, the timestamp and the VM. Packets arrive in any order
 * (tasks interleave); the metrics do not need capture order.
 */

/** `attack` value of a packet that belongs to no attack. */
export const BENIGN = -1;

export class ScoreTable {
  scores = new Float32Array(1024);
  /** score / the VM's threshold at that packet: the quantity the per-VM verdict compares with 1. */
  margins = new Float32Array(1024);
  /** 1 for a packet of an attack, else 0. */
  labels = new Uint8Array(1024);
  /** The packet's verdict: 1 when the score operator called it anomalous. */
  anomalous = new Uint8Array(1024);
  /** Index of the attack label the packet belongs to, or BENIGN. */
  attack = new Int16Array(1024);
  tsUs = new Float64Array(1024);
  /** Index into `vmIds`. */
  vm = new Uint32Array(1024);
  readonly vmIds: string[] = [];
  length = 0;
  private readonly vmIndex = new Map<string, number>();

  /** Appends one packet. `attack` is a label index or BENIGN. */
  push(score: number, anomalous: boolean, attack: number, tsUs: number, vmId: string, threshold = 1): void {
    if (this.length === this.scores.length) this.grow();
    const i = this.length++;
    this.scores[i] = score;
    this.margins[i] = threshold > 0 ? score / threshold : score;
    this.anomalous[i] = anomalous ? 1 : 0;
    this.attack[i] = attack;
    this.labels[i] = attack === BENIGN ? 0 : 1;
    this.tsUs[i] = tsUs;
    this.vm[i] = this.vmOf(vmId);
  }

  vmOf(vmId: string): number {
    let v = this.vmIndex.get(vmId);
    if (v === undefined) {
      v = this.vmIds.length;
      this.vmIds.push(vmId);
      this.vmIndex.set(vmId, v);
    }
    return v;
  }

  /** Views of the filled part (no copy). */
  view(): ScoreColumns {
    const n = this.length;
    return {
      scores: this.scores.subarray(0, n),
      margins: this.margins.subarray(0, n),
      labels: this.labels.subarray(0, n),
      anomalous: this.anomalous.subarray(0, n),
      attack: this.attack.subarray(0, n),
      tsUs: this.tsUs.subarray(0, n),
      vm: this.vm.subarray(0, n),
      vmIds: this.vmIds,
    };
  }

  private grow(): void {
    const n = this.scores.length * 2;
    const grow = <T extends Float32Array | Uint8Array | Int16Array | Float64Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a as never);
      return b;
    };
    this.scores = grow(this.scores, (k) => new Float32Array(k));
    this.margins = grow(this.margins, (k) => new Float32Array(k));
    this.labels = grow(this.labels, (k) => new Uint8Array(k));
    this.anomalous = grow(this.anomalous, (k) => new Uint8Array(k));
    this.attack = grow(this.attack, (k) => new Int16Array(k));
    this.tsUs = grow(this.tsUs, (k) => new Float64Array(k));
    this.vm = grow(this.vm, (k) => new Uint32Array(k));
  }
}

/** What the metrics read: parallel arrays, one element per packet. */
export interface ScoreColumns {
  scores: Float32Array;
  margins: Float32Array;
  labels: Uint8Array;
  anomalous: Uint8Array;
  attack: Int16Array;
  tsUs: Float64Array;
  vm: Uint32Array;
  vmIds: readonly string[];
}

/** Builds columns from plain arrays (tests, small hand-made cases). */
export function scoreColumns(rows: readonly { score: number; attack?: number; anomalous?: boolean; tsUs?: number; vmId?: string; threshold?: number }[]): ScoreColumns {
  const t = new ScoreTable();
  for (const r of rows) t.push(r.score, r.anomalous ?? false, r.attack ?? BENIGN, r.tsUs ?? 0, r.vmId ?? 'vm', r.threshold);
  return t.view();
}
