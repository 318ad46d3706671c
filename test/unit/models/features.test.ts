import { COL, decodePrediction, FEATURE_COUNT, FEATURE_SPEC, portClass, portClassName, sequencesFromPackets, shannonEntropy, TARGET_COUNT, TGT, writeFeatures, writeRecordFeatures, writeTargets } from '../../../models/features';
import { StandardScaler } from '../../../models/scaler';
import { newPacketRecord } from '../../../operators/packet-record';
import type { PacketEvent } from '../../../schemas/types';

function packet(over: Partial<PacketEvent>): PacketEvent {
  return {
    tsUs: 0, vmId: 'vm', accountId: 'a', vnetId: 'n', srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000, dstPort: 443,
    protocol: 6, size: 100, tcpFlags: 0x12, direction: 'EGRESS', fragment: false, payloadLength: 0, payload: Buffer.alloc(0), ...over,
  };
}

describe('features', () => {
  test('spec names match the row width and are unique', () => {
    expect(FEATURE_SPEC.names.length).toBe(FEATURE_COUNT);
    expect(new Set(FEATURE_SPEC.names).size).toBe(FEATURE_COUNT);
    expect(FEATURE_SPEC.names[COL.entropy]).toBe('entropy_norm');
    expect(FEATURE_SPEC.names[COL.newPeer]).toBe('new_peer');
  });

  test('writes a TCP packet into a reused row at an offset', () => {
    const row = new Float32Array(FEATURE_COUNT * 2).fill(9);
    writeFeatures(row, FEATURE_COUNT, { size: 1500, iatUs: 999, tcpFlags: 0x12, protocol: 6, direction: 'INGRESS', srcPort: 443, dstPort: 51000, entropy: 4, newPeer: 1 });
    const r = row.subarray(FEATURE_COUNT);
    expect(row[0]).toBe(9); // first row untouched
    expect(r[COL.size]).toBeCloseTo(Math.log1p(1500), 5);
    expect(r[COL.iat]).toBeCloseTo(Math.log1p(999), 5);
    expect(Array.from(r.subarray(COL.flags, COL.flags + 8))).toEqual([0, 1, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(r.subarray(COL.proto, COL.proto + 4))).toEqual([1, 0, 0, 0]);
    expect(Array.from(r.subarray(COL.dir, COL.dir + 2))).toEqual([0, 1]);
    // reply from 443 classifies as https, not ephemeral
    expect(portClassName(Array.from(r.subarray(COL.port, COL.port + 8)).indexOf(1))).toBe('https');
    expect(r[COL.entropy]).toBeCloseTo(0.5, 6);
    expect(r[COL.newPeer]).toBe(1);
  });

  test('UDP ignores flag bits; port classes', () => {
    const row = new Float32Array(FEATURE_COUNT);
    writeFeatures(row, 0, { size: 60, iatUs: 0, tcpFlags: 0xff, protocol: 17, direction: 'UNKNOWN', srcPort: 5353, dstPort: 53, entropy: 20, newPeer: 0 });
    expect(Array.from(row.subarray(COL.flags, COL.flags + 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(row.subarray(COL.proto, COL.proto + 4))).toEqual([0, 1, 0, 0]);
    expect(Array.from(row.subarray(COL.dir, COL.dir + 2))).toEqual([0, 0]);
    expect(row[COL.entropy]).toBe(1);
    expect(portClassName(portClass(50000, 3389))).toBe('smbrdp');
    expect(portClassName(portClass(50000, 5432))).toBe('db');
    expect(portClassName(portClass(1234, 60000))).toBe('ephemeral');
    expect(portClassName(portClass(1234, 4321))).toBe('other');
    expect(portClassName(portClass(22, 50000))).toBe('ssh');
  });

  test('record features take iat, entropy and new-peer from the annotations', () => {
    const rec = newPacketRecord(packet({ size: 200, protocol: 1, tcpFlags: 0 }));
    rec.iatUs = 1000;
    rec.entropy = 6;
    const row = new Float32Array(FEATURE_COUNT);
    writeRecordFeatures(row, 0, rec);
    expect(row[COL.newPeer]).toBe(0);
    expect(row[COL.proto + 2]).toBe(1);
    expect(row[COL.iat]).toBeCloseTo(Math.log1p(1000), 5);
    rec.baseline = { newPeer: 1 } as never;
    writeRecordFeatures(row, 0, rec);
    expect(row[COL.newPeer]).toBe(1);
    const same = new Float32Array(FEATURE_COUNT);
    writeFeatures(same, 0, { size: 200, iatUs: 1000, tcpFlags: 0, protocol: 1, direction: 'EGRESS', srcPort: 40000, dstPort: 443, entropy: 6, newPeer: 1 });
    expect(Array.from(row)).toEqual(Array.from(same));
  });

  test('shannon entropy', () => {
    expect(shannonEntropy(Buffer.alloc(64, 7))).toBe(0);
    expect(shannonEntropy(Buffer.from(Array.from({ length: 256 }, (_, i) => i)))).toBeCloseTo(8, 10);
    expect(shannonEntropy(Buffer.from([1, 2, 1, 2]))).toBeCloseTo(1, 10);
  });

  test('sequencesFromPackets groups by VM, sorts by time, derives iat and novelty', () => {
    const seqs = sequencesFromPackets([
      packet({ vmId: 'a', tsUs: 2000, dstIp: '1.1.1.1' }),
      packet({ vmId: 'b', tsUs: 10 }),
      packet({ vmId: 'a', tsUs: 1000, dstIp: '1.1.1.1' }),
      packet({ vmId: 'a', tsUs: 4000, dstIp: '2.2.2.2', payload: Buffer.from([0, 1]) }),
    ]);
    const a = seqs.find((s) => s.vmId === 'a')!;
    expect(a.length).toBe(3);
    const at = (r: number, col: number) => a.rows[r * FEATURE_COUNT + col];
    expect(at(0, COL.iat)).toBe(0);
    expect(at(1, COL.iat)).toBeCloseTo(Math.log1p(1000), 5);
    expect(at(2, COL.iat)).toBeCloseTo(Math.log1p(2000), 5);
    expect([at(0, COL.newPeer), at(1, COL.newPeer), at(2, COL.newPeer)]).toEqual([1, 0, 1]);
    expect(at(2, COL.entropy)).toBeCloseTo(1 / 8, 6);
  });

  test('targets are the next row; decodePrediction inverts log1p and thresholds flags', () => {
    const rows = new Float32Array(2 * FEATURE_COUNT);
    writeFeatures(rows, FEATURE_COUNT, { size: 1000, iatUs: 5000, tcpFlags: 0x18, protocol: 6, direction: 'EGRESS', srcPort: 1, dstPort: 80, entropy: 6, newPeer: 0 });
    const t = new Float32Array(TARGET_COUNT);
    writeTargets(rows, 0, t, 0);
    const p = decodePrediction(t, 0);
    expect(p.size).toBeCloseTo(1000, 1);
    expect(p.iatUs).toBeCloseTo(5000, 0);
    expect(p.tcpFlags).toBe(0x18);
    expect(p.entropy).toBeCloseTo(6, 5);
    t[TGT.flags + 3] = 0.49;
    expect(decodePrediction(t, 0).tcpFlags).toBe(0x10);
  });
});

describe('StandardScaler', () => {
  test('fits mean/std, keeps std 1 for constant columns, round-trips JSON', () => {
    const rows = Float32Array.from([1, 5, 3, 5, 5, 5]); // 3 rows x 2 cols
    const s = StandardScaler.fit([{ rows, length: 3 }], 2);
    expect(s.mean[0]).toBeCloseTo(3, 6);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 5);
    expect(s.std[1]).toBe(1);
    const row = Float32Array.from([3, 5]);
    s.transformRow(row, 0);
    expect(Array.from(row)).toEqual([0, 0]);
    expect(s.unscale(0, s.scale(0, 7))).toBeCloseTo(7, 5);
    const back = StandardScaler.fromJSON(JSON.parse(JSON.stringify(s.toJSON())), 'x', 2);
    expect(Array.from(back.mean)).toEqual(Array.from(s.mean));
    expect(() => StandardScaler.fromJSON({ mean: [1], std: [1] }, 'meta.json', 2)).toThrow(/meta.json.*1\/1 columns/);
    expect(() => StandardScaler.fromJSON({ mean: [1, 2], std: [1, 0] }, 'meta.json', 2)).toThrow(/non-positive/);
  });
});
