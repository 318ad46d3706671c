/**
 * lateral_movement: SYN probes from the VM to SSH, SMB and RDP on the other VMs of its vnet, then
 * of its account, with the kernel's retransmissions (1 s, then 2 s later). The targets' security
 * groups drop them silently, so every packet is the compromised VM's egress.
 * Intensity: new probes per second (default 10).
 */
import { A_TO_B } from '../script';
import type { Planner, Slot } from '../slot';
import { F, TCP } from '../planners/steps';
import type { Region } from '../region';
import type { AttackSetup } from './attack-setup';

const PORTS = [22, 445, 3389];
const MAX_TARGETS = 255;
const CHUNK = 256;

export class LateralMovementPlanner implements Planner {
  private cursor = -1;
  private probe = 0;
  private targets = 0;

  constructor(
    private readonly a: AttackSetup,
    private readonly region: Region,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const a = this.a;
    const p = slot.prng;
    if (this.cursor < 0) {
      const vm = a.vm;
      const others = this.region.vms.filter((v) => v !== vm && v.accountIndex === vm.accountIndex);
      others.sort((x, y) => Number(y.vnetGlobal === vm.vnetGlobal) - Number(x.vnetGlobal === vm.vnetGlobal) || x.index - y.index);
      this.targets = Math.min(MAX_TARGETS, others.length);
      for (let i = 0; i < this.targets; i++) slot.leg(i).set(vm.endpoint, others[i].endpoint, 0, 0, TCP, p.u32(), 0);
      this.cursor = a.startUs;
    }
    if (this.targets === 0) return false;
    let t = Math.max(nowUs, this.cursor);
    if (t > a.endUs) return false;
    const gap = 1e6 / (a.spec.intensity ?? 10);
    const span = a.portHi - a.portLo + 1;
    const s = slot.script;
    for (let k = 0; k < CHUNK && t <= a.endUs; k++) {
      const n = this.probe++;
      const li = n % this.targets;
      const port = PORTS[Math.floor(n / this.targets) % PORTS.length];
      const sport = a.portLo + (n % span);
      s.add(t, li, A_TO_B, F.SYN, 0, 0, 0, sport, port);
      s.add(t + 1e6, li, A_TO_B, F.SYN, 0, 0, 0, sport, port);
      s.add(t + 3e6, li, A_TO_B, F.SYN, 0, 0, 0, sport, port);
      t += p.jitter(gap, 0.5);
    }
    this.cursor = t;
    slot.refillAtUs = t;
    return true;
  }
}
