import * as path from 'node:path';
import { parseTopology, loadTopologyFile, defaultTopologyPath } from '../../../topology/load';
import { topology } from '../../../topology/builder';
import { TopologyError } from '../../../topology/topology-error';
import { validateTopology } from '../../../topology/validate';
import { stubRegistry } from './fixtures/stub-registry';

const registry = stubRegistry();

const GOOD = `name: eu-west-1
source: { kind: kafka, topic: packets, key: vmId }
partitions: 8
operators:
  - { use: window, size: 1s, slide: 250ms }
  - { use: entropy }
  - { use: baseline, halfLife: 10m, scopes: [vm, account, vnet] }
  - { use: score, weights: { size: 1, entropy: 2 } }
  - { use: mitigate, policy: policies/default.yaml, dryRun: true }
sinks: [anomalies, { kind: jsonl, stream: forensics, path: out/f.jsonl }]
state: { backend: memory, checkpointEvery: 500ms }
runtime: { mailboxCapacity: 512, chunkSize: 128, maxOutOfOrderness: 2s, idleTimeout: 30s }
`;

function errorOf(fn: () => unknown): TopologyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TopologyError) return e;
    throw e;
  }
  throw new Error('expected a TopologyError');
}

describe('topology file validation', () => {
  it('parses a good file, with durations in microseconds and defaults applied', () => {
    const t = parseTopology(GOOD, 'eu.yaml', { registry });
    expect(t.partitions).toBe(8);
    expect(t.operators.map((o) => o.name)).toEqual(['window', 'entropy', 'baseline', 'score', 'mitigate']);
    expect(t.operators[0].config).toEqual({ size: 1_000_000, slide: 250_000 });
    expect(t.operators[2].config).toEqual({ halfLife: 600_000_000, scopes: ['vm', 'account', 'vnet'] });
    expect(t.sinks).toEqual([{ stream: 'anomalies', kind: 'default' }, { kind: 'jsonl', stream: 'forensics', path: 'out/f.jsonl' }]);
    expect(t.state).toEqual({ backend: 'memory', checkpointEveryUs: 500_000 });
    expect(t.runtime).toEqual({ mailboxCapacity: 512, chunkSize: 128, maxOutOfOrdernessUs: 2_000_000, idleTimeoutUs: 30_000_000 });
    expect(t.source).toEqual({ kind: 'kafka', topic: 'packets', key: 'vmId' });
  });

  it('reports an unknown operator with its line and the known operators', () => {
    const text = GOOD.replace('{ use: entropy }', '{ use: entropi }');
    const e = errorOf(() => parseTopology(text, 'eu.yaml', { registry }));
    expect(e.issues).toEqual([{ path: 'operators[1].use', line: 6, message: expect.stringContaining("unknown operator 'entropi'") }]);
    expect(e.message).toContain('eu.yaml:6: operators[1].use');
    expect(e.message).toContain('baseline, entropy, mitigate, predict, score, window');
  });

  it('reports a wrong type inside an operator config with the path, line and expected type', () => {
    const text = GOOD.replace('halfLife: 10m', 'halfLife: [10]');
    const e = errorOf(() => parseTopology(text, 'eu.yaml', { registry }));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ path: 'operators[2].halfLife', line: 7 });
    expect(e.issues[0].message).toMatch(/expected number, or string; got a list/);
    expect(e.message).toContain("eu.yaml:7: operators[2].halfLife");
  });

  it('reports missing fields, at the line of their parent, and lists every problem at once', () => {
    const text = `name: x
source:
  kind: pcap
operators:
  - use: window
    slide: 1s
  - { use: score, weights: { size: one } }
runtime: { chunkSize: 0, extra: 1 }
`;
    const e = errorOf(() => parseTopology(text, 'bad.yaml', { registry }));
    const byPath = Object.fromEntries(e.issues.map((i) => [i.path, i]));
    expect(byPath['source.path']).toEqual({ path: 'source.path', line: 3, message: 'missing field (expected string)' });
    expect(byPath['operators[0].size']).toMatchObject({ line: 5, message: expect.stringContaining('missing field') });
    expect(byPath['operators[1].weights.size']).toMatchObject({ line: 7, message: expect.stringContaining('expected number, got string "one"') });
    expect(byPath['runtime.extra']).toMatchObject({ line: 8, message: "unknown field 'extra'" });
    expect(byPath['runtime.chunkSize']).toBeDefined();
    expect(e.issues).toHaveLength(5);
  });

  it('rejects an unknown source kind and a bad duration, naming what was expected', () => {
    const e = errorOf(() => parseTopology(GOOD.replace('kind: kafka', 'kind: kinesis').replace('maxOutOfOrderness: 2s', 'maxOutOfOrderness: soon'), 'eu.yaml', { registry }));
    expect(e.issues.map((i) => i.path).sort()).toEqual(['runtime.maxOutOfOrderness', 'source.kind']);
    expect(e.issues.find((i) => i.path === 'source.kind')?.message).toContain('synthetic, pcap, kafka, live');
    expect(e.issues.find((i) => i.path === 'runtime.maxOutOfOrderness')?.message).toContain('expected a duration');
  });

  it('reports YAML syntax errors with a line, and unreadable files', () => {
    const e = errorOf(() => parseTopology('name: x\noperators: [ { use: a\n', 'broken.yaml', { registry }));
    expect(e.issues[0].message).toMatch(/^YAML syntax/);
    expect(e.issues[0].line).toBeGreaterThanOrEqual(1);
    expect(errorOf(() => loadTopologyFile('/nonexistent/t.yaml', { registry })).message).toContain('/nonexistent/t.yaml');
  });

  it('needs a url for the redis backend', () => {
    const e = errorOf(() => validateTopology({ name: 'r', source: { kind: 'synthetic' }, operators: [{ use: 'entropy' }], state: { backend: 'redis' } }, 'r.yaml', { registry }));
    expect(e.issues).toEqual([{ path: 'state.url', message: expect.stringContaining('redis://') }]);
  });
});

describe('topology builder', () => {
  it('builds the same validated topology as the file', () => {
    const built = topology('eu-west-1')
      .source({ kind: 'kafka', topic: 'packets', key: 'vmId' })
      .partitions(8)
      .operator('window', { size: '1s', slide: '250ms' })
      .operator('entropy')
      .operator('baseline', { halfLife: '10m', scopes: ['vm', 'account', 'vnet'] })
      .operator('score', { weights: { size: 1, entropy: 2 } })
      .operator('mitigate', { policy: 'policies/default.yaml', dryRun: true })
      .sink('anomalies')
      .sink({ kind: 'jsonl', stream: 'forensics', path: 'out/f.jsonl' })
      .state({ backend: 'memory', checkpointEvery: '500ms' })
      .runtime({ mailboxCapacity: 512, chunkSize: 128, maxOutOfOrderness: '2s', idleTimeout: '30s' })
      .build({ registry });
    expect(built).toEqual(parseTopology(GOOD, 'eu.yaml', { registry }));
  });

  it('reports errors like a file, naming the builder', () => {
    const e = errorOf(() => topology('b').source({ kind: 'synthetic' }).operator('window', { size: 'x' }).build({ registry }));
    expect(e.message).toContain('<builder b>: operators[0].size');
  });
});

describe('default topology', () => {
  it('is valid with the DESIGN operators', () => {
    const t = loadTopologyFile(defaultTopologyPath(), { registry });
    expect(t.source.kind).toBe('synthetic');
    expect(t.operators.map((o) => o.name)).toEqual(['window', 'entropy', 'baseline', 'predict', 'score', 'mitigate']);
    expect(t.operators[3].config).toMatchObject({ model: 'default' });
    expect(t.operators[5].config).toMatchObject({ policy: 'policies/default.yaml' });
    expect(path.basename(defaultTopologyPath())).toBe('default.yaml');
  });
});
