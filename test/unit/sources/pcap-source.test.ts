import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TcpFlag as TcpFlagNames, type PacketEvent } from '../../../schemas/types';
import { CaptureFormatError, InventoryParseError, PcapSource, readCaptureBuffer } from '../../../sources';

const PCAPS = path.resolve(__dirname, '../../../../shared/data/pcaps');
const capture = (name: string): string => path.join(PCAPS, `${name}.pcap`);

async function drain(src: PcapSource): Promise<{ batches: PacketEvent[][]; all: PacketEvent[] }> {
  const batches: PacketEvent[][] = [];
  for await (const b of src.batches()) batches.push(b);
  return { batches, all: batches.flat() };
}

describe('PcapSource on the real captures', () => {
  it('masscan TCP: 1005 packets from one scanner, SYNs to ports 0-1000 (plus its RSTs)', async () => {
    const src = new PcapSource({ path: capture('esnet_masscan_tcp'), batchSize: 256 });
    const { batches, all } = await drain(src);
    expect(batches.map((b) => b.length)).toEqual([256, 256, 256, 237]);
    expect(all).toHaveLength(1005);
    expect(new Set(all.map((e) => e.srcIp))).toEqual(new Set(['172.31.15.102']));
    expect(all.every((e) => e.protocol === 6 && e.direction === 'EGRESS' && e.vmId === 'vm-172.31.15.102')).toBe(true);
    const syns = all.filter((e) => e.tcpFlags === TcpFlagNames.SYN);
    const ports = new Set(syns.map((e) => e.dstPort));
    expect(ports.size).toBe(1001);
    expect(Math.min(...ports)).toBe(0);
    expect(Math.max(...ports)).toBe(1000);
    // Whatever is not a SYN is masscan's own stack resetting the handshakes it opened.
    expect(all.filter((e) => e.tcpFlags !== TcpFlagNames.SYN).every((e) => e.tcpFlags === TcpFlagNames.RST)).toBe(true);
    expect(all.every((e, i) => i === 0 || e.tsUs >= all[i - 1].tsUs)).toBe(true);
    expect(src.stats()).toEqual({ packets: 1005, skipped: {}, frames: 1005, lastError: null });
  });

  it('masscan UDP: all UDP, ports 0-1000', async () => {
    const { all } = await drain(new PcapSource({ path: capture('esnet_masscan_udp') }));
    expect(all).toHaveLength(1001);
    expect(all.every((e) => e.protocol === 17 && e.tcpFlags === 0)).toBe(true);
    const ports = new Set(all.map((e) => e.dstPort));
    expect([ports.size, Math.min(...ports), Math.max(...ports)]).toEqual([1001, 0, 1000]);
  });

  it('nmap -p80 -A: a two-way conversation on port 80, ingress answers on the scanning VM', async () => {
    const { all } = await drain(new PcapSource({ path: capture('esnet_nmap_80_all') }));
    expect(all).toHaveLength(431);
    expect(new Set(all.map((e) => e.vmId))).toEqual(new Set(['vm-10.87.1.10']));
    const ingress = all.filter((e) => e.direction === 'INGRESS');
    expect(ingress.length).toBeGreaterThan(0);
    expect(ingress.every((e) => e.srcIp === '130.211.223.103')).toBe(true);
    // HTTP requests: some egress payload starts with an HTTP method.
    expect(all.some((e) => e.direction === 'EGRESS' && /^(GET|HEAD|OPTIONS|POST) /.test(e.payload.toString('latin1')))).toBe(true);
  });

  it('lucid WebDDoS with an inventory file: attacker and victim as VMs, the rest bucketed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prescient-src-'));
    try {
      const inv = path.join(dir, 'vms.csv');
      writeFileSync(inv, 'kind,value,vmId,accountId,vnetId\nip,192.168.50.1,vm-victim,acct-a,vnet-1\n');
      const { all } = await drain(new PcapSource({ path: capture('lucid_WebDDoS'), inventory: inv }));
      expect(all).toHaveLength(3104);
      const byDir = (d: string) => all.filter((e) => e.direction === d).length;
      expect(byDir('EGRESS') + byDir('INGRESS')).toBe(3104);
      expect(all.every((e) => e.vmId === 'vm-victim')).toBe(true);
      expect(all.filter((e) => e.direction === 'INGRESS').every((e) => e.srcIp === '172.16.0.5')).toBe(true);

      writeFileSync(inv, 'kind,value,vmId,accountId,vnetId\nip,10.1.1.1,vm-elsewhere,acct-a,vnet-1\n');
      const bucket = await drain(new PcapSource({ path: capture('lucid_WebDDoS'), inventory: inv }));
      expect(bucket.all.every((e) => e.vmId === 'unmapped' && e.direction === 'UNKNOWN')).toBe(true);
      const drop = new PcapSource({ path: capture('lucid_WebDDoS'), inventory: inv, unknown: 'drop' });
      expect((await drain(drop)).all).toHaveLength(0);
      expect(drop.stats()).toMatchObject({ packets: 0, frames: 3104, skipped: { unmapped: 3104 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad inventory file fails at construction', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prescient-src-'));
    try {
      const inv = path.join(dir, 'vms.csv');
      writeFileSync(inv, 'kind,value,vmId,accountId,vnetId\nip,10.1.1,vm,a,v\n');
      expect(() => new PcapSource({ path: capture('lucid_WebDDoS'), inventory: inv })).toThrow(InventoryParseError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PcapSource on a damaged file', () => {
  it('delivers the packets before the damage and sets lastError', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'prescient-src-'));
    try {
      const original = readFileSync(capture('esnet_masscan_udp'));
      const offsets: number[] = [];
      readCaptureBuffer(original, 'udp', (f) => offsets.push(f.byteOffset));
      const cutAt = offsets[500] + 40; // inside the 501st record
      const file = path.join(dir, 'cut.pcap');
      writeFileSync(file, original.subarray(0, cutAt));
      const src = new PcapSource({ path: file, batchSize: 100 });
      const { all } = await drain(src);
      expect(all).toHaveLength(500);
      expect(src.lastError).toBeInstanceOf(CaptureFormatError);
      expect(src.lastError).toMatchObject({ packetNumber: 501, byteOffset: offsets[500], file });
      expect(src.stats()).toMatchObject({ packets: 500, frames: 500 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PcapSource options', () => {
  it('a missing capture fails at construction', () => {
    expect(() => new PcapSource({ path: path.join(PCAPS, 'no-such.pcap') })).toThrow(/ENOENT/);
  });

  it('refuses a batch size below 1', () => {
    expect(() => new PcapSource({ path: capture('esnet_masscan_udp'), batchSize: 0 })).toThrow(RangeError);
  });

  it('stops reading when the consumer stops', async () => {
    const src = new PcapSource({ path: capture('lucid_WebDDoS'), batchSize: 100 });
    for await (const b of src.batches()) {
      expect(b).toHaveLength(100);
      break;
    }
    expect(src.stats()).toMatchObject({ packets: 100, frames: 100, lastError: null });
  });
});
