import { FEATURE_COUNT, COL, SequenceBuilder, sequencesFromPackets } from '../../../models/features';
import { collectSequences } from '../../../models/train-source';
import { SyntheticSource } from '../../../sources/synthetic';
import type { PacketEvent } from '../../../schemas/types';

describe('collectSequences', () => {
  test('streams a synthetic source into per-VM sequences equal to grouping the packets', async () => {
    const cfg = { seed: 3, vmCount: 4, durationSec: 5, attacks: [] };
    const all: PacketEvent[] = [];
    for await (const b of new SyntheticSource(cfg, { maxPackets: 2000 }).batches()) all.push(...b);
    const seqs = await collectSequences(new SyntheticSource(cfg), { maxPackets: 2000 });
    const expected = sequencesFromPackets(all);
    expect(seqs.map((s) => s.vmId).sort()).toEqual(expected.map((s) => s.vmId).sort());
    expect(seqs.reduce((a, s) => a + s.length, 0)).toBe(all.length);
    for (const e of expected) {
      const s = seqs.find((x) => x.vmId === e.vmId)!;
      expect(s.length).toBe(e.length);
      expect(Array.from(s.rows)).toEqual(Array.from(e.rows));
    }
    // a VM's first packet has no inter-arrival and a new peer
    expect(seqs[0].rows[COL.iat]).toBe(0);
    expect(seqs[0].rows[COL.newPeer]).toBe(1);
  });

  test('maxPerVm bounds each VM; rows grow past the initial capacity', async () => {
    const seqs = await collectSequences(new SyntheticSource({ seed: 3, vmCount: 3, durationSec: 20, attacks: [] }), { maxPerVm: 100 });
    expect(seqs.every((s) => s.length <= 100 && s.rows.length === s.length * FEATURE_COUNT)).toBe(true);
    const b = new SequenceBuilder();
    expect(b.packets).toBe(0);
  });
});
