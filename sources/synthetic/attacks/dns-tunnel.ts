/**
 * dns_tunnel / dns_tunnel_known_peer: TXT queries for long base32 names under one attacker domain, sent to the VM's own
 * resolver from random ports of the reserved block. Answers (base32 TXT) come back when the
 * resolver is outside the region; a vnet DNS VM forwarding them is left out so every packet of the
 * attack stays on the compromised VM. Intensity: queries per second (default 8; the known-peer kind,
 * a slow tunnel labelled as using the VM's own resolver, 2).
 */
import { DnsType, dnsAnswer, dnsQuery, txtRdata } from '../dns-message';
import type { PayloadTable } from '../payload-table';
import { mixSeed, Prng } from '../prng';
import { A_TO_B, B_TO_A } from '../script';
import type { Planner, Slot } from '../slot';
import { turn, UDP } from '../planners/steps';
import type { AttackSetup } from './attack-setup';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const MESSAGES = 128;

/** The tunnel's queries and answers, built once per attack (shared by the counting pass). */
export class DnsTunnelMessages {
  readonly queries: number[] = [];
  readonly answers: number[] = [];

  constructor(a: AttackSetup, table: PayloadTable) {
    const p = new Prng(mixSeed(a.seed, 0xd115));
    const domain = `${b32(p, 6)}.${['xyz', 'top', 'info'][p.int(3)]}`;
    for (let i = 0; i < MESSAGES; i++) {
      const labels = Array.from({ length: 2 + p.int(2) }, () => b32(p, p.range(40, 63)));
      const q = dnsQuery(p.u32(), `${labels.join('.')}.${domain}`, DnsType.TXT);
      this.queries.push(table.add(q));
      this.answers.push(table.add(dnsAnswer(q, DnsType.TXT, [txtRdata(b32(p, p.range(60, 220)))], 0)));
    }
  }
}

function b32(p: Prng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += BASE32[p.int(32)];
  return s;
}

export class DnsTunnelPlanner implements Planner {
  private cursor = -1;

  constructor(
    private readonly a: AttackSetup,
    private readonly table: PayloadTable,
    private readonly messages: DnsTunnelMessages,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { a, table, messages } = this;
    const p = slot.prng;
    const resolver = a.target;
    if (resolver === null) return false;
    if (this.cursor < 0) {
      slot.leg(0).set(a.vm.endpoint, resolver, a.portLo, 53, UDP, 0, 0);
      this.cursor = a.startUs;
    }
    const leg = slot.legs[0];
    const mean = 1e6 / (a.spec.intensity ?? (a.knownPeer ? 2 : 8));
    const span = a.portHi - a.portLo + 1;
    let t = Math.max(nowUs, this.cursor);
    if (t > a.endUs) return false;
    const s = slot.script;
    for (let k = 0; k < 256 && t <= a.endUs; k++) {
      const m = p.int(MESSAGES);
      const q = messages.queries[m];
      const sport = a.portLo + p.int(span);
      s.add(t, 0, A_TO_B, 0, table.bufs[q].length, q, 0, sport, 53);
      if (resolver.vm === null) {
        const r = messages.answers[m];
        s.add(t + turn(slot, leg, A_TO_B), 0, B_TO_A, 0, table.bufs[r].length, r, 0, sport, 53);
      }
      t += p.exp(mean);
    }
    this.cursor = t;
    slot.refillAtUs = t;
    return true;
  }
}
