/** Registration of `prescient bench` (the implementation, with tfjs and vega, loads on demand). */
import { Command, InvalidArgumentError } from 'commander';

function numberList(name: string) {
  return (v: string): number[] => {
    const xs = v.split(',').map((s) => Number(s.trim()));
    if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`${name} must be a comma-separated list of numbers, got '${v}'`);
    return xs;
  };
}

function number(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got '${v}'`);
    return n;
  };
}

function modes(v: string): Array<'embedded' | 'kafka'> {
  const xs = v.split(',').map((s) => s.trim());
  for (const x of xs) if (x !== 'embedded' && x !== 'kafka') throw new InvalidArgumentError(`--mode takes embedded, kafka or embedded,kafka; got '${x}'`);
  return xs as Array<'embedded' | 'kafka'>;
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('open-loop per-packet latency benchmark (intended send -> verdict), embedded and over Kafka with 1..N workers; writes report.json, report.md and SVG charts')
    .option('-c, --config <file>', 'bench config YAML (see benchmarks/bench/README.md); flags win over it')
    .option('--mode <list>', 'embedded, kafka or embedded,kafka', modes)
    .option('--rates <list>', 'embedded offered rates, packets/s, e.g. 10000,25000,50000', numberList('--rates'))
    .option('--kafka-rates <list>', 'Kafka offered rates, packets/s', numberList('--kafka-rates'))
    .option('--workers <list>', 'Kafka worker counts, e.g. 1,2', numberList('--workers'))
    .option('--duration <sec>', 'measured seconds per step', number('--duration'))
    .option('--warmup <sec>', 'warm-up seconds per step (not measured)', number('--warmup'))
    .option('--packets <n>', 'packet budget per step (held in memory)', number('--packets'))
    .option('-o, --out <dir>', 'results folder (default benchmarks/results/bench-<date>)')
    .option('--no-charts', 'do not render the SVG charts')
    .action(async (o: { config?: string; mode?: Array<'embedded' | 'kafka'>; rates?: number[]; kafkaRates?: number[]; workers?: number[]; duration?: number; warmup?: number; packets?: number; out?: string; charts: boolean }) => {
      const { benchCommand } = await import('./bench');
      const md = await benchCommand({ config: o.config, mode: o.mode, rates: o.rates, kafkaRates: o.kafkaRates, workers: o.workers, durationSec: o.duration, warmupSec: o.warmup, packets: o.packets, out: o.out, charts: o.charts });
      process.stdout.write(`${md}\n`);
    });
}
