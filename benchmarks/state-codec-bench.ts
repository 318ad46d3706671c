/**
 * CPU per checkpoint cell, tagged cell codec (replacer/reviver on every key) against the plain
 * shortcut, on baseline-profile-shaped cells and on LSTM-like cells that still need tags:
 * `node -r ./test/integration/helpers/ts-require-hook.js benchmarks/state-codec-bench.ts`.
 * Both run in alternating rounds so a busy machine slows both alike; CPU time, best of the rounds.
 */
import { loadavg } from 'node:os';
import { decodeStateCell, decodeStateCellTagged, encodeStateCell, encodeStateCellTagged } from '../state/redis-value-codec';

type Cell = { value: unknown; writtenAtMs: number | undefined };

/** Deterministic pseudo-random numbers (an LCG), so every run encodes the same cells. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** A VM's baseline profile cell (operators/internal/profile.ts shape: sums, classes, peers). */
function profileCell(seed: number): Cell {
  const rnd = lcg(seed);
  const arr = (n: number, scale: number): number[] => Array.from({ length: n }, () => rnd() * scale);
  const profile = { n: 1000 + seed, w: 15.3, lastUs: 1_764_165_000_000_000 + seed, sums: arr(42, 1e4), proto: arr(4, 20), ports: arr(12, 10), outPorts: arr(12, 10), entClass: arr(36, 5), novel: 0, newPeers: 1, newPorts: 0, peers: arr(16, 2 ** 31).map(Math.floor) };
  return { value: { profile }, writtenAtMs: 1_764_165_000_000 + seed };
}

/** A cell the shortcut must leave to the tagged path (typed arrays, as the LSTM's h/c). */
function taggedCell(seed: number): Cell {
  const rnd = lcg(seed);
  return { value: { h: Float32Array.from({ length: 64 }, rnd), c: Float32Array.from({ length: 64 }, rnd), steps: seed }, writtenAtMs: undefined };
}

function cpuNsPer(n: number, f: (i: number) => unknown): number {
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f(i);
  const d = process.cpuUsage(t0);
  return ((d.user + d.system) * 1000) / n;
}

export interface CodecFigures {
  encodeTaggedNs: number;
  encodePlainNs: number;
  decodeTaggedNs: number;
  decodePlainNs: number;
}

export function runStateCodecBench(cells: Cell[], rounds = 5, perRound = 20_000): CodecFigures {
  const mask = cells.length - 1;
  const texts = cells.map((c) => encodeStateCellTagged(c.value, c.writtenAtMs));
  for (let i = 0; i < cells.length; i++) {
    // The comparison is only fair if the outputs are the same.
    if (encodeStateCell(cells[i].value, cells[i].writtenAtMs) !== texts[i]) throw new Error(`cell ${i}: shortcut text differs`);
  }
  const best: CodecFigures = { encodeTaggedNs: Infinity, encodePlainNs: Infinity, decodeTaggedNs: Infinity, decodePlainNs: Infinity };
  for (let r = 0; r < rounds; r++) {
    best.encodeTaggedNs = Math.min(best.encodeTaggedNs, cpuNsPer(perRound, (i) => encodeStateCellTagged(cells[i & mask].value, cells[i & mask].writtenAtMs)));
    best.encodePlainNs = Math.min(best.encodePlainNs, cpuNsPer(perRound, (i) => encodeStateCell(cells[i & mask].value, cells[i & mask].writtenAtMs)));
    best.decodeTaggedNs = Math.min(best.decodeTaggedNs, cpuNsPer(perRound, (i) => decodeStateCellTagged(texts[i & mask])));
    best.decodePlainNs = Math.min(best.decodePlainNs, cpuNsPer(perRound, (i) => decodeStateCell(texts[i & mask])));
  }
  return best;
}

if (require.main === module) {
  const us = (ns: number): string => (ns / 1000).toFixed(2);
  const line = (what: string, f: CodecFigures): string =>
    `${what}: encode ${us(f.encodeTaggedNs)} -> ${us(f.encodePlainNs)} µs/cell, decode ${us(f.decodeTaggedNs)} -> ${us(f.decodePlainNs)} µs/cell (tagged -> shortcut)\n`;
  process.stdout.write(`load average at start: ${loadavg().map((x: number) => x.toFixed(2)).join(' ')} (best of 5 alternating rounds, CPU time)\n`);
  process.stdout.write(line('baseline profile cells', runStateCodecBench(Array.from({ length: 256 }, (_, i) => profileCell(i + 1)))));
  process.stdout.write(line('typed-array cells (no shortcut)', runStateCodecBench(Array.from({ length: 64 }, (_, i) => taggedCell(i + 1)), 5, 5_000)));
}
