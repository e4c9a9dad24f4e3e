import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ConfigError, exampleConfig, parseConfig, type ConfigIssue } from '../../../src/config/load.js';
import { modemRole, SMS_DEFAULTS, smsSettings } from '../../../src/sms/settings.js';

const MINIMAL = `box:
  id: varanasi-01
modems:
  - port: /dev/ttyUSB2
    campaign: rally
  - port: /dev/ttyUSB3
`;

function failure(text: string): ConfigError {
  try {
    parseConfig(text, 'config.yaml', '/etc/missedcall');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the configuration to be rejected');
}

function issueAt(error: ConfigError, path: string): ConfigIssue {
  const found = error.issues.filter((i) => i.path === path);
  assert.equal(found.length, 1, `expected one issue at ${path}; the message was:\n${error.message}`);
  return found[0] as ConfigIssue;
}

/** 200 Devanagari characters: three UCS-2 parts (67 each). */
const LONG_HINDI = 'धन्यवाद '.repeat(25);

void describe('reply: and sms: configuration', () => {
  void it('the example validates, and its reply and sms sections are read as written', () => {
    const { config } = parseConfig(exampleConfig(), 'example.yaml', '/etc/missedcall');
    assert.equal(config.reply?.text, 'धन्यवाद! स्वयंसेवक बनने के लिए JOIN <नाम> <पिनकोड> लिखकर भेजें।');
    assert.equal(config.reply?.cooldownHours, 24);
    assert.equal(config.reply?.maxParts, 3);
    const s = smsSettings(config);
    assert.equal(s.dailyLimitPerSim, 100);
    assert.deepEqual(s.window.quietHours, { start: 21 * 60, end: 9 * 60, text: '21:00-09:00' });
    assert.deepEqual(s.window.blackouts, [
      { from: Date.parse('2027-02-10T18:00+05:30'), to: Date.parse('2027-02-12T18:00+05:30'), reason: 'poll silence' },
    ]);
  });

  void it('no sms: section means the same as an empty one (SMS_DEFAULTS matches the schema)', () => {
    const none = parseConfig(MINIMAL, 'c.yaml', '/').config;
    const empty = parseConfig(`${MINIMAL}sms: {}\n`, 'c.yaml', '/').config;
    assert.deepEqual(smsSettings(none), smsSettings(empty));
    assert.equal(smsSettings(none).dailyLimitPerSim, SMS_DEFAULTS.dailyLimitPerSim);
    assert.equal(none.reply, undefined);
    assert.equal(modemRole(none.modems[0] ?? {}), 'both');
  });

  void it('per-modem role, reply and template id', () => {
    const { config } = parseConfig(
      `${MINIMAL.replace('    campaign: rally\n', '    campaign: rally\n    role: SMS\n    reply: "Thanks for calling {campaign}!"\n    replyTemplateId: "1107"\n')}reply:\n  text: Thanks from {box}\n`,
      'c.yaml',
      '/',
    );
    assert.equal(config.modems[0]?.role, 'sms');
    assert.equal(config.modems[0]?.reply, 'Thanks for calling {campaign}!');
    assert.equal(config.modems[0]?.replyTemplateId, '1107');
    assert.equal(modemRole(config.modems[1] ?? {}), 'both');
  });

  void it('a reply longer than maxParts is an error naming the key and the line', () => {
    const err = failure(`${MINIMAL}reply:\n  text: "${LONG_HINDI}"\n  maxParts: 2\n`);
    const issue = issueAt(err, 'reply.text');
    assert.match(issue.message, /fits in reply\.maxParts \(2\) SMS; for line-1 it takes 3, for line-2 it takes 3 .*Unicode/);
    assert.match(err.message, /^config\.yaml: reply\.text: expected/m);
    // The same text fits in 3.
    parseConfig(`${MINIMAL}reply:\n  text: "${LONG_HINDI}"\n`, 'c.yaml', '/');
  });

  void it('the length is checked after the placeholders are filled in, per line', () => {
    const text = `${'x'.repeat(150)} {campaign}`;
    const base = MINIMAL.replace('  - port: /dev/ttyUSB3\n', '  - port: /dev/ttyUSB3\n    campaign: a-much-longer-campaign-name\n');
    const err = failure(`${base}reply:\n  text: "${text}"\n  maxParts: 1\n`);
    assert.match(issueAt(err, 'reply.text').message, /for line-2 it takes 2/);
  });

  void it('an unknown placeholder, and {campaign} on a line without one, are errors', () => {
    assert.match(issueAt(failure(`${MINIMAL}reply:\n  text: "Hello {name}"\n`), 'reply.text').message, /placeholders .*\{name\}/);
    assert.match(issueAt(failure(`${MINIMAL}reply:\n  text: "On {campaign}"\n`), 'reply.text').message, /modems\[1\] \(line-2\) has no campaign/);
  });

  void it('a per-modem reply is checked at its own key, and needs a reply: section', () => {
    const bad = MINIMAL.replace('    campaign: rally\n', '    campaign: rally\n    reply: "Hi {nobody}"\n');
    assert.match(issueAt(failure(`${bad}reply:\n  text: ok\n`), 'modems[0].reply').message, /\{nobody\}/);
    const lonely = MINIMAL.replace('    campaign: rally\n', '    campaign: rally\n    reply: "Hi"\n');
    assert.match(issueAt(failure(lonely), 'modems[0].reply').message, /"reply:" section too/);
  });

  void it('bad limits are errors naming the key and the value', () => {
    for (const [yaml, path, value] of [
      ['sms:\n  dailyLimitPerSim: -5\n', 'sms.dailyLimitPerSim', '-5'],
      ['sms:\n  dailyLimitPerSim: lots\n', 'sms.dailyLimitPerSim', '"lots"'],
      ['sms:\n  dailyLimitPerSim: 2.5\n', 'sms.dailyLimitPerSim', '2.5'],
      ['reply:\n  text: hi\n  maxParts: 0\n', 'reply.maxParts', '0'],
      ['reply:\n  text: hi\n  maxParts: 11\n', 'reply.maxParts', '11'],
      ['reply:\n  text: hi\n  cooldownHours: -1\n', 'reply.cooldownHours', '-1'],
    ] as const) {
      const issue = issueAt(failure(`${MINIMAL}${yaml}`), path);
      assert.ok(issue.message.endsWith(`got ${value}`), `${path}: ${issue.message}`);
    }
  });

  void it('bad quiet hours, blackouts and time zone are errors with what is expected', () => {
    assert.match(issueAt(failure(`${MINIMAL}sms:\n  quietHours: "9pm-9am"\n`), 'sms.quietHours').message, /HH:MM-HH:MM/);
    assert.match(issueAt(failure(`${MINIMAL}sms:\n  quietHours: "21:00-21:00"\n`), 'sms.quietHours').message, /different/);
    const noOffset = failure(`${MINIMAL}sms:\n  blackout:\n    - { from: 2027-02-10T18:00, to: 2027-02-12T18:00+05:30 }\n`);
    assert.match(issueAt(noOffset, 'sms.blackout[0].from').message, /UTC offset.*add the offset/);
    const backwards = failure(`${MINIMAL}sms:\n  blackout:\n    - { from: 2027-02-12T18:00+05:30, to: 2027-02-10T18:00+05:30 }\n`);
    assert.match(issueAt(backwards, 'sms.blackout[0].to').message, /after from/);
    assert.match(issueAt(failure(`${MINIMAL}sms:\n  timezone: India/Delhi\n`), 'sms.timezone').message, /Asia\/Kolkata/);
    assert.match(issueAt(failure(`${MINIMAL}sms:\n  quiethours: "21:00-09:00"\n`), 'sms.quiethours').message, /did you mean "quietHours"/);
  });

  void it('a daily limit below the parts a reply takes is an error at start (such a reply could never be sent)', () => {
    // LONG_HINDI takes 3 SMS: a limit of 2 would hold every reply back for ever.
    const error = failure(`${MINIMAL}reply:\n  text: "${LONG_HINDI}"\nsms:\n  dailyLimitPerSim: 2\n`);
    const issue = issueAt(error, 'sms.dailyLimitPerSim');
    assert.match(issue.message, /at least 3 SMS \(0 for none\): the reply for line-1 takes 3 SMS/);
    assert.ok(issue.message.endsWith('got 2'), issue.message);
    // Enough room, or no limit at all: accepted.
    for (const limit of [3, 0]) {
      const { config } = parseConfig(`${MINIMAL}reply:\n  text: "${LONG_HINDI}"\nsms:\n  dailyLimitPerSim: ${limit}\n`, 'c.yaml', '/');
      assert.equal(smsSettings(config).dailyLimitPerSim, limit);
    }
  });

  void it('an empty quietHours means none', () => {
    const { config } = parseConfig(`${MINIMAL}sms:\n  quietHours: ""\n`, 'c.yaml', '/');
    assert.equal(smsSettings(config).window.quietHours, null);
  });
});
