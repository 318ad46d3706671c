/**
 * Mixes a real attack capture into a benign capture as a compromised VM: the attack's packets are
 * shifted to start `atSec` into the benign capture, the attacker's IPv4 address and MAC become the
 * VM's (replies follow, so they reach the VM), the peer-side MAC becomes the VM's usual gateway, and
 * both streams are merged by timestamp. The label written beside it covers exactly the attack's packets.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AttackKind, AttackLabel } from '../../sources/synthetic';
import { labelsToJsonl, parseLabelsJsonl } from '../../sources/synthetic';
import { CaptureFileReader, LinkType, PcapWriter } from '../../sources/pcap';
import { formatIpv4, parseIpv4 } from '../../sources/net';
import { decodeFrameToPacketEvent, FrameDecodeContext } from '../../sources/packet-event-decoder';
import { loadInventoryFile } from '../../sources/inventory';
import { ipv4Offset, rewriteFrame } from './frame-rewrite';
import { MixError } from './mix-error';
import { inventoryIps, loadVmAddress, macBytes } from './vm-address';

export interface MixOptions {
  benign: string;
  benignInventory: string;
  /** Labels of attacks already in the benign capture, kept in the output. */
  benignLabels?: string;
  attack: string;
  vmId: string;
  /** Seconds after the benign capture's first packet where the attack starts (default 0). */
  atSec?: number;
  /** The attacker's IPv4 address; default: the source address sending the most packets. */
  attacker?: string;
  /**
   * Gaps between attack packets longer than this are shortened to it (seconds; default: keep the
   * timeline). Bursts keep their own timing; only the idle time between them shrinks.
   */
  maxGapSec?: number;
  /** Attack kind written in the label (default 'port_scan'). */
  kind?: AttackKind;
  out: string;
}

export interface MixResult {
  pcapPath: string;
  labelsPath: string;
  inventoryPath: string;
  label: AttackLabel;
  benignPackets: number;
  attackPackets: number;
  /** Attack-capture frames left out: not IPv4, or not to/from the attacker. */
  attackFramesDropped: number;
  attacker: string;
  /** Span of the attack before and after gap compression, seconds. */
  originalSpanSec: number;
  mixedSpanSec: number;
  /** The VM's gateway MAC written on the peer side, or null when the VM had no benign traffic. */
  gatewayMac: string | null;
}

interface AttackFrame {
  tsUs: number;
  bytes: Uint8Array;
  origLen: number;
}

const read32 = (b: Uint8Array, p: number): number => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;

/** Reads the attack capture whole (real attack captures are small): IPv4 frames with their addresses. */
function readAttack(file: string): { frames: AttackFrame[]; src: number[]; dst: number[]; dropped: number } {
  const reader = CaptureFileReader.open(file);
  const frames: AttackFrame[] = [];
  const src: number[] = [];
  const dst: number[] = [];
  let dropped = 0;
  try {
    for (let f = reader.next(); f !== null; f = reader.next()) {
      if (f.linkType !== LinkType.ETHERNET) throw new MixError(file, `packet ${f.index + 1}: link type ${f.linkType}, only Ethernet captures can be mixed`);
      const bytes = Uint8Array.from(f.buf.subarray(f.offset, f.offset + f.capLen));
      const ip = ipv4Offset(bytes, 0, bytes.length);
      if (ip < 0) { dropped++; continue; }
      frames.push({ tsUs: f.tsUs, bytes, origLen: f.origLen });
      src.push(read32(bytes, ip + 12));
      dst.push(read32(bytes, ip + 16));
    }
  } finally {
    reader.close();
  }
  if (reader.error) throw reader.error;
  return { frames, src, dst, dropped };
}

function mostFrequent(values: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = -1, bestN = 0;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > bestN) { best = v; bestN = n; }
  }
  return best;
}

export function mixCapture(o: MixOptions): MixResult {
  const atSec = o.atSec ?? 0;
  if (!(atSec >= 0)) throw new MixError('--at', `must be a non-negative number of seconds, got ${atSec}`);
  if (o.maxGapSec !== undefined && !(o.maxGapSec > 0)) throw new MixError('--max-gap', `must be a positive number of seconds, got ${o.maxGapSec}`);
  const vm = loadVmAddress(o.benignInventory, o.vmId);
  const atk = readAttack(o.attack);
  if (atk.frames.length === 0) throw new MixError(o.attack, 'no IPv4 packet to mix');
  const attacker = o.attacker !== undefined ? parseIpv4(o.attacker) : mostFrequent(atk.src);
  if (attacker < 0) throw new MixError('--attacker', `'${o.attacker}' is not an IPv4 address`);

  // Keep the packets to or from the attacker, in time order, and learn the attack's peers.
  const kept: AttackFrame[] = [];
  const peers = new Set<string>();
  let dropped = atk.dropped;
  atk.frames.forEach((f, i) => {
    if (atk.src[i] === attacker) peers.add(formatIpv4(atk.dst[i]));
    else if (atk.dst[i] === attacker) peers.add(formatIpv4(atk.src[i]));
    else { dropped++; return; }
    kept.push(f);
  });
  if (kept.length === 0) throw new MixError(o.attack, `no packet to or from the attacker ${formatIpv4(attacker)}`);
  kept.sort((a, b) => a.tsUs - b.tsUs);
  const vmIps = inventoryIps(readFileSync(o.benignInventory, 'utf8'));
  for (const p of peers) {
    if (vmIps.has(p)) throw new MixError(o.attack, `the attack's peer ${p} is a VM of the benign inventory; its packets would be attributed to that VM`);
  }

  // New timeline: offsets from the first attack packet, idle gaps capped at maxGapSec.
  const maxGapUs = o.maxGapSec !== undefined ? Math.round(o.maxGapSec * 1e6) : Number.POSITIVE_INFINITY;
  const offsets = new Float64Array(kept.length);
  for (let i = 1; i < kept.length; i++) offsets[i] = offsets[i - 1] + Math.min(kept[i].tsUs - kept[i - 1].tsUs, maxGapUs);

  // Pass 1 over the benign capture: its start, the VM's gateway MAC, whether the VM already talks
  // to the attack's peers (knownPeer), and whether it does so during the attack (labels would be wrong).
  const first = CaptureFileReader.open(o.benign);
  const firstFrame = first.next();
  const benignStartUs = firstFrame?.tsUs ?? 0;
  first.close();
  if (firstFrame === null) throw first.error ?? new MixError(o.benign, 'the benign capture holds no packet');
  const startUs = benignStartUs + Math.round(atSec * 1e6);
  const endUs = startUs + offsets[kept.length - 1];
  const ctx = new FrameDecodeContext({ inventory: loadInventoryFile(o.benignInventory), payloadSampleBytes: 0 });
  const gatewayMacs = new Map<number, number>();
  let knownPeer = false;
  let collisions = 0;
  let benignPackets = 0;
  const scan = CaptureFileReader.open(o.benign);
  try {
    for (let f = scan.next(); f !== null; f = scan.next()) {
      benignPackets++;
      if (f.linkType !== LinkType.ETHERNET) throw new MixError(o.benign, `packet ${f.index + 1}: link type ${f.linkType}, only Ethernet captures can be mixed`);
      const ev = decodeFrameToPacketEvent(f, ctx);
      if (ev === null || ev.vmId !== vm.vmId) continue;
      const p = ctx.decoder.packet;
      const peerMac = ev.direction === 'EGRESS' ? p.dstMac : p.srcMac;
      gatewayMacs.set(peerMac, (gatewayMacs.get(peerMac) ?? 0) + 1);
      const peer = ev.direction === 'INGRESS' ? ev.srcIp : ev.dstIp;
      if (!peers.has(peer)) continue;
      if (ev.tsUs < startUs) knownPeer = true;
      else if (ev.tsUs <= endUs) collisions++;
    }
  } finally {
    scan.close();
  }
  if (scan.error) throw scan.error;
  if (collisions > 0) {
    throw new MixError(o.benign, `${collisions} benign packets of ${vm.vmId} talk to the attack's peers during the attack window; the labels could not tell them apart: choose another VM or --at`);
  }
  let gateway = -1, gatewayN = 0;
  for (const [mac, n] of gatewayMacs) if (n > gatewayN) { gateway = mac; gatewayN = n; }
  const peerMac = gateway >= 0 ? macBytes(gateway) : null;

  // Rewrite the attack frames and note the VM-side ports.
  let minPort = 65535, maxPort = 0;
  for (const f of kept) {
    const side = rewriteFrame(f.bytes, 0, f.bytes.length, { from: attacker, to: vm.ip4, toMac: vm.mac, peerMac });
    const ip = ipv4Offset(f.bytes, 0, f.bytes.length);
    const proto = f.bytes[ip + 9];
    const l4 = ip + (f.bytes[ip] & 0x0f) * 4;
    if ((proto === 6 || proto === 17) && l4 + 4 <= f.bytes.length) {
      const port = side === 'src' ? (f.bytes[l4] << 8) | f.bytes[l4 + 1] : (f.bytes[l4 + 2] << 8) | f.bytes[l4 + 3];
      if (port < minPort) minPort = port;
      if (port > maxPort) maxPort = port;
    }
  }

  // Pass 2: merge by timestamp (benign first on equal timestamps).
  mkdirSync(o.out, { recursive: true });
  const pcapPath = join(o.out, 'capture.pcap');
  const writer = new PcapWriter(pcapPath, LinkType.ETHERNET);
  const merge = CaptureFileReader.open(o.benign);
  let k = 0;
  try {
    for (let f = merge.next(); f !== null; f = merge.next()) {
      while (k < kept.length && startUs + offsets[k] < f.tsUs) {
        writer.write(startUs + offsets[k], kept[k].bytes, kept[k].origLen);
        k++;
      }
      writer.write(f.tsUs, f.buf.subarray(f.offset, f.offset + f.capLen), f.origLen);
    }
    for (; k < kept.length; k++) writer.write(startUs + offsets[k], kept[k].bytes, kept[k].origLen);
  } finally {
    merge.close();
    writer.close();
  }

  const name = basename(o.attack);
  const label: AttackLabel = {
    id: `mix-${name.replace(/\.(pcapng|pcap)$/, '')}`,
    kind: o.kind ?? 'port_scan',
    vmId: vm.vmId,
    accountId: vm.accountId,
    vnetId: vm.vnetId,
    startUs,
    endUs,
    packets: kept.length,
    knownPeer,
    peerIp: peers.size === 1 ? [...peers][0] : null,
    localPorts: minPort <= maxPort ? [minPort, maxPort] : [0, 0],
    peerIps: [...peers].sort(),
    capture: name,
  };
  const earlier = o.benignLabels !== undefined ? parseLabelsJsonl(readFileSync(o.benignLabels, 'utf8'), o.benignLabels) : [];
  const labelsPath = join(o.out, 'labels.jsonl');
  writeFileSync(labelsPath, labelsToJsonl([...earlier, label]));
  const inventoryPath = join(o.out, 'inventory.csv');
  copyFileSync(o.benignInventory, inventoryPath);
  return {
    pcapPath,
    labelsPath,
    inventoryPath,
    label,
    benignPackets,
    attackPackets: kept.length,
    attackFramesDropped: dropped,
    attacker: formatIpv4(attacker),
    originalSpanSec: (kept[kept.length - 1].tsUs - kept[0].tsUs) / 1e6,
    mixedSpanSec: offsets[kept.length - 1] / 1e6,
    gatewayMac: peerMac === null ? null : [...peerMac].map((b) => b.toString(16).padStart(2, '0')).join(':'),
  };
}
