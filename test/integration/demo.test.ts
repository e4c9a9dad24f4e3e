import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../helpers/box.js';
import { runCli } from '../helpers/cli.js';

test('missedcall demo runs the whole box on simulated modems: calls hung up, recorded, printed', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  const database = join(dir, 'demo.db');
  const r = await runCli(['demo', '--calls', '4', '--port', '0', '--database', database], 60_000);
  assert.equal(r.code, 0, r.stderr);
  const printed = r.stdout.split('\n').filter((l) => /^#\s*\d+\s+line-\d/.test(l));
  assert.equal(printed.length, 4, r.stdout);
  assert.ok(printed.every((l) => /hung up [\d.]+ ms after the number arrived/.test(l)), r.stdout);
  assert.match(r.stdout, /demo stopped: 4 calls recorded/);
  const db = new Database(database, { readonly: true });
  t.after(() => db.close());
  const n = (db.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n;
  assert.ok(n >= 4, `calls in the database: ${n}`);
});
