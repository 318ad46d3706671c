/**
 * `prescient run --enforcer <kind>`: enforces the `mitigations` stream in-process through an enforcer
 * sink (apply off the hot path, in order per VM, with retries), for the embedded pipeline and the lab.
 */
import { FanOutSink, type StreamSink } from '../../sinks';
import type { EnforcerLog } from '../../sinks/enforcers';
import { closeEnforcer, type LinuxEnforcerFlags } from './enforcer-options';

export interface RunEnforcerOptions extends LinuxEnforcerFlags {
  /** log | webhook | nftables | tc | linux; unset: decisions are only written out. */
  enforcer?: string;
  /** Webhook URL for --enforcer webhook. */
  enforcerUrl?: string;
  /** Target netns of a Linux enforcer; default `netns` (the live capture's). */
  enforceNetns?: string;
}

export interface AttachedEnforcer {
  /** Waits for every decision to be applied (or to fail every attempt), reports, stops the sweeper. */
  close(): Promise<void>;
}

export async function attachEnforcer(sinks: Record<string, StreamSink>, o: RunEnforcerOptions, log: EnforcerLog): Promise<AttachedEnforcer | null> {
  if (o.enforcer === undefined) return null;
  // Loaded on demand: enforce pulls in bullmq, which a plain run does not need.
  const { createEnforcerFromOptions } = await import('./enforce');
  const enforcer = await createEnforcerFromOptions({ ...o, enforcer: o.enforcer, url: o.enforcerUrl, netns: o.enforceNetns ?? o.netns }, log);
  const { createEnforcerSink } = await import('../../sinks/enforcers');
  const sink = createEnforcerSink(enforcer, { log });
  sinks.mitigations = sinks.mitigations === undefined ? sink : new FanOutSink([sinks.mitigations, sink]);
  log.info({ enforcer: enforcer.kind, netns: o.enforceNetns ?? o.netns ?? null, stateDir: o.stateDir ?? null }, 'enforcing mitigations in-process');
  return {
    async close() {
      await sink.close();
      closeEnforcer(enforcer);
      const stats = sink.stats();
      const times = sink.enforcementTimes().map((t) => t.applyMs).sort((a, b) => a - b);
      const p50 = times.length > 0 ? times[Math.floor(times.length / 2)] : null;
      const report = { enforcer: enforcer.kind, ...stats, applyMsP50: p50, applyMsMax: times.at(-1) ?? null };
      if (stats.failed > 0) log.error(report, `${stats.failed} mitigation decision(s) were not enforced (see the errors above)`);
      else log.info(report, 'enforcement done');
    },
  };
}
