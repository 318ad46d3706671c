/**
 * The CLI's contract with its users: bad input is refused with the file, the place in it and what was
 * expected (exit 2); a cut-short capture still runs and says where it broke (exit 3); a good run writes
 * its outputs and summary.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCommand } from '../../cli/commands/run';
import { validateCommand } from '../../cli/commands/validate';
import { isBadInput } from '../../cli/errors';
import { ExitCode } from '../../cli/exit-codes';

const PCAPS = resolve(__dirname, '../../../shared/data/pcaps');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'prescient-cli-'));

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('prescient validate', () => {
  it('accepts the shipped topologies', () => {
    expect(validateCommand(resolve(__dirname, '../../topology/default.yaml'))).toMatch(/ok \(topology 'embedded'/);
    expect(validateCommand(resolve(__dirname, '../../topology/with-model.yaml'))).toMatch(/predict/);
  });

  it('names the file, line, path and expectation of every problem', () => {
    const dir = tmp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: x\nsource: { kind: synthetic }\noperators:\n  - { use: windoww, size: 1s }\n  - { use: score, weights: { size: "big" } }\nsinks: [anomalies]\n');
    const err = thrown(() => validateCommand(file));
    expect(isBadInput(err)).toBe(true);
    expect(err.message).toContain(`${file}:4: operators[0].use: unknown operator 'windoww'`);
    expect(err.message).toContain('window');
    expect(err.message).toMatch(new RegExp(`${file}:5: operators\\[1\\]\\.weights\\.size: wrong type: expected number`));
  });

  it('refuses a policy with a wrong type, naming the policy file and path', () => {
    const dir = tmp();
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'tiers:\n  - { above: high, action: DROP }\n');
    const file = join(dir, 't.yaml');
    writeFileSync(file, `name: x\nsource: { kind: synthetic }\noperators:\n  - { use: mitigate, policy: ${policy} }\nsinks: [mitigations]\n`);
    const err = thrown(() => validateCommand(file));
    expect(isBadInput(err)).toBe(true);
    expect(err.message).toContain(policy);
    expect(err.message).toMatch(/tiers\[0\]\.above/);
  });
});

describe('prescient run', () => {
  it('runs a real capture and writes outputs and a summary', async () => {
    const out = tmp();
    const r = await runCommand({ pcap: join(PCAPS, 'esnet_nmap_80_all.pcap'), out, quiet: true });
    expect(r.exitCode).toBe(ExitCode.OK);
    const summary = JSON.parse(readFileSync(r.summaryPath, 'utf8'));
    expect(summary.packets).toBe(431);
    expect(existsSync(join(out, 'anomalies.jsonl'))).toBe(true);
  });

  it('keeps the packets before a truncation and exits 3 naming where the file broke', async () => {
    const dir = tmp();
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, readFileSync(join(PCAPS, 'lucid_WebDDoS.pcap')).subarray(0, 50_000));
    const r = await runCommand({ pcap: cut, out: join(dir, 'out'), quiet: true });
    expect(r.exitCode).toBe(ExitCode.PARTIAL_INPUT);
    const summary = JSON.parse(readFileSync(r.summaryPath, 'utf8'));
    expect(summary.packets).toBeGreaterThan(100);
    expect(summary.inputError).toMatch(/byte \d+ \(packet \d+\)/);
  });

  it('refuses an inventory line that does not parse, naming file and line', async () => {
    const dir = tmp();
    const inv = join(dir, 'inv.csv');
    writeFileSync(inv, 'kind,value,vmId,accountId,vnetId\nip,10.0.0.1,vm-a,acct,vnet\nip,10.0.0.300,vm-b,acct,vnet\n');
    const err = await runCommand({ pcap: join(PCAPS, 'esnet_nmap_80_all.pcap'), inventory: inv, out: join(dir, 'out'), quiet: true }).then(
      () => new Error('expected a refusal'),
      (e: Error) => e,
    );
    expect(isBadInput(err)).toBe(true);
    expect(err.message).toContain(`${inv}:3`);
    expect(err.message).toContain('10.0.0.300');
  });
});
