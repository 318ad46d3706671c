import { OperatorHarness } from '../../harness/operator-harness';
import { entropyOperator, type EntropyState } from '../../../operators/entropy';
import { shannonEntropy } from '../../../models/shannon-entropy';
import { rec, T0, prng } from './make-packet';

function uniform256(): Buffer {
  const b = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) b[i] = i;
  return b;
}

describe('entropy operator', () => {
  it('gives 0 bits for an all-zero payload and 8 bits for all 256 byte values once each', async () => {
    const h = await OperatorHarness.create(entropyOperator, {});
    const zero = h.process('vm-1', rec({ payload: Buffer.alloc(64), payloadLength: 64 }))[0];
    const uni = h.process('vm-1', rec({ tsUs: T0 + 1, payload: uniform256(), payloadLength: 256 }))[0];
    expect(zero.entropy).toBe(0);
    expect(uni.entropy).toBeCloseTo(8, 12);
    await h.close();
  });

  it('matches the textbook formula on known small inputs', () => {
    expect(shannonEntropy(Buffer.from('ab'))).toBeCloseTo(1, 12);
    expect(shannonEntropy(Buffer.from('aabb'))).toBeCloseTo(1, 12);
    expect(shannonEntropy(Buffer.from('abcd'))).toBeCloseTo(2, 12);
    // p = (1/2, 1/4, 1/4): H = 1.5
    expect(shannonEntropy(Buffer.from('aabc'))).toBeCloseTo(1.5, 12);
    // the reused count table must be clean between calls
    expect(shannonEntropy(Buffer.from('aaaa'))).toBe(0);
    // random 4096-byte payloads are close to 8 but never above
    const r = prng(7);
    const big = Buffer.alloc(4096);
    for (let i = 0; i < big.length; i++) big[i] = Math.floor(r() * 256);
    const hRand = shannonEntropy(big);
    expect(hRand).toBeGreaterThan(7.9);
    expect(hRand).toBeLessThanOrEqual(8);
  });

  it('uses 0 for an empty payload and leaves the VM mean untouched', async () => {
    const h = await OperatorHarness.create(entropyOperator, {});
    h.process('vm-1', rec({ payload: Buffer.from('abcd') }));
    const before = h.state<EntropyState>('entropy', 'vm-1')!.mean;
    const empty = h.process('vm-1', rec({ tsUs: T0 + 1, payload: Buffer.alloc(0) }))[0];
    expect(empty.entropy).toBe(0);
    expect(empty.entropyDelta).toBe(0);
    expect(h.state<EntropyState>('entropy', 'vm-1')!.mean).toBe(before);
    await h.close();
  });

  it('reports entropyDelta against the decayed mean of the VM, not of other VMs', async () => {
    const h = await OperatorHarness.create(entropyOperator, { halfLifePackets: 8 });
    const text = Buffer.from('GET /index.html HTTP/1.1\r\nHost: a\r\n'); // ~4 bits/byte
    const hText = shannonEntropy(text);
    let t = T0;
    for (let i = 0; i < 50; i++) h.process('vm-1', rec({ tsUs: (t += 1000), payload: text }));
    // another VM's random traffic must not leak into vm-1's mean
    for (let i = 0; i < 50; i++) h.process('vm-2', rec({ vmId: 'vm-2', tsUs: (t += 1000), payload: uniform256() }));
    const first = h.process('vm-1', rec({ tsUs: (t += 1000), payload: uniform256() }))[0];
    expect(first.entropyDelta).toBeCloseTo(8 - hText, 6);
    // the mean moves towards 8 with a half-life of 8 packets: after 8 more the delta has about halved
    let last = first;
    for (let i = 0; i < 8; i++) last = h.process('vm-1', rec({ tsUs: (t += 1000), payload: uniform256() }))[0];
    expect(last.entropyDelta).toBeGreaterThan(0.4 * first.entropyDelta);
    expect(last.entropyDelta).toBeLessThan(0.6 * first.entropyDelta);
    expect(h.state<EntropyState>('entropy', 'vm-2')!.mean).toBeCloseTo(8, 9);
    await h.close();
  });
});
