import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { replyTexts } from '../../../src/inbox/service.js';

const BASE = '/etc/missedcall';
const MINIMAL = `box:
  id: varanasi-01
modems:
  - port: /dev/ttyUSB2
    campaign: rally
`;

function fails(extra: string): string {
  try {
    parseConfig(`${MINIMAL}${extra}`, 'config.yaml', BASE);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return assert.fail('expected the configuration to be rejected');
}

void test('keywords: Hindi alternatives, one word without brackets, interests as a map or a list, pincode table relative to the file', () => {
  const { config } = parseConfig(
    `${MINIMAL}keywords:
  stop: [STOP, रोकें, बंद]
  help: मदद
  interests:
    SOCIAL: [सोशल]
    GROUND:
volunteers:
  pincodeTable: ./pincodes.csv
inbox:
  partsTimeoutHours: 48
`,
    'config.yaml',
    BASE,
  );
  assert.deepEqual(config.keywords.stop, ['STOP', 'रोकें', 'बंद']);
  assert.deepEqual(config.keywords.help, ['मदद']);
  assert.deepEqual(config.keywords.interests, { SOCIAL: ['सोशल'], GROUND: [] });
  assert.equal(config.volunteers.pincodeTable, '/etc/missedcall/pincodes.csv');
  assert.equal(config.inbox.partsTimeoutHours, 48);
  const list = parseConfig(`${MINIMAL}keywords:\n  interests: [SOCIAL, EVENTS]\n`, 'config.yaml', BASE).config;
  assert.deepEqual(list.keywords.interests, { SOCIAL: [], EVENTS: [] });
});

void test('a word given two meanings is an error naming both keys', () => {
  const msg = fails(`keywords:\n  start: [START, stop]\n`);
  assert.match(msg, /keywords\.start\[1\]: expected a word not already used by keywords\.stop, got "stop"/);
  assert.match(fails(`keywords:\n  interests:\n    HELP: [x]\n`), /keywords\.interests\.HELP: expected a word not already used by keywords\.help/);
  assert.match(fails(`keywords:\n  interests:\n    "bad name!": [x]\n`), /keywords\.interests/);
});

void test('auto-replies follow the call reply rules: known placeholders only, {campaign} only where every line has one, within maxParts', () => {
  assert.match(fails(`keywords:\n  replies:\n    join: "Thanks {name}"\n`), /keywords\.replies\.join: expected only the placeholders/);
  assert.match(
    fails(`  - port: /dev/ttyUSB3\nkeywords:\n  replies:\n    help: "Call the {campaign} team"\n`),
    /keywords\.replies\.help: expected \{campaign\} only where every line has one, but modems\[1\] \(line-2\) has no campaign/,
  );
  const long = 'धन्यवाद '.repeat(30);
  assert.match(fails(`keywords:\n  replies:\n    stop: "${long}"\n`), /keywords\.replies\.stop: expected a reply that fits in 3 SMS \(reply\.maxParts\); for line-1 it takes 4/);
  // reply.maxParts raises the limit for keyword replies too.
  const ok = parseConfig(`${MINIMAL}reply:\n  text: Hello\n  maxParts: 4\nkeywords:\n  replies:\n    stop: "${long}"\n`, 'config.yaml', BASE);
  assert.equal(ok.config.keywords.replies.stop, long.trim());
});

void test('a daily limit below the parts an auto-reply takes is an error at start', () => {
  const long = 'धन्यवाद '.repeat(12); // 96 characters of Devanagari: 2 SMS
  assert.match(
    fails(`keywords:\n  replies:\n    help: "${long}"\nsms:\n  dailyLimitPerSim: 1\n`),
    /sms\.dailyLimitPerSim: expected a daily limit of at least 2 SMS \(0 for none\): keywords\.replies\.help takes 2 SMS for line-1/,
  );
  const ok = parseConfig(`${MINIMAL}keywords:\n  replies:\n    help: "${long}"\nsms:\n  dailyLimitPerSim: 2\n`, 'config.yaml', BASE);
  assert.equal(ok.config.sms?.dailyLimitPerSim, 2);
});

void test('reply texts are filled in for the line that received the message', () => {
  const { config } = parseConfig(
    `${MINIMAL}keywords:\n  replies:\n    join: "Welcome to {campaign} ({label}, {boxName})"\n    other: "We read every message: {box}"\n`,
    'config.yaml',
    BASE,
  );
  const texts = replyTexts(config);
  assert.equal(texts('join', 'line-1'), 'Welcome to rally (line-1, varanasi-01)');
  assert.equal(texts('other', 'line-1'), 'We read every message: varanasi-01');
  assert.equal(texts('stop', 'line-1'), config.keywords.replies.stop);
  const none = replyTexts(parseConfig(MINIMAL, 'config.yaml', BASE).config);
  assert.equal(none('other', 'line-1'), null, 'free text is not answered by default');
});
