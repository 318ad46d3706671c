/**
 * entropy: Shannon entropy of the packet's payload sample and its change against the VM's decayed mean.
 *
 * Fills `record.entropy` (bits per byte, 0..8) and `record.entropyDelta` (entropy minus the VM's
 * exponentially decayed mean entropy before this packet). A packet with an empty payload (a bare ACK,
 * a SYN) gets entropy 0 and delta 0 and does not move the mean: it carries no payload to judge, and
 * counting it as 0 would make every handshake look like a drop in entropy.
 */
import { z } from 'zod';
import type { Collector, Operator, OperatorContext, OperatorDefinition } from './contract';
import type { PacketRecord } from './packet-record';
import type { ValueState } from '../state/keyed-state';
import { positiveDurationUs } from './config/duration';
import { shannonEntropy } from '../models/shannon-entropy';

export const entropyConfigSchema = z
  .object({
    /** Half-life of the VM's mean entropy, in payload-carrying packets. */
    halfLifePackets: z.number().positive().default(32),
    ttl: positiveDurationUs.default('1h'),
  })
  .strict();

export type EntropyConfig = z.output<typeof entropyConfigSchema>;

export interface EntropyState {
  /** Decayed mean entropy of the VM's payload-carrying packets. */
  mean: number;
  /** Payload-carrying packets seen. */
  n: number;
}

class EntropyOperator implements Operator<PacketRecord, PacketRecord> {
  private state!: ValueState<EntropyState>;
  private readonly alpha: number;

  constructor(private readonly cfg: EntropyConfig) {
    this.alpha = 1 - Math.pow(2, -1 / cfg.halfLifePackets);
  }

  open(ctx: OperatorContext): void {
    this.state = ctx.state.value<EntropyState>('entropy', { ttlMs: this.cfg.ttl / 1000 });
  }

  process(record: PacketRecord, _ctx: OperatorContext, out: Collector<PacketRecord>): void {
    const payload = record.packet.payload;
    if (payload === undefined || payload === null || payload.length === 0) {
      record.entropy = 0;
      record.entropyDelta = 0;
      out.collect(record);
      return;
    }
    const h = shannonEntropy(payload);
    record.entropy = h;
    let st = this.state.get();
    if (st === undefined) {
      st = { mean: h, n: 0 };
    }
    record.entropyDelta = st.n === 0 ? 0 : h - st.mean;
    // Until the mean has seen ~1/alpha packets, weight by 1/n so early packets are averaged, not decayed.
    st.n++;
    const a = Math.max(this.alpha, 1 / st.n);
    st.mean += a * (h - st.mean);
    this.state.set(st);
    out.collect(record);
  }
}

export const entropyOperator: OperatorDefinition<EntropyConfig, PacketRecord, PacketRecord> = {
  name: 'entropy',
  description:
    'Shannon entropy (bits per byte, 0..8) of the payload sample, 0 for an empty payload, and entropyDelta: ' +
    'the change against the VM\'s decayed mean entropy.',
  configSchema: entropyConfigSchema,
  create: (config) => new EntropyOperator(config),
};
