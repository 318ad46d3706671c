/**
 * syn_flood: SYNs at a high, steady rate from many source ports of the VM's reserved block to one
 * external target port. The target answers a fraction with SYN-ACK; the VM's stack resets those.
 * Intensity: SYNs per second (default 2000).
 */
import { A_TO_B, B_TO_A } from '../script';
import type { Planner, Slot } from '../slot';
import { F, TCP, turn } from '../planners/steps';
import type { AttackSetup } from './attack-setup';

const CHUNK = 2048;

export class SynFloodPlanner implements Planner {
  private cursor = -1;

  constructor(private readonly a: AttackSetup) {}

  plan(slot: Slot, nowUs: number): boolean {
    const a = this.a;
    const p = slot.prng;
    if (a.target === null) return false;
    if (this.cursor < 0) {
      slot.leg(0).set(a.vm.endpoint, a.target, a.portLo, a.targetPort, TCP, p.u32(), p.u32());
      this.cursor = a.startUs;
    }
    const leg = slot.legs[0];
    const gap = 1e6 / (a.spec.intensity ?? 2000);
    const span = a.portHi - a.portLo + 1;
    let t = Math.max(nowUs, this.cursor);
    if (t > a.endUs) return false;
    const s = slot.script;
    for (let k = 0; k < CHUNK && t <= a.endUs; k++) {
      const sport = a.portLo + p.int(span);
      s.add(t, 0, A_TO_B, F.SYN, 0, 0, 0, sport, a.targetPort);
      if (p.chance(0.2)) {
        const rt = t + turn(slot, leg, A_TO_B);
        s.add(rt, 0, B_TO_A, F.SYN | F.ACK, 0, 0, 0, sport, a.targetPort);
        s.add(rt + p.uniform(5, 30), 0, A_TO_B, F.RST, 0, 0, 0, sport, a.targetPort);
      }
      t += p.jitter(gap, 0.2);
    }
    this.cursor = t;
    slot.refillAtUs = t;
    return true;
  }
}
