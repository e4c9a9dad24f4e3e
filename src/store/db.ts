import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError, ErrorCodes } from '../errors.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

export type Db = Database.Database;

export interface OpenOptions {
  /**
   * `FULL` (default) fsyncs the WAL on every commit, so a call that was hung up on survives a
   * power cut; SQLite documents that `NORMAL` in WAL mode may roll back the last commits after
   * power loss. See docs/STORAGE.md for the measured cost.
   */
  synchronous?: 'FULL' | 'NORMAL';
  migrations?: readonly Migration[];
}

/** Open (creating the directory and file if needed), set pragmas, run pending migrations. */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  let db: Db;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
  } catch (err) {
    throw new AppError(ErrorCodes.STORE_FAILED, `cannot open the database ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  // A second process (`missedcall send`, `export`) may hold the write lock for a moment.
  db.pragma('busy_timeout = 5000');
  migrate(db, options.migrations ?? allMigrations);
  return db;
}

/** Apply every migration above `user_version`, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > latest) {
    throw new AppError(
      ErrorCodes.STORE_FAILED,
      `the database is at schema version ${current}, newer than this program knows (${latest}); install the newer missedcall version`,
    );
  }
  let applied = 0;
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      if (m.version === 1) {
        // The database's own identity: a replaced SD card starts a new sequence at HQ.
        db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('db_id', ?)`).run(randomUUID());
      }
      db.pragma(`user_version = ${m.version}`);
    })();
    applied++;
  }
  return applied;
}

/** The database's random identity, made when it was created. */
export function databaseId(db: Db): string {
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'db_id'`).get() as { value: string } | undefined;
  if (!row) throw new AppError(ErrorCodes.STORE_FAILED, 'the database has no id (meta.db_id missing)');
  return row.value;
}
