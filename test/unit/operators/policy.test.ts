import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OperatorHarness } from '../../harness/operator-harness';
import { mitigateOperator } from '../../../operators/mitigate';
import { loadPolicyFile, parseIpNet, ipInNet, PolicyError } from '../../../operators/policy';

const dir = mkdtempSync(path.join(tmpdir(), 'prescient-policy-'));
function policyFile(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('expected a PolicyError');
}

describe('mitigation policy loading', () => {
  it('loads the shipped policies', () => {
    const d = loadPolicyFile('policies/default.yaml');
    expect(d.tiers.map((t) => t.action)).toEqual(['ALERT', 'RATE_LIMIT', 'DROP', 'ISOLATE']);
    expect(d).toMatchObject({ minAnomalies: 3, windowUs: 10e6, cooldownUs: 30e6, hysteresis: 0.2, expireAfterUs: 300e6, dryRun: false });
    expect(d.scrubWhen).toEqual({ entropyAbove: 7.5, action: 'SCRUB' });
    expect(d.tiers.map((t) => t.minAnomalies)).toEqual([1, 10, 100, 100]);
    expect(loadPolicyFile('policies/dry-run.yaml').dryRun).toBe(true);
  });

  it('names the file, the path, the line and what was expected for a wrong type', () => {
    const f = policyFile('bad-type.yaml', 'tiers:\n  - { above: 1.0, action: ALERT }\n  - { above: high, action: DROP }\n');
    const e = errorOf(() => loadPolicyFile(f));
    expect(e.file).toBe(f);
    expect(e.issues).toEqual([{ path: 'tiers[1].above', expected: 'expected number, got string', line: 3 }]);
    expect(e.message).toContain(`${f}:3: tiers[1].above: expected number, got string`);
  });

  it('lists the allowed actions for an unknown one, and a missing rateKbps', () => {
    const f = policyFile('bad-action.yaml', 'tiers:\n  - { above: 1, action: PANIC }\n  - { above: 2, action: RATE_LIMIT }\n');
    const e = errorOf(() => loadPolicyFile(f));
    expect(e.issues.map((i) => i.path)).toEqual(['tiers[0].action', 'tiers[1].rateKbps']);
    expect(e.issues[0].expected).toBe('expected one of ALERT, RATE_LIMIT, DROP, SCRUB, ISOLATE, got "PANIC"');
    expect(e.issues[1].expected).toMatch(/expected rateKbps/);
    expect(e.issues[1].line).toBe(3); // missing field: the line of its tier
  });

  it('reports missing tiers, unknown keys, bad durations, disordered tiers and bad CIDRs', () => {
    const f = policyFile('many.yaml', 'cooldown: soon\ncolour: red\nallowList: [vm-a, 10.0.0.0/33]\n');
    const e = errorOf(() => loadPolicyFile(f));
    const byPath = Object.fromEntries(e.issues.map((i) => [i.path, i.expected]));
    expect(byPath.tiers).toBe('expected array, got undefined');
    expect(byPath['(root)']).toMatch(/unknown key\(s\) colour/);
    expect(byPath.cooldown).toMatch(/expected a duration/);
    expect(byPath['allowList[1]']).toMatch(/expected a vmId, an IP address or a CIDR/);
    const g = policyFile('order.yaml', 'tiers:\n  - { above: 4, action: DROP }\n  - { above: 2, action: ISOLATE }\n  - { above: 2, action: ALERT, minAnomalies: 1000 }\n');
    const issues = errorOf(() => loadPolicyFile(g)).issues;
    expect(issues.map((i) => [i.path, i.line])).toEqual(
      expect.arrayContaining([['tiers[1].above', 3], ['tiers[2].minAnomalies', 4], ['tiers[2].action', 4]]),
    );
  });

  it('reports YAML syntax errors with their line, and files that do not exist', () => {
    const f = policyFile('syntax.yaml', 'tiers:\n  - { above: 1, action: ALERT\nminAnomalies: 3\n');
    const e = errorOf(() => loadPolicyFile(f));
    expect(e.issues[0].path).toBe('(yaml)');
    expect(e.issues[0].line).toBeGreaterThanOrEqual(2);
    const m = errorOf(() => loadPolicyFile('policies/nope.yaml'));
    expect(m.message).toMatch(/policies\/nope\.yaml.*looked in/);
  });

  it('refuses a mitigate config whose policy is bad, naming the policy file', async () => {
    const f = policyFile('bad-for-op.yaml', 'tiers: []\n');
    await expect(OperatorHarness.create(mitigateOperator, { policy: f })).rejects.toThrow(/policy: invalid mitigation policy .*bad-for-op\.yaml[\s\S]*tiers: expected at least one tier/);
    await expect(OperatorHarness.create(mitigateOperator, { policy: { tiers: [{ above: 1, action: 'ALERT' }], window: -1 } })).rejects.toThrow(/<inline policy>.*window/s);
  });

  it('matches IPv4 and IPv6 CIDRs', () => {
    const v4 = parseIpNet('10.1.0.0/16')!;
    expect(ipInNet('10.1.255.3', v4)).toBe(true);
    expect(ipInNet('10.2.0.1', v4)).toBe(false);
    expect(ipInNet('fd00::1', v4)).toBe(false);
    const v6 = parseIpNet('2001:db8:abcd::/48')!;
    expect(ipInNet('2001:db8:abcd:12::1', v6)).toBe(true);
    expect(ipInNet('2001:db8:abce::1', v6)).toBe(false);
    expect(ipInNet('::ffff:10.1.2.3', parseIpNet('::ffff:10.1.0.0/112')!)).toBe(true);
    expect(parseIpNet('10.0.0.0/33')).toBeNull();
    expect(parseIpNet('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(ipInNet('10.0.0.7', parseIpNet('10.0.0.7')!)).toBe(true);
  });
});
