import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { AtEngine, type Urc } from '../../../src/at/engine.js';
import { AtError } from '../../../src/at/errors.js';
import { ErrorCodes } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { duplexPair } from '../../../src/sim/duplex-pair.js';

/**
 * The test plays the modem from real transcripts: it sees exactly what the engine wrote and
 * writes back what the vendor's modem printed.
 */
function setup(options: { timeoutMs?: number } = {}) {
  const [app, modem] = duplexPair();
  const engine = new AtEngine(app, {
    log: silentLogger(),
    defaultTimeoutMs: options.timeoutMs ?? 300,
    probeTimeoutMs: 150,
    settleMs: 20,
  });
  const writes: string[] = [];
  let waiter: ((s: string) => void) | null = null;
  modem.on('data', (d: Buffer) => {
    const s = d.toString('latin1');
    writes.push(s);
    const w = waiter;
    waiter = null;
    w?.(s);
  });
  /** The next bytes the engine writes (bounded). */
  const nextWrite = (timeoutMs = 1000): Promise<string> =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('engine wrote nothing')), timeoutMs);
      waiter = (s) => {
        clearTimeout(t);
        resolve(s);
      };
    });
  const urcs: Urc[] = [];
  engine.on('urc', (u) => urcs.push(u));
  return { engine, modem, nextWrite, writes, urcs };
}

test('SIMCom transcript with echo and CR CR LF: the info line and OK', async () => {
  const { engine, modem, nextWrite } = setup();
  const written = nextWrite();
  const res = engine.send('AT+CSQ');
  assert.equal(await written, 'AT+CSQ\r');
  modem.write('AT+CSQ\r\r\r\n+CSQ: 21,99\r\r\n\r\r\nOK\r\r\n');
  const r = await res;
  assert.deepEqual(r.lines, ['+CSQ: 21,99']);
  assert.equal(r.final.kind, 'ok');
});

test('Quectel: a RING and +CLIP in the middle of a response go to the URC listeners, not the response', async () => {
  const { engine, modem, nextWrite, urcs } = setup();
  const written = nextWrite();
  const res = engine.send('AT+COPS?');
  await written;
  modem.write('\r\n+COPS: 0,0,"Jio 4G",7\r\n\r\nRING\r\n\r\n+CLIP: "+919812345678",145,"",0,"",0\r\n\r\nOK\r\n');
  const r = await res;
  assert.deepEqual(r.lines, ['+COPS: 0,0,"Jio 4G",7']);
  assert.deepEqual(
    urcs.map((u) => u.name),
    ['ring', 'clip'],
  );
  assert.equal(urcs[1]?.line, '+CLIP: "+919812345678",145,"",0,"",0');
});

test('a URC that arrives before the echo is routed, and the echo is dropped', async () => {
  const { engine, modem, nextWrite, urcs } = setup();
  const written = nextWrite();
  const res = engine.send('AT+CGSN');
  await written;
  modem.write('\r\n+CMTI: "SM",3\r\nAT+CGSN\r\r\n867162025555555\r\n\r\nOK\r\n');
  assert.deepEqual((await res).lines, ['867162025555555']);
  assert.deepEqual(
    urcs.map((u) => u.line),
    ['+CMTI: "SM",3'],
  );
});

test('Huawei COMMAND NOT SUPPORT rejects like ERROR; +CME ERROR carries its code', async () => {
  const { engine, modem, nextWrite } = setup();
  let w = nextWrite();
  const a = engine.send('AT+CVHU=0');
  await w;
  modem.write('\r\r\nCOMMAND NOT SUPPORT\r\r\n');
  await assert.rejects(a, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_ERROR);
  w = nextWrite();
  const b = engine.send('AT+CIMI');
  await w;
  modem.write('\r\n+CME ERROR: 10\r\n');
  await assert.rejects(b, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_CME && e.cmeCode === 10);
});

test('allowError resolves with the final code instead of rejecting', async () => {
  const { engine, modem, nextWrite } = setup();
  const w = nextWrite();
  const a = engine.send('AT+CMGS=20', { allowError: true });
  await w;
  modem.write('\r\n+CMS ERROR: 500\r\n');
  const r = await a;
  assert.deepEqual(r.final, { kind: 'cms', code: 500, text: 'unknown error' });
});

test('a two-line +CMT URC with its PDU does not disturb the command in flight', async () => {
  const { engine, modem, nextWrite, urcs } = setup();
  const w = nextWrite();
  const res = engine.send('AT+CSQ');
  await w;
  modem.write('\r\n+CMT: ,24\r\n07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07\r\n');
  modem.write('\r\n+CSQ: 17,99\r\n\r\nOK\r\n');
  assert.deepEqual((await res).lines, ['+CSQ: 17,99']);
  assert.equal(urcs.length, 1);
  assert.equal(urcs[0]?.name, 'cmt');
  assert.deepEqual(urcs[0]?.body, ['07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07']);
});

test('+CDS:25 without the space after the colon is still a two-line URC', async () => {
  const { modem, urcs, engine } = setup();
  const got = once(engine, 'urc');
  modem.write('\r\n+CDS:25\r\n0006D60B911326880736F4111011719551401110117195714000\r\n');
  await got;
  assert.equal(urcs[0]?.name, 'cds');
  assert.equal(urcs[0]?.body.length, 1);
});

test('a +CMT whose next line is not a PDU is cut short and the line is handled normally', async () => {
  const { engine, modem, nextWrite, urcs } = setup();
  const w = nextWrite();
  const res = engine.send('AT');
  await w;
  modem.write('\r\n+CMT: ,24\r\n\r\nOK\r\n');
  await res;
  assert.equal(urcs[0]?.name, 'cmt');
  assert.deepEqual(urcs[0]?.body, []);
});

test('AT+CMGS: a URC between the command and the prompt, then the body and Ctrl-Z after the prompt', async () => {
  const { engine, modem, nextWrite, urcs } = setup();
  let w = nextWrite();
  const res = engine.sendWithPrompt('AT+CMGS=18', '0011000C9119890000000000FF05E8329BFD06', { timeoutMs: 1000 });
  assert.equal(await w, 'AT+CMGS=18\r');
  w = nextWrite();
  modem.write('\r\n+CLIP: "9812345678",129\r\n\r\n> ');
  assert.equal(await w, '0011000C9119890000000000FF05E8329BFD06\x1a');
  modem.write('\r\n+CMGS: 42\r\n\r\nOK\r\n');
  const r = await res;
  assert.deepEqual(r.lines, ['+CMGS: 42']);
  assert.equal(urcs[0]?.name, 'clip');
});

test('no prompt in time: ESC is written and the send fails with AT_NO_PROMPT', async () => {
  const { engine, nextWrite } = setup();
  const w = nextWrite();
  const res = engine.sendWithPrompt('AT+CMGS=18', '00AA', { timeoutMs: 100 });
  await w;
  const esc = nextWrite();
  await assert.rejects(res, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_NO_PROMPT);
  assert.equal(await esc, '\x1b');
});

test('a late OK after a timeout does not complete the next command (resync)', async () => {
  const { engine, modem, nextWrite } = setup({ timeoutMs: 100 });
  let w = nextWrite();
  const first = engine.send('AT+COPS=?');
  await w;
  await assert.rejects(first, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_TIMEOUT);
  // The next command triggers a probe first.
  w = nextWrite();
  const second = engine.send('AT+CSQ');
  assert.equal(await w, 'AT\r');
  // The modem finally answers the old command, then the probe.
  w = nextWrite();
  modem.write('\r\n+COPS: (2,"Jio","Jio","405857",7)\r\n\r\nOK\r\n');
  modem.write('\r\nOK\r\n');
  assert.equal(await w, 'AT+CSQ\r');
  modem.write('\r\n+CSQ: 9,99\r\n\r\nOK\r\n');
  assert.deepEqual((await second).lines, ['+CSQ: 9,99']);
  assert.ok(engine.stats.strayFinals >= 1);
});

test('one command in flight: the second is written only after the first completes', async () => {
  const { engine, modem, nextWrite, writes } = setup();
  let w = nextWrite();
  const a = engine.send('AT+CGMI');
  const b = engine.send('AT+CGMM');
  await w;
  assert.deepEqual(writes, ['AT+CGMI\r']);
  w = nextWrite();
  modem.write('\r\nQuectel\r\n\r\nOK\r\n');
  assert.equal(await w, 'AT+CGMM\r');
  modem.write('\r\nEC25\r\n\r\nOK\r\n');
  assert.deepEqual((await a).lines, ['Quectel']);
  assert.deepEqual((await b).lines, ['EC25']);
});

test('an urgent hang-up goes before queued commands but never interrupts the one in flight', async () => {
  const { engine, modem, nextWrite, writes } = setup();
  let w = nextWrite();
  const a = engine.send('AT+CSQ');
  await w;
  const b = engine.send('AT+COPS?');
  const h = engine.send('ATH', { priority: 'urgent' });
  assert.deepEqual(writes, ['AT+CSQ\r']);
  w = nextWrite();
  modem.write('\r\n+CSQ: 9,99\r\n\r\nOK\r\n');
  assert.equal(await w, 'ATH\r');
  w = nextWrite();
  modem.write('\r\nOK\r\n');
  assert.equal(await w, 'AT+COPS?\r');
  modem.write('\r\n+COPS: 0\r\n\r\nOK\r\n');
  await Promise.all([a, b, h]);
});

test('NO CARRIER while AT+CSQ is in flight is a call-end URC, not the answer', async () => {
  const { engine, modem, nextWrite, urcs } = setup();
  const w = nextWrite();
  const res = engine.send('AT+CSQ');
  await w;
  modem.write('\r\nNO CARRIER\r\n\r\n+CSQ: 9,99\r\n\r\nOK\r\n');
  assert.deepEqual((await res).lines, ['+CSQ: 9,99']);
  assert.equal(urcs[0]?.name, 'call-end');
});

test('+CREG: while AT+CREG? is in flight is the answer; with nothing in flight it is a URC', async () => {
  const { engine, modem, nextWrite, urcs } = setup();
  const w = nextWrite();
  const res = engine.send('AT+CREG?');
  await w;
  modem.write('\r\n+CREG: 0,1\r\n\r\nOK\r\n');
  assert.deepEqual((await res).lines, ['+CREG: 0,1']);
  const got = once(engine, 'urc');
  modem.write('\r\n+CREG: 5\r\n');
  await got;
  assert.equal(urcs[0]?.name, 'registration');
});

test('garbage and an unknown URC are counted and the engine stays in step', async () => {
  const { engine, modem, nextWrite } = setup();
  const unknown: string[] = [];
  const three = new Promise<void>((resolve) =>
    engine.on('unknown', (l) => {
      if (unknown.push(l) === 3) resolve();
    }),
  );
  modem.write(Buffer.from('\r\n\xff\xfe\x00garbage\x07\r\n', 'latin1'));
  modem.write('+ZZZ: 1,2\r\n^RSSI:17\r\n');
  await three;
  const w = nextWrite();
  const res = engine.send('AT+CSQ');
  await w;
  // An unknown URC in the middle of the response is not taken for part of it.
  modem.write('\r\n+QIND: "csq",9,99\r\n\r\n+CSQ: 9,99\r\n\r\nOK\r\n');
  assert.deepEqual((await res).lines, ['+CSQ: 9,99']);
  assert.equal(engine.stats.unknownLines, 4);
});

test('a hung modem: timeout, unresponsive; when it answers again, responsive', async () => {
  const { engine, modem, nextWrite } = setup({ timeoutMs: 80 });
  const events: string[] = [];
  engine.on('unresponsive', () => events.push('unresponsive'));
  engine.on('responsive', () => events.push('responsive'));
  await assert.rejects(engine.send('AT'), (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_TIMEOUT);
  assert.deepEqual(events, ['unresponsive']);
  // Still hung: the probe fails and the queued command fails without being sent.
  await assert.rejects(engine.send('AT+CSQ'), (e: unknown) => e instanceof AtError && /not sent/.test(e.message));
  // It recovers.
  const w = nextWrite();
  const res = engine.send('AT+CSQ');
  assert.equal(await w, 'AT\r');
  const w2 = nextWrite();
  modem.write('\r\nOK\r\n');
  assert.equal(await w2, 'AT+CSQ\r');
  modem.write('\r\n+CSQ: 9,99\r\n\r\nOK\r\n');
  await res;
  assert.deepEqual(events, ['unresponsive', 'responsive']);
});

test('closing the stream rejects queued and in-flight commands with AT_CLOSED', async () => {
  const { engine, modem, nextWrite } = setup({ timeoutMs: 5000 });
  const w = nextWrite();
  const a = engine.send('AT+CSQ');
  const b = engine.send('AT+COPS?');
  await w;
  modem.destroy();
  await assert.rejects(a, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_CLOSED);
  await assert.rejects(b, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_CLOSED);
  await assert.rejects(engine.send('AT'), (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_CLOSED);
});

test('an error carries the stack of the code that queued the command', async () => {
  const { engine } = setup({ timeoutMs: 30 });
  const err = await engine.send('AT+CSQ').catch((e: unknown) => e);
  assert.ok(err instanceof AtError);
  assert.match(err.stack ?? '', /engine\.test\.ts/);
});

test('an abort signal removes a queued command before it is written', async () => {
  const { engine, modem, nextWrite, writes } = setup();
  const w = nextWrite();
  const a = engine.send('AT+CSQ');
  await w;
  const ac = new AbortController();
  const b = engine.send('AT+COPS?', { signal: ac.signal });
  ac.abort();
  await assert.rejects(b, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_ABORTED);
  modem.write('\r\n+CSQ: 9,99\r\n\r\nOK\r\n');
  await a;
  assert.deepEqual(writes, ['AT+CSQ\r']);
});

test('onFinal runs before the next line of the same read is routed', async () => {
  const { engine, modem, nextWrite } = setup();
  const order: string[] = [];
  engine.on('urc', (u) => order.push(`urc ${u.name}`));
  const w = nextWrite();
  const res = engine.send('ATH', { onFinal: (f) => order.push(`final ${f.kind}`) });
  await w;
  modem.write('\r\nOK\r\n\r\nRING\r\n');
  await res;
  await nextWriteOrUrc(engine);
  assert.deepEqual(order, ['final ok', 'urc ring']);
});

function nextWriteOrUrc(engine: AtEngine): Promise<void> {
  return new Promise((resolve) => {
    if (engine.stats.urcs > 0) resolve();
    else engine.once('urc', () => resolve());
  });
}

test('a prompt command answered OK without a prompt is not a success: nothing was sent', async () => {
  const { engine, modem, nextWrite, writes } = setup();
  const w = nextWrite();
  const res = engine.sendWithPrompt('AT+CMGS=18', '00AA');
  await w;
  modem.write('\r\nOK\r\n');
  await assert.rejects(res, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_NO_PROMPT);
  assert.deepEqual(writes, ['AT+CMGS=18\r']);
});

test('promptTimeoutMs bounds the wait for the prompt; the rest of the timeout is for the network', async () => {
  const a = setup();
  const w = a.nextWrite();
  const started = Date.now();
  const noPrompt = a.engine.sendWithPrompt('AT+CMGS=18', '00AA', { timeoutMs: 5000, promptTimeoutMs: 80 });
  await w;
  await assert.rejects(noPrompt, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_NO_PROMPT);
  assert.ok(Date.now() - started < 2000, 'failed on the prompt timeout, not the whole timeout');
  // With the prompt in time, a network answer later than the prompt timeout is fine.
  const b = setup();
  const cmd = b.nextWrite();
  const ok = b.engine.sendWithPrompt('AT+CMGS=18', '00AA', { timeoutMs: 2000, promptTimeoutMs: 80 });
  await cmd;
  const body = b.nextWrite();
  b.modem.write('\r\n> ');
  await body;
  await new Promise((r) => setTimeout(r, 200));
  b.modem.write('\r\n+CMGS: 3\r\n\r\nOK\r\n');
  assert.deepEqual((await ok).lines, ['+CMGS: 3']);
});

test('escape() writes ESC only when nothing is in flight', async () => {
  const { engine, nextWrite } = setup();
  const w = nextWrite();
  engine.escape();
  assert.equal(await w, '\x1b');
});

test('idleTimeoutMs: a long listing that keeps coming is fine; a modem that goes silent mid-listing times out early', async () => {
  const a = setup();
  let w = a.nextWrite();
  const listing = a.engine.send('AT+CMGL=4', { responsePrefix: null, timeoutMs: 5000, idleTimeoutMs: 120 });
  await w;
  for (let i = 0; i < 4; i++) {
    a.modem.write(`\r\n+CMGL: ${i},1,,22\r\n07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07\r\n`);
    await new Promise((r) => setTimeout(r, 60));
  }
  a.modem.write('\r\nOK\r\n');
  assert.equal((await listing).lines.length, 8);
  w = a.nextWrite();
  const started = Date.now();
  const silent = a.engine.send('AT+CMGL=4', { responsePrefix: null, timeoutMs: 5000, idleTimeoutMs: 120 });
  await w;
  a.modem.write('\r\n+CMGL: 0,1,,22\r\n');
  await assert.rejects(silent, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_TIMEOUT);
  assert.ok(Date.now() - started < 2000, 'timed out on silence, not on the whole timeout');
});

/** The modem end, recording every write and letting a test wait for a given one. */
function modemEnd(modem: import('node:stream').Duplex) {
  const writes: string[] = [];
  const waiters: { want: string; resolve: () => void }[] = [];
  modem.on('data', (d: Buffer) => {
    const w = d.toString('latin1');
    writes.push(w);
    for (const x of waiters.filter((x) => x.want === w)) {
      waiters.splice(waiters.indexOf(x), 1);
      x.resolve();
    }
  });
  const written = (want: string): Promise<void> =>
    writes.includes(want) ? Promise.resolve() : new Promise((resolve) => waiters.push({ want, resolve }));
  return { writes, written };
}

test('a command held for a resync is rejected when the port closes during the quiet time', async () => {
  const [app, modem] = duplexPair();
  const m = modemEnd(modem);
  const engine = new AtEngine(app, { log: silentLogger(), defaultTimeoutMs: 60, probeTimeoutMs: 500, settleMs: 5000 });
  await assert.rejects(engine.send('AT+CSQ'));
  const held = engine.send('AT+COPS?');
  await m.written('AT\r');
  const answered = new Promise<void>((r) => engine.once('responsive', () => r()));
  modem.write('\r\nOK\r\n');
  await answered;
  // The probe is answered; the held command waits out the quiet time when the port closes.
  modem.destroy();
  await assert.rejects(held, (e: unknown) => e instanceof AtError && e.code === ErrorCodes.AT_CLOSED);
});

test('a hang-up queued during a resync goes before the command that was held for it', async () => {
  const [app, modem] = duplexPair();
  const m = modemEnd(modem);
  const engine = new AtEngine(app, { log: silentLogger(), defaultTimeoutMs: 60, probeTimeoutMs: 500, settleMs: 10 });
  await assert.rejects(engine.send('AT+CSQ'));
  const held = engine.send('AT+CMGL=4', { timeoutMs: 1000 });
  await m.written('AT\r');
  const hangup = engine.send('ATH', { priority: 'urgent', timeoutMs: 1000 });
  modem.write('\r\nOK\r\n');
  await m.written('ATH\r');
  modem.write('\r\nOK\r\n');
  await m.written('AT+CMGL=4\r');
  modem.write('\r\nOK\r\n');
  await Promise.all([held, hangup]);
  assert.deepEqual(
    m.writes.filter((w) => w.startsWith('AT') && w !== 'AT\r'),
    ['AT+CSQ\r', 'ATH\r', 'AT+CMGL=4\r'],
  );
});
