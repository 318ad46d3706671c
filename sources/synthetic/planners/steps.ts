/**
 * Building blocks planners compose conversations from: TCP handshake, data with delayed ACKs,
 * teardown, UDP request/response. Times are as seen at the VM's vNIC: a VM answers after a short
 * processing delay, an external peer's answer arrives one round trip after the VM's packet.
 */
import type { PayloadTable } from '../payload-table';
import { A_TO_B, B_TO_A, type Leg } from '../script';
import type { Slot } from '../slot';

export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;
export const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
export const MSS = 1460;
const NO_BUF = 0;

/** Time from a packet in direction `dir` on `leg` to the other side's answer, as the capture sees it. */
export function turn(slot: Slot, leg: Leg, dir: number): number {
  const from = dir === A_TO_B ? leg.a : leg.b;
  const to = dir === A_TO_B ? leg.b : leg.a;
  const p = slot.prng;
  if (to.vm === null) return p.jitter(to.rttUs, 0.1);
  const proc = p.uniform(15, 90);
  return from.vm === null ? proc : from.rttUs / 2 + proc;
}

/** Gap between back-to-back segments of one sender: line rate from a VM, path pacing from outside. */
export function segmentGap(slot: Slot, leg: Leg, dir: number, bytes: number): number {
  const sender = dir === A_TO_B ? leg.a : leg.b;
  const bitsPerUs = sender.vm !== null ? 1000 : 150;
  return slot.prng.jitter((bytes * 8) / bitsPerUs + 2, 0.3);
}

/** One step on leg `li` with the leg's ports. */
export function step(slot: Slot, li: number, t: number, dir: number, flags: number, len: number, buf: number, off: number): void {
  const leg = slot.legs[li];
  slot.script.add(t, li, dir, flags, len, buf, off, leg.portA, leg.portB);
}

/** SYN, SYN-ACK, ACK from side a; returns the time of the ACK. */
export function tcpOpen(slot: Slot, li: number, t: number): number {
  const leg = slot.legs[li];
  step(slot, li, t, A_TO_B, F.SYN, 0, NO_BUF, 0);
  const t2 = t + turn(slot, leg, A_TO_B);
  step(slot, li, t2, B_TO_A, F.SYN | F.ACK, 0, NO_BUF, 0);
  const t3 = t2 + turn(slot, leg, B_TO_A);
  step(slot, li, t3, A_TO_B, F.ACK, 0, NO_BUF, 0);
  leg.open = true;
  return t3;
}

/**
 * `bytes` of data from one side in MSS segments, the first from (`buf`, `off`), the rest
 * continuing through pool `cont`; the receiver ACKs every second segment. Returns the time of
 * the last data segment.
 */
export function tcpSend(slot: Slot, table: PayloadTable, li: number, dir: number, t: number, bytes: number, buf: number, off: number, cont: number): number {
  const leg = slot.legs[li];
  const back = dir === A_TO_B ? B_TO_A : A_TO_B;
  let left = bytes;
  let segs = 0;
  let b = buf;
  let o = off;
  let tt = t;
  // ACKs wait in a queue and go in as the data passes them, so steps are appended in time order
  // instead of being shifted into place (a bulk burst has hundreds of ACKs in flight).
  let head = 0;
  let tail = 0;
  let lastAck = 0;
  while (left > 0) {
    const len = left < MSS ? left : MSS;
    if (segs > 0) {
      tt += segmentGap(slot, leg, dir, len);
      if (b !== cont) {
        b = cont;
        o = table.offset(slot.prng, cont, MSS);
      } else if (o + len > table.bufs[cont].length) o = table.offset(slot.prng, cont, MSS);
    }
    while (head < tail && ackQueue[head] <= tt) step(slot, li, ackQueue[head++], back, F.ACK, 0, NO_BUF, 0);
    left -= len;
    step(slot, li, tt, dir, left === 0 ? F.PSH | F.ACK : F.ACK, len, b, o);
    o += len;
    segs++;
    if ((segs & 1) === 0 || left === 0) {
      if (tail === ackQueue.length) ackQueue = grow(ackQueue);
      lastAck = Math.max(lastAck, tt + turn(slot, leg, dir) + (left === 0 && (segs & 1) === 1 ? 200 : 0));
      ackQueue[tail++] = lastAck;
    }
  }
  while (head < tail) step(slot, li, ackQueue[head++], back, F.ACK, 0, NO_BUF, 0);
  return tt;
}

let ackQueue: Float64Array = new Float64Array(1024);

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** One message that fits a segment, from a whole buffer (an HTTP request, a SQL query). */
export function tcpMessage(slot: Slot, table: PayloadTable, li: number, dir: number, t: number, buf: number): number {
  return tcpSend(slot, table, li, dir, t, table.bufs[buf].length, buf, 0, table.text);
}

/** FIN from `dir`'s sender, FIN from the other side, last ACK; returns the time of the last ACK. */
export function tcpClose(slot: Slot, li: number, dir: number, t: number): number {
  const leg = slot.legs[li];
  const back = dir === A_TO_B ? B_TO_A : A_TO_B;
  step(slot, li, t, dir, F.FIN | F.ACK, 0, NO_BUF, 0);
  const t2 = t + turn(slot, leg, dir);
  step(slot, li, t2, back, F.FIN | F.ACK, 0, NO_BUF, 0);
  const t3 = t2 + turn(slot, leg, back);
  step(slot, li, t3, dir, F.ACK, 0, NO_BUF, 0);
  leg.open = false;
  return t3;
}

/**
 * TLS 1.2/1.3-sized handshake after tcpOpen: ClientHello, the server's flight (certificates),
 * client Finished, server tickets. Returns the time of the last packet.
 */
export function tlsHandshake(slot: Slot, table: PayloadTable, li: number, t: number): number {
  const p = slot.prng;
  const leg = slot.legs[li];
  const hs = table.tlsHandshake;
  let tt = t + p.uniform(20, 200);
  tt = tcpSend(slot, table, li, A_TO_B, tt, p.range(510, 580), hs, table.offset(p, hs, 600), hs);
  tt += turn(slot, leg, A_TO_B);
  tt = tcpSend(slot, table, li, B_TO_A, tt, p.range(2800, 4300), hs, table.offset(p, hs, 600), hs);
  tt += turn(slot, leg, B_TO_A);
  tt = tcpSend(slot, table, li, A_TO_B, tt, p.range(64, 130), hs, table.offset(p, hs, 600), hs);
  tt += turn(slot, leg, A_TO_B);
  return tcpSend(slot, table, li, B_TO_A, tt, p.range(51, 290), hs, table.offset(p, hs, 600), hs);
}

/** A UDP request and (when `respBuf` >= 0) its response; returns the time of the last packet. */
export function udpExchange(slot: Slot, table: PayloadTable, li: number, t: number, reqBuf: number, respBuf: number): number {
  step(slot, li, t, A_TO_B, 0, table.bufs[reqBuf].length, reqBuf, 0);
  if (respBuf < 0) return t;
  const t2 = t + turn(slot, slot.legs[li], A_TO_B);
  step(slot, li, t2, B_TO_A, 0, table.bufs[respBuf].length, respBuf, 0);
  return t2;
}
