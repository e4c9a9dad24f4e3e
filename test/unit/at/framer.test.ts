import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AtFramer, type Frame } from '../../../src/at/framer.js';

function frameAll(chunks: string[], maxLineLength?: number): Frame[] {
  const f = new AtFramer(maxLineLength === undefined ? {} : { maxLineLength });
  return chunks.flatMap((c) => f.push(Buffer.from(c, 'latin1')));
}

/** Feed the transcript split at every possible point: framing must not depend on read sizes. */
function assertEverySplit(transcript: string, expected: Frame[]): void {
  assert.deepEqual(frameAll([transcript]), expected, 'whole transcript');
  for (let i = 1; i < transcript.length; i++) {
    assert.deepEqual(frameAll([transcript.slice(0, i), transcript.slice(i)]), expected, `split at ${i}`);
  }
  // And byte by byte, as a slow UART delivers it.
  assert.deepEqual(frameAll([...transcript]), expected, 'byte by byte');
}

const line = (text: string): Frame => ({ kind: 'line', text });

test('CR LF lines from a Quectel response, at every split point', () => {
  assertEverySplit('\r\n+CSQ: 21,99\r\n\r\nOK\r\n', [line('+CSQ: 21,99'), line('OK')]);
});

test('CR CR LF line ends (SIM7600, Huawei) give the same lines', () => {
  assertEverySplit('\r\r\n+CLIP: "+919812345678",145,"",0,"",0\r\r\n\r\r\nRING\r\r\n', [
    line('+CLIP: "+919812345678",145,"",0,"",0'),
    line('RING'),
  ]);
});

test('echo ending in a bare CR is its own line', () => {
  assertEverySplit('AT+CSQ\r\r\n+CSQ: 5,99\r\n\r\nOK\r\n', [line('AT+CSQ'), line('+CSQ: 5,99'), line('OK')]);
  assert.deepEqual(frameAll(['ATE0\r', 'OK\r\n']), [line('ATE0'), line('OK')]);
});

test('the SMS prompt is emitted without a line end', () => {
  assertEverySplit('\r\n> ', [{ kind: 'prompt' }]);
});

test('a URC between AT+CMGS and its prompt comes out in order', () => {
  assertEverySplit('\r\n+CMTI: "SM",3\r\n\r\n> ', [line('+CMTI: "SM",3'), { kind: 'prompt' }]);
});

test('a PDU echoed after the prompt in the same read is a separate line', () => {
  assert.deepEqual(frameAll(['\r\n> 0011000C\x1a\r\n+CMGS: 7\r\n\r\nOK\r\n']), [
    { kind: 'prompt' },
    line('0011000C\x1a'),
    line('+CMGS: 7'),
    line('OK'),
  ]);
});

test('a ">" inside a line is not a prompt', () => {
  assertEverySplit('\r\n+COPS: 0,0,"A> B",7\r\n', [line('+COPS: 0,0,"A> B",7')]);
});

test('an over-long line is reported once and the framer stays in step', () => {
  const long = 'X'.repeat(100);
  const frames = frameAll([`\r\n${long.slice(0, 60)}`, `${long.slice(60)}\r\nOK\r\n`], 50);
  assert.equal(frames.length, 2);
  assert.equal(frames[0]?.kind, 'overflow');
  assert.equal(frames[0]?.kind === 'overflow' && frames[0].length, 100);
  assert.deepEqual(frames[1], line('OK'));
});

test('NUL bytes and blank lines are dropped; garbage bytes survive as a line for the engine to judge', () => {
  assert.deepEqual(frameAll(['\0\0\r\n\r\n\xff\xfe\x01junk\r\nOK\r\n']), [line('\xff\xfe\x01junk'), line('OK')]);
});

test('a lone LF also ends a line', () => {
  assert.deepEqual(frameAll(['RING\nRING\n']), [line('RING'), line('RING')]);
});

test('a partial line waits for the rest', () => {
  const f = new AtFramer();
  assert.deepEqual(f.push('+CLIP: "98123'), []);
  assert.deepEqual(f.push('45678",129\r\n'), [line('+CLIP: "9812345678",129')]);
});
