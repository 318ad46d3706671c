/**
 * The forensic outputs of an embedded run, added beside the run's own sinks: the store
 * (<out>/forensics.db, streams `forensics` and `mitigations`) and EVE alerts (<out>/alerts.eve.json).
 * The store is written first in each fan-out so an alert can name the incident its anomaly joined.
 */
import { join } from 'node:path';
import type { StreamSink } from '../stream-sink';
import { FanOutSink } from '../fan-out';
import { EveAlertSink } from '../alerts';
import { ForensicStore, type ForensicStoreOptions } from './forensic-store';
import { ForensicStoreSink } from './forensic-store-sink';

export interface ForensicOutputsOptions {
  /** Write the local store (default true; `--no-store` turns it off). */
  store?: boolean;
  storeOptions?: ForensicStoreOptions;
}

export interface ForensicOutputs {
  store: ForensicStore | null;
  storePath: string | null;
  alertsPath: string;
  /** Flushes and closes what was attached (the run's own sinks are left alone). */
  close(): Promise<void>;
}

export const FORENSIC_STORE_FILE = 'forensics.db';
export const ALERTS_FILE = 'alerts.eve.json';

/** Replaces `sinks.forensics` and `sinks.mitigations` by fan-outs that also feed the store and the alerts. */
export function attachForensicSinks(sinks: Record<string, StreamSink>, outDir: string, options: ForensicOutputsOptions = {}): ForensicOutputs {
  const storePath = options.store === false ? null : join(outDir, FORENSIC_STORE_FILE);
  const store = storePath === null ? null : new ForensicStore(storePath, options.storeOptions);
  const storeSink = store === null ? null : new ForensicStoreSink(store);
  const alertsPath = join(outDir, ALERTS_FILE);
  const alerts = new EveAlertSink(alertsPath, { incidentOf: store === null ? undefined : (vm) => store.currentIncidentId(vm) });
  const wrap = (stream: string, mine: StreamSink[]): void => {
    const theirs = sinks[stream];
    if (mine.length === 0) return;
    sinks[stream] = new FanOutSink(theirs === undefined ? mine : [...mine, theirs]);
  };
  wrap('forensics', storeSink === null ? [alerts] : [storeSink, alerts]);
  wrap('mitigations', storeSink === null ? [] : [storeSink]);
  return {
    store,
    storePath,
    alertsPath,
    async close(): Promise<void> {
      await alerts.close();
      await storeSink?.close();
    },
  };
}
