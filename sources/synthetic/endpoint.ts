/** A host a packet comes from or goes to: a VM of the region, or an external peer (vm = null). */
import type { VmInfo } from './vm-info';

export class Endpoint {
  /** Dotted IPv4, built once so that events share the string instead of formatting it per packet. */
  readonly ip: string;

  constructor(
    readonly ipNum: number,
    /** MAC on the wire; for an external peer this is unused (frames carry the vnet gateway's MAC). */
    readonly mac: Buffer,
    readonly vm: VmInfo | null,
    /** Path round-trip time to this host from the region, microseconds. */
    readonly rttUs: number,
  ) {
    this.ip = formatIpv4(ipNum);
  }
}

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

export function formatMac(mac: Buffer): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(mac[i].toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** 02:00 (locally administered) followed by the IPv4 address, so a VM's MAC says its address. */
export function macForIp(ipNum: number): Buffer {
  const m = Buffer.alloc(6);
  m[0] = 0x02;
  m.writeUInt32BE(ipNum >>> 0, 2);
  return m;
}
