/**
 * Rate-limits a VM on its bridge port inside the target netns with tc: a tbf root qdisc shapes traffic
 * toward the VM, and the port's ingress (traffic from the VM) is redirected to an ifb device shaped the
 * same way. Shaping (not policing) because this kernel may lack act_police, and TCP settles at N cleanly.
 * tc has no kernel timeout, so each limit also gets a detached expiry watchdog (see README).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CommandRunner } from './command-runner';
import { CommandFailedError, EnforcerConfigError, InterfaceNotFoundError, TcConflictError, VmNotFoundError } from './enforcer-errors';

/** Handle major (hex) of every qdisc Prescient creates, and the pref of its ingress redirect filter. */
export const TC_HANDLE = '7e57:';
export const TC_FILTER_PREF = 49150;
/** argv[0] of expiry watchdogs: how a later process recognises one before killing it. */
export const TC_WATCHDOG_MARK = 'prescient-tc-expiry';

export interface TcTargets {
  port: string;
  ifb: string;
  kbps: number;
  /** pid of the detached expiry watchdog, or null. */
  watchdogPid: number | null;
}

const NAME = /^[A-Za-z0-9_.@-]{1,15}$/;
export const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export class TcActuator {
  private readonly spawned = new Set<number>();

  /** `ports`: vmId -> bridge port, when known from config; else the port is found in the bridge's FDB by MAC. */
  constructor(readonly runner: CommandRunner, private readonly ports: ReadonlyMap<string, string> = new Map()) {}

  /** The VM's bridge port in the target netns. */
  async portOf(vmId: string, macs: readonly string[]): Promise<string> {
    const configured = this.ports.get(vmId);
    if (configured !== undefined) return configured;
    if (macs.length === 0) throw new VmNotFoundError(vmId, 'no MAC in the inventory and no --vm-ports entry: cannot find its bridge port');
    const { stdout } = await this.runner.run('bridge', ['-j', 'fdb', 'show']);
    const fdb = JSON.parse(stdout === '' ? '[]' : stdout) as Array<{ mac: string; ifname?: string; master?: string; flags?: string[] }>;
    const hit = fdb.find((e) => macs.includes(e.mac.toLowerCase()) && e.master !== undefined && e.ifname !== undefined && !(e.flags ?? []).includes('self'));
    if (hit?.ifname === undefined) {
      throw new VmNotFoundError(vmId, `no bridge port has learned MAC ${macs.join('/')} in netns '${this.runner.netns ?? '(current)'}' (pass --vm-ports ${vmId}=<port>)`);
    }
    return hit.ifname;
  }

  /** Limits both directions of `port` to `kbps`; re-applying changes the rate in place. */
  async limit(port: string, kbps: number, ttlMs: number, vmId: string | null = null): Promise<TcTargets> {
    if (!NAME.test(port)) throw new EnforcerConfigError('port', `'${port}' is not an interface name`);
    if (!(kbps >= 1)) throw new EnforcerConfigError('decision.rateKbps', `rate must be >= 1 kbit/s, got ${kbps}`);
    const root = await this.rootQdisc(port, vmId);
    if (root !== null && root.handle !== '0:' && root.handle !== TC_HANDLE) {
      throw new TcConflictError(port, this.runner.netns, `${root.kind} ${root.handle}`);
    }
    const ifb = ifbName(port);
    const tbf = ['root', 'handle', TC_HANDLE, 'tbf', 'rate', `${Math.round(kbps)}kbit`, 'burst', String(burstBytes(kbps)), 'latency', '100ms'];
    await this.tolerate(this.runner.run('ip', ['link', 'add', ifb, 'type', 'ifb']), /File exists/, false);
    await this.runner.run('ip', ['link', 'set', ifb, 'up']);
    await this.runner.run('tc', ['qdisc', 'replace', 'dev', ifb, ...tbf]);
    await this.tolerate(this.runner.run('tc', ['qdisc', 'add', 'dev', port, 'clsact']), /File exists|Exclusivity flag/, false);
    await this.runner.run('tc', ['filter', 'replace', 'dev', port, 'ingress', 'pref', String(TC_FILTER_PREF), 'protocol', 'all',
      'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', ifb]);
    await this.runner.run('tc', ['qdisc', 'replace', 'dev', port, ...tbf]);
    return { port, ifb, kbps, watchdogPid: this.startWatchdog(port, ifb, ttlMs) };
  }

  /** Removes Prescient's qdiscs, filter and ifb from the port; already gone counts as lifted. */
  async lift(t: TcTargets): Promise<void> {
    killWatchdog(t.watchdogPid);
    this.spawned.delete(t.watchdogPid ?? -1);
    const gone = /Cannot find|does not exist|Invalid handle|No such file|Cannot delete qdisc with handle of zero|Filter with specified priority\/protocol not found|not found/;
    await this.tolerate(this.runner.run('tc', ['qdisc', 'del', 'dev', t.port, 'root', 'handle', TC_HANDLE]), gone, true);
    await this.tolerate(this.runner.run('tc', ['filter', 'del', 'dev', t.port, 'ingress', 'pref', String(TC_FILTER_PREF)]), gone, true);
    await this.tolerate(this.runner.run('ip', ['link', 'del', t.ifb]), gone, true);
  }

  /** Kills the watchdogs this process started (test teardown, or a clean shutdown that lifts nothing). */
  killWatchdogs(): void {
    for (const pid of this.spawned) killWatchdog(pid);
    this.spawned.clear();
  }

  private async rootQdisc(port: string, vmId: string | null): Promise<{ kind: string; handle: string } | null> {
    try {
      const { stdout } = await this.runner.run('tc', ['-j', 'qdisc', 'show', 'dev', port]);
      const qs = JSON.parse(stdout === '' ? '[]' : stdout) as Array<{ kind: string; handle: string; root?: boolean }>;
      return qs.find((q) => q.root === true) ?? null;
    } catch (e) {
      if (e instanceof InterfaceNotFoundError) throw new InterfaceNotFoundError(port, this.runner.netns, vmId);
      throw e;
    }
  }

  /**
   * A detached `sh` that lifts the limit at expiry even if Prescient is gone by then; killed (by pid,
   * after checking its argv mark) when the limit is renewed or lifted earlier.
   */
  private startWatchdog(port: string, ifb: string, ttlMs: number): number | null {
    const ns = this.runner.netns;
    // Names go into a shell script: only plain ones (createLinuxEnforcer checks the netns name).
    if (ns !== null && !NETNS_NAME.test(ns)) return null;
    const pre = ns === null ? '' : `ip netns exec ${ns} `;
    const script = `sleep ${Math.max(1, Math.ceil(ttlMs / 1000))}; ${pre}tc qdisc del dev ${port} root handle ${TC_HANDLE}; ` +
      `${pre}tc filter del dev ${port} ingress pref ${TC_FILTER_PREF}; ${pre}ip link del ${ifb}`;
    const child = spawn('sh', ['-c', script, TC_WATCHDOG_MARK], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid !== undefined) this.spawned.add(child.pid);
    return child.pid ?? null;
  }

  /** Ignores the failures `ok` describes; `missingIfaceOk` when a vanished interface means "already done". */
  private async tolerate(p: Promise<unknown>, ok: RegExp, missingIfaceOk: boolean): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (e instanceof InterfaceNotFoundError && missingIfaceOk) return;
      if (e instanceof CommandFailedError && ok.test(e.stderr)) return;
      throw e;
    }
  }
}

/** A stable ifb name per port (interface names are at most 15 characters). */
export function ifbName(port: string): string {
  return `pzi${createHash('sha1').update(port).digest('hex').slice(0, 8)}`;
}

/** tbf needs at least one MTU-sized burst; 100 ms worth of rate keeps TCP near the target rate. */
export function burstBytes(kbps: number): number {
  return Math.max(16_384, Math.ceil((kbps * 1000) / 8 / 10));
}

/** Kills a watchdog only if that pid still runs our watchdog (pids are reused). */
export function killWatchdog(pid: number | null): void {
  if (pid === null) return;
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(TC_WATCHDOG_MARK)) return;
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
