/**
 * The retrain job without Redis: job validation, a training run from a real capture into a new
 * version directory, and the swapper that applies model updates to this process's shared model.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireSharedModel, defaultModelDir, readMetadata, type SharedModel } from '../../../models';
import { ModelSwapper, parseModelUpdate, parseRetrainJob, RetrainJobDataError, runRetrain, type RetrainResult } from '../../../retrain';
import { retrainJobFromOptions } from '../../../cli/commands/retrain';

const PCAPS = path.resolve(__dirname, '../../../../shared/data/pcaps');

let tmp: string;
let trained: RetrainResult;
let shared: SharedModel;
let baseDir: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prescient-retrain-unit-'));
  baseDir = path.join(tmp, 'base');
  fs.mkdirSync(baseDir);
  for (const f of fs.readdirSync(defaultModelDir())) fs.copyFileSync(path.join(defaultModelDir(), f), path.join(baseDir, f));
  shared = await acquireSharedModel(baseDir, { backend: 'wasm', kernel: 'js', batch: { maxBatch: 16, maxWaitUs: 100 } });
  const job = parseRetrainJob({
    target: baseDir,
    source: { kind: 'pcap', path: path.join(PCAPS, 'esnet_masscan_tcp.pcap'), maxPackets: 800 },
    modelsDir: path.join(tmp, 'versions'),
    train: { hidden: 4, seqLen: 8, epochs: 1, maxPerVm: 800 },
  });
  trained = await runRetrain(job, { jobId: 'j1' });
}, 30000);

afterAll(() => {
  shared?.release();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('retrain job data', () => {
  test('defaults are filled and a bad field is named', () => {
    const j = parseRetrainJob({ target: 'default', source: { kind: 'synthetic' }, modelsDir: 'm' });
    expect(j.train.hidden).toBe(32);
    expect(j.source).toEqual({ kind: 'synthetic', seed: 7, vms: 40, durationSec: 120 });
    expect(() => parseRetrainJob({ target: 'default', source: { kind: 'pcap' }, modelsDir: 'm' }, 'x')).toThrow(RetrainJobDataError);
    try {
      parseRetrainJob({ target: 'default', source: { kind: 'synthetic' }, modelsDir: 'm', train: { epochs: 0 } }, 'job-9');
      throw new Error('accepted epochs 0');
    } catch (e) {
      expect(e).toBeInstanceOf(RetrainJobDataError);
      expect((e as RetrainJobDataError).field).toBe('train.epochs');
      expect((e as Error).message).toContain('job-9');
    }
  });

  test('the CLI options map to one source', () => {
    expect(retrainJobFromOptions({ target: 't', modelsDir: 'm', pcap: 'a.pcap', inventory: 'i.csv' }).source).toEqual({ kind: 'pcap', path: 'a.pcap', inventory: 'i.csv', maxPackets: undefined });
    expect(() => retrainJobFromOptions({ target: 't', modelsDir: 'm' })).toThrow(/exactly one source/);
    expect(() => retrainJobFromOptions({ target: 't', modelsDir: 'm', pcap: 'a', synthetic: true })).toThrow(/exactly one source/);
  });

  test('a model update message is parsed or refused', () => {
    expect(parseModelUpdate('{"target":"t","dir":"d","version":"v"}')).toEqual({ target: 't', dir: 'd', version: 'v', jobId: undefined });
    expect(parseModelUpdate('{"target":"t"}')).toBeNull();
    expect(parseModelUpdate('not json')).toBeNull();
  });
});

describe('runRetrain', () => {
  test('trains on the capture and writes a complete version directory named by its version', () => {
    expect(trained.packets).toBe(800);
    expect(trained.vms).toBeGreaterThanOrEqual(1);
    expect(path.basename(trained.dir)).toBe(trained.version);
    const meta = readMetadata(trained.dir);
    expect(meta.version).toBe(trained.version);
    expect(meta.hyper.hidden).toBe(4);
    // No temporary directory is left behind.
    expect(fs.readdirSync(path.join(tmp, 'versions')).filter((d) => d.startsWith('.incoming'))).toEqual([]);
  });
});

describe('ModelSwapper', () => {
  test('swaps the shared model, skips the current version and unknown targets, keeps the model on a broken version', async () => {
    const oldVersion = shared.current.metadata.version;
    const swapped: string[] = [];
    const failed: string[] = [];
    const s = new ModelSwapper({ onSwapped: (u) => swapped.push(u.version), onFailed: (e) => failed.push(e.version) });
    expect(await s.apply({ target: path.join(tmp, 'nowhere'), dir: trained.dir, version: trained.version })).toBe('not-loaded');
    expect(await s.apply({ target: baseDir, dir: trained.dir, version: trained.version })).toBe('swapped');
    expect(shared.current.metadata.version).toBe(trained.version);
    expect(shared.current.lstm.hidden).toBe(4);
    expect(await s.apply({ target: baseDir, dir: trained.dir, version: trained.version })).toBe('current');

    const broken = path.join(tmp, 'broken');
    fs.mkdirSync(broken);
    fs.copyFileSync(path.join(baseDir, 'metadata.json'), path.join(broken, 'metadata.json'));
    fs.copyFileSync(path.join(baseDir, 'model.json'), path.join(broken, 'model.json'));
    fs.writeFileSync(path.join(broken, 'weights.bin'), Buffer.alloc(12));
    expect(await s.apply({ target: baseDir, dir: broken, version: oldVersion })).toBe('failed');
    expect(await s.apply({ target: baseDir, dir: broken, version: oldVersion })).toBe('failed-before');
    expect(shared.current.metadata.version).toBe(trained.version);
    expect(swapped).toEqual([trained.version]);
    expect(failed).toEqual([oldVersion]);
  });
});
