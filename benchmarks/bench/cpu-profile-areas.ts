/**
 * Where a worker's CPU went, from a V8 .cpuprofile (node --cpu-prof; the Kafka bench passes
 * PRESCIENT_BENCH_WORKER_NODE_FLAGS to its workers): self time by area of the code (Kafka client,
 * Avro, operators, checkpoint, GC, ...) and the top self-time functions.
 * `node dist/benchmarks/bench/cpu-profile-areas.js FILE.cpuprofile [TOP]` prints both tables (markdown).
 * Each sample goes to the first area matched walking up its stack from the leaf, so a builtin
 * (JSON.stringify, Buffer) counts for the code that called it.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** The parts of Chrome's cpuprofile format this reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/** An area and the test a frame must pass to belong to it; the first that matches wins. */
export interface AreaRule {
  area: string;
  match(functionName: string, url: string): boolean;
}

export const IDLE = 'idle';

/** Areas of a Prescient Kafka worker, most specific first. */
export const WORKER_AREAS: readonly AreaRule[] = [
  { area: IDLE, match: (f) => f === '(idle)' },
  { area: 'GC', match: (f) => f === '(garbage collector)' },
  { area: 'Avro decode/encode (avsc)', match: (_f, u) => /node_modules\/avsc\//.test(u) },
  { area: 'checkpoint: state cell encode (state/redis-value-codec encodeStateCell)', match: (f) => /^(encode|decode)StateCell(Tagged)?$/.test(f) },
  { area: 'checkpoint: Redis (backend, ioredis)', match: (_f, u) => /state\/redis-(?!value-codec)|node_modules\/(ioredis|@ioredis|redis-parser)\//.test(u) },
  { area: 'repartition: value encode/decode', match: (f) => /^(encode|decode)StateValue(Tagged)?$/.test(f) },
  { area: 'kafkajs produce', match: (_f, u) => /kafkajs\/src\/(producer|protocol\/requests\/produce)\//.test(u) },
  { area: 'kafkajs fetch/decode (consumer)', match: (_f, u) => /kafkajs\/src\/(consumer|protocol\/requests\/fetch|protocol\/recordBatch)\//.test(u) },
  { area: 'kafkajs network/protocol (shared)', match: (_f, u) => /node_modules\/kafkajs\//.test(u) },
  { area: 'repartition: router/sender', match: (_f, u) => /(kafka-repartition|batching-sender)\.js/.test(u) },
  { area: 'output sinks', match: (_f, u) => /\/sinks\//.test(u) },
  { area: 'operators', match: (_f, u) => /\/operators\//.test(u) },
  { area: 'keyed state (in memory)', match: (_f, u) => /\/state\//.test(u) && !/redis-value-codec/.test(u) },
  { area: 'runtime (topology/runtime)', match: (_f, u) => /\/topology\/runtime\//.test(u) },
  { area: 'worker (topology/distributed)', match: (_f, u) => /\/topology\/distributed\//.test(u) },
  { area: 'source (sources/kafka)', match: (_f, u) => /\/sources\/kafka\//.test(u) },
  { area: 'bench recorder and IPC', match: (_f, u) => /\/benchmarks\/|hdr-histogram/.test(u) },
  { area: 'start-up: module loading', match: (f, u) => /cjs\/loader|bootstrap\/realm|package_json_reader/.test(u) || f === 'compileForInternalLoader' },
];

export interface ProfileAreas {
  /** Sampled time, all of it and without idle (µs). */
  totalUs: number;
  busyUs: number;
  /** Busy time by area, largest first (idle left out). */
  areas: Array<{ area: string; us: number; pct: number }>;
  /** Self time by function (name, file:line), largest first (idle left out). */
  functions: Array<{ fn: string; us: number; pct: number }>;
}

const shortUrl = (u: string): string => u.replace(/^file:\/\//, '').replace(/^.*?\/(node_modules\/)/, '$1').replace(/^.*?\/dist\//, '').replace(/^.*\/pk-dist[^/]*\//, '');

export function profileAreas(p: CpuProfile, rules: readonly AreaRule[] = WORKER_AREAS, other = 'other (node core, timers, telemetry)'): ProfileAreas {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const areaOf = new Map<number, string>();
  const classify = (leaf: number): string => {
    const known = areaOf.get(leaf);
    if (known !== undefined) return known;
    let area = other;
    for (let cur: number | undefined = leaf; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      const r = rules.find((x) => x.match(cf.functionName, cf.url));
      if (r !== undefined) {
        area = r.area;
        break;
      }
    }
    areaOf.set(leaf, area);
    return area;
  };
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const id = p.samples[i];
    const area = classify(id);
    totalUs += dt;
    if (area === IDLE) {
      idleUs += dt;
      continue;
    }
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const cf = byId.get(id)!.callFrame;
    const name = cf.functionName || '(anonymous)';
    const fn = cf.url === '' ? name : `${name} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + dt);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number): number => (busyUs > 0 ? (us / busyUs) * 100 : 0);
  return {
    totalUs,
    busyUs,
    areas: [...areas].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, us, pct: pct(us) })),
    functions: [...fns].sort((a, b) => b[1] - a[1]).map(([fn, us]) => ({ fn, us, pct: pct(us) })),
  };
}

export function renderProfileAreas(r: ProfileAreas, top = 25): string {
  const ms = (us: number): string => (us / 1000).toFixed(0);
  return [
    `Sampled ${(r.totalUs / 1e6).toFixed(2)} s, busy ${(r.busyUs / 1e6).toFixed(2)} s (percentages are of busy time).`,
    '',
    '| area | ms | % |',
    '|---|---:|---:|',
    ...r.areas.map((a) => `| ${a.area} | ${ms(a.us)} | ${a.pct.toFixed(1)} |`),
    '',
    '| top self-time function | ms | % |',
    '|---|---:|---:|',
    ...r.functions.slice(0, top).map((f) => `| \`${f.fn}\` | ${ms(f.us)} | ${f.pct.toFixed(1)} |`),
    '',
  ].join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: cpu-profile-areas FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  process.stdout.write(renderProfileAreas(profileAreas(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile), top === undefined ? 25 : Number(top)));
}
