import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileRules, MAX_NAME_LENGTH, parseMessage, type ParsedMessage } from '../../../src/volunteers/keywords.js';
import { PlaceTable } from '../../../src/volunteers/places.js';
import { asciiDigits, cleanName, wordKey } from '../../../src/volunteers/text.js';

const rules = compileRules({
  join: ['JOIN', 'जॉइन', 'जुड़ें'],
  stop: ['STOP', 'स्टॉप', 'रोकें'],
  start: ['START', 'शुरू'],
  help: ['HELP', 'मदद'],
  interests: [
    { name: 'SOCIAL', words: ['सोशल'] },
    { name: 'GROUND', words: ['मैदान'] },
    { name: 'EVENTS', words: ['कार्यक्रम'] },
  ],
});

const places = PlaceTable.fromCsv(readFileSync(new URL('../../fixtures/pincodes-sample.csv', import.meta.url), 'utf8'));

function join(name: string | null, pincode: string | null, problem: ParsedMessage extends infer _ ? string | null : never = null): ParsedMessage {
  return { keyword: 'JOIN', name, pincode, place: null, problem: problem as never };
}

const cases: [string, ParsedMessage][] = [
  ['JOIN Asha Devi 221001', join('Asha Devi', '221001')],
  ['join asha 221001', join('asha', '221001')],
  ['  Join:Ramesh Kumar,221001. ', join('Ramesh Kumar', '221001')],
  ['JOIN Ramesh 221 001', join('Ramesh', '221001')],
  ['JOIN Ramesh 221-001', join('Ramesh', '221001')],
  ['JOIN 221001 Ramesh', join('Ramesh', '221001')],
  ['JOIN Ramesh pin 221001', join('Ramesh', '221001')],
  // Devanagari digits, Bengali digits, Tamil digits, Gujarati digits in the pincode.
  ['JOIN राम कुमार २२१००१', join('राम कुमार', '221001')],
  ['JOIN সুমন ৭০০০০১', join('সুমন', '700001')],
  ['JOIN முருகன் ௬௦௦௦௦௧', join('முருகன்', '600001')],
  ['जॉइन गीता ३८०००१', join('गीता', '380001')],
  // नुक़्ता typed as one code point (U+095C) or as two (ड + ़): the same keyword.
  ['\u091c\u0941\u095c\u0947\u0902 सीता 221001', join('सीता', '221001')],
  ['\u091c\u0941\u0921\u093c\u0947\u0902 सीता 221001', join('सीता', '221001')],
  ['JOIN Ramesh', join('Ramesh', null, 'missing-pincode')],
  ['JOIN', join(null, null, 'missing-pincode')],
  ['JOIN Ramesh 22100', join('Ramesh', null, 'bad-pincode')],
  ['JOIN Ramesh 2210011', join('Ramesh', null, 'bad-pincode')],
  ['JOIN Ramesh 000000', join('Ramesh', null, 'bad-pincode')],
  ['JOIN Ramesh 9812345678', join('Ramesh', null, 'bad-pincode')],
  ['JOIN Ramesh flat 12 221001', join('Ramesh flat 12', '221001')],
  ['JOIN Ramesh 221001 I want to help', join('Ramesh', '221001')],
  ['JOIN Ramesh 221001 221002', join('Ramesh', null, 'bad-pincode')],
  ['JOIN 221001', join(null, '221001', 'missing-name')],
  ['STOP', { keyword: 'STOP' }],
  ['stop.', { keyword: 'STOP' }],
  ['Stop please', { keyword: 'STOP' }],
  ['रोकें।', { keyword: 'STOP' }],
  ['start', { keyword: 'START' }],
  ['शुरू', { keyword: 'START' }],
  ['help?', { keyword: 'HELP' }],
  ['मदद', { keyword: 'HELP' }],
  ['SOCIAL', { keyword: 'INTEREST', interests: ['SOCIAL'] }],
  ['social events and ground', { keyword: 'INTEREST', interests: ['SOCIAL', 'EVENTS', 'GROUND'] }],
  ['सोशल कार्यक्रम', { keyword: 'INTEREST', interests: ['SOCIAL', 'EVENTS'] }],
  // A first word of punctuation, symbols or emoji is skipped; full-width letters fold (NFKC).
  ['🙏 STOP', { keyword: 'STOP' }],
  ['. STOP', { keyword: 'STOP' }],
  ['- STOP', { keyword: 'STOP' }],
  ['* STOP *', { keyword: 'STOP' }],
  ['… Stop', { keyword: 'STOP' }],
  ['@ STOP', { keyword: 'STOP' }],
  ['❤️ 🙏🏽 STOP', { keyword: 'STOP' }],
  ['™ STOP', { keyword: 'STOP' }],
  ['ＳＴＯＰ', { keyword: 'STOP' }],
  ['ｓｔｏｐ！', { keyword: 'STOP' }],
  ['🙏 JOIN Asha Devi 221001', join('Asha Devi', '221001')],
  ['-- मदद --', { keyword: 'HELP' }],
  ['🙏 सोशल', { keyword: 'INTEREST', interests: ['SOCIAL'] }],
  ['🙏', { keyword: null }],
  ['I want to JOIN', { keyword: null }],
  ['STOPPED', { keyword: null }],
  ['', { keyword: null }],
  ['<script>alert(1)</script>', { keyword: null }],
];

for (const [text, expected] of cases) {
  void test(`parseMessage(${JSON.stringify(text)})`, () => {
    assert.deepEqual(parseMessage(text, rules), expected);
  });
}

void test('a constituency name stands in for the pincode when the lookup table knows it', () => {
  const got = parseMessage('JOIN Asha Devi Varanasi North', rules, places);
  assert.equal(got.keyword, 'JOIN');
  assert.ok(got.keyword === 'JOIN');
  assert.equal(got.problem, null);
  assert.equal(got.name, 'Asha Devi');
  assert.equal(got.pincode, null);
  assert.equal(got.place?.constituency, 'Varanasi North');
  assert.equal(got.place?.district, 'Varanasi');
  // A Hindi alias from the table, and a name written with a full stop.
  const hindi = parseMessage('जॉइन राम वाराणसी दक्षिण', rules, places);
  assert.ok(hindi.keyword === 'JOIN');
  assert.equal(hindi.name, 'राम');
  assert.equal(hindi.place?.constituency, 'Varanasi South');
  const cantt = parseMessage('JOIN Ravi varanasi cantt', rules, places);
  assert.ok(cantt.keyword === 'JOIN');
  assert.equal(cantt.place?.constituency, 'Varanasi Cantt.');
  // Unknown place: the person is asked for a pincode.
  const unknown = parseMessage('JOIN Ravi Atlantis', rules, places);
  assert.ok(unknown.keyword === 'JOIN');
  assert.equal(unknown.problem, 'missing-pincode');
  assert.equal(unknown.name, 'Ravi Atlantis');
  // The constituency alone is not a name.
  const alone = parseMessage('JOIN Rohaniya', rules, places);
  assert.ok(alone.keyword === 'JOIN');
  assert.equal(alone.problem, 'missing-pincode');
});

void test('names are trimmed, control characters dropped, and bounded without cutting a letter', () => {
  const long = 'क्षि'.repeat(100);
  const got = parseMessage(`JOIN ${long} 221001`, rules);
  assert.ok(got.keyword === 'JOIN');
  assert.equal(got.pincode, '221001');
  const name = got.name ?? '';
  assert.equal([...new Intl.Segmenter('und', { granularity: 'grapheme' }).segment(name)].length, MAX_NAME_LENGTH);
  assert.ok(name.endsWith('क्षि'), 'the last character is whole');
  assert.equal(cleanName('  Asha\u0000\u0007 \t Devi\r\n', 60), 'Asha Devi');
  assert.equal(cleanName('\u200d', 60), '\u200d', 'a joiner is kept (it shapes Indic text)');
  assert.equal(cleanName(' \u0000 ', 60), null);
});

void test('digits of every Indian script read as ASCII; other characters untouched', () => {
  assert.equal(asciiDigits('०१२३४५६७८९'), '0123456789');
  assert.equal(asciiDigits('০১২৩৪৫৬৭৮৯ ੦੧੨ ૦૧૨ ୦୧୨ ௦௧௨ ౦౧౨ ೦೧೨ ൦൧൨ ۰۱۲ ᱐᱑᱒ ０１２'), '0123456789 012 012 012 012 012 012 012 012 012 012');
  assert.equal(asciiDigits('abc २२१'), 'abc 221');
  assert.equal(wordKey('join.'), 'JOIN');
  assert.equal(wordKey('#Join!'), 'JOIN');
  assert.equal(wordKey('ज\u200dुड़ें'), wordKey('जुड़ें'));
});

void test('a phrase keyword is matched word by word, longest first', () => {
  const r = compileRules({ join: ['JOIN', 'शामिल हों'], stop: ['STOP'], start: ['START'], help: ['HELP'], interests: [] });
  const got = parseMessage('शामिल   हों मीना 221001', r);
  assert.deepEqual(got, { keyword: 'JOIN', name: 'मीना', pincode: '221001', place: null, problem: null });
});

void test('any text at all is read without throwing, in bounded time, and a JOIN pincode is always six valid digits', async () => {
  const fc = await import('fast-check');
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ maxLength: 80 }), (text, prefix) => {
      for (const t of [text, `JOIN ${text}`, `${prefix} ${text}`, `JOIN ${prefix} ${text} २२१००१`]) {
        const got = parseMessage(t, rules, places);
        if (got.keyword === 'JOIN' && got.pincode !== null) assert.match(got.pincode, /^[1-9]\d{5}$/);
        if (got.keyword === 'JOIN' && got.name !== null) assert.ok(got.name.length > 0 && got.name === got.name.trim());
      }
    }),
    { numRuns: 300 },
  );
  // The longest message a phone sends (10 parts), all digit words: still quick.
  const started = performance.now();
  parseMessage(`JOIN ${'1 '.repeat(760)}`, rules, places);
  assert.ok(performance.now() - started < 200, 'parsing is not quadratic in the length of the message');
});

void test('any keyword after any number of words of punctuation, symbols or emoji is still recognised', async () => {
  const fc = await import('fast-check');
  const emoji = ['🙏', '🙏🏽', '❤️', '👍', '😀', '👨‍👩‍👧', '🇮🇳', '#️⃣', '✅', '™', '…', '।', '॥', '！', '＊', '＠', '«', '»', '—', '•'];
  // One character of a punctuation or symbol category, drawn from all of Unicode.
  const symbol = fc
    .integer({ min: 0x21, max: 0x1faff })
    .map((cp) => String.fromCodePoint(cp))
    .filter((c) => /^[\p{P}\p{S}]$/u.test(c) && !/[,;:|]/.test(c));
  const noiseWord = fc.array(fc.oneof(fc.constantFrom(...emoji), symbol), { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
  const keyword = fc.constantFrom<[string, ParsedMessage['keyword']]>(
    ['STOP', 'STOP'],
    ['stop', 'STOP'],
    ['स्टॉप', 'STOP'],
    ['रोकें', 'STOP'],
    ['START', 'START'],
    ['शुरू', 'START'],
    ['HELP', 'HELP'],
    ['मदद', 'HELP'],
    ['JOIN', 'JOIN'],
    ['जुड़ें', 'JOIN'],
  );
  fc.assert(
    fc.property(fc.array(noiseWord, { minLength: 1, maxLength: 5 }), keyword, fc.constantFrom(' ', '  ', '\n', ', '), ([noise, ...more], [word, expected], gap) => {
      const text = [noise, ...more, word].join(gap);
      assert.equal(parseMessage(text, rules).keyword, expected, JSON.stringify(text));
      // Full-width forms of an ASCII keyword fold to it too.
      const wide = [...word].map((c) => (/[A-Za-z]/.test(c) ? String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0) : c)).join('');
      assert.equal(parseMessage([noise, wide].join(gap), rules).keyword, expected, JSON.stringify(wide));
    }),
    { numRuns: 500 },
  );
});

void test('keywords are compared in NFKC only: the stored text and the JOIN name stay exactly as typed', () => {
  assert.equal(wordKey('ＳＴＯＰ'), 'STOP');
  assert.equal(wordKey('🙏'), '');
  assert.equal(wordKey('™'), '', 'a symbol that NFKC turns into letters is still only a symbol');
  assert.deepEqual(parseMessage('🙏 ＪＯＩＮ Ａｓｈａ 221001', rules), join('Ａｓｈａ', '221001'));
});
