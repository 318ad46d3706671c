/**
 * Periodic bulk uploads to the VM's storage peer: backup VMs every ~30 s, database VMs' dumps less
 * often. Large high-entropy segments at line rate, ACKed every second segment: the bursty pattern.
 */
import type { PayloadTable } from '../payload-table';
import { A_TO_B } from '../script';
import type { Planner, Slot } from '../slot';
import type { VmInfo } from '../vm-info';
import { dnsLookup } from './dns-lookup';
import { tcpClose, tcpOpen, tcpSend, TCP, tlsHandshake } from './steps';

export class BulkTransferPlanner implements Planner {
  private nextStartUs = -1;

  constructor(
    private readonly vm: VmInfo,
    private readonly table: PayloadTable,
    private readonly periodUs: number,
    private readonly minBytes: number,
    private readonly maxBytes: number,
    private readonly nameIndex: number,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { vm, table } = this;
    const p = slot.prng;
    // Periodic with a little jitter; the first burst at a random phase so VMs do not align.
    this.nextStartUs = this.nextStartUs < 0 ? nowUs + p.next() * this.periodUs : this.nextStartUs + p.jitter(this.periodUs, 0.1);
    let t = Math.max(nowUs, this.nextStartUs);
    t = dnsLookup(slot, table, vm, 0, t, this.nameIndex % table.dnsNames.length);
    slot.leg(2).set(vm.endpoint, vm.peers.usual, vm.ports.alloc(p), vm.peers.usualPort, TCP, p.u32(), p.u32());
    t = tcpOpen(slot, 2, t + p.uniform(30, 200));
    t = tlsHandshake(slot, table, 2, t);
    const bytes = p.range(this.minBytes, this.maxBytes);
    t = tcpSend(slot, table, 2, A_TO_B, t + p.uniform(50, 300), bytes, table.random, table.offset(p, table.random, 1460), table.random);
    tcpClose(slot, 2, A_TO_B, t + p.uniform(1_000, 20_000));
    return true;
  }
}
