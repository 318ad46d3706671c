/**
 * Every payload byte the generator emits comes from a buffer built here once per run: large pools
 * (random, TLS-like, text, database rows) sliced at an offset, and whole messages (HTTP, DNS, NTP,
 * ICMP). A packet then names a buffer index and an offset, and events carry views, not copies.
 * The buffers must never be written after construction: events share them.
 */
import { DnsType, dnsAnswer, dnsQuery } from './dns-message';
import { mixSeed, Prng } from './prng';

const WORDS = (
  'account api app asset auth backup billing blob cache cart catalog cdn checkout cloud config content data ' +
  'edge event feed files gateway graph health images index inventory login media metrics news orders portal ' +
  'profile queue report search service session shop static status storage stream user video web widget'
).split(' ');
const TLDS = ['com', 'net', 'io', 'org', 'cloud'];
const TLS_RECORD = 2048;
export const TLS_HANDSHAKE = 0x16;
export const TLS_APPLICATION = 0x17;

export class PayloadTable {
  readonly bufs: Buffer[] = [];
  readonly random: number;
  readonly tlsHandshake: number;
  readonly tlsApp: number;
  readonly text: number;
  readonly dbRows: number;
  readonly httpRequests: number[] = [];
  /** Header plus the start of the body, at least one full segment long. */
  readonly httpResponses: number[] = [];
  readonly dbQueries: number[] = [];
  readonly ntpRequests: number[] = [];
  readonly ntpResponses: number[] = [];
  readonly icmpEcho: number;
  readonly dnsNames: string[] = [];
  /** dnsQueries[name][variant] and the matching dnsAnswers (variants differ in transaction id). */
  readonly dnsQueries: number[][] = [];
  readonly dnsAnswers: number[][] = [];
  private readonly prng: Prng;

  constructor(seed: number) {
    const prng = (this.prng = new Prng(mixSeed(seed, 0x9a710ad)));
    const rnd = Buffer.allocUnsafe(1 << 18);
    prng.fill(rnd);
    this.random = this.add(rnd);
    this.tlsHandshake = this.add(this.tlsPool(TLS_HANDSHAKE, 1 << 16));
    this.tlsApp = this.add(this.tlsPool(TLS_APPLICATION, 1 << 18));
    this.text = this.add(Buffer.from(this.htmlText(1 << 16), 'latin1'));
    this.dbRows = this.add(this.dbRowPool(1 << 16));
    for (let i = 0; i < 48; i++) {
      this.httpRequests.push(this.add(Buffer.from(this.httpRequest(), 'latin1')));
      const body = this.htmlText(1600 + prng.int(800));
      const head = `HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${1000 + prng.int(60000)}\r\nCache-Control: max-age=${prng.range(0, 3600)}\r\nConnection: keep-alive\r\n\r\n`;
      this.httpResponses.push(this.add(Buffer.from(head + body, 'latin1')));
      this.dbQueries.push(this.add(this.pgQuery()));
    }
    for (let i = 0; i < 8; i++) {
      this.ntpRequests.push(this.add(this.ntp(0x23)));
      this.ntpResponses.push(this.add(this.ntp(0x24)));
    }
    const echo = Buffer.alloc(56);
    echo.writeUInt32LE(prng.u32(), 0);
    echo.writeUInt32LE(prng.u32(), 4);
    for (let i = 8; i < 56; i++) echo[i] = 0x08 + i;
    this.icmpEcho = this.add(echo);
    for (let i = 0; i < 64; i++) {
      const name = `${this.word()}.${this.word()}-${this.word()}.${TLDS[prng.int(TLDS.length)]}`;
      this.dnsNames.push(name);
      const qs: number[] = [];
      const as: number[] = [];
      const addrs = Array.from({ length: 1 + prng.int(3) }, () => {
        const a = Buffer.alloc(4);
        a.writeUInt32BE(prng.u32(), 0);
        return a;
      });
      for (let v = 0; v < 4; v++) {
        const q = dnsQuery(prng.u32(), name, DnsType.A);
        qs.push(this.add(q));
        as.push(this.add(dnsAnswer(q, DnsType.A, addrs, prng.range(30, 3600))));
      }
      this.dnsQueries.push(qs);
      this.dnsAnswers.push(as);
    }
  }

  add(b: Buffer): number {
    this.bufs.push(b);
    return this.bufs.length - 1;
  }

  /** A random offset where `len` bytes of pool `idx` fit; TLS pools start on a record header. */
  offset(prng: Prng, idx: number, len: number): number {
    const size = this.bufs[idx].length;
    if (idx === this.tlsApp || idx === this.tlsHandshake) {
      if (len <= TLS_RECORD) return prng.int(Math.floor((size - TLS_RECORD) / TLS_RECORD) + 1) * TLS_RECORD;
    }
    return prng.int(size - len + 1);
  }

  /** Random bytes with a TLS record header every 2 KiB: what encrypted traffic looks like. */
  private tlsPool(type: number, size: number): Buffer {
    const b = Buffer.allocUnsafe(size);
    this.prng.fill(b);
    for (let o = 0; o < size; o += TLS_RECORD) {
      b[o] = type;
      b[o + 1] = 3;
      b[o + 2] = type === TLS_HANDSHAKE ? 1 : 3;
      b.writeUInt16BE(TLS_RECORD - 5, o + 3);
    }
    return b;
  }

  private word(): string {
    return WORDS[this.prng.int(WORDS.length)];
  }

  private htmlText(size: number): string {
    const out: string[] = ['<!DOCTYPE html><html><head><title>'];
    let n = 40;
    while (n < size) {
      const r = this.prng.int(10);
      const s =
        r === 0
          ? `</p>\n<p class="${this.word()}">`
          : r === 1
            ? `<a href="/${this.word()}/${this.word()}">${this.word()}</a> `
            : `${this.word()} `;
      out.push(s);
      n += s.length;
    }
    return out.join('').slice(0, size);
  }

  private httpRequest(): string {
    const p = this.prng;
    const path = `/${this.word()}/${this.word()}${p.chance(0.4) ? `?id=${p.range(1, 99999)}` : ''}`;
    const method = p.chance(0.8) ? 'GET' : 'POST';
    return (
      `${method} ${path} HTTP/1.1\r\nHost: www.${this.word()}.com\r\n` +
      `User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:${p.range(100, 130)}.0) Gecko/20100101 Firefox/${p.range(100, 130)}.0\r\n` +
      `Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.5\r\nCookie: session=${p.u32().toString(16)}${p.u32().toString(16)}\r\n` +
      `Connection: keep-alive\r\n\r\n`
    );
  }

  private pgQuery(): Buffer {
    const p = this.prng;
    const sql = p.chance(0.7)
      ? `SELECT id, name, ${this.word()}_at, status FROM ${this.word()}s WHERE ${this.word()}_id = ${p.range(1, 999999)} ORDER BY id LIMIT ${p.range(1, 100)}`
      : `UPDATE ${this.word()}s SET status = '${this.word()}', updated_at = now() WHERE id = ${p.range(1, 999999)}`;
    const b = Buffer.alloc(1 + 4 + sql.length + 1);
    b[0] = 0x51; // 'Q': PostgreSQL simple query
    b.writeUInt32BE(4 + sql.length + 1, 1);
    b.write(sql, 5, 'latin1');
    return b;
  }

  /** PostgreSQL DataRow messages: length-prefixed text columns, the shape of mid-size query results. */
  private dbRowPool(size: number): Buffer {
    const b = Buffer.alloc(size);
    let o = 0;
    while (o < size - 128) {
      const cols = [String(this.prng.range(1, 999999)), this.word(), `2026-0${this.prng.range(1, 9)}-1${this.prng.range(0, 9)}`, this.word()];
      const len = 4 + 2 + cols.reduce((n, c) => n + 4 + c.length, 0);
      b[o] = 0x44; // 'D'
      b.writeUInt32BE(len, o + 1);
      b.writeUInt16BE(cols.length, o + 5);
      let q = o + 7;
      for (const c of cols) {
        b.writeUInt32BE(c.length, q);
        q += 4 + b.write(c, q + 4, 'latin1');
      }
      o = q;
    }
    return b;
  }

  private ntp(mode: number): Buffer {
    const b = Buffer.alloc(48);
    b[0] = mode;
    if (mode === 0x24) {
      b[1] = 2;
      b[2] = 6;
      b[3] = 0xe9;
      for (let i = 16; i < 48; i += 4) b.writeUInt32BE(this.prng.u32(), i);
    } else {
      b.writeUInt32BE(this.prng.u32(), 40);
      b.writeUInt32BE(this.prng.u32(), 44);
    }
    return b;
  }
}
