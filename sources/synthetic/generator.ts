/**
 * The synchronous core: every activity of every VM (and every attack) is a slot with its own PRNG
 * and a script of upcoming packets; a heap merges the slots in timestamp order. `next()` fills a
 * reused PacketSpec, so the loop allocates nothing per packet.
 */
import { AttackPlannerFactory } from './attacks/attack-planner';
import { type AttackSetup, setupAttacks } from './attacks/attack-setup';
import { parseSyntheticConfig, type SyntheticConfig, type SyntheticConfigInput } from './config';
import type { AttackLabel } from './labels';
import type { PacketSpec } from './packet-spec';
import { PayloadTable } from './payload-table';
import { HeartbeatPlanner, NtpPlanner, PingPlanner } from './planners/agent';
import { BulkTransferPlanner } from './planners/bulk-transfer';
import { DnsServerPlanner } from './planners/dns-server';
import { F, ICMP } from './planners/steps';
import { OutboundApiPlanner, WebSessionPlanner } from './planners/web';
import { mixSeed, Prng } from './prng';
import { buildRegion, type Region } from './region';
import { A_TO_B } from './script';
import { type Planner, Slot, SlotHeap } from './slot';
import type { VmInfo } from './vm-info';

const SLOTS_PER_VM = 16;
const ATTACK_SLOT_BASE = 1 << 24;

export class SyntheticGenerator {
  readonly config: SyntheticConfig;
  readonly region: Region;
  readonly table: PayloadTable;
  readonly attacks: AttackSetup[];
  readonly labels: AttackLabel[];
  readonly startUs: number;
  readonly endUs: number;
  /** Packets emitted so far. */
  emitted = 0;
  private readonly heap = new SlotHeap();
  private readonly bufs: Buffer[];
  private ipId = 0;
  private lastUs: number;

  constructor(input: SyntheticConfigInput | SyntheticConfig) {
    const config = (this.config = parseSyntheticConfig(input));
    this.startUs = config.startUs;
    this.endUs = config.startUs + Math.round(config.durationSec * 1e6);
    this.lastUs = this.startUs;
    this.region = buildRegion(config);
    this.table = new PayloadTable(config.seed);
    this.attacks = setupAttacks(config, this.region);
    const factories = this.attacks.map((a) => new AttackPlannerFactory(a, this.table, this.region));
    this.bufs = this.table.bufs;

    for (const vm of this.region.vms) {
      this.vmPlanners(vm).forEach((planner, k) => {
        const id = vm.index * SLOTS_PER_VM + k;
        this.start(new Slot(id, new Prng(mixSeed(config.seed, id)), planner, this.endUs, -1));
      });
    }
    this.labels = this.attacks.map((a, i) => {
      this.start(new Slot(ATTACK_SLOT_BASE + i, new Prng(a.seed), factories[i].create(), a.endUs, i));
      return {
        id: a.id,
        kind: a.kind,
        vmId: a.vm.id,
        accountId: a.vm.accountId,
        vnetId: a.vm.vnetId,
        startUs: a.startUs,
        endUs: a.endUs,
        packets: countPackets(new Slot(0, new Prng(a.seed), factories[i].create(), a.endUs, i), this.startUs),
        knownPeer: a.knownPeer,
        peerIp: a.target === null ? null : a.target.ip,
        localPorts: [a.portLo, a.portHi] as [number, number],
      };
    });
  }

  /** Share of the run's time span generated so far (0..1). */
  get progress(): number {
    return Math.min(1, (this.lastUs - this.startUs) / Math.max(1, this.endUs - this.startUs));
  }

  /** Fills `spec` with the next packet in timestamp order; false once the run is over. */
  next(spec: PacketSpec): boolean {
    const heap = this.heap;
    if (heap.size === 0) return false;
    const slot = heap.top();
    const s = slot.script;
    const i = s.pos++;
    const leg = slot.legs[s.leg[i]];
    const flags = s.flags[i];
    const len = s.len[i];
    const t = s.t[i];
    spec.tsUs = t;
    spec.proto = leg.proto;
    spec.flags = flags;
    spec.payloadLen = len;
    spec.payloadBuf = this.bufs[s.buf[i]];
    spec.payloadOff = s.off[i];
    spec.attack = slot.attack;
    spec.ipId = this.ipId = (this.ipId + 1) & 0xffff;
    // Sequence numbers advance at emission, so they follow the packets' real order.
    const adv = len + ((flags & F.SYN) !== 0 ? 1 : 0) + ((flags & F.FIN) !== 0 ? 1 : 0);
    if (s.dir[i] === A_TO_B) {
      spec.src = leg.a;
      spec.dst = leg.b;
      spec.srcPort = s.portA[i];
      spec.dstPort = s.portB[i];
      spec.seq = leg.seqA;
      spec.ack = leg.seqB;
      leg.seqA = (leg.seqA + adv) >>> 0;
    } else {
      spec.src = leg.b;
      spec.dst = leg.a;
      spec.srcPort = s.portB[i];
      spec.dstPort = s.portA[i];
      spec.seq = leg.seqB;
      spec.ack = leg.seqA;
      leg.seqB = (leg.seqB + adv) >>> 0;
    }
    if (leg.proto === ICMP) {
      spec.icmpId = s.portA[i];
      spec.icmpSeq = s.portB[i];
    }
    spec.ttl = spec.src.vm !== null ? 64 : 40 + ((spec.src.ipNum >>> 3) % 20);
    this.lastUs = t;
    this.emitted++;
    if (advance(slot, t)) heap.siftTop();
    else heap.popTop();
    return true;
  }

  private start(slot: Slot): void {
    if (advance(slot, this.startUs)) this.heap.push(slot);
  }

  /** The activities of one VM: its profile's, plus the agent heartbeat and NTP every VM has. */
  private vmPlanners(vm: VmInfo): Planner[] {
    const t = this.table;
    const rs = this.config.rateScale;
    const out: Planner[] = [];
    switch (vm.profile) {
      case 'web':
        for (let k = 0; k < 3; k++) out.push(new WebSessionPlanner(vm, t, 443, 2_000_000 / rs));
        out.push(new WebSessionPlanner(vm, t, 80, 3_000_000 / rs));
        out.push(new OutboundApiPlanner(vm, t, 15_000_000 / rs, vm.index * 7));
        break;
      case 'database':
        out.push(new BulkTransferPlanner(vm, t, 45_000_000 / rs, 200_000, 1_000_000, vm.index * 3));
        break;
      case 'dns':
        out.push(new DnsServerPlanner(vm, t, 80_000 / rs));
        break;
      case 'backup':
        out.push(new BulkTransferPlanner(vm, t, 30_000_000 / rs, 500_000, 2_000_000, vm.index * 5));
        break;
      case 'idle':
        out.push(new PingPlanner(vm, t, 30_000_000));
        break;
    }
    out.push(new HeartbeatPlanner(vm, t, 15_000_000), new NtpPlanner(vm, t, 64_000_000));
    return out;
  }
}

/**
 * After a step went out: asks the planner for more when the script ran dry (or reached the chunk
 * boundary the planner asked for), then sets nextUs. False when the slot is over.
 */
function advance(slot: Slot, nowUs: number): boolean {
  const s = slot.script;
  if (!slot.finished && (s.pos >= s.n || s.t[s.pos] >= slot.refillAtUs)) {
    s.compact();
    slot.refillAtUs = Infinity;
    if (!slot.planner.plan(slot, nowUs)) slot.finished = true;
  }
  if (s.pos >= s.n || s.t[s.pos] > slot.endUs) return false;
  slot.nextUs = s.t[s.pos];
  return true;
}

/** Plays an attack's slot alone to count its packets: slots share no state, so this is exact. */
function countPackets(slot: Slot, startUs: number): number {
  let n = 0;
  let alive = advance(slot, startUs);
  while (alive) {
    const t = slot.script.t[slot.script.pos++];
    n++;
    alive = advance(slot, t);
  }
  return n;
}
