import { cpuBetween, newLatencyHistogram, parseBenchConfig, renderCpuSection, takeCpuSample, toStepResult, type CpuComponentSpec, type CpuSample } from '../../../benchmarks/bench';

const specs: CpuComponentSpec[] = [
  { name: 'kafka broker (JVM)', pid: 10, children: false },
  { name: 'worker 1', pid: 11, children: false },
  { name: 'gone', pid: 12, children: false },
];
const HZ = { hz: 100, source: 'assumed' };

function sample(atUs: number, ticks: Array<number | null>, machine: { busy: number; total: number } | null = null): CpuSample {
  return { atUs, ticks: ticks.map((t) => (t === null ? null : { ticks: t, comm: 'x' })), machine };
}

describe('CPU per packet between two samples', () => {
  // 4 s window, 40,000 packets: broker 200 ticks = 2 s = 50 µs/packet, 50% of a core; worker 3 s = 75 µs, 75%.
  const a = sample(1_000_000, [1000, 500, 7], { busy: 1000, total: 2000 });
  const b = sample(5_000_000, [1200, 800, null], { busy: 1600, total: 2800 });
  const c = cpuBetween(specs, a, b, 40_000, HZ, 2, 50_000);

  it('per component: CPU seconds, µs per packet, % of one core', () => {
    expect(c.windowSec).toBeCloseTo(4, 9);
    expect(c.components[0]).toMatchObject({ cpuSec: 2, utilPct: 50 });
    expect(c.components[0].usPerPacket).toBeCloseTo(50, 9);
    expect(c.components[1]).toMatchObject({ cpuSec: 3, utilPct: 75 });
    expect(c.components[1].usPerPacket).toBeCloseTo(75, 9);
  });

  it('a process missing at one end has no figures and is left out of the total', () => {
    expect(c.components[2]).toMatchObject({ cpuSec: null, usPerPacket: null, utilPct: null });
    expect(c.total.cpuSec).toBeCloseTo(5, 9);
    expect(c.total.usPerPacket).toBeCloseTo(125, 9);
    expect(c.total.utilPct).toBeCloseTo(125, 9);
  });

  it('cores needed at the target rate and machine busy share', () => {
    expect(c.coresAtTarget).toBeCloseTo(6.25, 9); // 125 µs x 50,000/s
    expect(c.machineBusyPct).toBeCloseTo(75, 9); // 600 of 800 ticks
  });

  it('no packets in the window: no per-packet figures, no cores estimate', () => {
    const z = cpuBetween(specs, a, b, 0, HZ, 2);
    expect(z.total.usPerPacket).toBeNull();
    expect(z.coresAtTarget).toBeNull();
  });

  it('a real sample of this process sees the CPU it burns', () => {
    const me: CpuComponentSpec[] = [{ name: 'me', pid: process.pid, children: false }];
    const s0 = takeCpuSample(me, 0);
    const t0 = Date.now();
    let x = 0;
    while (Date.now() - t0 < 150) x += Math.sqrt(x + 1);
    const s1 = takeCpuSample(me, 150_000);
    const r = cpuBetween(me, s0, s1, 1000, { hz: 100, source: 'assumed' }, 2);
    expect(x).toBeGreaterThan(0);
    expect(r.components[0].comm).not.toBeNull();
    expect(r.components[0].cpuSec!).toBeGreaterThanOrEqual(0.08);
    expect(s1.machine).not.toBeNull();
  });
});

describe('CPU section of the report', () => {
  it('a table per Kafka step with a total and the cores-needed line; nothing for steps without accounting', () => {
    const config = parseBenchConfig({ durationSec: 4, warmupSec: 0 });
    const h = newLatencyHistogram();
    h.recordValue(1000);
    const cpu = cpuBetween(specs, sample(0, [0, 0, 0], { busy: 0, total: 0 }), sample(4_000_000, [200, 300, 1], { busy: 600, total: 800 }), 40_000, HZ, 2);
    const base = { mode: 'kafka' as const, variant: 'kafka-1w', offeredPps: 10_000, scheduled: 1, sent: 1, measuredScheduled: 1, histogram: h, measuredVerdicts: 1, measureFromUs: 0, lastVerdictUs: 1, endUs: 1, maxScheduleLagUs: 0, aborted: false };
    const withCpu = toStepResult({ ...base, cpu }, config);
    const without = toStepResult({ ...base, variant: 'kafka-2w' }, config);
    expect(withCpu.cpu).toBe(cpu);
    const md = renderCpuSection([withCpu, without]).join('\n');
    expect(md).toContain('## CPU per packet');
    expect(md).toContain('### kafka-1w @ 10,000');
    expect(md).not.toContain('kafka-2w');
    expect(md).toMatch(/\| kafka broker \(JVM\) \| 10 \(x\) \| 2\.00 \| 50\.0 \| 50 \|/);
    expect(md).toMatch(/\| \*\*total\*\* \| \| 5\.01 \| 125\.3 \| 125 \|/);
    expect(md).toContain('CPU needed for 50,000 pkt/s at these costs = 6.26 cores (this machine has 2)');
    expect(md).toContain('Machine busy over the window (every process, ours or not): 75% of 2 CPUs = 1.50 cores: these components 1.25, other processes 0.25.');
    expect(renderCpuSection([without])).toEqual([]);
    // With a cheaper step the summary names that one.
    const cheap = toStepResult({ ...base, offeredPps: 20_000, cpu: cpuBetween(specs, sample(0, [0, 0, 0]), sample(4_000_000, [100, 100, 0]), 80_000, HZ, 2) }, config);
    expect(renderCpuSection([withCpu, cheap]).join('\n')).toContain('Lowest total among these steps: 25.0 µs of CPU per packet (kafka-1w at 20,000/s offered), so 50,000 pkt/s would need 1.25 cores at that cost (this machine has 2).');
  });
});
