import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { clockTicksPerSec, parseMachineStat, parseProcStat, ProcStatError, readPidFile, readProcStat } from '../../../benchmarks/bench';

// A real line from a JVM (fields cut after 22) and the same with a hostile comm.
const JAVA = '4242 (java) S 1 4241 4241 0 -1 4194560 91020 0 12 0 1234 567 89 10 20 0 77 0 5301 4321000000 90000 18446744073709551615';
const HOSTILE = '77 (a) b (c) d) R 1 77 77 0 -1 4194560 10 0 0 0 300 45 6 7 20 0 1 0 99 1000 10 18446744073709551615';

describe('/proc/<pid>/stat parsing', () => {
  it('reads pid, comm, state and utime/stime/cutime/cstime (fields 14-17)', () => {
    expect(parseProcStat(JAVA)).toEqual({ pid: 4242, comm: 'java', state: 'S', utime: 1234, stime: 567, cutime: 89, cstime: 10 });
  });

  it('a comm with spaces and parentheses ends at the last ")"', () => {
    const s = parseProcStat(HOSTILE);
    expect(s.comm).toBe('a) b (c) d');
    expect(s.state).toBe('R');
    expect([s.utime, s.stime, s.cutime, s.cstime]).toEqual([300, 45, 6, 7]);
  });

  it('refuses truncated or garbled lines with the file and the text', () => {
    expect(() => parseProcStat('12 (node) S 1 2 3', '/proc/12/stat')).toThrow(ProcStatError);
    expect(() => parseProcStat('12 (node) S 1 2 3', '/proc/12/stat')).toThrow(/\/proc\/12\/stat: only 6 fields/);
    expect(() => parseProcStat('12 node S')).toThrow(/no "\(comm\)"/);
    expect(() => parseProcStat(JAVA.replace(' 1234 ', ' -5 '))).toThrow(/field 14 \(utime\)/);
    expect(() => parseProcStat(JAVA.replace('4242 ', 'x '))).toThrow(/field 1 \(pid\)/);
  });

  it('this process: its own stat parses and its CPU time grows while it spins', () => {
    const hz = clockTicksPerSec().hz;
    const before = readProcStat(process.pid)!;
    expect(before.pid).toBe(process.pid);
    const t0 = process.hrtime.bigint();
    let x = 0;
    while (process.hrtime.bigint() - t0 < 150_000_000n) x += Math.sqrt(x + 1);
    const after = readProcStat(process.pid)!;
    const spent = (after.utime + after.stime - before.utime - before.stime) / hz;
    expect(x).toBeGreaterThan(0);
    expect(spent).toBeGreaterThanOrEqual(0.08);
    expect(spent).toBeLessThan(2);
  });

  it('a pid that does not exist reads as null', () => {
    expect(readProcStat(2 ** 22 + 12345)).toBeNull();
  });
});

describe('/proc/stat and pid files', () => {
  it('busy = user+nice+system+irq+softirq+steal; total adds idle and iowait', () => {
    const text = 'cpu  100 5 50 1000 20 3 2 1 9 0\ncpu0 50 2 25 500 10 1 1 0 4 0\nintr 1 2\n';
    expect(parseMachineStat(text)).toEqual({ busy: 161, total: 1181 });
    expect(() => parseMachineStat('cpu0 1 2 3 4\n')).toThrow(ProcStatError);
  });

  it('reads a pid file, null for a missing or non-numeric one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pidfile-'));
    writeFileSync(path.join(dir, 'kafka.pid'), '31337\n');
    writeFileSync(path.join(dir, 'bad.pid'), 'java\n');
    expect(readPidFile(path.join(dir, 'kafka.pid'))).toBe(31337);
    expect(readPidFile(path.join(dir, 'bad.pid'))).toBeNull();
    expect(readPidFile(path.join(dir, 'none.pid'))).toBeNull();
  });
});
