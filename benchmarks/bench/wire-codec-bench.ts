/**
 * CPU per repartition update, state value codec (replacer/reviver) against the wire codec's plain
 * path, on baseline ProfileUpdate-shaped values: `node dist/benchmarks/bench/wire-codec-bench.js`.
 * The two are run in alternating rounds so a busy machine slows both alike; CPU time, not wall.
 */
import { decodeStateValue, encodeStateValue } from '../../state/redis-value-codec';
import { decodeWireValue, encodeWireValue } from '../../topology/distributed/repartition-wire-codec';

/** A ProfileUpdate as baseline sends it (operators/internal/profile.ts: 14 features, 12 port classes). */
function update(seed: number): unknown {
  let x = seed;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const arr = (n: number, scale: number): number[] => Array.from({ length: n }, () => rnd() * scale);
  return {
    o: 2,
    n: 'baseline-account',
    v: { n: 16, w: 15.3, lastUs: 1_764_165_000_000_000 + seed, sums: arr(42, 1e4), proto: arr(4, 20), ports: arr(12, 10), outPorts: arr(12, 10), entClass: arr(36, 5), novel: 0, newPeers: 1, newPorts: 0, peers: [Math.floor(rnd() * 2 ** 31)] },
  };
}

function cpuNsPer(n: number, f: (i: number) => unknown): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f(i);
  const d = process.cpuUsage(t0);
  return ((d.user + d.system) * 1000) / n;
}

export function runWireCodecBench(rounds = 5, perRound = 20_000): { encodeStateNs: number; encodeWireNs: number; decodeStateNs: number; decodeWireNs: number } {
  const values = Array.from({ length: 256 }, (_, i) => update(i + 1));
  const texts = values.map((v) => encodeStateValue(v));
  const best = { encodeStateNs: Infinity, encodeWireNs: Infinity, decodeStateNs: Infinity, decodeWireNs: Infinity };
  for (let r = 0; r < rounds; r++) {
    // Best of the rounds: the least disturbed figure of each, taken in alternation.
    best.encodeStateNs = Math.min(best.encodeStateNs, cpuNsPer(perRound, (i) => encodeStateValue(values[i & 255])));
    best.encodeWireNs = Math.min(best.encodeWireNs, cpuNsPer(perRound, (i) => encodeWireValue(values[i & 255])));
    best.decodeStateNs = Math.min(best.decodeStateNs, cpuNsPer(perRound, (i) => decodeStateValue(texts[i & 255])));
    best.decodeWireNs = Math.min(best.decodeWireNs, cpuNsPer(perRound, (i) => decodeWireValue(texts[i & 255])));
  }
  return best;
}

if (require.main === module) {
  const r = runWireCodecBench();
  const us = (ns: number): string => (ns / 1000).toFixed(1);
  process.stdout.write(
    `per repartition update (best of 5 alternating rounds, CPU time): encode ${us(r.encodeStateNs)} -> ${us(r.encodeWireNs)} µs, decode ${us(r.decodeStateNs)} -> ${us(r.decodeWireNs)} µs (state value codec -> wire codec)\n`,
  );
}
