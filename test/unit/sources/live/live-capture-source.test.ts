/**
 * The live source against real tcpdump: two namespaces joined by a veth pair, UDP datagrams from
 * one to the other. Namespaces are named plt-* (not pl-*: a concurrent `lab.sh down` removes every pl-*) and removed after, even on failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PacketEvent } from '../../../../schemas/types';
import { LiveCaptureError, LiveCaptureSource, effectiveCapabilities, preflightLiveCapture, classifyTcpdumpFailure, parseCaptureCounters, emptyCounters, findTool, hasCapability, CAP_NET_RAW } from '../../../../sources/live';
import { describeWithNetns } from '../../../lab/netns-availability';

const A = `plt-a${process.pid % 10000}`;
const B = `plt-b${process.pid % 10000}`;
// Interface and namespace checks come after the tcpdump and CAP_NET_RAW checks.
const canCapture = findTool('tcpdump') !== null && hasCapability(effectiveCapabilities(), CAP_NET_RAW);
const itCapturing = canCapture ? it : it.skip;
const sh = (cmd: string): string => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });

function expectProblem(fn: () => unknown, problem: string, text: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LiveCaptureError);
    expect((e as LiveCaptureError).problem).toBe(problem);
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error(`expected LiveCaptureError ${problem}`);
}

describe('tcpdump counters', () => {
  it('reads the one-line SIGUSR1 report and the three-line exit report, last value winning', () => {
    const c = emptyCounters();
    expect(parseCaptureCounters('tcpdump: 12 packets captured, 15 packets received by filter, 3 packets dropped by kernel\n', c)).toBe(true);
    expect(c).toEqual({ captured: 12, receivedByFilter: 15, droppedByKernel: 3, droppedByInterface: 0 });
    parseCaptureCounters('40 packets captured\n41 packets received by filter\n7 packets dropped by kernel\n1 packet dropped by interface\n', c);
    expect(c).toEqual({ captured: 40, receivedByFilter: 41, droppedByKernel: 7, droppedByInterface: 1 });
    expect(parseCaptureCounters('tcpdump: listening on br0, link-type EN10MB\n', c)).toBe(false);
  });
});

describe('live capture bad input', () => {
  it('names tcpdump when it is not on PATH', () => {
    expectProblem(() => new LiveCaptureSource({ iface: 'lo', pathEnv: '/nonexistent-bin' }), 'tool-missing', /tcpdump.*not on PATH/);
  });

  itCapturing('names an interface that does not exist', () => {
    expectProblem(() => new LiveCaptureSource({ iface: 'pl-nosuch0' }), 'interface-missing', /'pl-nosuch0' does not exist/);
  });

  itCapturing('names a network namespace that does not exist', () => {
    expectProblem(() => new LiveCaptureSource({ iface: 'lo', netns: 'pl-nosuch-ns' }), 'netns-missing', /'pl-nosuch-ns' does not exist/);
  });

  it('refuses a process without CAP_NET_RAW (capabilities read from a real capability-less process)', () => {
    let status: string;
    try {
      status = sh('setpriv --inh-caps=-all --bounding-set=-all cat /proc/self/status');
    } catch {
      // Without setpriv, judge a capability set with every bit but CAP_NET_RAW.
      status = `CapEff:\t${(((1n << 40n) - 1n) & ~(1n << 13n)).toString(16)}\n`;
    }
    const caps = effectiveCapabilities(status);
    expect(caps).not.toBeNull();
    expectProblem(() => preflightLiveCapture({ iface: 'lo', netns: null, tcpdump: 'tcpdump', capabilities: caps }), 'no-capability', /CAP_NET_RAW/);
  });

  it('turns tcpdump failures into named problems', () => {
    expect(classifyTcpdumpFailure('tcpdump: eth9: No such device exists\n(No such device exists)', 1, null, 'eth9', null).problem).toBe('interface-missing');
    expect(classifyTcpdumpFailure("tcpdump: eth0: You don't have permission to perform this capture on that device\n(socket: Operation not permitted)", 1, null, 'eth0', null).message).toMatch(/CAP_NET_RAW/);
    expect(classifyTcpdumpFailure('tcpdump: syntax error in filter expression', 1, null, 'lo', null).problem).toBe('bad-filter');
  });
});

describeWithNetns('live capture from a namespace', ['tcpdump', 'python3'], () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-live-'));
  const inventory = join(dir, 'inventory.csv');

  beforeAll(() => {
    sh(`ip netns del ${A} 2>/dev/null; ip netns del ${B} 2>/dev/null; true`);
    sh(`ip netns add ${A} && ip netns add ${B}`);
    sh(`ip -n ${A} link add pla0 type veth peer name plb0 netns ${B}`);
    sh(`ip -n ${A} addr add 10.203.99.1/24 dev pla0 && ip -n ${A} link set pla0 up && ip -n ${A} link set lo up`);
    sh(`ip -n ${B} addr add 10.203.99.2/24 dev plb0 && ip -n ${B} link set plb0 up && ip -n ${B} link set lo up`);
    writeFileSync(inventory, 'kind,value,vmId,accountId,vnetId\nip,10.203.99.1,vm-a,acct-lab,vnet-lab\nip,10.203.99.2,vm-b,acct-lab,vnet-lab\n');
  });

  afterAll(() => {
    sh(`ip netns del ${A} 2>/dev/null; ip netns del ${B} 2>/dev/null; true`);
  });

  it('captures live packets, applies the BPF filter, maps addresses to VMs and reports tcpdump counters', async () => {
    const counterReports: number[] = [];
    const src = new LiveCaptureSource({ iface: 'pla0', netns: A, bpf: 'udp and dst port 9999', inventory, statsIntervalMs: 200, durationMs: 8000, maxPackets: 30, onCounters: (c) => counterReports.push(c.captured) });
    expect(src.description).toBe(`live ${A}:pla0 [udp and dst port 9999]`);
    const got: PacketEvent[] = [];
    const sending = (async () => {
      // tcpdump is listening once batches() has started it; give it a moment, then send 30 + 30 datagrams.
      await new Promise((r) => setTimeout(r, 700));
      sh(`ip netns exec ${B} /usr/bin/python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(30):
    s.sendto(b'x' * (100 + i), ('10.203.99.1', 9999)); s.sendto(b'y' * 50, ('10.203.99.1', 9998)); time.sleep(0.01)
"`);
    })();
    for await (const batch of src.batches()) got.push(...batch);
    await sending;
    expect(got).toHaveLength(30);
    for (const [i, ev] of got.entries()) {
      expect(ev).toMatchObject({ vmId: 'vm-b', accountId: 'acct-lab', srcIp: '10.203.99.2', dstIp: '10.203.99.1', dstPort: 9999, protocol: 17, direction: 'EGRESS', payloadLength: 100 + i });
      expect(Math.abs(ev.tsUs / 1000 - Date.now())).toBeLessThan(30_000);
    }
    const st = src.stats();
    expect(st.packets).toBe(30);
    // Counters reported both while running (SIGUSR1) and at exit.
    expect(counterReports.length).toBeGreaterThan(1);
    expect(st.kernel.captured).toBeGreaterThanOrEqual(30);
    expect(st.kernel.droppedByKernel).toBe(0);
  });

  it('stops by itself after durationMs with nothing to capture, and reports a bad filter by name', async () => {
    const t0 = Date.now();
    const src = new LiveCaptureSource({ iface: 'pla0', netns: A, bpf: 'udp port 1', durationMs: 1000 });
    let n = 0;
    for await (const b of src.batches()) n += b.length;
    expect(n).toBe(0);
    expect(Date.now() - t0).toBeLessThan(6000);
    const bad = new LiveCaptureSource({ iface: 'pla0', netns: A, bpf: 'udp prot 1' });
    await expect((async () => { for await (const _ of bad.batches()) { /* nothing */ } })()).rejects.toMatchObject({ problem: 'bad-filter' });
  });
});
