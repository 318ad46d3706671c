import { addPeerBytes, addPeerOpen, BUSY_BYTES, newPeerActivity, peerBeat, resetPeerSlot } from '../../../operators/internal/peer-activity';
import { prng } from './make-packet';

const S = 1_000_000;
const T = 1_700_000_000 * S;

describe('per-(VM, peer) activity', () => {
  it('counts seconds of sustained upload, not one burst of the same bytes', () => {
    const a = newPeerActivity(4);
    // 30 s at 64 kB/s to slot 0 (one 1 kB packet every 1/64 s)...
    let sustained = 0;
    for (let i = 0; i < 30 * 64; i++) sustained = addPeerBytes(a, 0, T + (i * S) / 64, 1024);
    // ...against the same 1.9 MB in one second to slot 1, then 29 s of nothing.
    for (let i = 0; i < 30 * 64; i++) addPeerBytes(a, 1, T + i * 500, 1024);
    const burst = addPeerBytes(a, 1, T + 30 * S, 0);
    expect(sustained).toBeGreaterThan(15);
    expect(burst).toBeLessThan(1);
    expect(burst).toBeGreaterThan(0);
  });

  it('does not count a second whose bytes stay under BUSY_BYTES', () => {
    const a = newPeerActivity(1);
    let busy = 0;
    for (let s = 0; s < 20; s++) busy = addPeerBytes(a, 0, T + s * S, BUSY_BYTES - 1);
    expect(busy).toBe(0);
  });

  it('finds a periodic beacon and not jittered connections', () => {
    const periodic = newPeerActivity(1);
    const jittered = newPeerActivity(1);
    const r = prng(3);
    let tj = T;
    const beats: number[] = [];
    const jBeats: number[] = [];
    for (let i = 0; i < 12; i++) {
      const tp = T + i * 5 * S + Math.round((r() - 0.5) * 0.04 * 5 * S); // +-2 %
      addPeerOpen(periodic, 0, tp);
      beats.push(peerBeat(periodic, 0, tp));
      tj += Math.round(5 * S * (0.5 + r())); // +-50 %
      addPeerOpen(jittered, 0, tj);
      jBeats.push(peerBeat(jittered, 0, tj));
    }
    // From the third open on the beacon beats about log1p(12 per minute).
    expect(beats.slice(0, 2)).toEqual([0, 0]);
    expect(Math.min(...beats.slice(4))).toBeGreaterThan(1.5);
    expect(Math.max(...beats)).toBeLessThanOrEqual(Math.log1p(12.5));
    expect(Math.max(...jBeats)).toBeLessThan(0.5);
    // It stops beating once the period has passed twice without a connection.
    expect(peerBeat(periodic, 0, T + 11 * 5 * S + 11 * S)).toBe(0);
  });

  it('ignores retries and parallel connections closer than the minimum interval', () => {
    const a = newPeerActivity(1);
    for (let i = 0; i < 6; i++) {
      addPeerOpen(a, 0, T + i * 10 * S);
      addPeerOpen(a, 0, T + i * 10 * S + 1000); // a second connection 1 ms later
    }
    expect(peerBeat(a, 0, T + 50 * S)).toBeGreaterThan(1);
  });

  it('starts a reused slot from zero', () => {
    const a = newPeerActivity(1);
    for (let i = 0; i < 10; i++) {
      addPeerOpen(a, 0, T + i * 5 * S);
      addPeerBytes(a, 0, T + i * S, BUSY_BYTES);
    }
    resetPeerSlot(a, 0, T + 50 * S);
    expect(addPeerBytes(a, 0, T + 50 * S, 0)).toBe(0);
    expect(peerBeat(a, 0, T + 50 * S)).toBe(0);
  });
});
