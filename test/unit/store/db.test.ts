import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { databaseId, migrate, openDatabase } from '../../../src/store/db.js';
import { migrations } from '../../../src/store/migrations/index.js';
import { isAppError, ErrorCodes } from '../../../src/errors.js';
import { tempDir } from '../../helpers/box.js';

test('a new database file is created with WAL, synchronous FULL and every migration applied', (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = join(dir, 'nested', 'box.db');
  const db = openDatabase(file);
  t.after(() => db.close());
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  // 2 = FULL: a commit is fsynced, so a hung-up call survives a power cut.
  assert.equal(db.pragma('synchronous', { simple: true }), 2);
  const latest = Math.max(...migrations.map((m) => m.version));
  assert.equal(db.pragma('user_version', { simple: true }), latest);
  assert.match(databaseId(db), /^[0-9a-f-]{36}$/);
});

test('reopening keeps the data and the database id; migrations are not run twice', (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = join(dir, 'box.db');
  const a = openDatabase(file);
  const id = databaseId(a);
  a.prepare(`INSERT INTO callers (number, first_call_at, last_call_at, calls) VALUES ('+919812345678', 1, 1, 1)`).run();
  a.close();
  const b = openDatabase(file);
  t.after(() => b.close());
  assert.equal(databaseId(b), id);
  assert.equal(migrate(b, migrations), 0);
  assert.equal((b.prepare('SELECT COUNT(*) AS n FROM callers').get() as { n: number }).n, 1);
});

test('a database from a newer program version is refused with a clear error', (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const file = join(dir, 'box.db');
  const raw = new Database(file);
  raw.pragma('user_version = 999');
  raw.close();
  assert.throws(
    () => openDatabase(file),
    (e: unknown) => isAppError(e, ErrorCodes.STORE_FAILED) && /version 999/.test(e.message) && /newer/.test(e.message),
  );
});

test('a migration that fails leaves the schema version where it was', (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const before = db.pragma('user_version', { simple: true }) as number;
  assert.throws(() => migrate(db, [...migrations, { version: before + 1, name: 'broken', sql: 'CREATE TABLE x (; nonsense' }]));
  assert.equal(db.pragma('user_version', { simple: true }), before);
});
