import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OperatorRegistry, OperatorRegistryError, isOperatorDefinition } from '../../../operators/registry';
import { parseTopology } from '../../../topology/load';
import { TopologyError } from '../../../topology/topology-error';
import { planTopology } from '../../../topology/runtime/planner';

const ZOD = require.resolve('zod');

function operatorModule(names: string[], extra = ''): string {
  const defs = names.map((n, i) => `exports.op${i} = {
  name: ${JSON.stringify(n)},
  description: 'temp operator ${n}',
  configSchema: z.object({ factor: z.number().default(2) }).strict(),
  create: (cfg) => ({ open() {}, process(r, _ctx, out) { out.collect(r * cfg.factor); } }),
};`);
  return `const { z } = require(${JSON.stringify(ZOD)});\n${defs.join('\n')}\n${extra}\n`;
}

describe('operator registry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'prescient-ops-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('discovers operator modules in a folder, skipping the contract, registry, index, packet-record and helpers', () => {
    writeFileSync(path.join(dir, 'double.js'), operatorModule(['double']));
    writeFileSync(path.join(dir, 'pair.js'), operatorModule(['left', 'right']));
    writeFileSync(path.join(dir, 'helper.js'), 'exports.notAnOperator = { name: "x" }; exports.fn = () => 1;');
    for (const skipped of ['contract.js', 'registry.js', 'index.js', 'packet-record.js']) writeFileSync(path.join(dir, skipped), 'throw new Error("must not be loaded")');
    writeFileSync(path.join(dir, 'types.d.ts'), 'export {};');
    writeFileSync(path.join(dir, 'double.js.map'), '{}');
    const r = new OperatorRegistry().discover(dir, '.js');
    expect(r.names()).toEqual(['double', 'left', 'right']);
    expect(isOperatorDefinition(r.get('double'))).toBe(true);
  });

  it('refuses two operators with one name, naming both files', () => {
    writeFileSync(path.join(dir, 'a.js'), operatorModule(['same']));
    writeFileSync(path.join(dir, 'b.js'), operatorModule(['same']));
    expect(() => new OperatorRegistry().discover(dir, '.js')).toThrow(/duplicate operator name 'same'.*a\.js.*\(.*b\.js\)/);
  });

  it('reports a module that fails to load with its file', () => {
    writeFileSync(path.join(dir, 'broken.js'), 'throw new Error("boom")');
    expect(() => new OperatorRegistry().discover(dir, '.js')).toThrow(OperatorRegistryError);
    expect(() => new OperatorRegistry().discover(dir, '.js')).toThrow(/boom.*broken\.js/);
  });

  it('loads `use: ./path.js` relative to the topology file, validates its config and plans it', () => {
    writeFileSync(path.join(dir, 'scale.js'), operatorModule(['scale']));
    writeFileSync(path.join(dir, 'two.js'), operatorModule(['first', 'second']));
    const text = `name: t
source: { kind: synthetic }
operators:
  - { use: ./scale.js, factor: 3 }
  - { use: ./two.js#second }
`;
    const registry = new OperatorRegistry();
    const t = parseTopology(text, path.join(dir, 'topo.yaml'), { registry });
    expect(t.operators).toEqual([
      { use: './scale.js', name: 'scale', modulePath: path.join(dir, 'scale.js'), config: { factor: 3 } },
      { use: './two.js#second', name: 'second', modulePath: `${path.join(dir, 'two.js')}#second`, config: { factor: 2 } },
    ]);
    const plan = planTopology(t, { registry });
    expect(plan.chain.map((c) => [c.name, c.stateNamespace])).toEqual([['scale', 'scale/'], ['second', 'second/']]);
    expect(registry.has('scale')).toBe(false); // path operators do not take a name in the registry

    const bad = text.replace('factor: 3', 'factor: three').replace('./two.js#second', './two.js').concat('  - { use: ./missing.js }\n');
    let err: TopologyError | undefined;
    try {
      parseTopology(bad, path.join(dir, 'topo.yaml'), { registry });
    } catch (e) {
      err = e as TopologyError;
    }
    expect(err).toBeInstanceOf(TopologyError);
    expect(err?.issues.map((i) => [i.path, i.line])).toEqual([['operators[0].factor', 4], ['operators[1].use', 5], ['operators[2].use', 6]]);
    expect(err?.issues[1].message).toContain('exactly one operator definition, found 2');
    expect(err?.issues[2].message).toContain('operator module not found');
  });

  it('registerOperator-style registration rejects non-definitions', () => {
    const r = new OperatorRegistry();
    expect(() => r.register({ name: 'x' } as never)).toThrow(OperatorRegistryError);
  });
});
