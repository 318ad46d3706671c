/** `prescient validate --region NAME`: ok line and exit 0 for a good region, the problems and exit 2 for a bad one. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../cli/main';
import { ExitCode } from '../../../cli/exit-codes';
import { REGIONS_DIR, REPO } from './deploy-paths';

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await main(['node', 'prescient', ...args]);
    return { code: Number(process.exitCode ?? 0), out, err };
  } finally {
    process.exitCode = before;
    o.mockRestore();
    e.mockRestore();
  }
}

describe('prescient validate --region', () => {
  const cwd = process.cwd();
  beforeAll(() => process.chdir(REPO));
  afterAll(() => process.chdir(cwd));

  it('checks deploy/regions/<name>/region.yaml and prints one ok line', async () => {
    const r = await runCli(['validate', '--region', 'eu-west-1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toMatch(/^eu-west-1: ok \(deploy\/regions\/eu-west-1\/region\.yaml: topology 'eu-west-1' reads eu-west-1\.packets, 12 partitions, 6 workers/);
    expect(r.out).toContain('overlay deploy/k8s/overlays/eu-west-1 agrees');
  });

  it('still validates a topology file given as an argument', async () => {
    const r = await runCli(['validate', 'topology/default.yaml']);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.out).toContain("topology/default.yaml: ok (topology 'embedded'");
  });

  it('exits 2 naming the region, the file and the path when replicas exceed partitions (--regions-dir)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prescient-regions-'));
    cpSync(path.join(REGIONS_DIR, 'us-east-1'), path.join(dir, 'us-east-1'), { recursive: true });
    const file = path.join(dir, 'us-east-1', 'region.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('workers: { replicas: 4 }', 'workers: { replicas: 12 }'));
    const r = await runCli(['validate', '--region', 'us-east-1', '--regions-dir', dir]);
    expect(r.code).toBe(ExitCode.BAD_INPUT);
    expect(r.out).toBe('');
    expect(r.err).toContain(`invalid region 'us-east-1' ${file}`);
    expect(r.err).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+: workers\\.replicas: replicas \\(12\\) exceed partitions \\(8\\)`));
  });

  it('exits 2 for an unknown region and for a file together with --region', async () => {
    const unknown = await runCli(['validate', '--region', 'nowhere-1']);
    expect(unknown.code).toBe(ExitCode.BAD_INPUT);
    expect(unknown.err).toContain("invalid region 'nowhere-1'");
    const both = await runCli(['validate', 'topology/default.yaml', '--region', 'eu-west-1']);
    expect(both.code).toBe(ExitCode.BAD_INPUT);
    expect(both.err).toContain('not both');
  });
});
