import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PacketEvent } from '../../../schemas/types';
import { PcapSource } from '../../../sources/pcap-source';
import { generateEvents, type GenerateProgress, generateToPcap, INVENTORY_HEADER, parseLabelsJsonl } from '../../../sources/synthetic';

const CONFIG = {
  seed: 3,
  vmCount: 20,
  accounts: 2,
  vnetsPerAccount: 2,
  durationSec: 31,
  attacks: [
    { kind: 'port_scan' as const, atSec: 1, durationSec: 2, intensity: 100 },
    { kind: 'dns_tunnel' as const, atSec: 2, durationSec: 5 },
    { kind: 'c2_beacon' as const, atSec: 3, durationSec: 8, intensity: 60 },
  ],
};

describe('generateToPcap', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-synth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a pcap that decodes back to exactly the generated PacketEvents', async () => {
    const progress: GenerateProgress[] = [];
    const out = join(dir, 'a');
    const res = await generateToPcap(CONFIG, out, { onProgress: (p) => progress.push(p), progressEvery: 2000 });
    const expected = generateEvents(CONFIG);
    expect(res.packets).toBe(expected.events.length);
    expect(statSync(res.pcapPath).size).toBe(24 + 16 * res.packets + res.bytes);
    expect(res.bytes).toBe(expected.events.reduce((n, e) => n + e.size, 0));

    const src = new PcapSource({ path: res.pcapPath, inventory: res.inventoryPath, payloadSampleBytes: 64 });
    const decoded: PacketEvent[] = [];
    for await (const b of src.batches()) decoded.push(...b);
    expect(decoded.length).toBe(expected.events.length);
    const firstDiff = decoded.findIndex((e, i) => !sameEvent(e, expected.events[i]));
    if (firstDiff >= 0) expect(decoded[firstDiff]).toEqual(expected.events[firstDiff]);
    expect(firstDiff).toBe(-1);
    // The check covers every protocol, both directions, and VM-to-VM traffic inside a vnet.
    expect(new Set(decoded.map((e) => e.protocol))).toEqual(new Set([1, 6, 17]));
    expect(new Set(decoded.map((e) => e.direction))).toEqual(new Set(['EGRESS', 'INGRESS']));
    expect(decoded.some((e) => e.srcIp.startsWith('10.') && e.dstIp.startsWith('10.') && e.dstPort === 5432)).toBe(true);

    expect(progress.length).toBeGreaterThan(2);
    expect(progress[progress.length - 1]).toEqual({ packets: res.packets, bytes: res.bytes, fraction: 1 });
    expect(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction)).toBe(true);
  });

  it('writes labels.jsonl and inventory.csv', async () => {
    const res = await generateToPcap(CONFIG, join(dir, 'b'));
    const labels = parseLabelsJsonl(readFileSync(res.labelsPath, 'utf8'), res.labelsPath);
    expect(labels).toEqual(res.labels);
    expect(labels.map((l) => l.kind)).toEqual(['port_scan', 'dns_tunnel', 'c2_beacon']);
    const csv = readFileSync(res.inventoryPath, 'utf8').trim().split('\n');
    expect(csv[0]).toBe(INVENTORY_HEADER);
    expect(csv.length).toBe(1 + 2 * CONFIG.vmCount);
    expect(csv[1]).toMatch(/^mac,02:00:0a:00:00:04,vm-web-1,acct-a,vnet-1$/);
    expect(csv[2]).toBe('ip,10.0.0.4,vm-web-1,acct-a,vnet-1');
    expect(() => parseLabelsJsonl('{"id":1}\n')).toThrow(/labels\.jsonl:1/);
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
    const a = await generateToPcap(CONFIG, join(dir, 'c1'));
    const b = await generateToPcap(CONFIG, join(dir, 'c2'));
    const c = await generateToPcap({ ...CONFIG, seed: 4 }, join(dir, 'c3'));
    expect(sha(a.pcapPath)).toBe(sha(b.pcapPath));
    expect(sha(a.labelsPath)).toBe(sha(b.labelsPath));
    expect(sha(a.pcapPath)).not.toBe(sha(c.pcapPath));
  });
});

function sameEvent(a: PacketEvent, b: PacketEvent): boolean {
  return (
    a.tsUs === b.tsUs && a.vmId === b.vmId && a.accountId === b.accountId && a.vnetId === b.vnetId &&
    a.srcIp === b.srcIp && a.dstIp === b.dstIp && a.srcPort === b.srcPort && a.dstPort === b.dstPort &&
    a.protocol === b.protocol && a.size === b.size && a.tcpFlags === b.tcpFlags && a.direction === b.direction &&
    a.fragment === b.fragment && a.payloadLength === b.payloadLength && a.payload.equals(b.payload)
  );
}
