/**
 * CPU per checkpoint cell and per repartition value, the state codec's tagged path (replacer/reviver
 * on every key) against its plain shortcut, on baseline-profile-shaped cells, on ProfileUpdate-shaped
 * repartition values, and on LSTM-like cells that still need tags:
 * `node -r ./test/integration/helpers/ts-require-hook.js benchmarks/state-codec-bench.ts`.
 * Both run in alternating rounds so a busy machine slows both alike; CPU time, best of the rounds.
 */
import { loadavg } from 'node:os';
import {
  decodeStateCell, decodeStateCellTagged, decodeStateValue, decodeStateValueTagged,
  encodeStateCell, encodeStateCellTagged, encodeStateValue, encodeStateValueTagged,
} from '../state/redis-value-codec';

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

/** A repartition value as baseline sends it: a ProfileUpdate in the router's wire envelope. */
function updateValue(seed: number): unknown {
  const rnd = lcg(seed);
  const arr = (n: number, scale: number): number[] => Array.from({ length: n }, () => rnd() * scale);
  return {
    o: 2,
    n: 'baseline-account',
    v: { n: 16, w: 15.3, lastUs: 1_764_165_000_000_000 + seed, sums: arr(42, 1e4), proto: arr(4, 20), ports: arr(12, 10), outPorts: arr(12, 10), entClass: arr(36, 5), novel: 0, newPeers: 1, newPorts: 0, peers: [Math.floor(rnd() * 2 ** 31)] },
  };
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

/** One way to write an item and read its text back. */
interface Codec<T> {
  encode(item: T): string;
  decode(text: string): unknown;
}

const cellTagged: Codec<Cell> = { encode: (c) => encodeStateCellTagged(c.value, c.writtenAtMs), decode: decodeStateCellTagged };
const cellShortcut: Codec<Cell> = { encode: (c) => encodeStateCell(c.value, c.writtenAtMs), decode: decodeStateCell };
const valueTagged: Codec<unknown> = { encode: encodeStateValueTagged, decode: decodeStateValueTagged };
const valueShortcut: Codec<unknown> = { encode: encodeStateValue, decode: decodeStateValue };

/** `items.length` must be a power of two (the index is masked). */
export function runCodecBench<T>(items: T[], tagged: Codec<T>, shortcut: Codec<T>, rounds = 5, perRound = 20_000): CodecFigures {
  const mask = items.length - 1;
  const texts = items.map((x) => tagged.encode(x));
  for (let i = 0; i < items.length; i++) {
    // The comparison is only fair if the outputs are the same.
    if (shortcut.encode(items[i]) !== texts[i]) throw new Error(`item ${i}: shortcut text differs`);
  }
  const best: CodecFigures = { encodeTaggedNs: Infinity, encodePlainNs: Infinity, decodeTaggedNs: Infinity, decodePlainNs: Infinity };
  for (let r = 0; r < rounds; r++) {
    best.encodeTaggedNs = Math.min(best.encodeTaggedNs, cpuNsPer(perRound, (i) => tagged.encode(items[i & mask])));
    best.encodePlainNs = Math.min(best.encodePlainNs, cpuNsPer(perRound, (i) => shortcut.encode(items[i & mask])));
    best.decodeTaggedNs = Math.min(best.decodeTaggedNs, cpuNsPer(perRound, (i) => tagged.decode(texts[i & mask])));
    best.decodePlainNs = Math.min(best.decodePlainNs, cpuNsPer(perRound, (i) => shortcut.decode(texts[i & mask])));
  }
  return best;
}

if (require.main === module) {
  const us = (ns: number): string => (ns / 1000).toFixed(2);
  const line = (what: string, f: CodecFigures): string =>
    `${what}: encode ${us(f.encodeTaggedNs)} -> ${us(f.encodePlainNs)} µs, decode ${us(f.decodeTaggedNs)} -> ${us(f.decodePlainNs)} µs each (tagged -> shortcut)\n`;
  process.stdout.write(`load average at start: ${loadavg().map((x: number) => x.toFixed(2)).join(' ')} (best of 5 alternating rounds, CPU time)\n`);
  process.stdout.write(line('baseline profile cells', runCodecBench(Array.from({ length: 256 }, (_, i) => profileCell(i + 1)), cellTagged, cellShortcut)));
  process.stdout.write(line('repartition ProfileUpdate values', runCodecBench(Array.from({ length: 256 }, (_, i) => updateValue(i + 1)), valueTagged, valueShortcut)));
  process.stdout.write(line('typed-array cells (no shortcut)', runCodecBench(Array.from({ length: 64 }, (_, i) => taggedCell(i + 1)), cellTagged, cellShortcut, 5, 5_000)));
}
