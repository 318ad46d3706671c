/**
 * Inference cost per row of one stateful LSTM step (incl. readback), by batch size and hidden
 * size, for each tfjs backend that loads and for the hand-written JS and WebAssembly SIMD kernels,
 * side by side in one run. Prints a table and
 * writes benchmarks/results/inference-<date>.json. The predict operator's `kernel: auto` picks
 * per batch size from the same kind of measurement (StatefulLstm.calibrate).
 *
 *   node dist/benchmarks/inference.js [--quick] [--backends wasm,cpu] [--hidden 32,64,128]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendChoice, selectBackend } from '../models/backend';
import { FEATURE_COUNT, TARGET_COUNT, writeFeatures } from '../models/features';
import { buildLstmModel } from '../models/lstm';
import { StandardScaler } from '../models/scaler';
import { StatefulLstm } from '../models/stateful-lstm';

const BATCHES = [1, 8, 32, 64, 128, 256, 512, 1024];

interface Row {
  kernel: string;
  backend: string;
  hidden: number;
  batch: number;
  usPerRow: number;
  usPerStep: number;
  reps: number;
}

/** Raw feature rows like real traffic (one-hot columns mostly zero), which the JS kernel exploits. */
function realisticRows(n: number): Float32Array {
  const x = new Float32Array(n * FEATURE_COUNT);
  const ports = [443, 53, 22, 80, 5432, 51000, 3389, 8080];
  for (let i = 0; i < n; i++) {
    writeFeatures(x, i * FEATURE_COUNT, {
      size: 60 + ((i * 97) % 1400), iatUs: 10 + ((i * 7919) % 200000), tcpFlags: [0x02, 0x12, 0x10, 0x18, 0x11][i % 5],
      protocol: i % 7 === 0 ? 17 : 6, direction: i % 2 === 0 ? 'EGRESS' : 'INGRESS', srcPort: 40000 + (i % 1000),
      dstPort: ports[i % ports.length], entropy: (i % 9) * 0.9, newPeer: i % 13 === 0 ? 1 : 0,
    });
  }
  return x;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Median of timed repetitions after a warm-up, so one GC pause does not set the number. */
function timeStep(fn: () => void, batch: number, budgetMs: number): { us: number; reps: number } {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 5 || (performance.now() - start < budgetMs && samples.length < 2000)) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  void batch;
  return { us: samples[Math.floor(samples.length / 2)], reps: samples.length };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const backends = (arg('--backends') ?? 'tfjs-node-gpu,tfjs-node,wasm,cpu').split(',') as BackendChoice[];
  const hiddens = (arg('--hidden') ?? '32,64,128').split(',').map(Number);
  const budgetMs = quick ? 40 : 300;
  const rows: Row[] = [];
  let jsDone = false;
  for (const backend of backends) {
    let name: string;
    try {
      name = await selectBackend(backend);
    } catch (e) {
      console.log(`skip ${backend}: ${(e as Error).message}`);
      continue;
    }
    for (const hidden of hiddens) {
      const model = buildLstmModel({ hidden, learningRate: 0.001, seed: 1 });
      const scaler = new StandardScaler(new Float32Array(FEATURE_COUNT), new Float32Array(FEATURE_COUNT).fill(1));
      const lstm = new StatefulLstm(model, scaler, 'bench');
      model.dispose();
      const max = BATCHES[BATCHES.length - 1];
      const x = realisticRows(max);
      const h = new Float32Array(max * hidden);
      const c = new Float32Array(max * hidden);
      const out = new Float32Array(max * TARGET_COUNT);
      for (const batch of BATCHES) {
        // cpu is 100x slower: a shorter budget keeps the run in minutes.
        const t = timeStep(() => lstm.stepTfjs(batch, x, h, c, out), batch, name === 'cpu' ? budgetMs / 4 : budgetMs);
        rows.push({ kernel: 'tfjs', backend: name, hidden, batch, usPerRow: t.us / batch, usPerStep: t.us, reps: t.reps });
        const f = timeStep(() => lstm.stepTfjsFused(batch, x, h, c, out), batch, name === 'cpu' ? budgetMs / 4 : budgetMs);
        rows.push({ kernel: 'tfjs-fused', backend: name, hidden, batch, usPerRow: f.us / batch, usPerStep: f.us, reps: f.reps });
        if (!jsDone) {
          const j = timeStep(() => lstm.stepJs(batch, x, h, c, out), batch, budgetMs);
          rows.push({ kernel: 'js', backend: 'js', hidden, batch, usPerRow: j.us / batch, usPerStep: j.us, reps: j.reps });
          if (lstm.simd !== null) {
            const s = timeStep(() => lstm.stepSimd(batch, x, h, c, out), batch, budgetMs);
            rows.push({ kernel: 'simd', backend: 'wasm-simd', hidden, batch, usPerRow: s.us / batch, usPerStep: s.us, reps: s.reps });
          }
        }
      }
      lstm.dispose();
      console.log(`done ${name} H=${hidden} (tensors: ${tf.memory().numTensors})`);
    }
    jsDone = true;
  }
  printTable(rows);
  const dir = path.resolve(__dirname.includes(`${path.sep}dist${path.sep}`) ? path.join(__dirname, '../../benchmarks/results') : path.join(__dirname, 'results'));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `inference-${new Date().toISOString().slice(0, 10)}.json`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, tfjs: tf.version.tfjs };
  fs.writeFileSync(file, JSON.stringify({ createdAt: new Date().toISOString(), machine, quick, rows }, null, 2));
  console.log(`wrote ${file}`);
}

function printTable(rows: Row[]): void {
  const label = (r: Row) => (r.kernel === 'js' || r.kernel === 'simd' ? `${r.kernel} H=${r.hidden}` : `${r.backend}${r.kernel === 'tfjs-fused' ? '+fused' : ''} H=${r.hidden}`);
  const series = [...new Set(rows.map(label))];
  const header = ['us/row', ...BATCHES.map(String)];
  const lines = [header.map((s) => s.padStart(8)).join(' ').replace(/^\s+/, '').padEnd(0)];
  for (const s of series) {
    const cells = BATCHES.map((b) => {
      const r = rows.find((x) => label(x) === s && x.batch === b);
      return r === undefined ? '-' : r.usPerRow.toFixed(r.usPerRow < 10 ? 2 : 1);
    });
    lines.push([s.padEnd(20), ...cells.map((c) => c.padStart(8))].join(' '));
  }
  console.log(lines.join('\n'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
