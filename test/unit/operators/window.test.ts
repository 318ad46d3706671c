import { OperatorHarness } from '../../harness/operator-harness';
import { windowOperator, type WindowState, type WindowSummary } from '../../../operators/window';
import type { PacketRecord } from '../../../operators/packet-record';
import { rec, T0 } from './make-packet';

const MS = 1000;

describe('window operator', () => {
  it('fills iatUs: 0 for the first packet of a VM, then µs since its previous packet, per VM', async () => {
    const h = await OperatorHarness.create(windowOperator, { size: '1s', slide: '250ms' });
    const a1 = h.process('vm-1', rec({ tsUs: T0 }))[0];
    const b1 = h.process('vm-2', rec({ vmId: 'vm-2', tsUs: T0 + 5 * MS }))[0];
    const a2 = h.process('vm-1', rec({ tsUs: T0 + 7 * MS }))[0];
    const a3 = h.process('vm-1', rec({ tsUs: T0 + 7 * MS + 3 }))[0];
    expect([a1.iatUs, b1.iatUs, a2.iatUs, a3.iatUs]).toEqual([0, 0, 7 * MS, 3]);
    await h.close();
  });

  it('counts packets, bytes, distinct ports/peers and SYN share over the sliding window', async () => {
    const h = await OperatorHarness.create(windowOperator, { size: '1s', slide: '250ms' });
    const base = Math.ceil(T0 / (1000 * MS)) * 1000 * MS; // aligned to a window start
    let last: PacketRecord | undefined;
    // 40 SYNs to 40 ports of 10 hosts within 400 ms, 100 bytes each
    for (let i = 0; i < 40; i++) {
      last = h.process('vm-1', rec({ tsUs: base + i * 10 * MS, dstPort: 1000 + i, dstIp: `10.0.1.${i % 10}`, tcpFlags: 0x02, size: 100 }))[0];
    }
    let w = last!.window!;
    expect(w.packets).toBe(40);
    expect(w.bytes).toBe(4000);
    expect(w.synRatio).toBe(1);
    expect(w.rate).toBe(40);
    expect(w.distinctPorts).toBeGreaterThanOrEqual(37);
    expect(w.distinctPorts).toBeLessThanOrEqual(43);
    expect(w.distinctPeers).toBeGreaterThanOrEqual(9);
    expect(w.distinctPeers).toBeLessThanOrEqual(11);
    // 1.2 s later the first 400 ms have slid out: only the new ACK packets remain
    for (let i = 0; i < 5; i++) {
      last = h.process('vm-1', rec({ tsUs: base + 1600 * MS + i * MS, tcpFlags: 0x10, size: 60 }))[0];
    }
    w = last!.window!;
    expect(w.packets).toBe(5);
    expect(w.bytes).toBe(300);
    expect(w.synRatio).toBe(0);
    expect(w.distinctPorts).toBe(1);
    expect(w.distinctPeers).toBe(1);
    await h.close();
  });

  it('counts the egress SYN share and the outbound spread only from the flows the VM opens', async () => {
    const h = await OperatorHarness.create(windowOperator, { size: '1s', slide: '250ms' });
    const base = Math.ceil(T0 / (1000 * MS)) * 1000 * MS;
    let last: PacketRecord | undefined;
    // a server: 40 clients open connections to its port 443 (SYNs in), it answers each with a SYN-ACK
    for (let i = 0; i < 40; i++) {
      const client = `198.51.100.${i}`;
      h.process('vm-1', rec({ tsUs: base + i * 5 * MS, direction: 'INGRESS', srcIp: client, dstIp: '10.0.0.5', srcPort: 50000 + i, dstPort: 443, tcpFlags: 0x02 }));
      last = h.process('vm-1', rec({ tsUs: base + i * 5 * MS + 100, direction: 'EGRESS', srcIp: '10.0.0.5', dstIp: client, srcPort: 443, dstPort: 50000 + i, tcpFlags: 0x12 }))[0];
    }
    let w = last!.window!;
    expect(w.synRatio).toBe(0.5);
    expect(w.egressSynRatio).toBe(0);
    expect(w.outboundPorts).toBe(0);
    expect(w.outboundPeers).toBe(0);
    expect(w.distinctPeers).toBeGreaterThanOrEqual(36);
    // the same VM sends 20 SYNs to 20 ports of one host: half-open share of its egress, smoothed by 8
    for (let i = 0; i < 20; i++) {
      last = h.process('vm-1', rec({ tsUs: base + 200 * MS + i * MS, dstIp: '203.0.113.9', srcPort: 41000, dstPort: 1000 + i, tcpFlags: 0x02 }))[0];
    }
    w = last!.window!;
    expect(w.egressSynRatio).toBeCloseTo(20 / (40 + 20 + 8), 9);
    expect(w.outboundPorts).toBeGreaterThanOrEqual(19);
    expect(w.outboundPorts).toBeLessThanOrEqual(21);
    expect(w.outboundPeers).toBe(1);
    await h.close();
  });

  it('emits a per-VM summary to "windows" only when the watermark passes the tumbling window end', async () => {
    const h = await OperatorHarness.create(windowOperator, { size: '1s' }, { maxOutOfOrdernessUs: 500 * MS });
    const base = Math.ceil(T0 / (1000 * MS)) * 1000 * MS;
    for (let i = 0; i < 10; i++) h.process('vm-1', rec({ tsUs: base + i * 50 * MS, size: 100 }));
    for (let i = 0; i < 3; i++) h.process('vm-2', rec({ vmId: 'vm-2', accountId: 'acct-b', tsUs: base + i * 100 * MS, size: 1000 }));
    // next window's packet: watermark = base + 1.2 s - 0.5 s, before the first window's end
    h.process('vm-1', rec({ tsUs: base + 1200 * MS, size: 100 }));
    expect(h.sideOutput('windows')).toHaveLength(0);
    h.advanceWatermark(base + 1000 * MS - 1);
    const closed = h.sideOutput('windows').map((e) => e.value as WindowSummary);
    expect(closed.map((s) => [s.vmId, s.packets, s.bytes])).toEqual(
      expect.arrayContaining([['vm-1', 10, 1000], ['vm-2', 3, 3000]]),
    );
    expect(closed).toHaveLength(2);
    const v2 = closed.find((s) => s.vmId === 'vm-2')!;
    expect(v2).toMatchObject({ accountId: 'acct-b', startUs: base, endUs: base + 1000 * MS });
    expect(h.sideOutput('windows').find((e) => (e.value as WindowSummary).vmId === 'vm-2')!.key).toBe('vm-2');
    // the second window of vm-1 closes later with its one packet
    h.advanceWatermark(base + 2000 * MS);
    const all = h.sideOutput('windows').map((e) => e.value as WindowSummary);
    expect(all).toHaveLength(3);
    expect(all[2]).toMatchObject({ vmId: 'vm-1', packets: 1, startUs: base + 1000 * MS });
    await h.close();
  });

  it('counts a packet for an already closed window as late instead of reopening it', async () => {
    const h = await OperatorHarness.create(windowOperator, { size: '1s' });
    const base = Math.ceil(T0 / (1000 * MS)) * 1000 * MS;
    h.process('vm-1', rec({ tsUs: base }));
    h.process('vm-1', rec({ tsUs: base + 2500 * MS }));
    expect(h.sideOutput('windows')).toHaveLength(1);
    h.process('vm-1', rec({ tsUs: base + 100 * MS }));
    expect(h.state<WindowState>('window', 'vm-1')!.late).toBe(1);
    h.advanceWatermark(base + 10_000 * MS);
    expect(h.sideOutput('windows').map((e) => (e.value as WindowSummary).packets)).toEqual([1, 1]);
    await h.close();
  });

  it('rejects a bad duration in its config', async () => {
    await expect(OperatorHarness.create(windowOperator, { size: 'soon' })).rejects.toThrow(/size.*expected a duration/);
  });
});
