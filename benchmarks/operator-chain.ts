/**
 * Per-packet cost of the built-in chain window -> entropy -> baseline -> score -> mitigate, without the
 * runtime: a minimal in-file context (Map-backed keyed state, no-op timers) so the number is the
 * operators' own. Synthetic traffic: 200 VMs, web-like sizes, 64-byte payload samples.
 * Run: npx tsc -p . (or compile this file) && node dist/benchmarks/operator-chain.js [packets]
 * Records are made per chunk, as the runtime does, so the GC sees short-lived records, not 1M live ones.
 */
import type { Collector, Operator, OperatorContext, OperatorDefinition } from '../operators/contract';
import { newPacketRecord, type PacketRecord } from '../operators/packet-record';
import type { PacketEvent } from '../schemas/types';
import type { ValueState } from '../state/keyed-state';
import { windowOperator } from '../operators/window';
import { entropyOperator } from '../operators/entropy';
import { baselineOperator } from '../operators/baseline';
import { scoreOperator } from '../operators/score';
import { mitigateOperator } from '../operators/mitigate';

class BenchContext {
  currentKey = '';
  private readonly tables = new Map<string, Map<string, unknown>>();
  private readonly broadcasts = new Map<string, Map<string, unknown>>();
  readonly ctx: OperatorContext;
  constructor() {
    const self = this;
    const state = {
      value<T>(name: string): ValueState<T> {
        let m = self.tables.get(name);
        if (m === undefined) self.tables.set(name, (m = new Map()));
        const table = m;
        return {
          get: () => table.get(self.currentKey) as T | undefined,
          set: (v: T) => void table.set(self.currentKey, v),
          clear: () => void table.delete(self.currentKey),
        };
      },
    };
    const noop = (): void => undefined;
    this.ctx = {
      topologyName: 'bench', operatorName: 'bench', partition: 0,
      get currentKey() { return self.currentKey; },
      state,
      timers: {
        registerEventTimeTimer: noop, registerProcessingTimeTimer: noop, deleteEventTimeTimer: noop,
        deleteProcessingTimeTimer: noop, currentWatermarkUs: () => 0, currentProcessingTimeUs: () => 0,
      },
      outputs: { emit: noop },
      repartition: () => ({ send: noop }),
      broadcast: <T>(name: string) => {
        let m = self.broadcasts.get(name);
        if (m === undefined) self.broadcasts.set(name, (m = new Map()));
        const table = m as Map<string, T>;
        return { get: (k: string) => table.get(k), put: (k: string, v: T) => void table.set(k, v) };
      },
      log: { info: noop, warn: noop, error: noop },
    } as OperatorContext;
  }
}

function make<C>(def: OperatorDefinition<C, PacketRecord, PacketRecord>, config: unknown): Operator<PacketRecord, PacketRecord> {
  return def.create(def.configSchema.parse(config));
}

function traffic(n: number, vms: number): PacketEvent[] {
  let seed = 42;
  const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const payloads = Array.from({ length: 16 }, (_, i) => Buffer.from(Array.from({ length: 64 }, (_, j) => (i < 8 ? 32 + ((i * 7 + j * 13) % 90) : Math.floor(rnd() * 256)))));
  const out: PacketEvent[] = [];
  let t = 1_700_000_000_000_000;
  for (let i = 0; i < n; i++) {
    const vm = i % vms;
    t += 3;
    out.push({
      tsUs: t, vmId: `vm-${vm}`, accountId: `acct-${vm % 6}`, vnetId: `vnet-${vm % 12}`, srcIp: `10.0.${vm >> 8}.${vm & 255}`,
      dstIp: `10.1.0.${Math.floor(rnd() * 20)}`, srcPort: 40000 + (i % 1000), dstPort: rnd() < 0.7 ? 443 : 80, protocol: 6,
      size: 60 + Math.floor(rnd() * 1400), tcpFlags: 0x18, direction: 'EGRESS', fragment: false, payloadLength: 64,
      payload: payloads[i & 15],
    });
  }
  return out;
}

function main(): void {
  const n = Number(process.argv[2] ?? 1_000_000);
  const events = traffic(n, 200);
  const bench = new BenchContext();
  const chain = [
    make(windowOperator, { size: '1s', slide: '250ms' }),
    make(entropyOperator, {}),
    make(baselineOperator, {}),
    make(scoreOperator, {}),
    make(mitigateOperator, { policy: 'policies/default.yaml' }),
  ];
  for (const op of chain) void op.open(bench.ctx);
  const names = ['window', 'entropy', 'baseline', 'score', 'mitigate'];
  let sink = 0;
  const collector: Collector<PacketRecord> = { collect: () => void sink++ };
  // Stage-major like the runtime: each chunk of fresh records (as the task makes them from the
  // source) goes through each operator in turn. Only the operator stages are timed.
  const spent = new Array<number>(chain.length).fill(0);
  const chunk = 256;
  const records: PacketRecord[] = new Array<PacketRecord>(chunk);
  for (let base = 0; base < events.length; base += chunk) {
    const end = Math.min(events.length, base + chunk);
    for (let i = base; i < end; i++) records[i - base] = newPacketRecord(events[i]);
    const m = end - base;
    for (let s = 0; s < chain.length; s++) {
      const t0 = process.hrtime.bigint();
      const op = chain[s];
      for (let i = 0; i < m; i++) {
        bench.currentKey = records[i].packet.vmId;
        op.process(records[i], bench.ctx, collector);
      }
      spent[s] += Number(process.hrtime.bigint() - t0);
    }
  }
  const total = spent.reduce((a, b) => a + b, 0);
  console.log(`${n} packets, 200 VMs: ${(n / (total / 1e9)).toFixed(0)} packets/s for the 5 operators (${(total / n).toFixed(0)} ns/packet)`);
  for (let s = 0; s < chain.length; s++) console.log(`  ${names[s].padEnd(9)} ${(spent[s] / n).toFixed(0)} ns/packet`);
  console.log(`  (${sink} records out)`);
}

main();
