/**
 * CPU per packet, per component, over a Kafka bench step's measured window: samples of each
 * process's CPU time (proc-cpu.ts) at the window's start and end, divided by the packets that got
 * a verdict in between. Answers "how many cores would 50,000 packets/s need at these costs".
 */
import { readMachineTicks, readProcStat, type MachineTicks } from './proc-cpu';

/** A process to account for. `children`: add its reaped children's CPU too (Redis forks for BGSAVE / AOF rewrite). */
export interface CpuComponentSpec {
  name: string;
  pid: number;
  children: boolean;
}

export interface CpuSample {
  atUs: number;
  /** Ticks per component (null: the process was not there), in the order of the specs. */
  ticks: Array<{ ticks: number; comm: string } | null>;
  machine: MachineTicks | null;
}

export interface ComponentCpu {
  name: string;
  pid: number;
  /** What /proc says the process is (a check that the pid file pointed at the right thing). */
  comm: string | null;
  /** Null when the process was missing at the start or end of the window. */
  cpuSec: number | null;
  usPerPacket: number | null;
  /** Percent of one core over the window. */
  utilPct: number | null;
}

export interface StepCpu {
  clockTicksPerSec: number;
  clockTicksSource: string;
  windowSec: number;
  /** Verdicts in the window (all workers): the packets the CPU is divided by. */
  packets: number;
  components: ComponentCpu[];
  /** Sum over the components found at both ends. */
  total: { cpuSec: number; usPerPacket: number | null; utilPct: number };
  /** Busy share of all CPUs of the machine (every process, ours or not), from /proc/stat; null when unreadable. */
  machineBusyPct: number | null;
  /** Cores the components together would need at `targetPps` at these per-packet costs. */
  targetPps: number;
  coresAtTarget: number | null;
  machineCores: number;
}

export function takeCpuSample(specs: readonly CpuComponentSpec[], nowUs: number): CpuSample {
  const ticks = specs.map((s) => {
    const st = readProcStat(s.pid);
    if (st === null) return null;
    return { ticks: st.utime + st.stime + (s.children ? st.cutime + st.cstime : 0), comm: st.comm };
  });
  let machine: MachineTicks | null = null;
  try {
    machine = readMachineTicks();
  } catch {
    // Without /proc/stat the machine-wide line is left out; the per-process figures stand.
  }
  return { atUs: nowUs, ticks, machine };
}

/** CPU between two samples of the same specs, per component and in total, per packet and as utilisation. */
export function cpuBetween(
  specs: readonly CpuComponentSpec[],
  a: CpuSample,
  b: CpuSample,
  packets: number,
  clock: { hz: number; source: string },
  machineCores: number,
  targetPps = 50_000,
): StepCpu {
  const windowSec = Math.max(0, (b.atUs - a.atUs) / 1e6);
  const perPacket = (sec: number): number | null => (packets > 0 ? (sec * 1e6) / packets : null);
  const pct = (sec: number): number => (windowSec > 0 ? (sec / windowSec) * 100 : 0);
  let totalSec = 0;
  const components = specs.map((s, i): ComponentCpu => {
    const x = a.ticks[i];
    const y = b.ticks[i];
    const comm = y?.comm ?? x?.comm ?? null;
    if (x === null || y === null || y.ticks < x.ticks) return { name: s.name, pid: s.pid, comm, cpuSec: null, usPerPacket: null, utilPct: null };
    const sec = (y.ticks - x.ticks) / clock.hz;
    totalSec += sec;
    return { name: s.name, pid: s.pid, comm, cpuSec: sec, usPerPacket: perPacket(sec), utilPct: pct(sec) };
  });
  const totalUs = perPacket(totalSec);
  let machineBusyPct: number | null = null;
  if (a.machine !== null && b.machine !== null && b.machine.total > a.machine.total) {
    machineBusyPct = ((b.machine.busy - a.machine.busy) / (b.machine.total - a.machine.total)) * 100;
  }
  return {
    clockTicksPerSec: clock.hz,
    clockTicksSource: clock.source,
    windowSec,
    packets,
    components,
    total: { cpuSec: totalSec, usPerPacket: totalUs, utilPct: pct(totalSec) },
    machineBusyPct,
    targetPps,
    coresAtTarget: totalUs === null ? null : (totalUs * targetPps) / 1e6,
    machineCores,
  };
}
