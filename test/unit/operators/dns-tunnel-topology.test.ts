/** The worked example of docs/operators.md: topology/examples/dns-tunnel.yaml validates and, run, writes the tunnel's alert. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../../cli/commands/run';
import { validateCommand } from '../../../cli/commands/validate';
import { ExitCode } from '../../../cli/exit-codes';
import { SyntheticSource } from '../../../sources/synthetic';
import { loadTopologyFile } from '../../../topology';
import type { DnsTunnelAlert } from '../../../operators/dns-tunnel';

const FILE = path.resolve(__dirname, '../../../topology/examples/dns-tunnel.yaml');

describe('topology/examples/dns-tunnel.yaml', () => {
  it('validates, with dns-tunnel found by name in operators/', () => {
    expect(validateCommand(FILE)).toMatch(/ok \(topology 'dns-tunnel-example'.*entropy -> dns-tunnel -> baseline/);
  });

  it('runs with `prescient run` and writes one alert, for the tunnelling VM, to dns-tunnel.jsonl', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'prescient-dns-'));
    const r = await runCommand({ topology: FILE, out, quiet: true, store: false });
    expect(r.exitCode).toBe(ExitCode.OK);
    const alerts = readFileSync(path.join(out, 'dns-tunnel.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DnsTunnelAlert);
    // The same generator config as the topology's source: its label names the attacker.
    const src = loadTopologyFile(FILE).source;
    const label = new SyntheticSource({ seed: src.seed as number, vmCount: src.vmCount as number, durationSec: src.durationSec as number, attacks: src.attacks as never }).labels()[0];
    expect(alerts.map((a) => a.vmId)).toEqual([label.vmId]);
    expect(alerts[0].tsUs).toBeGreaterThanOrEqual(label.startUs);
  });
});
