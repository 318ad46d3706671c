/**
 * exfiltration / exfil_known_peer: high-entropy uploads over TLS-looking connections, a few MB per
 * connection. The plain kind goes to a new external host; the known-peer kind to the VM's usual
 * peer on its usual port, where only volume and timing give it away.
 * Intensity: bytes per second while sending (default 1.5 MB/s, known peer 300 kB/s).
 */
import { A_TO_B } from '../script';
import type { PayloadTable } from '../payload-table';
import type { Planner, Slot } from '../slot';
import { MSS, tcpClose, tcpOpen, tcpSend, TCP, tlsHandshake } from '../planners/steps';
import type { AttackSetup } from './attack-setup';

export class ExfiltrationPlanner implements Planner {
  private connections = 0;

  constructor(
    private readonly a: AttackSetup,
    private readonly table: PayloadTable,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { a, table } = this;
    const p = slot.prng;
    if (a.target === null) return false;
    const rate = a.spec.intensity ?? (a.knownPeer ? 300_000 : 1_500_000);
    let t = this.connections === 0 ? Math.max(nowUs, a.startUs) : nowUs + p.exp(1_000_000);
    if (t > a.endUs) return false;
    const sport = a.portLo + ((this.connections++ * 7) % (a.portHi - a.portLo + 1));
    slot.leg(0).set(a.vm.endpoint, a.target, sport, a.targetPort, TCP, p.u32(), p.u32());
    t = tcpOpen(slot, 0, t);
    t = tlsHandshake(slot, table, 0, t);
    const room = Math.max(MSS, ((a.endUs - t) / 1e6) * rate);
    const bytes = Math.min(room, p.range(1_000_000, 4_000_000));
    t = sendPaced(slot, table, t + p.uniform(50, 300), Math.floor(bytes), rate);
    tcpClose(slot, 0, A_TO_B, t + p.uniform(500, 5_000));
    return true;
  }
}

/** Uploads in 64 kB writes paced to `rate`: line-rate bursts with gaps, as a throttled tool sends. */
function sendPaced(slot: Slot, table: PayloadTable, t: number, bytes: number, rate: number): number {
  const p = slot.prng;
  let left = bytes;
  let tt = t;
  while (left > 0) {
    const chunk = Math.min(left, 65_536);
    const start = tt;
    tt = tcpSend(slot, table, 0, A_TO_B, tt, chunk, table.random, table.offset(p, table.random, MSS), table.random);
    left -= chunk;
    if (left > 0) tt = Math.max(tt + 20, start + (chunk / rate) * 1e6 * p.jitter(1, 0.1));
  }
  return tt;
}
