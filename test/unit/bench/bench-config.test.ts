import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BenchConfigError, loadBenchConfig, parseBenchConfig } from '../../../benchmarks/bench';
import { planKafkaBench } from '../../../benchmarks/bench/kafka-runner';
import { benchCommand } from '../../../cli/commands/bench';

function errorOf(f: () => unknown): BenchConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof BenchConfigError) return e;
    throw e;
  }
  throw new Error('expected a BenchConfigError');
}

describe('bench config', () => {
  it('fills the defaults: embedded at 10k..100k with the three baseline variants', () => {
    const c = parseBenchConfig({});
    expect(c.modes).toEqual(['embedded']);
    expect(c.embedded.rates).toEqual([10_000, 25_000, 50_000, 100_000]);
    expect(c.embedded.variants.map((v) => v.label)).toEqual(['model-off', 'model-batched', 'model-batch1']);
    expect(c.embedded.variants[0]).toMatchObject({ modelOff: true });
    expect(c.embedded.variants[2]).toMatchObject({ predictBatch: 1 });
    expect(c.kafka.workers).toEqual([1, 2]);
  });

  it('refuses a rate <= 0 and names where it is', () => {
    const e = errorOf(() => parseBenchConfig({ embedded: { rates: [10_000, 0] } }, 'b.yaml'));
    expect(e.path).toBe('embedded.rates[1]');
    expect(e.message).toContain('b.yaml at embedded.rates[1]');
    expect(e.message).toContain('> 0');
    expect(errorOf(() => parseBenchConfig({ kafka: { rates: [-5] } })).path).toBe('kafka.rates[0]');
  });

  it('refuses a rate the packet budget and duration cannot feed, saying the most it can', () => {
    const e = errorOf(() => parseBenchConfig({ packets: 100_000, durationSec: 4, warmupSec: 1, embedded: { rates: [10_000, 25_000] } }));
    expect(e.path).toBe('embedded.rates[1]');
    expect(e.reason).toContain('needs 125000 packets');
    expect(e.reason).toContain('at most 20000 packets/s');
    // Exactly at the budget is fine.
    expect(parseBenchConfig({ packets: 100_000, durationSec: 4, warmupSec: 1, embedded: { rates: [20_000] } }).embedded.rates).toEqual([20_000]);
  });

  it('checks the kafka budget only when kafka mode is on', () => {
    expect(() => parseBenchConfig({ packets: 1000, durationSec: 1, warmupSec: 0, embedded: { rates: [1000] }, kafka: { rates: [50_000] } })).not.toThrow();
    expect(errorOf(() => parseBenchConfig({ modes: ['kafka'], packets: 1000, durationSec: 1, warmupSec: 0, kafka: { rates: [50_000] } })).path).toBe('kafka.rates[0]');
  });

  it('refuses more workers than partitions (explicit, and from the topology)', () => {
    const e = errorOf(() => parseBenchConfig({ modes: ['kafka'], kafka: { partitions: 2, workers: [1, 3] } }));
    expect(e.path).toBe('kafka.workers[1]');
    expect(e.reason).toContain('3 workers but the topic has 2 partitions');
    const c = parseBenchConfig({ modes: ['kafka'], kafka: { workers: [5] } });
    // topology/distributed.yaml has 4 partitions.
    expect(errorOf(() => planKafkaBench(c, 'x.yaml')).path).toBe('kafka.workers[0]');
  });

  it('refuses unknown keys and a non-kafka topology for kafka mode', () => {
    expect(errorOf(() => parseBenchConfig({ rate: 5 })).message).toMatch(/Unrecognized key/);
    const c = parseBenchConfig({ modes: ['kafka'], kafka: { topology: 'topology/default.yaml', workers: [1] } });
    expect(errorOf(() => planKafkaBench(c, 'x.yaml')).reason).toContain("source.kind 'synthetic'");
  });

  it('reads YAML and lets flags win over the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-cfg-'));
    const f = path.join(dir, 'b.yaml');
    writeFileSync(f, 'name: t\ndurationSec: 2\nembedded:\n  rates: [1000, 2000]\n');
    const c = loadBenchConfig(f, { rates: [3000], warmupSec: 0 });
    expect(c.name).toBe('t');
    expect(c.durationSec).toBe(2);
    expect(c.warmupSec).toBe(0);
    expect(c.embedded.rates).toEqual([3000]);
    writeFileSync(f, 'embedded: [1, 2\n');
    expect(errorOf(() => loadBenchConfig(f)).reason).toMatch(/YAML syntax/);
    expect(errorOf(() => loadBenchConfig(path.join(dir, 'missing.yaml'))).reason).toMatch(/cannot read/);
  });

  it('the command turns an impossible bench into bad input (exit 2) before running anything', async () => {
    await expect(benchCommand({ rates: [0], charts: false })).rejects.toMatchObject({ name: 'BadArgumentError', message: expect.stringContaining('embedded.rates[0]') });
  });
});
