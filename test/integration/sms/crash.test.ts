import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { encodeSubmit } from '../../../src/sms/pdu/index.js';
import { REPLY_VALIDITY_MINUTES } from '../../../src/sms/worker.js';
import type { SentSms } from '../../../src/sim/sim-modem.js';
import { tempDir } from '../../helpers/box.js';
import { freePort, spawnCli } from '../../helpers/cli.js';
import { ptyModem, type PtyModem } from '../../helpers/pty-modem.js';
import { nextEvent, waitFor } from '../../helpers/wait.js';

/** 200 GSM characters: two parts, so a kill can land between the parts of one reply. */
const REPLY = `Thank you for calling! Reply JOIN <name> <pincode> to volunteer. ${'We will call you back soon. '.repeat(5)}`.slice(0, 200);
const CALLERS = Array.from({ length: 10 }, (_, i) => `+9198765430${String(i).padStart(2, '0')}`);

interface MsgRow {
  id: string;
  recipient: string;
  text: string;
  encoding: string;
  concat_ref: number;
  status: string;
}
interface PartRow {
  sms_id: string;
  part: number;
  status: string;
  message_reference: number | null;
}

function read<T>(file: string, sql: string): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** The exact PDU the box sends for a part (the same every time: fixed concat reference, TP-MR 0). */
function pduOf(m: MsgRow, part: number): string {
  const pdus = encodeSubmit({
    to: m.recipient,
    text: m.text,
    requestStatusReport: true,
    validityMinutes: REPLY_VALIDITY_MINUTES,
    concatReference: m.concat_ref,
    forceUcs2: m.encoding === 'ucs2',
  });
  const p = pdus[part - 1];
  if (!p) throw new Error(`no part ${part}`);
  return p.pdu.toUpperCase();
}

test('kill -9 while sending: after the restart no reply is lost and no part the modem confirmed (+CMGS recorded) is sent twice', async (t) => {
  const { dir, remove } = tempDir('mcb-sms-crash-');
  t.after(remove);
  // Each SMS takes 400 ms at the "network": the kill lands while one is with it.
  const lines: PtyModem[] = [];
  for (let i = 0; i < 2; i++) lines.push(await ptyModem(dir, `tty${i}`, { vendor: i === 0 ? 'simcom' : 'quectel', smsSendMs: 400, iccid: `899100090000000200${i}` }));
  t.after(() => Promise.all(lines.map((l) => l.close())));
  const received: SentSms[] = [];
  for (const l of lines) l.sim.on('sms', (s) => received.push(s));

  const port = await freePort();
  const config = join(dir, 'config.yaml');
  const database = join(dir, 'box.db');
  writeFileSync(
    config,
    [
      'box:\n  id: crash-sms',
      'database: ./box.db',
      'modems:',
      ...lines.map((l, i) => `  - port: ${l.path}\n    label: line-${i + 1}`),
      `http:\n  port: ${port}`,
      'modemPoll:\n  intervalSeconds: 5',
      `reply:\n  text: "${REPLY}"\n  cooldownHours: 0`,
      'sms:\n  dailyLimitPerSim: 0',
      'log:\n  level: warn',
      '',
    ].join('\n'),
  );

  const first = spawnCli(['run', '--config', config]);
  t.after(() => first.kill('SIGKILL'));
  await Promise.all(lines.map((l) => nextEvent(l.sim, 'command', (c: unknown) => c === 'AT+CSQ', 15_000)));

  // Ten callers over the two lines; every call is on disk before anything is killed.
  await Promise.all(
    lines.map(async (l, i) => {
      for (const n of CALLERS.filter((_, k) => k % 2 === i)) assert.equal((await l.sim.ring(n, { rings: 3, intervalMs: 2000 })).outcome, 'hung-up');
    }),
  );
  await waitFor('10 calls and 10 replies on disk', () => read<{ n: number }>(database, `SELECT COUNT(*) AS n FROM sms_outbox`)[0]?.n === 10, 10_000, 50);

  // Once some parts went out, SIGKILL 150 ms after the next AT+CMGS: that part is with the
  // "network" (400 ms), its +CMGS not yet answered.
  await waitFor('two parts accepted', () => received.length >= 2, 10_000);
  const sentBefore = received.length;
  await Promise.race(lines.map((l) => nextEvent(l.sim, 'command', (c: unknown) => typeof c === 'string' && c.startsWith('AT+CMGS='), 10_000)));
  await new Promise((r) => setTimeout(r, 150));
  first.kill('SIGKILL');
  const [, signal] = (await once(first, 'exit')) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');

  // The file as the killed process left it.
  const messages = read<MsgRow>(database, `SELECT id, recipient, text, encoding, concat_ref, status FROM sms_outbox`);
  const partsAtKill = read<PartRow>(database, `SELECT sms_id, part, status, message_reference FROM sms_parts`);
  const confirmed = partsAtKill.filter((p) => p.status === 'sent');
  const interrupted = partsAtKill.filter((p) => p.status === 'sending');
  assert.ok(sentBefore > 0 && confirmed.length > 0, 'some parts were sent before the kill');
  assert.ok(interrupted.length >= 1, `the kill landed while a part was being sent (parts: ${JSON.stringify(partsAtKill.map((p) => p.status))})`);
  assert.ok(
    confirmed.every((p) => p.message_reference !== null),
    'every confirmed part has its +CMGS reference on disk',
  );
  assert.ok(confirmed.length < 20, 'not everything had gone out yet');

  // Restart: everything goes out.
  const second = spawnCli(['run', '--config', config]);
  t.after(() => second.kill('SIGKILL'));
  await waitFor(
    'every reply sent after the restart',
    () => read<{ n: number }>(database, `SELECT COUNT(*) AS n FROM sms_outbox WHERE status = 'sent'`)[0]?.n === 10,
    20_000,
    100,
  );
  second.kill('SIGTERM');
  const [code] = (await once(second, 'exit')) as [number | null];
  assert.equal(code, 0, `clean stop (stderr: ${second.output.stderr})`);

  const byId = new Map(messages.map((m) => [m.id, m]));
  const count = (pdu: string): number => received.filter((r) => r.pdu === pdu).length;
  // No reply lost: every part of every reply reached the modem.
  assert.deepEqual(
    [...new Set(messages.map((m) => m.recipient))].sort(),
    [...CALLERS].sort(),
  );
  for (const p of read<PartRow>(database, `SELECT sms_id, part, status, message_reference FROM sms_parts`)) {
    const m = byId.get(p.sms_id);
    assert.ok(m);
    assert.ok(count(pduOf(m, p.part)) >= 1, `part ${p.part} of the reply to ${m.recipient} was never sent`);
  }
  // None confirmed by +CMGS sent twice.
  for (const p of confirmed) {
    const m = byId.get(p.sms_id);
    assert.ok(m);
    assert.equal(count(pduOf(m, p.part)), 1, `part ${p.part} to ${m.recipient} was confirmed before the kill and sent again`);
  }
  // The only possible duplicates are the parts that were in flight at the kill.
  const duplicates = received.length - partsAtKill.length;
  assert.ok(duplicates <= interrupted.length, `${duplicates} duplicates for ${interrupted.length} interrupted parts`);
  t.diagnostic(`parts confirmed before the kill: ${confirmed.length}, interrupted: ${interrupted.length}, sent again (possible duplicates): ${duplicates}`);
});
