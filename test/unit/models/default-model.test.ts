import * as fs from 'node:fs';
import * as path from 'node:path';
import { OperatorHarness } from '../../harness/operator-harness';
import { predictOperator } from '../../../operators/predict';
import { newPacketRecord, type PacketRecord } from '../../../operators/packet-record';
import { defaultModelDir } from '../../../models/default-model';
import { FEATURE_SPEC, shannonEntropy } from '../../../models/features';
import { readMetadata } from '../../../models/model-store';
import { SyntheticSource } from '../../../sources/synthetic';

/** Annotates packets as window/entropy/baseline would (iat, payload entropy, new peer). */
async function syntheticRecords(seed: number, maxPackets: number): Promise<PacketRecord[]> {
  const last = new Map<string, number>();
  const peers = new Map<string, Set<string>>();
  const out: PacketRecord[] = [];
  for await (const batch of new SyntheticSource({ seed, vmCount: 6, durationSec: 30, attacks: [] }, { maxPackets }).batches()) {
    for (const p of batch) {
      const r = newPacketRecord(p);
      const prev = last.get(p.vmId);
      r.iatUs = prev === undefined ? 0 : p.tsUs - prev;
      last.set(p.vmId, p.tsUs);
      r.entropy = shannonEntropy(p.payload);
      let seen = peers.get(p.vmId);
      if (seen === undefined) peers.set(p.vmId, (seen = new Set()));
      const peer = p.direction === 'INGRESS' ? p.srcIp : p.dstIp;
      r.baseline = { newPeer: seen.has(peer) ? 0 : 1 } as PacketRecord['baseline'];
      seen.add(peer);
      out.push(r);
    }
  }
  return out;
}

describe('default model (models/default)', () => {
  const dir = defaultModelDir();

  test('is committed, small and matches this build\'s features', () => {
    const meta = readMetadata(dir);
    expect(meta.features.names).toEqual(FEATURE_SPEC.names);
    const bytes = fs.readdirSync(dir).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
    expect(bytes).toBeLessThan(1024 * 1024);
    expect(meta.metrics.valWindows).toBeGreaterThan(0);
  });

  test('`model: default` predicts unseen synthetic traffic better than a constant guess', async () => {
    const h = await OperatorHarness.create<unknown, PacketRecord, PacketRecord>(predictOperator, { model: 'default', batch: { max: 256, waitUs: 0 } });
    const records = await syntheticRecords(101, 6000);
    for (let s = 0; s < records.length; s += 512) {
      const chunk = records.slice(s, s + 512);
      await h.processBatch(chunk.map((r) => r.packet.vmId), chunk);
    }
    await h.close();
    const scored = records.filter((r) => r.predicted !== undefined);
    expect(scored.length).toBeGreaterThan(records.length - 10);
    const logs = scored.map((r) => Math.log1p(r.packet.size)).sort((a, b) => a - b);
    const median = logs[Math.floor(logs.length / 2)];
    let modelErr = 0;
    let constErr = 0;
    let flagHits = 0;
    for (const r of scored) {
      const actual = Math.log1p(r.packet.size);
      modelErr += Math.abs(Math.log1p(r.predicted!.size) - actual);
      constErr += Math.abs(median - actual);
      if (r.predicted!.tcpFlags === (r.packet.protocol === 6 ? r.packet.tcpFlags : 0)) flagHits++;
    }
    expect(modelErr).toBeLessThan(constErr * 0.5);
    expect(flagHits / scored.length).toBeGreaterThan(0.65);
  }, 20000);
});
