/**
 * port_scan: SYN probes from one source port (nmap -sS style) to many ports of one external host.
 * Closed ports answer RST-ACK, a few open ones SYN-ACK (which the scanner resets), filtered ones
 * nothing. Intensity: probes per second (default 300).
 */
import { A_TO_B, B_TO_A } from '../script';
import type { Planner, Slot } from '../slot';
import { F, TCP, turn } from '../planners/steps';
import type { AttackSetup } from './attack-setup';

const TOP_PORTS = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 1723, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 9200, 27017];
const OPEN = new Set([22, 80, 443]);
const CHUNK = 512;

export class PortScanPlanner implements Planner {
  private cursor = 0;
  private idx = 0;
  private ports: Int32Array | null = null;
  private srcPort = 0;

  constructor(private readonly a: AttackSetup) {}

  plan(slot: Slot, nowUs: number): boolean {
    const a = this.a;
    const p = slot.prng;
    const target = a.target;
    if (target === null) return false;
    if (this.ports === null) {
      this.ports = scanOrder(p);
      this.srcPort = a.portLo + p.int(a.portHi - a.portLo + 1);
      slot.leg(0).set(a.vm.endpoint, target, this.srcPort, 0, TCP, p.u32(), p.u32());
      this.cursor = a.startUs;
    }
    const leg = slot.legs[0];
    const gap = 1e6 / (a.spec.intensity ?? 300);
    let t = Math.max(nowUs, this.cursor);
    if (t > a.endUs) return false;
    const s = slot.script;
    for (let k = 0; k < CHUNK && t <= a.endUs; k++) {
      const port = this.ports[this.idx++ % this.ports.length];
      s.add(t, 0, A_TO_B, F.SYN, 0, 0, 0, this.srcPort, port);
      const rt = t + turn(slot, leg, A_TO_B);
      if (OPEN.has(port)) {
        s.add(rt, 0, B_TO_A, F.SYN | F.ACK, 0, 0, 0, this.srcPort, port);
        s.add(rt + p.uniform(10, 40), 0, A_TO_B, F.RST, 0, 0, 0, this.srcPort, port);
      } else if (p.chance(0.75)) {
        s.add(rt, 0, B_TO_A, F.RST | F.ACK, 0, 0, 0, this.srcPort, port);
      }
      t += p.jitter(gap, 0.4);
    }
    this.cursor = t;
    slot.refillAtUs = t;
    return true;
  }
}

/** The common ports first, then the rest of 1-65535 in random order. */
function scanOrder(p: Slot['prng']): Int32Array {
  const rest: number[] = [];
  for (let port = 1; port <= 65535; port++) if (!TOP_PORTS.includes(port)) rest.push(port);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = p.int(i + 1);
    const x = rest[i];
    rest[i] = rest[j];
    rest[j] = x;
  }
  return Int32Array.from([...TOP_PORTS, ...rest]);
}
