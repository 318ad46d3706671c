/**
 * The forensic store on hand-made records: incident correlation (gap window, per VM and per account,
 * severity, actions, deterministic ids, continued after reopening), replays, retention, and a corrupt file.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ForensicStore, ForensicStoreCorruptError, ForensicStoreError, ForensicStoreReader, openForReading } from '../../../../sinks/forensic-store';
import { forensic, MIN, T0 } from './make-record';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'prescient-forensic-'));

describe('ForensicStore incidents', () => {
  it('correlates per VM within the gap window, with severity, actions and top features', () => {
    const file = join(tmp(), 'f.db');
    const store = new ForensicStore(file, { batchSize: 2 });
    store.addForensic(forensic(T0, 'vm-1', { top: 'size' }));
    store.addForensic(forensic(T0 + 2 * MIN, 'vm-1', { action: 'RATE_LIMIT' }));
    // Another VM of the account, a little out of order (it comes from another task): same account incident.
    store.addForensic(forensic(T0 + 1 * MIN, 'vm-2', { accountId: 'acct-a' }));
    store.addForensic(forensic(T0 + 4 * MIN, 'vm-1', { score: 40, action: 'DROP' }));
    // 5 min + 1 us after the last one: a new incident.
    store.addForensic(forensic(T0 + 9 * MIN + 1, 'vm-1'));
    store.close();

    const r = new ForensicStoreReader(openForReading(file));
    const vm1 = r.queryIncidents({ vmId: 'vm-1' });
    expect(vm1.map((i) => i.id)).toEqual([`vm/vm-1/${T0 + 9 * MIN + 1}`, `vm/vm-1/${T0}`]);
    const first = vm1[1];
    expect(first).toMatchObject({ count: 3, firstTsUs: T0, lastTsUs: T0 + 4 * MIN, maxScore: 40, actions: ['RATE_LIMIT', 'DROP'], severity: 'high' });
    expect(first.topFeatures).toEqual({ size: 1, baseline: 2 });
    expect(vm1[0]).toMatchObject({ count: 1, severity: 'low', actions: [] });

    // The account incident spans both VMs.
    const acct = r.queryIncidents({ scope: 'account', accountId: 'acct-a' });
    expect(acct[acct.length - 1]).toMatchObject({ id: `account/acct-a/${T0}`, count: 4, vms: ['vm-1', 'vm-2'] });

    // Records carry their VM incident; querying by incident returns exactly its anomalies.
    const recs = r.queryAnomalies({ incidentId: first.id });
    expect(recs).toHaveLength(3);
    expect(recs.every((x) => x.incidentId === first.id)).toBe(true);
    expect(r.queryAnomalies({ incidentId: `account/acct-a/${T0}` })).toHaveLength(4);
    expect(r.queryAnomalies({ minSeverity: 'high' }).map((x) => x.anomaly.score)).toEqual([40]);
    expect(r.queryAnomalies({ minSeverity: 'critical' })).toEqual([]);
    expect(r.queryAnomalies({ vmId: 'vm-1', sinceUs: T0 + MIN, untilUs: T0 + 4 * MIN })).toHaveLength(2);
  });

  it('round-trips a record (payload, decision, reconstructed packets)', () => {
    const file = join(tmp(), 'f.db');
    const store = new ForensicStore(file);
    const rec = forensic(T0, 'vm-1', { action: 'ISOLATE' });
    const incident = store.addForensic(rec);
    store.close();
    const got = new ForensicStoreReader(openForReading(file)).getAnomaly(rec.anomaly.id)!;
    expect(got).toEqual({ ...rec, incidentId: incident });
    expect(Buffer.isBuffer(got.anomaly.actual.payload)).toBe(true);
  });

  it('goes on with the latest incident after reopening, and skips anomalies it already has', () => {
    const file = join(tmp(), 'f.db');
    const a = forensic(T0, 'vm-1');
    const b = forensic(T0 + MIN, 'vm-1');
    let store = new ForensicStore(file);
    store.addForensic(a);
    store.close();
    store = new ForensicStore(file);
    expect(store.addForensic(a)).toBeNull();
    expect(store.addForensic(b)).toBe(`vm/vm-1/${T0}`);
    store.close();
    expect(store.duplicates).toBe(1);
    const inc = new ForensicStoreReader(openForReading(file)).getIncident(`vm/vm-1/${T0}`)!;
    expect(inc.count).toBe(2);
    expect(inc.lastTsUs).toBe(T0 + MIN);
  });
});

describe('ForensicStore retention', () => {
  it('deletes rows older than the retention, measured from the newest anomaly, on open and on demand', () => {
    const file = join(tmp(), 'f.db');
    const store = new ForensicStore(file, { retentionUs: 60 * MIN });
    store.addForensic(forensic(T0, 'vm-old', { action: 'DROP' }));
    store.addForensic(forensic(T0 + 30 * MIN, 'vm-mid'));
    store.flush();
    expect(store.reader.counts().anomalies).toBe(2);
    store.addForensic(forensic(T0 + 100 * MIN, 'vm-new'));
    store.flush();
    const res = store.applyRetention();
    expect(res).toMatchObject({ cutoffUs: T0 + 40 * MIN, anomalies: 2, decisions: 1 });
    expect(res.incidents).toBeGreaterThanOrEqual(2);
    expect(store.reader.queryAnomalies().map((r) => r.anomaly.vmId)).toEqual(['vm-new']);
    expect(store.reader.queryIncidents({ vmId: 'vm-old' })).toEqual([]);
    store.close();

    // On open, with the wall clock as reference: everything is older than an hour before "now".
    const later = new ForensicStore(file, { retentionUs: 60 * MIN, retentionClock: 'wall', nowMs: () => (T0 + 200 * MIN) / 1000 });
    expect(later.reader.counts()).toMatchObject({ anomalies: 0, incidents: 0 });
    later.close();
  });

  it('keeps everything with retention 0', () => {
    const store = new ForensicStore(join(tmp(), 'f.db'), { retentionUs: 0 });
    store.addForensic(forensic(T0));
    store.addForensic(forensic(T0 + 1e6 * MIN));
    store.flush();
    expect(store.applyRetention().anomalies).toBe(0);
    expect(store.reader.counts().anomalies).toBe(2);
    store.close();
  });
});

describe('a corrupt store file', () => {
  it('is refused by a reader with a typed error naming the file', () => {
    const file = join(tmp(), 'forensics.db');
    writeFileSync(file, Buffer.alloc(8192, 0x5a));
    let err: unknown;
    try {
      openForReading(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ForensicStoreCorruptError);
    expect((err as Error).message).toContain(file);
    expect(() => openForReading(join(tmp(), 'missing.db'))).toThrow(ForensicStoreError);
  });

  it('is moved aside by a writer, which says so and keeps the new records in a fresh store', () => {
    const dir = tmp();
    const file = join(dir, 'forensics.db');
    writeFileSync(file, 'this is not a database, but it is long enough to look like one maybe'.repeat(100));
    const warnings: string[] = [];
    const store = new ForensicStore(file, { onWarning: (m) => warnings.push(m), nowMs: () => 1234 });
    expect(store.recovered).toBeInstanceOf(ForensicStoreCorruptError);
    expect(store.recovered!.movedTo).toBe(`${file}.corrupt-1234`);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toContain(`${file}.corrupt-1234`);
    expect(existsSync(`${file}.corrupt-1234`)).toBe(true);
    store.addForensic(forensic(T0));
    store.close();
    expect(new ForensicStoreReader(openForReading(file)).counts().anomalies).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(expect.arrayContaining(['forensics.db', 'forensics.db.corrupt-1234']));
  });

  it('found corrupt during a flush: moved aside, and the batch goes to a fresh store', () => {
    const file = join(tmp(), 'forensics.db');
    const warnings: string[] = [];
    const store = new ForensicStore(file, { nowMs: () => 77, onWarning: (m) => warnings.push(m) });
    store.addForensic(forensic(T0));
    store.flush();
    store.addForensic(forensic(T0 + MIN));
    // SQLite reports damage it meets mid-file as SQLITE_CORRUPT from a statement: do that once.
    const stmts = (store as unknown as { stmts: { insertAnomaly: { run: (...a: unknown[]) => unknown } } }).stmts;
    stmts.insertAnomaly.run = () => {
      throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    };
    store.flush();
    store.close();
    expect(store.recovered).toBeInstanceOf(ForensicStoreCorruptError);
    expect(store.recovered!.movedTo).toBe(`${file}.corrupt-77`);
    expect(warnings[0]).toContain(file);
    expect(new ForensicStoreReader(openForReading(`${file}.corrupt-77`)).counts().anomalies).toBe(1);
    const fresh = new ForensicStoreReader(openForReading(file));
    expect(fresh.queryAnomalies().map((r) => r.anomaly.tsUs)).toEqual([T0 + MIN]);
    expect(fresh.getIncident(`vm/vm-1/${T0}`)).toMatchObject({ count: 2, lastTsUs: T0 + MIN });
  });
});
