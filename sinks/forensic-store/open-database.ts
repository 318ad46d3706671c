/**
 * Opens (or creates) the SQLite file of the forensic store: WAL, schema, integrity check.
 * A corrupt file is moved aside by a writer (with its -wal / -shm) so a fresh store keeps the new
 * records, and reported to a reader, always as a ForensicStoreCorruptError naming the file.
 */
import Database from 'better-sqlite3';
import { existsSync, renameSync } from 'node:fs';
import { CREATE_TABLES, STORE_SCHEMA_VERSION } from './schema-sql';
import { ForensicStoreCorruptError, ForensicStoreError } from './forensic-store-error';

export type SqliteDatabase = Database.Database;

/** SQLite result codes that mean the file itself is damaged or not a database. */
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_INDEX']);

export function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (CORRUPT_CODES.has(code) || code.startsWith('SQLITE_CORRUPT'));
}

export interface OpenResult {
  db: SqliteDatabase;
  /** Set when a corrupt file was moved aside and a fresh store started. */
  recovered: ForensicStoreCorruptError | null;
}

/** Opens for writing; a corrupt file is moved to `<file>.corrupt-<ms>` and a fresh one created. */
export function openForWriting(file: string, nowMs: () => number = Date.now): OpenResult {
  try {
    return { db: openChecked(file, false), recovered: null };
  } catch (err) {
    if (!(err instanceof ForensicStoreCorruptError)) throw err;
    const movedTo = moveAside(file, nowMs());
    const db = openChecked(file, false);
    return { db, recovered: new ForensicStoreCorruptError(file, err.detail, movedTo, err.cause) };
  }
}

/** Opens an existing store read-only; refuses a missing or corrupt one. */
export function openForReading(file: string): SqliteDatabase {
  if (!existsSync(file)) throw new ForensicStoreError(file, 'no such file (a store is written by `prescient run` as <out>/forensics.db)');
  return openChecked(file, true);
}

/** Moves a damaged store and its WAL files aside; returns where the main file went. */
export function moveAside(file: string, nowMs: number): string {
  const target = `${file}.corrupt-${nowMs}`;
  renameSync(file, target);
  for (const ext of ['-wal', '-shm']) if (existsSync(file + ext)) renameSync(file + ext, target + ext);
  return target;
}

function openChecked(file: string, readonly: boolean): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL with WAL: a committed flush survives a process crash; only an OS crash may lose the last one.
      db.pragma('synchronous = NORMAL');
    }
    const check = db.pragma('quick_check(1)', { simple: true }) as string;
    if (check !== 'ok') throw new ForensicStoreCorruptError(file, `integrity check: ${check}`, null);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > STORE_SCHEMA_VERSION) throw new ForensicStoreError(file, `schema version ${version} is newer than this Prescient's (${STORE_SCHEMA_VERSION})`);
    if (!readonly) {
      db.exec(CREATE_TABLES);
      db.pragma(`user_version = ${STORE_SCHEMA_VERSION}`);
    } else if (version === 0) {
      const t = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'anomalies'").get() as { n: number };
      if (t.n === 0) throw new ForensicStoreError(file, 'not a Prescient forensic store (no anomalies table)');
    }
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof ForensicStoreError) throw err;
    if (isCorruption(err)) throw new ForensicStoreCorruptError(file, (err as Error).message, null, err);
    throw new ForensicStoreError(file, (err as Error).message, err);
  }
}
