/** `prescient eval` on a generated scenario, and its refusals of bad arguments. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalCommand } from '../../cli/commands/eval';
import { isBadInput } from '../../cli/errors';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'prescient-eval-'));

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('prescient eval', () => {
  it('evaluates a synthetic scenario of chosen attack kinds and writes the report', async () => {
    const out = tmp();
    const r = await evalCommand({ scenario: 'synthetic', seed: 42, vms: 40, durationSec: 20, kinds: 'exfil_known_peer,port_scan', out, quiet: true });
    expect(r.report.attacks.map((a) => a.kind)).toEqual(['exfil_known_peer', 'port_scan']);
    expect(r.report.attacks[0].knownPeer).toBe(true);
    const attackPackets = r.report.attacks.reduce((s, a) => s + a.packets, 0);
    expect(r.report.attackPackets).toBe(attackPackets);
    expect(attackPackets).toBeGreaterThan(0);
    expect(r.report.packets).toBe(r.run.packetsIn);
    const json = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    expect(json.labels).toHaveLength(2);
    expect(json.report.tprAtFpr).toHaveLength(2);
    expect(readFileSync(join(out, 'scores.svg'), 'utf8')).toContain('exfil_known_peer');
  }, 30000);

  it('refuses no input, two inputs, a pcap without labels and an unknown attack kind', async () => {
    const out = tmp();
    for (const bad of [
      { out },
      { out, scenario: 'synthetic', pcap: 'x.pcap' },
      { out, pcap: 'x.pcap' },
      { out, scenario: 'synthetic', kinds: 'port_scan,teleport' },
    ]) {
      const err = await rejection(evalCommand({ ...bad, quiet: true }));
      expect(isBadInput(err)).toBe(true);
    }
    expect((await rejection(evalCommand({ out, scenario: 'synthetic', kinds: 'teleport', quiet: true }))).message).toMatch(/unknown attack kind 'teleport'/);
  });
});
