/**
 * A VM resolving a name through its resolver. When the resolver is the vnet's DNS VM, a cache miss
 * makes it forward upstream first: the same request/response chain a real recursive resolver shows.
 */
import type { PayloadTable } from '../payload-table';
import { A_TO_B, B_TO_A } from '../script';
import type { Slot } from '../slot';
import type { VmInfo } from '../vm-info';
import { step, turn, UDP, udpExchange } from './steps';

/** Legs `li` (VM to resolver) and `li + 1` (resolver upstream) are used. Returns the answer's time. */
export function dnsLookup(slot: Slot, table: PayloadTable, vm: VmInfo, li: number, t: number, name: number): number {
  const p = slot.prng;
  const resolver = vm.peers.resolver;
  const v = p.int(4);
  const q = table.dnsQueries[name][v];
  const a = table.dnsAnswers[name][v];
  const leg = slot.leg(li).set(vm.endpoint, resolver, vm.ports.alloc(p), 53, UDP, 0, 0);
  const rvm = resolver.vm;
  if (rvm === null || !p.chance(0.3)) return udpExchange(slot, table, li, t, q, a);
  step(slot, li, t, A_TO_B, 0, table.bufs[q].length, q, 0);
  slot.leg(li + 1).set(resolver, rvm.peers.upstreamDns, rvm.ports.alloc(p), 53, UDP, 0, 0);
  const t2 = udpExchange(slot, table, li + 1, t + turn(slot, leg, A_TO_B), q, a);
  const t3 = t2 + p.uniform(15, 60);
  step(slot, li, t3, B_TO_A, 0, table.bufs[a].length, a, 0);
  return t3;
}
