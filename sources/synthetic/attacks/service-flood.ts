/**
 * flood_known_peer: an application-layer flood on a service the VM already uses (its usual peer and
 * port): full TLS connections, one small request and a small answer each, back to back. Every
 * packet looks like the VM's own API calls; only their rate to that one peer gives it away.
 * Intensity: connections per second (default 40).
 */
import { A_TO_B, B_TO_A } from '../script';
import type { PayloadTable } from '../payload-table';
import type { Planner, Slot } from '../slot';
import { tcpClose, tcpOpen, tcpSend, TCP, tlsHandshake, turn } from '../planners/steps';
import type { AttackSetup } from './attack-setup';

export class ServiceFloodPlanner implements Planner {
  private connections = 0;

  constructor(
    private readonly a: AttackSetup,
    private readonly table: PayloadTable,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { a, table } = this;
    const p = slot.prng;
    if (a.target === null) return false;
    const gap = 1e6 / (a.spec.intensity ?? 40);
    let t = this.connections === 0 ? Math.max(nowUs, a.startUs) : nowUs + p.exp(gap);
    if (t > a.endUs) return false;
    const sport = a.portLo + ((this.connections++ * 11) % (a.portHi - a.portLo + 1));
    const leg = slot.leg(0).set(a.vm.endpoint, a.target, sport, a.targetPort, TCP, p.u32(), p.u32());
    t = tcpOpen(slot, 0, t);
    t = tlsHandshake(slot, table, 0, t);
    const req = p.range(300, 700);
    t = tcpSend(slot, table, 0, A_TO_B, t + p.uniform(5, 40), req, table.tlsApp, table.offset(p, table.tlsApp, req), table.tlsApp);
    t += turn(slot, leg, A_TO_B);
    const resp = p.range(200, 1200);
    t = tcpSend(slot, table, 0, B_TO_A, t, resp, table.tlsApp, table.offset(p, table.tlsApp, resp), table.tlsApp);
    tcpClose(slot, 0, A_TO_B, t + p.uniform(5, 50));
    return true;
  }
}
