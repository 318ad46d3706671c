/**
 * Bad input gets a typed error naming what is missing: no CAP_NET_ADMIN (checked on a capability-less
 * process, and through a real nft run under setpriv), nft not on PATH, a netns that does not exist.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkCapabilities, CommandRunner, createLinuxEnforcer, findTool, MissingCapabilityError, MissingToolError, NetnsNotFoundError, VmAddressBook,
} from '../../../../sinks/enforcers';
import { netnsUnavailable, isEnvironmentLimit } from './netns-lab';

const why = netnsUnavailable();
if (why !== null) {
  if (process.env.CI === 'true' && !isEnvironmentLimit(why)) it('needs root, ip, nft, tc and netns', () => { throw new Error(`cannot run the netns enforcer tests: ${why}`); });
  else {
    console.warn(`could not run (${why}): the netns enforcer tests need root and network namespaces`);
    it.skip(`netns enforcer error tests skipped: ${why}`, () => undefined);
  }
}
const d = why === null ? describe : describe.skip;
const hasSetpriv = spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;

d('enforcer errors', () => {
  const ns = `pze${process.pid % 100000}`;
  let tmp: string;
  beforeAll(() => {
    spawnSync('ip', ['netns', 'add', ns]);
    tmp = mkdtempSync(join(tmpdir(), 'pz-err-'));
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(tmp, { recursive: true, force: true });
  });
  const book = VmAddressBook.fromInventoryCsv('kind,value,vmId,accountId,vnetId\nip,10.0.0.1,a,x,y\n', 'inv');

  (hasSetpriv ? it : it.skip)('reports a process without CAP_NET_ADMIN', async () => {
    const child = spawn('setpriv', ['--inh-caps=-all', '--bounding-set=-all', 'sleep', '5'], { stdio: 'ignore' });
    try {
      spawnSync('sleep', ['0.2']);
      expect(() => checkCapabilities(ns, child.pid!)).toThrow(MissingCapabilityError);
      expect(() => checkCapabilities(ns, child.pid!)).toThrow(/missing CAP_NET_ADMIN \(needed to change nftables rules/);
      expect(() => checkCapabilities(ns)).not.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
    // The same failure from the tools themselves, as a capability-less nft would meet it.
    const noNetAdmin = new CommandRunner({ netns: ns, prefix: ['setpriv', '--inh-caps=-net_admin', '--bounding-set=-net_admin'] });
    const err = await noNetAdmin.run('nft', ['list', 'tables']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingCapabilityError);
    expect((err as MissingCapabilityError).capability).toBe('CAP_NET_ADMIN');
    const noCaps = new CommandRunner({ netns: ns, prefix: ['setpriv', '--inh-caps=-all', '--bounding-set=-all'] });
    await expect(noCaps.run('nft', ['list', 'tables'])).rejects.toThrow(/missing CAP_SYS_ADMIN \(needed to enter netns/);
  });

  it('reports nft missing from PATH, at startup and when run', async () => {
    const bin = join(tmp, 'bin');
    spawnSync('mkdir', [bin]);
    symlinkSync(findTool('ip'), join(bin, 'ip'));
    expect(() => findTool('nft', bin)).toThrow(MissingToolError);
    expect(() => createLinuxEnforcer({ kind: 'nftables', netns: ns, inventory: book, stateDir: tmp, sweepIntervalMs: 0, env: { PATH: bin } }))
      .toThrow(`nft not found: searched PATH=${bin}; install it (apt-get install nftables)`);
    const runner = new CommandRunner({ netns: ns, env: { PATH: bin } });
    const err = await runner.run('nft', ['list', 'tables']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect((err as MissingToolError).message).toMatch(/^nft not found \(run inside netns 'pze/);
  });

  it('reports a netns that does not exist', async () => {
    expect(() => createLinuxEnforcer({ kind: 'linux', netns: 'pz-no-such-ns', inventory: book, stateDir: tmp, sweepIntervalMs: 0 }))
      .toThrow(new NetnsNotFoundError('pz-no-such-ns'));
    await expect(new CommandRunner({ netns: 'pz-no-such-ns' }).run('nft', ['list', 'tables'])).rejects.toThrow("network namespace 'pz-no-such-ns' does not exist");
    expect(() => createLinuxEnforcer({ kind: 'linux', netns: '', inventory: book, stateDir: tmp })).toThrow(/--netns: a target network namespace is required/);
  });
});
