/**
 * Real Redis + BullMQ: a retraining job is enqueued while a topology with the LSTM runs; the retrain
 * worker trains a tiny model, saves a new version and announces it; the running topology swaps to it
 * without a restart (records' modelVersion changes, per VM from old to new only) and no packet is lost.
 * Then a broken version is announced: the swap fails and the running model stays.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { defaultModelDir, readMetadata } from '../../models';
import { bullConnection } from '../../sinks/bullmq';
import type { PacketRecord } from '../../operators/packet-record';
import { SyntheticSource } from '../../sources';
import type { PacketEvent } from '../../schemas/types';
import { MAIN_OUTPUT_STREAM, parseTopology, planTopology, runTopology, silentLogger, type BatchSource } from '../../topology';
import { enqueueRetrain, ModelUpdateListener, publishModelUpdate, startRetrainWorker, type ModelUpdate, type RetrainWorker } from '../../retrain';
import { describeIntegration, uniqueName, waitFor } from './helpers/services';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Synthetic packets, a batch every few ms, until told to stop: a topology that keeps running. */
class PacedSource implements BatchSource<PacketEvent> {
  readonly description = 'paced synthetic';
  yielded = 0;
  stop = false;
  batchesAfterStop = 0;
  async *batches(): AsyncIterable<PacketEvent[]> {
    for await (const batch of new SyntheticSource({ seed: 21, vmCount: 8, durationSec: 600, attacks: [] }, { batchSize: 128 }).batches()) {
      if (this.stop) return;
      this.yielded += batch.length;
      yield batch;
      await sleep(5);
    }
  }
}

describeIntegration('retrain job and hot swap', ({ redisUrl }) => {
  let tmp: string;
  let retrainWorker: RetrainWorker | undefined;
  let listener: ModelUpdateListener | undefined;
  let raw: Redis;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prescient-retrain-'));
    raw = new Redis(bullConnection(redisUrl));
  });
  afterAll(async () => {
    await listener?.close();
    await retrainWorker?.close();
    await raw.quit();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('enqueue -> trained -> running topology swaps, no restart, no lost packet; a broken version keeps the model', async () => {
    const baseDir = path.join(tmp, 'base');
    fs.mkdirSync(baseDir);
    for (const f of fs.readdirSync(defaultModelDir())) fs.copyFileSync(path.join(defaultModelDir(), f), path.join(baseDir, f));
    const oldVersion = readMetadata(baseDir).version;
    const queueName = uniqueName('retrain');

    const yaml = `
name: retrain-it
source: { kind: synthetic, seed: 1, vmCount: 8, durationSec: 10 }
partitions: 2
operators:
  - { use: window, size: 1s, slide: 250ms }
  - { use: entropy }
  - { use: baseline }
  - { use: predict, model: ${JSON.stringify(baseDir)}, batch: { max: 64, waitUs: 200 } }
  - { use: score }
state: { backend: memory, checkpointEvery: 1s }
runtime: { mailboxCapacity: 512, chunkSize: 64, maxOutOfOrderness: 2s }
`;
    const plan = planTopology(parseTopology(yaml, 'retrain-it.yaml'));
    const versionsByVm = new Map<string, string[]>();
    let outputs = 0;
    const sink = {
      write(_s: string, _k: string, value: unknown) {
        const r = value as PacketRecord;
        outputs++;
        const v = r.modelVersion ?? '(none)';
        const seen = versionsByVm.get(r.packet.vmId) ?? [];
        if (seen[seen.length - 1] !== v) seen.push(v);
        versionsByVm.set(r.packet.vmId, seen);
      },
      flush: async () => undefined,
      close: async () => undefined,
    };
    const source = new PacedSource();
    const running = runTopology(plan, { source, sinks: { [MAIN_OUTPUT_STREAM]: sink }, logger: silentLogger() });
    await waitFor('the topology to process packets', () => outputs > 500, 20000);

    const swapped: ModelUpdate[] = [];
    const failed: string[] = [];
    listener = new ModelUpdateListener({ redisUrl, targets: [baseDir], reconcileEveryMs: 0, onSwapped: (u) => swapped.push(u), onFailed: (e) => failed.push(e.version) });
    await listener.start();
    retrainWorker = startRetrainWorker({ redisUrl, queueName });

    const { jobId, result } = await enqueueRetrain(
      {
        target: baseDir,
        source: { kind: 'synthetic', seed: 5, vms: 4, durationSec: 20 },
        modelsDir: path.join(tmp, 'versions'),
        train: { hidden: 8, seqLen: 8, epochs: 2, patience: 2, maxPerVm: 400, batchSize: 64, seed: 3 },
      },
      { redisUrl, queueName, waitMs: 40000 },
    );
    expect(jobId).not.toBe('');
    expect(result!.version).not.toBe(oldVersion);
    expect(fs.existsSync(path.join(result!.dir, 'metadata.json'))).toBe(true);
    await waitFor('the swap', () => swapped.length === 1, 15000);
    expect(swapped[0].version).toBe(result!.version);
    const atSwap = outputs;
    await waitFor('records of the new model', () => outputs > atSwap + 500, 15000);

    // A broken version (weights cut short) is announced: the swap fails, the new model stays.
    const broken = path.join(tmp, 'broken');
    fs.mkdirSync(broken);
    for (const f of fs.readdirSync(result!.dir)) fs.copyFileSync(path.join(result!.dir, f), path.join(broken, f));
    fs.truncateSync(path.join(broken, 'weights.bin'), 10);
    const meta = JSON.parse(fs.readFileSync(path.join(broken, 'metadata.json'), 'utf8'));
    meta.version = 'lstm-broken';
    fs.writeFileSync(path.join(broken, 'metadata.json'), JSON.stringify(meta));
    await publishModelUpdate(raw, { target: baseDir, dir: broken, version: 'lstm-broken' });
    await waitFor('the failed swap', () => failed.length === 1, 15000);
    expect(failed).toEqual(['lstm-broken']);
    const atFail = outputs;
    await waitFor('records after the failed swap', () => outputs > atFail + 300, 15000);

    source.stop = true;
    const stats = await running;
    // No restart: one run from start to end; no loss: every packet read came out of the chain.
    expect(stats.packetsIn).toBe(source.yielded);
    expect(outputs).toBe(source.yielded);
    // Per VM the version goes old -> new once (per-key order), never back, never to the broken one.
    const sequences = [...versionsByVm.values()];
    expect(sequences.length).toBe(8);
    for (const seq of sequences) expect([[oldVersion, result!.version], [result!.version]]).toContainEqual(seq);
    expect(sequences.some((s) => s[0] === oldVersion && s.length === 2)).toBe(true);
  }, 90000);
});
