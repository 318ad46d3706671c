/**
 * The packets a step sends, read into memory before the step starts so reading and decoding them
 * is not part of what is measured: synthetic traffic (deterministic by seed) or a capture.
 */
import type { PacketEvent } from '../../schemas/types';
import { PcapSource } from '../../sources/pcap-source';
import { generateEvents } from '../../sources/synthetic';
import type { TrafficConfig } from './bench-config';
import { BenchConfigError } from './bench-errors';

/** Packets per second per VM of the synthetic generator at rateScale 2 (measured: 200 VMs -> ~9.4k/s). */
const SYNTHETIC_PPS_PER_VM = 23;

export async function loadTrafficPool(t: TrafficConfig, count: number, configFile = '<bench config>'): Promise<PacketEvent[]> {
  if (t.kind === 'synthetic') {
    // Generous traffic time so the run has `count` packets; the generator stops at count.
    const durationSec = Math.ceil((count / (t.vms * SYNTHETIC_PPS_PER_VM)) * 1.5) + 10;
    const { events } = generateEvents({ seed: t.seed, vmCount: t.vms, accounts: 10, vnetsPerAccount: 4, durationSec, rateScale: 2, attacks: [] }, count);
    if (events.length < count) throw new BenchConfigError(configFile, 'traffic', `synthetic traffic of ${t.vms} VMs gave ${events.length} packets, fewer than the ${count} needed: raise traffic.vms`);
    return events;
  }
  const src = new PcapSource({ path: t.path, inventory: t.inventory });
  const events: PacketEvent[] = [];
  try {
    for await (const b of src.batches()) {
      for (const p of b) {
        events.push(p);
        if (events.length >= count) return events;
      }
    }
  } finally {
    await src.close();
  }
  throw new BenchConfigError(configFile, 'traffic.path', `${t.path} holds ${events.length} packets, fewer than the ${count} the fastest step needs: lower the rates or durationSec, or use a bigger capture`);
}
