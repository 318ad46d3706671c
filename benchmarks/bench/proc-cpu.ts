/**
 * CPU time of a process from /proc/<pid>/stat (utime, stime, and the reaped children's cutime,
 * cstime) and of the whole machine from /proc/stat, in clock ticks turned into seconds. Linux only;
 * the Kafka bench reads them at the start and end of a step's measured window (cpu-accounting.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** /proc content that does not have the expected shape; `file` and the offending text say where. */
export class ProcStatError extends Error {
  constructor(readonly file: string, readonly reason: string, readonly text: string) {
    super(`${file}: ${reason} (read: ${JSON.stringify(text.slice(0, 200))})`);
    this.name = 'ProcStatError';
  }
}

/** The fields of one /proc/<pid>/stat line the accounting needs; times in clock ticks. */
export interface ProcStat {
  pid: number;
  /** Executable name (field 2), without its parentheses; it may itself contain spaces and ')'. */
  comm: string;
  state: string;
  utime: number;
  stime: number;
  /** CPU of children the process has waited for (a child still running is not in here yet). */
  cutime: number;
  cstime: number;
}

/**
 * Parses a /proc/<pid>/stat line. comm is everything between the first '(' and the LAST ')': a
 * process may name itself "a) b (c" and only the last ')' is sure to close it. Fields after comm
 * are counted from 3 (state), so utime is 14, stime 15, cutime 16, cstime 17 (proc(5)).
 */
export function parseProcStat(line: string, file = '/proc/<pid>/stat'): ProcStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new ProcStatError(file, 'no "(comm)" field', line);
  const pid = Number(line.slice(0, open).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new ProcStatError(file, 'field 1 (pid) is not a positive integer', line);
  const rest = line.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  if (rest.length < 15) throw new ProcStatError(file, `only ${rest.length + 2} fields, need at least 17`, line);
  const num = (field: number, name: string): number => {
    const v = Number(rest[field - 3]);
    if (!Number.isSafeInteger(v) || v < 0) throw new ProcStatError(file, `field ${field} (${name}) is not a non-negative integer`, line);
    return v;
  };
  return { pid, comm: line.slice(open + 1, close), state: rest[0], utime: num(14, 'utime'), stime: num(15, 'stime'), cutime: num(16, 'cutime'), cstime: num(17, 'cstime') };
}

/** Busy and total ticks of all CPUs together, from the first ("cpu ") line of /proc/stat. */
export interface MachineTicks {
  busy: number;
  total: number;
}

/** Parses /proc/stat's aggregate line: idle and iowait are idle, everything else (guest is inside user) busy. */
export function parseMachineStat(text: string, file = '/proc/stat'): MachineTicks {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new ProcStatError(file, 'no aggregate "cpu " line', text);
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((v) => !Number.isSafeInteger(v) || v < 0)) throw new ProcStatError(file, 'the "cpu " line has fewer than 4 non-negative integers', line);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest(_nice) are already in user(nice).
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Clock ticks per second from `getconf CLK_TCK`; 100 (Linux's USER_HZ everywhere we run) when that fails. */
export function clockTicksPerSec(): { hz: number; source: 'getconf CLK_TCK' | 'assumed' } {
  try {
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(hz) && hz > 0) return { hz, source: 'getconf CLK_TCK' };
  } catch {
    // fall through to the Linux default
  }
  return { hz: 100, source: 'assumed' };
}

/** The stat of a live process, or null when it is gone (exited between the pid file and now). */
export function readProcStat(pid: number): ProcStat | null {
  const file = `/proc/${pid}/stat`;
  let line: string;
  try {
    line = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return parseProcStat(line, file);
}

export function readMachineTicks(): MachineTicks {
  return parseMachineStat(readFileSync('/proc/stat', 'utf8'));
}
