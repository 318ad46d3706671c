/**
 * Web server VM: external clients open HTTPS (TLS-like, high entropy) or HTTP (text) sessions with a
 * few keep-alive requests each; about half the requests query the vnet's database VM over a
 * persistent connection before the response goes out.
 */
import type { PayloadTable } from '../payload-table';
import { A_TO_B, B_TO_A } from '../script';
import type { Planner, Slot } from '../slot';
import type { VmInfo } from '../vm-info';
import { dnsLookup } from './dns-lookup';
import { tcpClose, tcpMessage, tcpOpen, tcpSend, TCP, tlsHandshake, turn } from './steps';

const DB_PORT = 5432;

export class WebSessionPlanner implements Planner {
  constructor(
    private readonly vm: VmInfo,
    private readonly table: PayloadTable,
    private readonly port: 80 | 443,
    private readonly meanGapUs: number,
  ) {}

  plan(slot: Slot, nowUs: number): boolean {
    const { vm, table } = this;
    const p = slot.prng;
    const tls = this.port === 443;
    const clients = vm.peers.clients;
    const client = clients[p.skewed(clients.length)];
    const leg = slot.leg(0).set(client, vm.endpoint, p.range(1024, 65535), this.port, TCP, p.u32(), p.u32());
    let t = tcpOpen(slot, 0, nowUs + p.exp(this.meanGapUs));
    if (tls) t = tlsHandshake(slot, table, 0, t);
    const requests = 1 + Math.min(7, Math.floor(p.exp(1.5)));
    for (let r = 0; r < requests; r++) {
      t += r === 0 ? p.uniform(50, 400) : p.exp(800_000);
      if (tls) {
        const len = p.range(280, 900);
        t = tcpSend(slot, table, 0, A_TO_B, t, len, table.tlsApp, table.offset(p, table.tlsApp, len), table.tlsApp);
      } else {
        t = tcpMessage(slot, table, 0, A_TO_B, t, table.httpRequests[p.int(table.httpRequests.length)]);
      }
      t += turn(slot, leg, A_TO_B);
      if (vm.peers.database !== null && p.chance(0.55)) t = this.query(slot, t) + p.uniform(20, 120);
      const bytes = Math.min(60_000, 300 + Math.floor(p.exp(9_000)));
      t = tls
        ? tcpSend(slot, table, 0, B_TO_A, t, bytes, table.tlsApp, table.offset(p, table.tlsApp, 1460), table.tlsApp)
        : tcpSend(slot, table, 0, B_TO_A, t, bytes, table.httpResponses[p.int(table.httpResponses.length)], 0, table.text);
    }
    t += p.exp(1_500_000) + 1_000;
    tcpClose(slot, 0, p.chance(0.6) ? A_TO_B : B_TO_A, t);
    return true;
  }

  /** A query on the persistent connection to the database VM (opened on first use). */
  private query(slot: Slot, t: number): number {
    const { vm, table } = this;
    const p = slot.prng;
    const db = vm.peers.database;
    if (db === null) return t;
    const leg = slot.leg(1);
    let tt = t;
    if (!leg.open) {
      leg.set(vm.endpoint, db, vm.ports.alloc(p), DB_PORT, TCP, p.u32(), p.u32());
      tt = tcpOpen(slot, 1, tt) + p.uniform(10, 50);
    }
    tt = tcpMessage(slot, table, 1, A_TO_B, tt, table.dbQueries[p.int(table.dbQueries.length)]);
    tt += turn(slot, leg, A_TO_B) + p.exp(400);
    const bytes = 60 + Math.floor(p.exp(2_500));
    return tcpSend(slot, table, 1, B_TO_A, tt, bytes, table.dbRows, table.offset(p, table.dbRows, 1460), table.dbRows);
  }
}

/** Web VM's own calls out: resolve an API name, then one HTTPS request to its usual upstream. */
export class OutboundApiPlanner implements Planner {
  private readonly name: number;

  constructor(
    private readonly vm: VmInfo,
    private readonly table: PayloadTable,
    private readonly meanGapUs: number,
    nameSeed: number,
  ) {
    this.name = nameSeed % table.dnsNames.length;
  }

  plan(slot: Slot, nowUs: number): boolean {
    const { vm, table } = this;
    const p = slot.prng;
    let t = dnsLookup(slot, table, vm, 0, nowUs + p.exp(this.meanGapUs), this.name);
    slot.leg(2).set(vm.endpoint, vm.peers.usual, vm.ports.alloc(p), vm.peers.usualPort, TCP, p.u32(), p.u32());
    t = tcpOpen(slot, 2, t + p.uniform(30, 200));
    t = tlsHandshake(slot, table, 2, t);
    const req = p.range(400, 1200);
    t = tcpSend(slot, table, 2, A_TO_B, t + p.uniform(20, 100), req, table.tlsApp, table.offset(p, table.tlsApp, req), table.tlsApp);
    t += turn(slot, slot.legs[2], A_TO_B);
    t = tcpSend(slot, table, 2, B_TO_A, t, p.range(300, 6000), table.tlsApp, table.offset(p, table.tlsApp, 1460), table.tlsApp);
    tcpClose(slot, 2, A_TO_B, t + p.uniform(50, 500));
    return true;
  }
}
