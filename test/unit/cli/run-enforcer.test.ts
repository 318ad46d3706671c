/**
 * `prescient run --enforcer nftables`: every decision of the run reaches the in-process enforcer, in a
 * test netns, and is recorded; enforcementTimes() reports them for the lab's time-to-enforce figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCommand } from '../../../cli/commands/generate';
import { runCommand } from '../../../cli/commands/run';
import { ExitCode } from '../../../cli/exit-codes';
import { clearEnforcementTimes, enforcementTimes, MitigationStateStore } from '../../../sinks/enforcers';
import { netnsUnavailable, isEnvironmentLimit } from '../sinks/enforcers/netns-lab';

const why = netnsUnavailable();
if (why !== null) {
  if (process.env.CI === 'true' && !isEnvironmentLimit(why)) it('needs root, ip, nft, tc and netns', () => { throw new Error(`cannot run the run --enforcer test: ${why}`); });
  else {
    console.warn(`could not run (${why}): the netns enforcer tests need root and network namespaces`);
    it.skip(`run --enforcer test skipped: ${why}`, () => undefined);
  }
}
const d = why === null ? describe : describe.skip;

d('prescient run --enforcer', () => {
  const ns = `pzr${process.pid % 100000}`;
  let dir: string;
  beforeAll(() => {
    spawnSync('ip', ['netns', 'add', ns]);
    dir = mkdtempSync(join(tmpdir(), 'pz-run-enf-'));
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands every mitigation decision to the enforcer and records the outcome', async () => {
    const gen = await generateCommand({ out: join(dir, 'gen'), seed: 3, vms: 6, durationSec: 12, attacks: true });
    clearEnforcementTimes();
    const stateDir = join(dir, 'state');
    const outcome = await runCommand({
      pcap: gen.pcapPath, inventory: gen.inventoryPath, out: join(dir, 'out'), quiet: true, store: false,
      enforcer: 'nftables', enforceNetns: ns, stateDir, maxIsolationsPerMinute: 5,
    });
    expect(outcome.exitCode).toBe(ExitCode.OK);
    const decisions = readFileSync(join(dir, 'out', 'mitigations.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; action: string });
    expect(decisions.length).toBeGreaterThan(0);
    const times = enforcementTimes();
    expect(times.map((t) => t.decisionId).sort()).toEqual(decisions.map((x) => x.id).sort());
    for (const t of times) expect(t.appliedAtMs).toBeGreaterThanOrEqual(t.receivedAtMs);
    // Each decision that asked for enforcement left a record: applied, or refused with the reason.
    const records = new MitigationStateStore(stateDir).load();
    for (const x of decisions.filter((y) => !['NONE', 'ALERT'].includes(y.action))) {
      const r = records.find((y) => y.id === x.id);
      expect(r).toBeDefined();
      if (x.action === 'RATE_LIMIT') expect(r!.status).toBe('refused');
    }
  });
});
