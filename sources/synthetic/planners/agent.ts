/**
 * What every VM does regardless of its role: the cloud agent's heartbeat on one long-lived TLS
 * connection, NTP polls, and (for idle VMs) the monitoring host's pings. All periodic with low
 * jitter: the regular rhythm a model should learn and a beacon hides in.
 */
import type { PayloadTable } from '../payload-table';
import { A_TO_B, B_TO_A } from '../script';
import type { Planner, Slot } from '../slot';
import type { VmInfo } from '../vm-info';
import { ICMP, tcpOpen, tcpSend, TCP, tlsHandshake, turn, UDP, udpExchange } from './steps';

export class HeartbeatPlanner implements Planner {
  private started = false;

  constructor(
    private readonly vm: VmInfo,
    private readonly table: PayloadTable,
    private readonly periodUs: number,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { vm, table } = this;
    const p = slot.prng;
    const leg = slot.leg(0);
    let t = nowUs;
    if (!this.started) {
      this.started = true;
      leg.set(vm.endpoint, vm.peers.management, vm.ports.alloc(p), 443, TCP, p.u32(), p.u32());
      t = tcpOpen(slot, 0, t + p.next() * this.periodUs);
      tlsHandshake(slot, table, 0, t);
      return true;
    }
    t += p.jitter(this.periodUs, 0.03);
    const len = p.range(85, 120);
    t = tcpSend(slot, table, 0, A_TO_B, t, len, table.tlsApp, table.offset(p, table.tlsApp, len), table.tlsApp);
    t += turn(slot, leg, A_TO_B) + p.uniform(100, 400);
    const back = p.range(40, 64);
    tcpSend(slot, table, 0, B_TO_A, t, back, table.tlsApp, table.offset(p, table.tlsApp, back), table.tlsApp);
    return true;
  }
}

export class NtpPlanner implements Planner {
  private first = true;

  constructor(
    private readonly vm: VmInfo,
    private readonly table: PayloadTable,
    private readonly periodUs: number,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { vm, table } = this;
    const p = slot.prng;
    const t = nowUs + (this.first ? p.next() * this.periodUs : p.jitter(this.periodUs, 0.02));
    this.first = false;
    slot.leg(0).set(vm.endpoint, vm.peers.ntp, 123, 123, UDP, 0, 0);
    const k = p.int(table.ntpRequests.length);
    udpExchange(slot, table, 0, t, table.ntpRequests[k], table.ntpResponses[k]);
    return true;
  }
}

export class PingPlanner implements Planner {
  private seq = 0;

  constructor(
    private readonly vm: VmInfo,
    private readonly table: PayloadTable,
    private readonly periodUs: number,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { vm, table } = this;
    const p = slot.prng;
    const t = nowUs + (this.seq === 0 ? p.next() * this.periodUs : p.jitter(this.periodUs, 0.01));
    const id = 0x1000 + vm.index;
    const seq = ++this.seq & 0xffff;
    const leg = slot.leg(0).set(vm.peers.monitor, vm.endpoint, 0, 0, ICMP, 0, 0);
    const len = table.bufs[table.icmpEcho].length;
    slot.script.add(t, 0, A_TO_B, 8, len, table.icmpEcho, 0, id, seq);
    slot.script.add(t + turn(slot, leg, A_TO_B), 0, B_TO_A, 0, len, table.icmpEcho, 0, id, seq);
    return true;
  }
}
