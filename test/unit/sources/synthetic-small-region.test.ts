/** Regression: a region too small for a DNS VM per vnet uses the platform resolver, whose address once overflowed int32. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToPcap, PcapSource } from '../../../sources';

it('generates and re-reads a 6-VM region whose DNS goes to the platform resolver', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-small-'));
  const r = await generateToPcap({ seed: 42, vmCount: 6, durationSec: 5, attacks: [] }, dir);
  expect(r.packets).toBeGreaterThan(100);
  const src = new PcapSource({ path: r.pcapPath, inventory: r.inventoryPath });
  const peers = new Set<string>();
  for await (const b of src.batches()) for (const p of b) peers.add(p.dstIp);
  expect(peers.has('168.63.129.16')).toBe(true);
});
