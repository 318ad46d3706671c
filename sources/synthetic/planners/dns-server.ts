/**
 * DNS resolver VM serving its clients: readable names, popular ones more often; a cache miss is
 * forwarded upstream before the answer goes back.
 */
import type { PayloadTable } from '../payload-table';
import { B_TO_A } from '../script';
import type { Planner, Slot } from '../slot';
import type { VmInfo } from '../vm-info';
import { step, turn, UDP, udpExchange } from './steps';

export class DnsServerPlanner implements Planner {
  constructor(
    private readonly vm: VmInfo,
    private readonly table: PayloadTable,
    private readonly meanGapUs: number,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { vm, table } = this;
    const p = slot.prng;
    const client = vm.peers.clients[p.skewed(vm.peers.clients.length)];
    const name = p.skewed(table.dnsNames.length);
    const v = p.int(4);
    const q = table.dnsQueries[name][v];
    const a = table.dnsAnswers[name][v];
    const leg = slot.leg(0).set(client, vm.endpoint, p.range(1024, 65535), 53, UDP, 0, 0);
    const t = nowUs + p.exp(this.meanGapUs);
    if (!p.chance(0.35)) {
      udpExchange(slot, table, 0, t, q, a);
      return true;
    }
    step(slot, 0, t, 0, 0, table.bufs[q].length, q, 0);
    slot.leg(1).set(vm.endpoint, vm.peers.upstreamDns, vm.ports.alloc(p), 53, UDP, 0, 0);
    const t2 = udpExchange(slot, table, 1, t + turn(slot, leg, 0), q, a);
    step(slot, 0, t2 + p.uniform(15, 60), B_TO_A, 0, table.bufs[a].length, a, 0);
    return true;
  }
}
