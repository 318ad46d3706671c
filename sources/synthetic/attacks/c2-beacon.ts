/**
 * c2_beacon / c2_beacon_known_peer: a short TLS check-in on a fixed period with ~2% jitter — small
 * request, small (usually empty) tasking reply. The known-peer kind beacons to the VM's usual peer.
 * Intensity: beacons per minute (default 12).
 */
import { A_TO_B, B_TO_A } from '../script';
import type { PayloadTable } from '../payload-table';
import type { Planner, Slot } from '../slot';
import { tcpClose, tcpOpen, tcpSend, TCP, tlsHandshake, turn } from '../planners/steps';
import type { AttackSetup } from './attack-setup';

export class C2BeaconPlanner implements Planner {
  private beacons = 0;
  private next = -1;

  constructor(
    private readonly a: AttackSetup,
    private readonly table: PayloadTable,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { a, table } = this;
    const p = slot.prng;
    if (a.target === null) return false;
    const period = 60e6 / (a.spec.intensity ?? 12);
    this.next = this.next < 0 ? a.startUs + p.next() * Math.min(period, 1e6) : this.next + p.jitter(period, 0.02);
    let t = Math.max(nowUs, this.next);
    if (t > a.endUs) return false;
    const sport = a.portLo + ((this.beacons++ * 13) % (a.portHi - a.portLo + 1));
    const leg = slot.leg(0).set(a.vm.endpoint, a.target, sport, a.targetPort, TCP, p.u32(), p.u32());
    t = tcpOpen(slot, 0, t);
    t = tlsHandshake(slot, table, 0, t);
    const req = p.range(180, 260);
    t = tcpSend(slot, table, 0, A_TO_B, t + p.uniform(20, 80), req, table.tlsApp, table.offset(p, table.tlsApp, req), table.tlsApp);
    t += turn(slot, leg, A_TO_B);
    const resp = p.chance(0.9) ? p.range(40, 90) : p.range(400, 1400);
    t = tcpSend(slot, table, 0, B_TO_A, t, resp, table.tlsApp, table.offset(p, table.tlsApp, resp), table.tlsApp);
    tcpClose(slot, 0, A_TO_B, t + p.uniform(100, 400));
    return true;
  }
}
