/**
 * The nftables text Prescient loads: one `bridge prescient` table whose chain matches named sets, so an
 * action is a set element (with its own kernel `timeout`) and every change is one `nft -f -` transaction.
 * The bridge family sees frames crossing a bridge between namespaces without br_netfilter.
 */
import { isIPv4 } from 'node:net';
import type { FlowRef } from '../../schemas/types';
import { EnforcerConfigError } from './enforcer-errors';
import type { VmAddresses } from './vm-addresses';

export const NFT_FAMILY = 'bridge';
export const NFT_TABLE = 'prescient';
const T = `${NFT_FAMILY} ${NFT_TABLE}`;

/** One element of one of our sets; what a state record keeps so a lift needs no inventory. */
export interface NftElement {
  set: string;
  element: string;
}

/** A peer an isolated VM may still talk to: `proto:port@address`, e.g. `udp:53@10.0.0.53`. */
export interface IsolateAllowEntry {
  address: string;
  protocol: number;
  port: number;
}

const PROTO: Record<string, number> = { tcp: 6, udp: 17, sctp: 132 };
const PORTED = new Set([6, 17, 132]);

export function parseIsolateAllow(list: string | undefined, source = '--isolate-allow'): IsolateAllowEntry[] {
  if (list === undefined || list.trim() === '') return [];
  return list.split(',').map((raw, i) => {
    const m = /^(tcp|udp|sctp):([0-9]{1,5})@(.+)$/.exec(raw.trim());
    const address = m?.[3] ?? '';
    const port = Number(m?.[2]);
    if (!m || port > 65535 || !(isIPv4(address) || address.includes(':'))) {
      throw new EnforcerConfigError(`${source}[${i}]`, `'${raw}' is not proto:port@address (e.g. udp:53@10.0.0.53)`);
    }
    return { address, protocol: PROTO[m[1]], port };
  });
}

/** Creates the table, sets and chain if missing and rewrites the chain's rules; active set elements are kept. */
export function baseRuleset(allow: readonly IsolateAllowEntry[]): string {
  const set = (name: string, type: string, flags: string): string => `add set ${T} ${name} { type ${type}; flags ${flags}; }`;
  const lines = [
    `add table ${T}`,
    set('drop_mac', 'ether_addr', 'timeout'),
    set('drop_ip4', 'ipv4_addr', 'interval, timeout'),
    set('drop_ip6', 'ipv6_addr', 'interval, timeout'),
    set('drop_flow4', 'ipv4_addr . inet_proto . inet_service . ipv4_addr . inet_service', 'timeout'),
    set('drop_flow6', 'ipv6_addr . inet_proto . inet_service . ipv6_addr . inet_service', 'timeout'),
    set('drop_pair4', 'ipv4_addr . inet_proto . ipv4_addr', 'timeout'),
    set('drop_pair6', 'ipv6_addr . inet_proto . ipv6_addr', 'timeout'),
    set('iso_mac', 'ether_addr', 'timeout'),
    set('iso_ip4', 'ipv4_addr', 'interval, timeout'),
    set('iso_ip6', 'ipv6_addr', 'interval, timeout'),
    set('iso_allow4', 'ipv4_addr . inet_proto . inet_service', 'timeout'),
    set('iso_allow6', 'ipv6_addr . inet_proto . inet_service', 'timeout'),
    `add chain ${T} forward { type filter hook forward priority filter; policy accept; }`,
    `flush chain ${T} forward`,
    `flush set ${T} iso_allow4`,
    `flush set ${T} iso_allow6`,
  ];
  const rule = (r: string): void => { lines.push(`add rule ${T} forward ${r}`); };
  // Order matters: flow drops, then VM drops, then the isolation allow-list, then isolation drops.
  rule('ip saddr . meta l4proto . th sport . ip daddr . th dport @drop_flow4 counter drop');
  rule('ip saddr . ip protocol . ip daddr @drop_pair4 counter drop');
  rule('ip6 saddr . meta l4proto . th sport . ip6 daddr . th dport @drop_flow6 counter drop');
  rule('ip6 saddr . ip6 nexthdr . ip6 daddr @drop_pair6 counter drop');
  for (const dir of ['saddr', 'daddr']) {
    rule(`ether ${dir} @drop_mac counter drop`);
    rule(`ip ${dir} @drop_ip4 counter drop`);
    rule(`ip6 ${dir} @drop_ip6 counter drop`);
  }
  // An isolated VM still resolves its allowed peers' MACs.
  rule('ether type arp accept');
  rule('icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept');
  for (const [who, peer, port] of [['saddr', 'daddr', 'dport'], ['daddr', 'saddr', 'sport']]) {
    rule(`ether ${who} @iso_mac ip ${peer} . meta l4proto . th ${port} @iso_allow4 accept`);
    rule(`ether ${who} @iso_mac ip6 ${peer} . meta l4proto . th ${port} @iso_allow6 accept`);
    rule(`ip ${who} @iso_ip4 ip ${peer} . meta l4proto . th ${port} @iso_allow4 accept`);
    rule(`ip6 ${who} @iso_ip6 ip6 ${peer} . meta l4proto . th ${port} @iso_allow6 accept`);
  }
  for (const dir of ['saddr', 'daddr']) {
    rule(`ether ${dir} @iso_mac counter drop`);
    rule(`ip ${dir} @iso_ip4 counter drop`);
    rule(`ip6 ${dir} @iso_ip6 counter drop`);
  }
  for (const a of allow) {
    const v4 = isIPv4(a.address);
    lines.push(`add element ${T} ${v4 ? 'iso_allow4' : 'iso_allow6'} { ${a.address} . ${a.protocol} . ${a.port} }`);
  }
  return lines.join('\n') + '\n';
}

/** Elements that drop all of a VM's traffic (both directions), by MAC and by IP. */
export function vmDropElements(a: VmAddresses): NftElement[] {
  return [
    ...a.mac.map((element) => ({ set: 'drop_mac', element })),
    ...a.ip4.map((element) => ({ set: 'drop_ip4', element })),
    ...a.ip6.map((element) => ({ set: 'drop_ip6', element })),
  ];
}

/** Elements that isolate a VM: everything dropped except the isolation allow-list. */
export function vmIsolateElements(a: VmAddresses): NftElement[] {
  return [
    ...a.mac.map((element) => ({ set: 'iso_mac', element })),
    ...a.ip4.map((element) => ({ set: 'iso_ip4', element })),
    ...a.ip6.map((element) => ({ set: 'iso_ip6', element })),
  ];
}

/** Elements that drop one flow in both directions (replies too); port-less protocols match on addresses. */
export function flowDropElements(f: FlowRef): NftElement[] {
  const v4 = isIPv4(f.srcIp);
  if (v4 !== isIPv4(f.dstIp)) throw new EnforcerConfigError('decision.flow', `mixed IPv4/IPv6 flow ${f.srcIp} -> ${f.dstIp}`);
  const p = f.protocol;
  if (PORTED.has(p)) {
    const set = v4 ? 'drop_flow4' : 'drop_flow6';
    return [
      { set, element: `${f.srcIp} . ${p} . ${f.srcPort} . ${f.dstIp} . ${f.dstPort}` },
      { set, element: `${f.dstIp} . ${p} . ${f.dstPort} . ${f.srcIp} . ${f.srcPort}` },
    ];
  }
  const set = v4 ? 'drop_pair4' : 'drop_pair6';
  return [{ set, element: `${f.srcIp} . ${p} . ${f.dstIp}` }, { set, element: `${f.dstIp} . ${p} . ${f.srcIp}` }];
}

const key = (e: NftElement): string => `${e.set}|${e.element}`;

/**
 * One transaction: adds (or renews) `add` with a timeout and removes `remove`. Each element is first
 * added without a timeout so the delete that follows never fails on an element the kernel already expired.
 */
export function changeTransaction(add: readonly NftElement[], ttlMs: number, remove: readonly NftElement[]): string {
  const adding = new Set(add.map(key));
  const lines: string[] = [];
  for (const e of [...remove.filter((r) => !adding.has(key(r))), ...add]) {
    lines.push(`add element ${T} ${e.set} { ${e.element} }`, `delete element ${T} ${e.set} { ${e.element} }`);
  }
  const ms = Math.max(1000, Math.ceil(ttlMs));
  for (const e of add) lines.push(`add element ${T} ${e.set} { ${e.element} timeout ${ms}ms }`);
  return lines.join('\n') + '\n';
}
