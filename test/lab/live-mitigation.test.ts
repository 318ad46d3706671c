/**
 * End to end in the lab: VMs (network namespaces) on a bridge with benign HTTP/DNS/bulk traffic;
 * the attacker VM starts a real hping3 SYN flood; Prescient reads the bridge live (tcpdump in the
 * switch namespace), detects it, and the Linux enforcer (nftables in the switch namespace) drops it.
 * Measures attack's first packet -> enforcement applied, and shows from counters that the flood
 * stopped reaching the victim while the attacker's neighbours kept being served.
 * Needs root and network namespaces; elsewhere it says plainly that it could not run (see
 * netns-availability.ts). Figures are written to $PRESCIENT_LAB_FIGURES (default: a temp file).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MitigationDecision, PacketEvent } from '../../schemas/types';
import { LiveCaptureSource } from '../../sources/live';
import type { PacketSource } from '../../sources/source';
import { createEnforcerSink, createLinuxEnforcer, type EnforcementTime } from '../../sinks/enforcers';
import type { StreamSink } from '../../sinks/stream-sink';
import { loadTopologyFile, planTopology, runTopology } from '../../topology';
import { silentLogger } from '../../topology/log';
import { LabScript, readBenignOutcomes, readLabVms } from '../../lab';
import { describeWithNetns } from './netns-availability';

const WARMUP_MS = 25_000;
const ATTACK_S = 12;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Collects what the pipeline emitted, with the wall-clock time each arrived. */
class Collector implements StreamSink {
  readonly got: Array<{ stream: string; atMs: number; value: Record<string, unknown> }> = [];
  write(stream: string, _key: string, value: unknown): void {
    this.got.push({ stream, atMs: Date.now(), value: { ...(value as Record<string, unknown>) } });
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

function fanOut(sinks: StreamSink[]): StreamSink {
  return {
    write: (s, k, v) => { for (const x of sinks) x.write(s, k, v); },
    flush: async () => { for (const x of sinks) await x.flush(); },
    close: async () => { for (const x of sinks) await x.close(); },
  };
}

function tap(source: PacketSource, onBatch: (b: PacketEvent[]) => void): PacketSource {
  return {
    description: source.description,
    async *batches() {
      for await (const b of source.batches()) {
        onBatch(b);
        yield b;
      }
    },
    stats: () => source.stats(),
    close: () => source.close?.() ?? Promise.resolve(),
  };
}

/** Packets the drop rules of the enforcer's `bridge prescient` table counted, in total. */
function nftDropCounters(): number {
  let out: string;
  try {
    out = execFileSync('ip', ['netns', 'exec', 'pl-sw', 'nft', 'list', 'table', 'bridge', 'prescient'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    // The enforcer creates its table on the first action: none yet, nothing dropped.
    return 0;
  }
  let packets = 0;
  for (const m of out.matchAll(/counter packets (\d+) bytes \d+ drop/g)) packets += Number(m[1]);
  return packets;
}

describeWithNetns('lab: live detection and enforcement of a SYN flood', ['tcpdump', 'hping3', 'nft', 'tc', 'dnsmasq', 'curl', 'dig', 'socat', 'nc'], () => {
  const state = mkdtempSync(join(tmpdir(), 'prescient-lab-e2e-'));
  const lab = new LabScript(state);

  beforeAll(async () => {
    await lab.up();
  }, 120_000);

  afterAll(async () => {
    // Always: every pl-* namespace and every process in them goes, whatever happened above.
    await lab.down();
  }, 60_000);

  it('drops the flood within seconds of its first packet while the neighbours keep working', async () => {
    const vms = readLabVms(lab.inventoryPath);
    const atkIp = vms.get('atk')!.ip;
    const webIp = vms.get('web')!.ip;
    const enforcer = createLinuxEnforcer({
      kind: 'linux',
      netns: 'pl-sw',
      inventory: lab.inventoryPath,
      // The region's infrastructure is never acted on.
      allowList: ['lab-dns', 'lab-web'],
      isolateAllow: [{ address: vms.get('dns')!.ip, protocol: 17, port: 53 }],
      stateDir: join(state, 'enforcer'),
      sweepIntervalMs: 1000,
    });
    const applied: EnforcementTime[] = [];
    const enforce = createEnforcerSink(enforcer, { onApplied: (t) => applied.push(t) });
    const seen = new Collector();
    const topology = loadTopologyFile(resolve(__dirname, '../../deploy/lab/lab-topology.yaml'));
    const plan = planTopology(topology);

    // First attack packet as captured on the bridge (capture timestamp), for the measurement.
    let attackStartMs = Infinity;
    let firstAttackPacketUs = -1;
    const live = new LiveCaptureSource({ iface: 'br0', netns: 'pl-sw', inventory: lab.inventoryPath, statsIntervalMs: 1000, durationMs: 120_000 });
    const source = tap(live, (b) => {
      if (firstAttackPacketUs >= 0) return;
      for (const p of b) {
        if (p.srcIp === atkIp && p.dstIp === webIp && p.dstPort === 8080 && p.tsUs / 1000 >= attackStartMs - 50) {
          firstAttackPacketUs = p.tsUs;
          break;
        }
      }
    });
    // The victim's side: SYNs from the attacker that actually reach the web VM's interface.
    const victim = new LiveCaptureSource({ iface: 'eth0', netns: 'pl-web', bpf: `src host ${atkIp} and tcp dst port 8080 and tcp[tcpflags] & tcp-syn != 0`, statsIntervalMs: 0, durationMs: 120_000 });
    const victimSynMs: number[] = [];
    const victimDone = (async () => {
      for await (const b of victim.batches()) for (const p of b) victimSynMs.push(p.tsUs / 1000);
    })();

    const sinks: Record<string, StreamSink> = { mitigations: fanOut([enforce, seen]), anomalies: seen, forensics: seen };
    const run = runTopology(plan, { source, sinks, logger: silentLogger(), closeSinks: false });
    try {
      await lab.benign(WARMUP_MS / 1000 + ATTACK_S + 15);
      await sleep(WARMUP_MS);
      const nftBefore = nftDropCounters();
      attackStartMs = Date.now();
      const flood = await lab.attack('syn_flood', 'atk', ATTACK_S, ['web']);
      const attackEndMs = flood.endMs;
      await sleep(3000);
      live.stop();
      victim.stop();
      await run;
      await victimDone;
      await enforce.flush();
      const nftAfter = nftDropCounters();

      const strong = (t: EnforcementTime): boolean => t.vmId === 'lab-atk' && t.outcome === 'applied' && (t.action === 'DROP' || t.action === 'ISOLATE');
      const firstAction = applied.find((t) => t.vmId === 'lab-atk' && t.outcome === 'applied' && t.action !== 'ALERT' && t.action !== 'NONE');
      const firstDrop = applied.find(strong);
      const firstDecision = seen.got.find((g) => g.stream === 'mitigations' && g.value.vmId === 'lab-atk' && g.value.action !== 'ALERT' && g.value.action !== 'NONE');
      const firstAnomaly = seen.got.find((g) => g.stream === 'anomalies' && g.value.vmId === 'lab-atk' && g.atMs >= attackStartMs);
      const dropAtMs = firstDrop?.appliedAtMs ?? Infinity;
      const neighbours = readBenignOutcomes(lab, firstDrop?.appliedAtMs ?? attackStartMs);
      const wholeRun = readBenignOutcomes(lab);
      const synsBefore = victimSynMs.filter((t) => t < dropAtMs).length;
      // In flight when the rule went in: 200 ms of grace.
      const synsAfter = victimSynMs.filter((t) => t >= dropAtMs + 200).length;
      const innocentActions = applied.filter((t) => t.vmId !== 'lab-atk' && t.outcome === 'applied' && t.action !== 'ALERT' && t.action !== 'NONE');
      const sinceFirstPacket = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms - firstAttackPacketUs / 1000));
      const figures = {
        measuredAt: new Date().toISOString(),
        attack: { kind: 'syn_flood', tool: 'hping3 -S -i u500', seconds: ATTACK_S, startMs: attackStartMs, endMs: attackEndMs },
        firstAttackPacketCaptureMs: firstAttackPacketUs / 1000,
        // All times below: ms from the attack's first packet (its capture timestamp on the bridge).
        firstAnomalyMs: sinceFirstPacket(firstAnomaly?.atMs),
        firstDecisionMs: sinceFirstPacket(firstDecision?.atMs),
        firstDecision: firstDecision ? (firstDecision.value as unknown as MitigationDecision).action : null,
        firstEnforcementMs: sinceFirstPacket(firstAction?.appliedAtMs),
        firstEnforcement: firstAction ? { action: firstAction.action, applyMs: firstAction.applyMs } : null,
        dropEnforcedMs: sinceFirstPacket(firstDrop?.appliedAtMs),
        drop: firstDrop ? { action: firstDrop.action, applyMs: firstDrop.applyMs, decisionTsFromFirstPacketMs: Math.round(firstDrop.decisionTsUs / 1000 - firstAttackPacketUs / 1000) } : null,
        enforcements: applied.filter((t) => t.vmId === 'lab-atk').map((t) => `${t.action}:${t.outcome}@${sinceFirstPacket(t.appliedAtMs)}ms(apply ${t.applyMs}ms)`),
        nftDropPackets: nftAfter - nftBefore,
        victimSynsBeforeDrop: synsBefore,
        victimSynsAfterDrop: synsAfter,
        neighboursAfterDrop: neighbours,
        benignWholeRun: wholeRun,
        innocentVmsActedOn: innocentActions.map((t) => `${t.vmId}:${t.action}`),
        capture: live.stats().kernel,
        packets: live.stats().packets,
      };
      const figuresPath = process.env.PRESCIENT_LAB_FIGURES ?? join(state, 'figures.json');
      writeFileSync(figuresPath, JSON.stringify(figures, null, 2));
      process.stderr.write(`\nlab figures (${figuresPath}):\n${JSON.stringify(figures)}\n`);

      expect(firstAttackPacketUs).toBeGreaterThan(0);
      expect(firstDrop).toBeDefined();
      // Detection and enforcement while the attack is still running.
      expect(firstDrop!.appliedAtMs).toBeLessThan(attackEndMs);
      expect(figures.dropEnforcedMs!).toBeLessThan(ATTACK_S * 1000);
      // The attack traffic stopped: nft dropped it, and next to nothing reached the victim after.
      expect(figures.nftDropPackets).toBeGreaterThan(1000);
      expect(synsBefore).toBeGreaterThan(0);
      expect(synsAfter).toBeLessThan(synsBefore * 0.02 + 5);
      // The neighbours kept working after enforcement: their HTTP and DNS requests succeeded.
      for (const client of ['c1-http', 'c2-http', 'c1-dns', 'c2-dns']) {
        const [ok, fail] = neighbours[client] ?? [0, 0];
        expect(ok).toBeGreaterThan(0);
        expect(fail).toBeLessThanOrEqual(Math.max(1, ok * 0.05));
      }
      expect(innocentActions).toEqual([]);
    } finally {
      live.stop();
      victim.stop();
      await run.catch(() => undefined);
      await victimDone.catch(() => undefined);
      enforcer.stopSweeper();
    }
  }, 150_000);
});
