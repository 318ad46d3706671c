/**
 * Traces of sampled packets: one `packet` span per sampled packet (from the time its chunk entered
 * the chain to its verdict) with one child span per operator. The runtime runs a chunk stage by
 * stage, so an operator's child span covers that operator's work on the packet's whole chunk
 * (attribute `prescient.chunk_size` says how many packets shared it).
 */
import { ROOT_CONTEXT, trace, type Tracer } from '@opentelemetry/api';
import { PacketSampler } from './packet-sampler';

/** What the runtime knows about one sampled packet once its chunk reached the verdict. */
export interface PacketSpanInput {
  key: string;
  partition: number;
  /** Position of the packet in its partition's input (records before it). */
  offset: number;
  captureTsUs: number;
  verdictUs: number;
  /** performance.now() times (ms) of the chunk entering the chain and leaving it. */
  startMs: number;
  endMs: number;
  operators: readonly string[];
  /** performance.now() times (ms) each operator started and finished the chunk. */
  stageStartMs: ArrayLike<number>;
  stageEndMs: ArrayLike<number>;
  chunkSize: number;
}

export interface PacketTracing {
  readonly enabled: boolean;
  /** Picks the packets of the next `n` to trace; returns how many, their indexes in `picked`. */
  pick(n: number): number;
  readonly picked: Int32Array;
  trace(p: PacketSpanInput): void;
}

export const NOOP_TRACING: PacketTracing = {
  enabled: false,
  pick: () => 0,
  picked: new Int32Array(0),
  trace: () => undefined,
};

const origin = performance.timeOrigin;

export class OtelPacketTracing implements PacketTracing {
  readonly enabled = true;
  private readonly sampler: PacketSampler;

  constructor(private readonly tracer: Tracer, ratio: number, seed?: number) {
    this.sampler = new PacketSampler(ratio, seed);
  }

  get picked(): Int32Array {
    return this.sampler.picked;
  }

  pick(n: number): number {
    return this.sampler.pick(n);
  }

  trace(p: PacketSpanInput): void {
    const root = this.tracer.startSpan('packet', {
      startTime: origin + p.startMs,
      attributes: {
        'prescient.key': p.key,
        'prescient.partition': p.partition,
        'prescient.offset': p.offset,
        'prescient.capture_ts_us': p.captureTsUs,
        'prescient.latency_us': p.verdictUs - p.captureTsUs,
        'prescient.chunk_size': p.chunkSize,
      },
    }, ROOT_CONTEXT);
    const parent = trace.setSpan(ROOT_CONTEXT, root);
    for (let i = 0; i < p.operators.length; i++) {
      const child = this.tracer.startSpan(`operator ${p.operators[i]}`, {
        startTime: origin + p.stageStartMs[i],
        attributes: { 'prescient.operator': p.operators[i], 'prescient.operator_index': i, 'prescient.chunk_size': p.chunkSize },
      }, parent);
      child.end(origin + p.stageEndMs[i]);
    }
    root.end(origin + p.endMs);
  }
}
