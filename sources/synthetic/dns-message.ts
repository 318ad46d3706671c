/** DNS messages on the wire (RFC 1035), built once per name and reused as payloads. */

export const DnsType = { A: 1, TXT: 16 } as const;

export function encodeQname(name: string): Buffer {
  const parts = name.split('.').filter((p) => p.length > 0);
  const out = Buffer.alloc(parts.reduce((n, p) => n + p.length + 1, 1));
  let o = 0;
  for (const p of parts) {
    out[o++] = p.length;
    o += out.write(p, o, 'latin1');
  }
  out[o] = 0;
  return out;
}

export function dnsQuery(txid: number, name: string, qtype: number): Buffer {
  const q = encodeQname(name);
  const b = Buffer.alloc(12 + q.length + 4);
  b.writeUInt16BE(txid & 0xffff, 0);
  b.writeUInt16BE(0x0100, 2); // standard query, recursion desired
  b.writeUInt16BE(1, 4);
  q.copy(b, 12);
  b.writeUInt16BE(qtype, 12 + q.length);
  b.writeUInt16BE(1, 14 + q.length);
  return b;
}

/** The answer to `query`: the question echoed plus one record per rdata (name compressed to the question). */
export function dnsAnswer(query: Buffer, qtype: number, rdatas: Buffer[], ttl: number): Buffer {
  const parts = [query];
  for (const rd of rdatas) {
    const rr = Buffer.alloc(12 + rd.length);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(qtype, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(rd.length, 10);
    rd.copy(rr, 12);
    parts.push(rr);
  }
  const b = Buffer.concat(parts);
  b.writeUInt16BE(rdatas.length > 0 ? 0x8180 : 0x8183, 2); // response, RA; NXDOMAIN when empty
  b.writeUInt16BE(rdatas.length, 6);
  return b;
}

/** TXT rdata: length-prefixed strings of at most 255 bytes. */
export function txtRdata(text: string): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; i < text.length; i += 255) {
    const s = Buffer.from(text.slice(i, i + 255), 'latin1');
    chunks.push(Buffer.from([s.length]), s);
  }
  return Buffer.concat(chunks);
}
