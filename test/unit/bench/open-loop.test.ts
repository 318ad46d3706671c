import { OpenLoopSchedule, OpenLoopSource } from '../../../benchmarks/bench';
import type { PacketEvent } from '../../../schemas/types';

function pool(n: number): PacketEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    tsUs: 0, vmId: `vm-${i % 7}`, accountId: 'a', vnetId: 'v', srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1000 + i, dstPort: 80,
    protocol: 6, size: 60 + i, tcpFlags: 2, direction: 'EGRESS', fragment: false, payloadLength: 0, payload: Buffer.alloc(0),
  }) satisfies PacketEvent);
}

/** A clock the test moves: each read advances it by `step` µs (a generator that is fast or slow). */
class SteppingClock {
  constructor(public t: number, private readonly step: number) {}
  nowUs(): number {
    const v = this.t;
    this.t += this.step;
    return v;
  }
}

describe('open-loop schedule', () => {
  it('spaces intended times by 1/rate from the start, whatever happened before', () => {
    const s = new OpenLoopSchedule(50_000, 100, 1_000_000);
    expect(s.intendedUs(0)).toBe(1_000_000);
    expect(s.intendedUs(1)).toBeCloseTo(1_000_020, 6);
    expect(s.intendedUs(99)).toBeCloseTo(1_001_980, 6);
    expect(s.endUs).toBeCloseTo(1_001_980, 6);
  });

  it('counts due packets: none before the start, all (and no more) at the end', () => {
    const s = new OpenLoopSchedule(1000, 10, 0);
    expect(s.dueBy(-1)).toBe(0);
    expect(s.dueBy(0)).toBe(1);
    expect(s.dueBy(999)).toBe(1);
    expect(s.dueBy(1000)).toBe(2);
    expect(s.dueBy(1e9)).toBe(10);
  });

  it('tracks lag only from the measured packets on', () => {
    const s = new OpenLoopSchedule(1000, 10, 0);
    s.lagFrom = 5;
    s.noteHandOver(0, 5, 4000); // warm-up packets late: ignored
    expect(s.maxLagUs).toBe(0);
    s.noteHandOver(4, 7, 6500); // packet 5 intended at 5000, handed over 1.5 ms late
    expect(s.maxLagUs).toBe(1500);
  });

  it('refuses rate <= 0', () => {
    expect(() => new OpenLoopSchedule(0, 10)).toThrow(RangeError);
    expect(() => new OpenLoopSchedule(-1, 10)).toThrow(RangeError);
  });
});

describe('open-loop source', () => {
  it('stamps every packet with its intended time and never hands one over before it is due', async () => {
    const clock = new SteppingClock(1_000_000, 7);
    const s = new OpenLoopSchedule(20_000, 200);
    const seen: number[] = [];
    const src = new OpenLoopSource(pool(200), s, clock, { startDelayUs: 0, maxBatch: 16 });
    for await (const b of src.batches()) {
      const now = clock.t;
      expect(b.length).toBeLessThanOrEqual(16);
      for (const p of b) {
        expect(p.tsUs).toBeLessThanOrEqual(now);
        seen.push(p.tsUs);
      }
    }
    expect(seen).toHaveLength(200);
    seen.forEach((t, i) => expect(t).toBe(Math.round(s.intendedUs(i))));
    expect(src.sent).toBe(200);
    expect(src.aborted).toBe(false);
  });

  it('does not wait for the consumer: a stalled consumer leaves the packets due, and their lag is recorded', async () => {
    const clock = { t: 0, nowUs(): number { return this.t; } };
    const s = new OpenLoopSchedule(1000, 50, 0);
    const src = new OpenLoopSource(pool(50), s, clock, { maxBatch: 1000 });
    const it = src.batches()[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toHaveLength(1);
    clock.t = 20_000; // the consumer stalled 20 ms: 20 more packets are due, the oldest 19 ms late
    const second = await it.next();
    expect(second.value).toHaveLength(20);
    expect(s.maxLagUs).toBe(19_000);
  });

  it('stops the step when it falls further behind than abortLagUs', async () => {
    const clock = new SteppingClock(0, 5000); // every read 5 ms later: a hopelessly slow loop at 10k/s
    const s = new OpenLoopSchedule(10_000, 10_000);
    const src = new OpenLoopSource(pool(10_000), s, clock, { startDelayUs: 0, maxBatch: 8, abortLagUs: 100_000 });
    let n = 0;
    for await (const b of src.batches()) n += b.length;
    expect(src.aborted).toBe(true);
    expect(n).toBeLessThan(10_000);
  });

  it('refuses a pool smaller than the schedule', () => {
    expect(() => new OpenLoopSource(pool(5), new OpenLoopSchedule(10, 6), { nowUs: () => 0 })).toThrow(RangeError);
  });
});
