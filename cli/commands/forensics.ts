/**
 * `prescient forensics`: queries the local forensic store. Anomalies as a table, JSON lines or a pcap
 * of their actual packets; incidents; the explain view of one anomaly. A filter that matches nothing
 * (a VM the store never saw included) prints an empty result and says why on stderr, exit 0.
 */
import {
  ForensicStoreError, exportPcap, explain, formatAnomalyTable, formatExplanation, formatIncidentTable, isSeverity, openForReading,
  ForensicStoreReader, FrameBuildError, toJsonLine, SEVERITIES, type AnomalyQuery,
} from '../../sinks';
import { ExitCode } from '../exit-codes';

export interface ForensicsCommandOptions {
  store: string;
  vm?: string;
  account?: string;
  since?: string;
  until?: string;
  severity?: string;
  incident?: string;
  incidents?: boolean;
  explain?: string;
  format?: string;
  output?: string;
  limit?: number;
}

export interface ForensicsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STD_IO: ForensicsIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

class ArgumentError extends Error {}

const TABLE_ROWS = 1000;

/** ISO 8601 or an integer of microseconds since the epoch. */
export function parseTimeUs(flag: string, v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new ArgumentError(`${flag} '${v}' is neither an ISO 8601 time nor microseconds since the epoch`);
  return ms * 1000;
}

/** Returns the exit code; writes results to `io.out` and messages to `io.err`. */
export function forensicsCommand(o: ForensicsCommandOptions, io: ForensicsIo = STD_IO): number {
  try {
    return run(o, io);
  } catch (err) {
    if (err instanceof ForensicStoreError || err instanceof ArgumentError) {
      io.err(`prescient forensics: ${err.message}\n`);
      return ExitCode.BAD_INPUT;
    }
    if (err instanceof FrameBuildError) {
      io.err(`prescient forensics: cannot export ${err.message}\n`);
      return ExitCode.FAILURE;
    }
    throw err;
  }
}

function run(o: ForensicsCommandOptions, io: ForensicsIo): number {
  const format = o.format ?? 'table';
  if (!['table', 'json', 'pcap'].includes(format)) throw new ArgumentError(`--format must be table, json or pcap, got '${format}'`);
  if (format === 'pcap' && o.output === undefined) throw new ArgumentError('--format pcap needs -o FILE');
  if (format === 'pcap' && (o.incidents || o.explain !== undefined)) throw new ArgumentError('--format pcap exports anomalies; it does not apply to --incidents or --explain');
  if (o.severity !== undefined && !isSeverity(o.severity)) throw new ArgumentError(`--severity must be one of ${SEVERITIES.join(', ')}, got '${o.severity}'`);
  const q: AnomalyQuery = {
    vmId: o.vm,
    accountId: o.account,
    sinceUs: o.since !== undefined ? parseTimeUs('--since', o.since) : undefined,
    untilUs: o.until !== undefined ? parseTimeUs('--until', o.until) : undefined,
    minSeverity: o.severity !== undefined && isSeverity(o.severity) ? o.severity : undefined,
    incidentId: o.incident,
    limit: o.limit,
  };
  const db = openForReading(o.store);
  try {
    const store = new ForensicStoreReader(db);
    const write = (text: string): void => io.out(text);

    if (o.explain !== undefined) {
      const rec = store.getAnomaly(o.explain);
      if (rec === null) {
        io.err(`no anomaly '${o.explain}' in ${o.store} (ids are listed in the table and JSON output)\n`);
        return ExitCode.OK;
      }
      const e = explain(rec);
      write(format === 'json' ? toJsonLine(e) + '\n' : formatExplanation(e, rec.anomaly.actual) + '\n');
      return ExitCode.OK;
    }

    if (o.incidents) {
      const incidents = store.queryIncidents({ vmId: q.vmId, accountId: q.accountId, sinceUs: q.sinceUs, untilUs: q.untilUs, minSeverity: q.minSeverity, incidentId: q.incidentId, limit: q.limit });
      if (incidents.length === 0) io.err(emptyMessage(store, o, 'incidents'));
      else if (format === 'json') for (const i of incidents) write(JSON.stringify(i) + '\n');
      else write(formatIncidentTable(incidents) + '\n');
      return ExitCode.OK;
    }

    if (format === 'pcap') {
      const n = exportPcap(store.iterateAnomalies(q), o.output as string);
      if (n === 0) io.err(emptyMessage(store, o, 'anomalies'));
      io.err(`${n} packets -> ${o.output} (headers rebuilt from the stored fields; payload beyond the stored sample is not kept)\n`);
      return ExitCode.OK;
    }

    let n = 0;
    if (format === 'json') {
      for (const r of store.iterateAnomalies(q)) {
        write(toJsonLine(r) + '\n');
        n++;
      }
    } else {
      // A table is for reading: without --limit it stops at TABLE_ROWS and says so (JSON has no cap).
      const records = store.queryAnomalies(q.limit === undefined ? { ...q, limit: TABLE_ROWS + 1 } : q);
      const more = q.limit === undefined && records.length > TABLE_ROWS;
      if (more) records.length = TABLE_ROWS;
      n = records.length;
      if (n > 0) write(formatAnomalyTable(records) + '\n');
      if (more) io.err(`first ${TABLE_ROWS} anomalies shown; narrow the filters, or use --limit N or --format json for all\n`);
    }
    if (n === 0) io.err(emptyMessage(store, o, 'anomalies'));
    return ExitCode.OK;
  } finally {
    db.close();
  }
}

/** Why nothing came back: an unknown VM / account, or filters that match nothing. */
function emptyMessage(store: ForensicStoreReader, o: ForensicsCommandOptions, what: string): string {
  if (o.vm !== undefined && !store.knowsVm(o.vm)) return `no ${what}: VM '${o.vm}' has no anomalies in ${o.store} (unknown VM, or nothing anomalous on it)\n`;
  if (o.account !== undefined && !store.knowsAccount(o.account)) return `no ${what}: account '${o.account}' has no anomalies in ${o.store}\n`;
  const c = store.counts();
  return `no ${what} match these filters (the store holds ${c.anomalies} anomalies on ${c.vms} VMs, ${c.incidents} incidents)\n`;
}
