import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';

import { silentLogger } from '../../../src/log.js';
import { SmsOutbox } from '../../../src/sms/outbox.js';
import { decodePdu, encodeStatusReport } from '../../../src/sms/pdu/index.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { OptOutStore } from '../../../src/store/optouts.js';
import { SyncLog } from '../../../src/store/sync-log.js';
import { tempDir } from '../../helpers/box.js';

interface Fixture {
  db: Db;
  outbox: SmsOutbox;
  optOuts: OptOutStore;
  file: string;
  clock: { now: number };
}

function setup(t: TestContext): Fixture {
  const { dir, remove } = tempDir('mcb-outbox-');
  const file = join(dir, 'box.db');
  const db = openDatabase(file);
  t.after(() => {
    if (db.open) db.close();
    remove();
  });
  const syncLog = new SyncLog(db);
  const optOuts = new OptOutStore(db, syncLog);
  const clock = { now: Date.parse('2026-11-28T10:00:00+05:30') };
  const outbox = new SmsOutbox({ db, syncLog, optOuts, country: 'IN', log: silentLogger(), clock: () => clock.now });
  return { db, outbox, optOuts, file, clock };
}

function syncRecords(db: Db): { id: string; type: string; payload: Record<string, unknown> }[] {
  return (db.prepare(`SELECT id, type, payload FROM sync_log ORDER BY seq`).all() as { id: string; type: string; payload: string }[]).map((r) => ({
    id: r.id,
    type: r.type,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }));
}

void describe('SmsOutbox.enqueue', () => {
  void it('normalises the number, plans the parts and stores the message queued', (t) => {
    const { outbox } = setup(t);
    const r = outbox.enqueue({ to: '098123 45678', text: 'नमस्ते '.repeat(20), kind: 'manual' });
    assert.ok(r.queued);
    assert.equal(r.parts, 3);
    const row = outbox.get(r.id);
    assert.equal(row?.to, '+919812345678');
    assert.equal(row?.status, 'queued');
    assert.equal(row?.encoding, 'ucs2');
    const parts = outbox.parts(r.id);
    assert.deepEqual(
      parts.map((p) => p.status),
      ['pending', 'pending', 'pending'],
    );
    assert.equal(parts.map((p) => p.text).join(''), 'नमस्ते '.repeat(20));
  });

  void it('refuses empty text, invalid numbers, opted-out numbers (unless allowed) and texts over 10 parts', (t) => {
    const { outbox, optOuts } = setup(t);
    assert.deepEqual(outbox.enqueue({ to: '+919812345678', text: '  ', kind: 'manual' }), { queued: false, reason: 'empty-text' });
    assert.deepEqual(outbox.enqueue({ to: '12', text: 'hi', kind: 'manual' }), { queued: false, reason: 'invalid-number' });
    assert.deepEqual(outbox.enqueue({ to: 'VM-BJPIND', text: 'hi', kind: 'manual' }), { queued: false, reason: 'invalid-number' });
    assert.deepEqual(outbox.enqueue({ to: '+919812345678', text: 'x'.repeat(1531), kind: 'manual' }), { queued: false, reason: 'too-long' });
    assert.ok(optOuts.optOut('+919812345678', 1, 'sms'));
    assert.deepEqual(outbox.enqueue({ to: '9812345678', text: 'hi', kind: 'reply' }), { queued: false, reason: 'opted-out' });
    assert.equal(outbox.enqueue({ to: '9812345678', text: 'You will get no more SMS', kind: 'keyword', ignoreOptOut: true }).queued, true);
  });

  void it('emits queued after the transaction that queued it', async (t) => {
    const { outbox, db } = setup(t);
    const seen: string[] = [];
    outbox.on('queued', (id) => seen.push(id));
    let id = '';
    db.transaction(() => {
      const r = outbox.enqueue({ to: '+919812345678', text: 'hi', kind: 'reply' });
      assert.ok(r.queued);
      id = r.id;
      assert.deepEqual(seen, [], 'not inside the transaction');
    })();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [id]);
  });
});

void describe('SmsOutbox states', () => {
  void it('claim → part sending → part sent per part → message sent, counted per SIM and day, one sync record', (t) => {
    const { outbox, db } = setup(t);
    const r = outbox.enqueue({ to: '+919812345678', text: 'x'.repeat(200), kind: 'reply', callId: 'call-1', templateId: '1107' });
    assert.ok(r.queued && r.parts === 2);
    const claimed = outbox.claim(r.id, 'line-1', 'ICCID-A');
    assert.equal(claimed?.row.status, 'sending');
    assert.equal(claimed?.row.attempts, 1);
    assert.equal(claimed?.part, 1);
    assert.deepEqual(
      outbox.parts(r.id).map((p) => p.status),
      ['sending', 'pending'],
      'the first part is marked sending in the claim',
    );
    assert.equal(outbox.claim(r.id, 'line-2', 'ICCID-B'), null, 'a message is claimed once');

    assert.deepEqual(outbox.partSent(r.id, 1, 17, 'line-1', 'ICCID-A', '2026-11-28'), { sent: null, next: 2 }, 'part 2 next');
    assert.equal(outbox.get(r.id)?.simIccid, 'ICCID-A', 'pinned to the SIM of the first part');
    assert.equal(outbox.parts(r.id)[1]?.status, 'sending', 'marked in the same commit');
    const { sent, next } = outbox.partSent(r.id, 2, 18, 'line-1', 'ICCID-A', '2026-11-28');
    assert.equal(next, null);
    assert.equal(sent?.status, 'sent');
    assert.equal(outbox.store.sentOn('ICCID-A', '2026-11-28'), 2, 'each part counts');
    assert.equal(outbox.store.sentOn('ICCID-A', '2026-11-29'), 0);
    assert.deepEqual(
      outbox.parts(r.id).map((p) => [p.status, p.messageReference]),
      [
        ['sent', 17],
        ['sent', 18],
      ],
    );
    const records = syncRecords(db).filter((x) => x.type === 'sms');
    assert.equal(records.length, 1);
    assert.equal(records[0]?.id, `${r.id}:sent`);
    assert.deepEqual(
      { ...records[0]?.payload, at: 0, queuedAt: 0, sentAt: 0 },
      {
        id: `${r.id}:sent`,
        type: 'sms',
        sms: r.id,
        status: 'sent',
        kind: 'reply',
        to: '+919812345678',
        parts: 2,
        attempts: 1,
        call: 'call-1',
        templateId: '1107',
        sim: 'ICCID-A',
        port: 'line-1',
        refs: [17, 18],
        at: 0,
        queuedAt: 0,
        sentAt: 0,
      },
    );
  });

  void it('retry puts the part back and the message in the queue for later; fail gives up with a sync record', (t) => {
    const { outbox, db, clock } = setup(t);
    const r = outbox.enqueue({ to: '+919812345678', text: 'hi', kind: 'reply' });
    assert.ok(r.queued);
    outbox.claim(r.id, 'line-1', 'ICCID-A');
    outbox.retry(r.id, 1, '+CMS ERROR: 500', clock.now + 30_000);
    assert.equal(outbox.get(r.id)?.status, 'queued');
    assert.equal(outbox.parts(r.id)[0]?.status, 'pending');
    assert.deepEqual(outbox.store.due(clock.now, 10), [], 'not due before its retry time');
    assert.equal(outbox.store.due(clock.now + 30_000, 10).length, 1);
    outbox.claim(r.id, 'line-1', 'ICCID-A');
    const failed = outbox.fail(r.id, 'permanent: +CMS ERROR: 1');
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.attempts, 2);
    assert.equal(outbox.parts(r.id)[0]?.status, 'failed');
    assert.deepEqual(
      syncRecords(db)
        .filter((x) => x.type === 'sms')
        .map((x) => [x.id, x.payload.error]),
      [[`${r.id}:failed`, 'permanent: +CMS ERROR: 1']],
    );
  });

  void it('the restart rule: a part in sending goes back to pending, a part with its +CMGS recorded stays sent', (t) => {
    const { outbox, file, clock } = setup(t);
    const r = outbox.enqueue({ to: '+919812345678', text: 'y'.repeat(400), kind: 'reply' });
    assert.ok(r.queued && r.parts === 3);
    outbox.claim(r.id, 'line-1', 'ICCID-A');
    outbox.partSent(r.id, 1, 5, 'line-1', 'ICCID-A', '2026-11-28');
    // Part 2 is now marked sending; the process dies while it is with the modem. A new one opens the same file.
    const db2 = openDatabase(file);
    t.after(() => db2.close());
    const syncLog2 = new SyncLog(db2);
    const outbox2 = new SmsOutbox({ db: db2, syncLog: syncLog2, optOuts: new OptOutStore(db2, syncLog2), country: 'IN', log: silentLogger(), clock: () => clock.now });
    assert.deepEqual(outbox2.recover(), { parts: 1, messages: 1 });
    const row = outbox2.get(r.id);
    assert.equal(row?.status, 'queued');
    assert.equal(row?.simIccid, 'ICCID-A', 'still pinned: the rest must come from the same SIM');
    assert.deepEqual(
      outbox2.parts(r.id).map((p) => [p.status, p.messageReference]),
      [
        ['sent', 5],
        ['pending', null],
        ['pending', null],
      ],
    );
    assert.match(outbox2.parts(r.id)[1]?.lastError ?? '', /interrupted by a restart/);
    assert.deepEqual(outbox2.recover(), { parts: 0, messages: 0 }, 'idempotent');
  });

  void it('recent replies: the cool-down looks at replies queued since, not at failed ones', (t) => {
    const { outbox, clock } = setup(t);
    const r = outbox.enqueue({ to: '+919812345678', text: 'hi', kind: 'reply' });
    assert.ok(r.queued);
    assert.equal(outbox.store.repliedSince('+919812345678', clock.now - 1000), true);
    assert.equal(outbox.store.repliedSince('+919812345678', clock.now + 1), false);
    assert.equal(outbox.store.repliedSince('+919800000000', 0), false);
    outbox.claim(r.id, 'line-1', 'ICCID-A');
    outbox.fail(r.id, 'permanent');
    assert.equal(outbox.store.repliedSince('+919812345678', 0), false);
  });
});

void describe('SmsOutbox repairs instead of throwing', () => {
  void it('claim: a part left in "sending" while its message is queued goes back to pending and is the one claimed', (t) => {
    const { outbox } = setup(t);
    const r = outbox.enqueue({ to: '+919812345678', text: 'x'.repeat(300), kind: 'manual' });
    assert.ok(r.queued);
    assert.ok(outbox.claim(r.id, 'line-1', 'S1'));
    // A send that died with its part in `sending` and only the message queued again.
    outbox.store.requeue(r.id, 0, 'unexpected error', 0);
    assert.deepEqual(
      outbox.parts(r.id).map((p) => p.status),
      ['sending', 'pending'],
    );
    const again = outbox.claim(r.id, 'line-1', 'S1');
    assert.equal(again?.part, 1);
    assert.deepEqual(
      outbox.parts(r.id).map((p) => p.status),
      ['sending', 'pending'],
    );
    assert.equal(outbox.parts(r.id)[0]?.attempts, 2, 'part 1 is being sent a second time');
  });

  void it('claim: a queued message whose every part was sent is marked sent (with its sync record), not thrown about', (t) => {
    const { db, outbox } = setup(t);
    const r = outbox.enqueue({ to: '+919812345678', text: 'hello', kind: 'manual' });
    assert.ok(r.queued);
    outbox.claim(r.id, 'line-1', 'S1');
    outbox.store.partSent(r.id, 1, 42, 'line-1', 'S1', 1);
    outbox.store.requeue(r.id, 0, null, 0);
    const outcomes: string[] = [];
    outbox.on('outcome', (row) => outcomes.push(row.status));
    assert.equal(outbox.claim(r.id, 'line-1', 'S1'), null);
    assert.equal(outbox.get(r.id)?.status, 'sent');
    assert.deepEqual(outcomes, ['sent']);
    assert.deepEqual(
      syncRecords(db).map((x) => x.id),
      [`${r.id}:sent`],
    );
  });

  void it('partSent a second time for the same part (a retried record) changes nothing and counts nothing', (t) => {
    const { outbox } = setup(t);
    const r = outbox.enqueue({ to: '+919812345678', text: 'x'.repeat(300), kind: 'manual' });
    assert.ok(r.queued);
    outbox.claim(r.id, 'line-1', 'S1');
    assert.deepEqual(outbox.partSent(r.id, 1, 7, 'line-1', 'S1', '2026-11-28'), { sent: null, next: 2 });
    assert.deepEqual(outbox.partSent(r.id, 1, 7, 'line-1', 'S1', '2026-11-28'), { sent: null, next: 2 });
    assert.equal(outbox.store.sentOn('S1', '2026-11-28'), 1);
    assert.deepEqual(
      outbox.parts(r.id).map((p) => p.status),
      ['sent', 'sending'],
    );
  });
});

void describe('status reports', () => {
  function sentMessage(f: Fixture, parts: number, refs: number[]): string {
    const r = f.outbox.enqueue({ to: '+919812345678', text: 'z'.repeat(parts === 1 ? 10 : 153 * parts), kind: 'reply' });
    assert.ok(r.queued && r.parts === parts);
    f.outbox.claim(r.id, 'line-1', 'ICCID-A');
    refs.forEach((ref, i) => f.outbox.partSent(r.id, i + 1, ref, 'line-1', 'ICCID-A', '2026-11-28'));
    return r.id;
  }

  void it('delivered once every part is; matched by SIM, reference and recipient (national or international)', (t) => {
    const f = setup(t);
    const id = sentMessage(f, 2, [40, 41]);
    const week = 7 * 86_400_000;
    assert.deepEqual(f.outbox.applyStatusReport('ICCID-B', 40, '+919812345678', 'delivered', 0, week), { matched: false }, 'another SIM');
    assert.deepEqual(f.outbox.applyStatusReport('ICCID-A', 40, '+919811111111', 'delivered', 0, week), { matched: false }, 'another recipient');
    const first = f.outbox.applyStatusReport('ICCID-A', 40, '9812345678', 'delivered', 0, week);
    assert.ok(first.matched && first.message === null, 'one part of two');
    assert.equal(f.outbox.get(id)?.status, 'sent');
    const second = f.outbox.applyStatusReport('ICCID-A', 41, '919812345678', 'delivered', 0, week);
    assert.ok(second.matched);
    assert.equal(second.message?.status, 'delivered');
    assert.ok(f.outbox.get(id)?.deliveredAt);
    assert.deepEqual(
      syncRecords(f.db)
        .filter((x) => x.type === 'sms')
        .map((x) => x.payload.status),
      ['sent', 'delivered'],
    );
  });

  void it('pending changes nothing but the report; failed fails the message; old reports do not match', (t) => {
    const f = setup(t);
    const id = sentMessage(f, 1, [7]);
    const r1 = f.outbox.applyStatusReport('ICCID-A', 7, '+919812345678', 'pending', 0x20, 60_000);
    assert.ok(r1.matched);
    assert.equal(f.outbox.get(id)?.status, 'sent');
    assert.equal(f.outbox.parts(id)[0]?.reportStatus, 0x20);
    const r2 = f.outbox.applyStatusReport('ICCID-A', 7, '+919812345678', 'failed', 0x41, 60_000);
    assert.ok(r2.matched);
    assert.equal(f.outbox.get(id)?.status, 'failed');
    assert.match(f.outbox.get(id)?.lastError ?? '', /status 0x41 for part 1/);
    f.clock.now += 120_000;
    const id2 = sentMessage(f, 1, [9]);
    f.clock.now += 120_000;
    assert.deepEqual(f.outbox.applyStatusReport('ICCID-A', 9, '+919812345678', 'delivered', 0, 60_000), { matched: false }, 'outside the window');
    assert.equal(f.outbox.get(id2)?.status, 'sent');
  });

  void it('a real status-report PDU decodes to what applyStatusReport takes', () => {
    const pdu = encodeStatusReport({
      messageReference: 200,
      recipient: '+919812345678',
      submittedAt: new Date('2026-11-28T04:30:00Z'),
      dischargedAt: new Date('2026-11-28T04:30:05Z'),
      status: 0,
    });
    const d = decodePdu(pdu);
    assert.equal(d.type, 'status-report');
    assert.ok(d.type === 'status-report');
    assert.equal(d.messageReference, 200);
    assert.equal(d.recipient, '+919812345678');
    assert.equal(d.outcome, 'delivered');
  });
});

void describe('OptOutStore', () => {
  void it('records changes once, each with an optout sync record in the same transaction', (t) => {
    const { optOuts, db } = setup(t);
    assert.equal(optOuts.isOptedOut('+919812345678'), false);
    assert.equal(optOuts.optOut('+919812345678', 100, 'sms:STOP'), true);
    assert.equal(optOuts.optOut('+919812345678', 200, 'sms:STOP'), false, 'already out');
    assert.equal(optOuts.isOptedOut('+919812345678'), true);
    assert.equal(optOuts.count(), 1);
    assert.equal(optOuts.optIn('+919812345678', 300, 'sms:START'), true);
    assert.equal(optOuts.optIn('+919812345678', 400, 'sms:START'), false);
    assert.equal(optOuts.isOptedOut('+919812345678'), false);
    assert.deepEqual(optOuts.get('+919812345678'), { number: '+919812345678', optedOut: false, changedAt: 300, source: 'sms:START' });
    const records = syncRecords(db).filter((r) => r.type === 'optout');
    assert.deepEqual(
      records.map((r) => [r.payload.number, r.payload.optedOut, r.payload.at, r.payload.source]),
      [
        ['+919812345678', true, 100, 'sms:STOP'],
        ['+919812345678', false, 300, 'sms:START'],
      ],
    );
  });

  void it('a change inside a failed outer transaction leaves nothing behind', (t) => {
    const { optOuts, db } = setup(t);
    assert.throws(() =>
      db.transaction(() => {
        optOuts.optOut('+919812345678', 1, 'sms');
        throw new Error('the inbox failed to store the message');
      })(),
    );
    assert.equal(optOuts.isOptedOut('+919812345678'), false);
    assert.equal(syncRecords(db).length, 0);
  });
});
