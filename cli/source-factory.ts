/**
 * Turns a topology's `source:` section (plus command-line overrides) into a PacketSource.
 * Kafka sources run under `prescient worker`; asking for one here says so.
 */
import { resolve } from 'node:path';
import type { SourceSpec } from '../topology';
import { ATTACK_KINDS, LiveCaptureSource, PcapSource, SyntheticSource, type AttackSpec, type PacketSource } from '../sources';

export interface SourceOverrides {
  pcap?: string;
  synthetic?: boolean;
  inventory?: string;
  seed?: number;
  vms?: number;
  durationSec?: number;
  /** Cap on packets read (benchmarks, smoke tests). */
  maxPackets?: number;
  /** Live capture on this interface (tcpdump), optionally inside network namespace `netns`, with a BPF filter. */
  live?: string;
  netns?: string;
  bpf?: string;
}

export class SourceConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`source.${field}: ${message}`);
    this.name = 'SourceConfigError';
  }
}

/**
 * One attack of each kind, all in the second half of the run, so every VM has a baseline and a
 * calibrated threshold before its attack starts (the demo should show detection, not warm-up).
 */
export function demoAttackPlan(durationSec: number): AttackSpec[] {
  const start = durationSec * 0.45;
  const slot = (durationSec - start) / ATTACK_KINDS.length;
  const len = Math.max(1, Math.min(15, slot * 0.7));
  return ATTACK_KINDS.map((kind, i) => ({ kind, atSec: Math.round((start + slot * i) * 1000) / 1000, durationSec: len }));
}

export function createSource(spec: SourceSpec, overrides: SourceOverrides, baseDir: string): PacketSource {
  if (overrides.pcap !== undefined) {
    return new PcapSource({ path: overrides.pcap, inventory: overrides.inventory ?? optionalString(spec, 'inventory', baseDir) });
  }
  if (overrides.live !== undefined || (!overrides.synthetic && spec.kind === 'live')) return createLiveSource(spec, overrides, baseDir);
  const kind = overrides.synthetic ? 'synthetic' : spec.kind;
  if (kind === 'pcap') {
    const path = optionalString(spec, 'path', baseDir);
    if (path === undefined) throw new SourceConfigError('path', 'a pcap source needs `path` (or run with --pcap FILE)');
    return new PcapSource({ path, inventory: overrides.inventory ?? optionalString(spec, 'inventory', baseDir) });
  }
  if (kind === 'synthetic') {
    // The generator validates its own fields (SyntheticConfigError names the path); we only fill defaults.
    const { kind: _kind, attacks, ...fields } = spec.kind === 'synthetic' ? spec : { kind: 'synthetic', attacks: undefined };
    const durationSec = overrides.durationSec ?? numberField(spec, 'durationSec') ?? 60;
    return new SyntheticSource(
      {
        seed: 42,
        vmCount: 64,
        ...fields,
        ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
        ...(overrides.vms !== undefined ? { vmCount: overrides.vms } : {}),
        durationSec,
        attacks: (attacks === undefined || attacks === 'default' ? demoAttackPlan(durationSec) : attacks) as AttackSpec[],
      },
      { maxPackets: overrides.maxPackets },
    );
  }
  throw new SourceConfigError('kind', `'${kind}' sources are not available in embedded mode yet; use synthetic or pcap (or --pcap FILE / --synthetic)`);
}

/**
 * `--live IF` (or `source: { kind: live, interface, netns, bpf, inventory }`): runs until --duration,
 * --max-packets or Ctrl-C, after which the run finishes normally and writes its summary.
 */
function createLiveSource(spec: SourceSpec, overrides: SourceOverrides, baseDir: string): PacketSource {
  const fromSpec = spec.kind === 'live';
  const iface = overrides.live ?? (fromSpec ? plainString(spec, 'interface') : undefined);
  if (iface === undefined) throw new SourceConfigError('interface', 'a live source needs `interface` (or run with --live IFACE)');
  return new LiveCaptureSource({
    iface,
    netns: overrides.netns ?? (fromSpec ? plainString(spec, 'netns') : undefined),
    bpf: overrides.bpf ?? (fromSpec ? plainString(spec, 'bpf') : undefined),
    inventory: overrides.inventory ?? optionalString(spec, 'inventory', baseDir),
    maxPackets: overrides.maxPackets,
    durationMs: overrides.durationSec !== undefined ? overrides.durationSec * 1000 : undefined,
    stopOnSignal: true,
  });
}

function plainString(spec: SourceSpec, field: string): string | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new SourceConfigError(field, `expected a string, got ${typeof v}`);
  return v;
}

function optionalString(spec: SourceSpec, field: string, baseDir: string): string | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new SourceConfigError(field, `expected a file path, got ${typeof v}`);
  return resolve(baseDir, v);
}

function numberField(spec: SourceSpec, field: string): number | undefined {
  const v = spec[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new SourceConfigError(field, `expected a number, got ${JSON.stringify(v)}`);
  return v;
}
