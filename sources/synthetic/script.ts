/**
 * A slot's upcoming packets as parallel typed arrays (reused across conversations, so the hot path
 * allocates nothing). A planner writes a whole conversation or a chunk of an attack at once; the
 * generator then emits one step per packet.
 */
import type { Endpoint } from './endpoint';

/** One transport connection (or UDP / ICMP flow) between two endpoints; b is the responder. */
export class Leg {
  a: Endpoint = null as unknown as Endpoint;
  b: Endpoint = null as unknown as Endpoint;
  portA = 0;
  portB = 0;
  proto = 6;
  /** Next TCP sequence number of each side. */
  seqA = 0;
  seqB = 0;
  /** For persistent connections kept across conversations. */
  open = false;

  set(a: Endpoint, b: Endpoint, portA: number, portB: number, proto: number, isnA: number, isnB: number): this {
    this.a = a;
    this.b = b;
    this.portA = portA;
    this.portB = portB;
    this.proto = proto;
    this.seqA = isnA >>> 0;
    this.seqB = isnB >>> 0;
    this.open = false;
    return this;
  }
}

/** Direction of a step on its leg. */
export const A_TO_B = 0;
export const B_TO_A = 1;

export class Script {
  n = 0;
  pos = 0;
  t = new Float64Array(64);
  leg = new Uint8Array(64);
  dir = new Uint8Array(64);
  /** TCP flags, or the ICMP type for ICMP legs. */
  flags = new Uint8Array(64);
  len = new Int32Array(64);
  buf = new Int32Array(64);
  off = new Int32Array(64);
  /** Ports of side a and side b for this step (a scan changes them per probe). */
  portA = new Int32Array(64);
  portB = new Int32Array(64);

  reset(): void {
    this.n = 0;
    this.pos = 0;
  }

  /**
   * Appends a step, keeping steps ordered by time: a reply planned later than the next request
   * (a scan's RST after more probes went out) slides into place.
   */
  add(t: number, leg: number, dir: number, flags: number, len: number, buf: number, off: number, portA: number, portB: number): void {
    if (this.n === this.t.length) this.grow();
    const tu = Math.round(t);
    let i = this.n++;
    while (i > this.pos && this.t[i - 1] > tu) {
      this.copy(i - 1, i);
      i--;
    }
    this.t[i] = tu;
    this.leg[i] = leg;
    this.dir[i] = dir;
    this.flags[i] = flags;
    this.len[i] = len;
    this.buf[i] = buf;
    this.off[i] = off;
    this.portA[i] = portA;
    this.portB[i] = portB;
  }

  /** Drops the emitted steps, keeping the pending ones, so a planner can merge more in. */
  compact(): void {
    if (this.pos === 0) return;
    for (let i = this.pos; i < this.n; i++) this.copy(i, i - this.pos);
    this.n -= this.pos;
    this.pos = 0;
  }

  private copy(from: number, to: number): void {
    this.t[to] = this.t[from];
    this.leg[to] = this.leg[from];
    this.dir[to] = this.dir[from];
    this.flags[to] = this.flags[from];
    this.len[to] = this.len[from];
    this.buf[to] = this.buf[from];
    this.off[to] = this.off[from];
    this.portA[to] = this.portA[from];
    this.portB[to] = this.portB[from];
  }

  private grow(): void {
    const cap = this.t.length * 2;
    const g = <T extends Float64Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a as never);
      return b;
    };
    this.t = g(this.t, (n) => new Float64Array(n));
    this.leg = g(this.leg, (n) => new Uint8Array(n));
    this.dir = g(this.dir, (n) => new Uint8Array(n));
    this.flags = g(this.flags, (n) => new Uint8Array(n));
    this.len = g(this.len, (n) => new Int32Array(n));
    this.buf = g(this.buf, (n) => new Int32Array(n));
    this.off = g(this.off, (n) => new Int32Array(n));
    this.portA = g(this.portA, (n) => new Int32Array(n));
    this.portB = g(this.portB, (n) => new Int32Array(n));
  }
}
