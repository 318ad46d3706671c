/**
 * Test-only lab: a "switch" netns holding a bridge, and VM namespaces wired to it by veth pairs.
 * Nothing here touches the host's own network; destroy() removes every namespace it made (and the
 * processes it started), and is safe to call after a half-built lab.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface LabVm {
  name: string;
  ns: string;
  ip: string;
  mac: string;
  /** Its bridge port in the switch netns. */
  port: string;
}

export interface Lab {
  sw: string;
  vms: Record<string, LabVm>;
  /** Inventory CSV of the lab's VMs. */
  inventoryCsv: string;
  destroy(): void;
  /** Starts a long-running command in a VM's netns; destroy() kills it. */
  background(vm: string, argv: string[]): ChildProcess;
}

/** Why the netns tests cannot run here, or null when root, ip, nft, tc and iperf3 are all present. */
/**
 * Whether `why` is a limit of the machine's environment (not root, namespaces refused, as in an
 * unprivileged container) rather than a tool that .ci/run should have installed. CI fails on the
 * second kind only; on the first the suite says plainly that it could not run.
 */
export function isEnvironmentLimit(why: string): boolean {
  return why.startsWith('not running as root') || why.startsWith('cannot create a network namespace');
}

export function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root (netns, nftables and tc need root)';
  for (const tool of ['ip', 'nft', 'tc', 'bridge', 'nc', 'iperf3']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = `pzp${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe]);
  if (r.status !== 0) return `cannot create a network namespace: ${r.stderr.toString().trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

const sh = (argv: string[]): string => execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export function createLab(tag: string, names: string[]): Lab {
  const id = `${tag}${process.pid % 100000}`;
  const sw = `${id}-sw`;
  const made: string[] = [];
  const procs: ChildProcess[] = [];
  const lab: Lab = {
    sw,
    vms: {},
    inventoryCsv: '',
    destroy() {
      for (const p of procs) {
        try {
          if (p.pid !== undefined) process.kill(-p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      for (const ns of made.reverse()) spawnSync('ip', ['netns', 'del', ns]);
    },
    background(vm, argv) {
      const p = spawn('ip', ['netns', 'exec', lab.vms[vm].ns, ...argv], { detached: true, stdio: 'ignore' });
      procs.push(p);
      return p;
    },
  };
  try {
    for (const ns of [sw, ...names.map((n) => `${id}-${n}`)]) {
      if (existsSync(`/run/netns/${ns}`)) spawnSync('ip', ['netns', 'del', ns]);
      sh(['ip', 'netns', 'add', ns]);
      made.push(ns);
    }
    sh(['ip', '-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', '-n', sw, 'link', 'set', 'br0', 'up']);
    const rows = ['kind,value,vmId,accountId,vnetId'];
    names.forEach((n, i) => {
      const ns = `${id}-${n}`;
      const port = `p-${n}`.slice(0, 15);
      const mac = `02:00:00:00:00:${(i + 1).toString(16).padStart(2, '0')}`;
      const ip = `10.77.0.${i + 1}`;
      sh(['ip', '-n', sw, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      sh(['ip', '-n', sw, 'link', 'set', port, 'master', 'br0', 'up']);
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'address', mac]);
      sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      lab.vms[n] = { name: n, ns, ip, mac, port };
      rows.push(`ip,${ip},${n},acct,vnet`, `mac,${mac},${n},acct,vnet`);
    });
    lab.inventoryCsv = rows.join('\n') + '\n';
  } catch (e) {
    lab.destroy();
    throw e;
  }
  return lab;
}

/** True when a TCP connect from `from` to ip:port succeeds within 1 s. */
export function tcpConnects(lab: Lab, from: string, ip: string, port: number): boolean {
  return spawnSync('ip', ['netns', 'exec', lab.vms[from].ns, 'nc', '-z', '-w', '1', ip, String(port)], { timeout: 5000 }).status === 0;
}

/** Throughput in kbit/s of a `seconds`-long iperf3 transfer (reverse: server -> client), or throws. */
export function throughputKbps(lab: Lab, client: string, server: string, seconds: number, reverse = false): number {
  const srv = spawn('ip', ['netns', 'exec', lab.vms[server].ns, 'iperf3', '-s', '-1', '-p', '5201'], { stdio: 'ignore' });
  try {
    // The server needs a moment to listen; retry the client briefly.
    for (let i = 0; i < 20; i++) {
      const r = spawnSync('ip', ['netns', 'exec', lab.vms[client].ns, 'iperf3', '-c', lab.vms[server].ip, '-p', '5201', '-t', String(seconds), '-J', ...(reverse ? ['-R'] : [])], { encoding: 'utf8', timeout: (seconds + 10) * 1000 });
      if (r.status === 0) {
        const doc = JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } };
        return doc.end.sum_received.bits_per_second / 1000;
      }
      spawnSync('sleep', ['0.1']);
    }
    throw new Error('iperf3 never connected');
  } finally {
    srv.kill('SIGKILL');
  }
}
