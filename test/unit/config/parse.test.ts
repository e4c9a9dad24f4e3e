import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCodes, isAppError } from '../../../src/errors.js';
import { ConfigError, exampleConfig, parseConfig, validateConfig, type ConfigIssue } from '../../../src/config/load.js';
import { DEFAULT_REPLIES } from '../../../src/volunteers/config.js';

const BASE = '/etc/missedcall';

/** The smallest valid file; tests add the key under test to it. */
const MINIMAL = `box:
  id: varanasi-01
modems:
  - port: /dev/ttyUSB2
`;

/** Parses text that must fail and returns the error. */
function failure(text: string): ConfigError {
  try {
    parseConfig(text, 'config.yaml', BASE);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the configuration to be rejected');
}

/** The one issue at `path`, failing with the full message when there is none. */
function issueAt(error: ConfigError, path: string): ConfigIssue {
  const found = error.issues.filter((issue) => issue.path === path);
  assert.equal(found.length, 1, `expected one issue at ${path}; the message was:\n${error.message}`);
  return found[0] as ConfigIssue;
}

void describe('parseConfig: valid files', () => {
  void it('accepts the example configuration as it is', () => {
    const { config, warnings } = parseConfig(exampleConfig(), 'example.yaml', BASE);
    assert.equal(config.box.id, 'varanasi-01');
    assert.equal(config.box.name, 'Varanasi district office');
    assert.equal(config.modems[0]?.campaign, 'rally-posters');
    assert.deepEqual(warnings, []);
  });

  void it('applies every default to a minimal file', () => {
    const { config } = parseConfig(MINIMAL, 'config.yaml', BASE);
    assert.deepEqual(config, {
      box: { id: 'varanasi-01' },
      country: 'IN',
      database: '/etc/missedcall/data/missedcall.db',
      modems: [{ port: '/dev/ttyUSB2', label: 'line-1', baudRate: 115200, profile: 'auto' }],
      http: { host: '127.0.0.1', port: 8080, users: [], sessionHours: 12, trustProxy: false },
      calls: { clipWaitMs: 1000, ringCycleGapMs: 8000 },
      modemPoll: { intervalSeconds: 60 },
      mqtt: {
        topicPrefix: 'missedcall',
        compress: true,
        batchSize: 500,
        maxDelaySeconds: 5,
        ackTimeoutSeconds: 30,
        keepaliveSeconds: 60,
        reconnectMinSeconds: 1,
        reconnectMaxSeconds: 300,
        drainSpreadSeconds: 10,
        statusIntervalSeconds: 300,
      },
      retention: { days: 90, minFreeMb: 200 },
      keywords: {
        join: ['JOIN', 'जॉइन', 'जुड़ें'],
        stop: ['STOP', 'स्टॉप', 'रोकें'],
        start: ['START', 'स्टार्ट', 'शुरू'],
        help: ['HELP', 'हेल्प', 'मदद'],
        replies: { ...DEFAULT_REPLIES },
      },
      volunteers: {},
      inbox: { partsTimeoutHours: 24, storageCheckSeconds: 60 },
      log: { level: 'info' },
    });
  });

  void it('numbers modems line-1, line-2, … by position when they have no label', () => {
    const { config } = parseConfig(
      `box: { id: a }\nmodems:\n  - port: /dev/ttyUSB0\n  - port: /dev/ttyUSB2\n    label: front-desk\n  - port: /dev/ttyUSB4\n`,
      'config.yaml',
      BASE,
    );
    assert.deepEqual(
      config.modems.map((m) => m.label),
      ['line-1', 'front-desk', 'line-3'],
    );
  });

  void it('forgives forms a person would call the same value', () => {
    const { config } = parseConfig(
      `${MINIMAL}    baudRate: "9600"\n    profile: SIMCom\ncountry: " in "\nhttp:\n  port: "8081"\nlog:\n  level: WARN\nmodemPoll:\n  intervalSeconds: "30"\n`,
      'config.yaml',
      BASE,
    );
    assert.equal(config.modems[0]?.baudRate, 9600);
    assert.equal(config.modems[0]?.profile, 'simcom');
    assert.equal(config.country, 'IN');
    assert.equal(config.http.port, 8081);
    assert.equal(config.log.level, 'warn');
    assert.equal(config.modemPoll.intervalSeconds, 30);
  });

  void it('treats a blank optional key or section as not given, with a warning', () => {
    const { config, warnings } = parseConfig(
      `box:\n  id: a\n  name:\ndatabase:\nhttp:\nmodems:\n  - port: /dev/ttyUSB0\n    label:\n`,
      'config.yaml',
      BASE,
    );
    assert.equal(config.box.name, undefined);
    assert.equal(config.database, '/etc/missedcall/data/missedcall.db');
    assert.deepEqual(config.http, { host: '127.0.0.1', port: 8080, users: [], sessionHours: 12, trustProxy: false });
    assert.equal(config.modems[0]?.label, 'line-1');
    assert.deepEqual(warnings, [
      'config.yaml: box.name: has no value, so it is left out (line 3)',
      'config.yaml: database: has no value, so the default "./data/missedcall.db" is used (line 4)',
      'config.yaml: http: has no value, so its defaults are used (line 5)',
      'config.yaml: modems[0].label: has no value, so it is left out (line 8)',
    ]);
  });

  void it('resolves a relative database path against the config folder and keeps an absolute one', () => {
    assert.equal(
      parseConfig(`${MINIMAL}database: ../db/calls.db\n`, 'config.yaml', '/etc/missedcall').config.database,
      '/etc/db/calls.db',
    );
    assert.equal(
      parseConfig(`${MINIMAL}database: /var/lib/missedcall/calls.db\n`, 'config.yaml', '/etc/missedcall').config.database,
      '/var/lib/missedcall/calls.db',
    );
  });

  void it('reads JSON too (configuration pushed from HQ)', () => {
    const json = JSON.stringify({ box: { id: 'patna-02' }, modems: [{ port: '/dev/ttyACM0' }] });
    assert.equal(parseConfig(json, 'hq', BASE).config.box.id, 'patna-02');
  });

  void it('ignores a byte-order mark left by a Windows editor', () => {
    assert.equal(parseConfig(`\uFEFF${MINIMAL}`, 'config.yaml', BASE).config.box.id, 'varanasi-01');
  });
});

void describe('parseConfig: mistakes', () => {
  void it('is an AppError with code CONFIG_INVALID, one line per problem, each starting with the file name', () => {
    const error = failure(`box:\n  id: Bad Id\nmodems: []\n`);
    assert.ok(isAppError(error, ErrorCodes.CONFIG_INVALID));
    assert.equal(error.name, 'ConfigError');
    const lines = error.message.split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.match(line, /^config\.yaml: /);
  });

  void it('names an unknown key and suggests the nearest known one', () => {
    const error = failure(`box:\n  id: a\nmodem:\n  - port: /dev/ttyUSB2\n`);
    const issue = issueAt(error, 'modem');
    assert.equal(issue.message, 'unknown key; did you mean "modems"?');
    assert.equal(issue.line, 3);
    assert.match(error.message, /^config\.yaml: modem: unknown key; did you mean "modems"\? \(line 3\)$/m);
  });

  void it('suggests keys inside sections and list items, ignoring case', () => {
    const error = failure(`${MINIMAL}    baudrate: 9600\n    Profile: auto\nhttp:\n  prot: 8080\ncalls:\n  clipWait: 500\n`);
    assert.equal(issueAt(error, 'modems[0].baudrate').message, 'unknown key; did you mean "baudRate"?');
    assert.equal(issueAt(error, 'modems[0].Profile').message, 'unknown key; did you mean "profile"?');
    assert.equal(issueAt(error, 'http.prot').message, 'unknown key; did you mean "port"?');
    assert.equal(issueAt(error, 'calls.clipWait').message, 'unknown key; did you mean "clipWaitMs"?');
  });

  void it('points at the right section when a key is indented wrongly', () => {
    const error = failure(`${MINIMAL}http:\n  host: 0.0.0.0\nport: 8080\n`);
    assert.match(issueAt(error, 'port').message, /did you mean "modems\[\]\.port" or "http\.port"\? \(check how far the line is indented\)/);
  });

  void it('lists the allowed keys when nothing is close', () => {
    const error = failure(`${MINIMAL}http:\n  colour: blue\n`);
    assert.equal(issueAt(error, 'http.colour').message, 'unknown key; the keys allowed here are host, port, users, sessionHours, trustProxy');
  });

  void it('names a wrong type with the key, the value and what is expected', () => {
    const error = failure(`box:\n  id: a\nmodems:\n  - port: /dev/ttyUSB0\n  - port: 42\n`);
    const issue = issueAt(error, 'modems[1].port');
    assert.equal(issue.message, 'expected a serial device path such as /dev/ttyUSB2, got 42');
    assert.equal(issue.value, 42);
    assert.match(error.message, /^config\.yaml: modems\[1\]\.port: expected a serial device path such as \/dev\/ttyUSB2, got 42/m);
  });

  void it('suggests /dev/ for a bare device name', () => {
    const error = failure(`box:\n  id: a\nmodems:\n  - port: ttyUSB2\n`);
    assert.equal(
      issueAt(error, 'modems[0].port').message,
      'expected a serial device path such as /dev/ttyUSB2, got "ttyUSB2"; did you mean "/dev/ttyUSB2"?',
    );
  });

  void it('names an out-of-range number with its range', () => {
    const error = failure(`${MINIMAL}http:\n  port: 70000\ncalls:\n  clipWaitMs: 50\nmodemPoll:\n  intervalSeconds: 2.5\n`);
    assert.equal(issueAt(error, 'http.port').message, 'expected a whole number from 1 to 65535, such as 8080, got 70000');
    assert.match(issueAt(error, 'calls.clipWaitMs').message, /from 100 to 10000.*, got 50$/);
    assert.match(issueAt(error, 'modemPoll.intervalSeconds').message, /whole number of seconds from 5 to 3600.*, got 2\.5$/);
  });

  void it('rejects a baud rate that is not a standard one, and a word that is not a choice', () => {
    const error = failure(`${MINIMAL}    baudRate: 100000\n    profile: nokia\nlog:\n  level: loud\n`);
    assert.match(issueAt(error, 'modems[0].baudRate').message, /^expected one of the standard rates 9600, .*921600, got 100000$/);
    assert.equal(
      issueAt(error, 'modems[0].profile').message,
      'expected one of auto, generic, simcom, quectel, huawei, got "nokia"',
    );
    assert.match(issueAt(error, 'log.level').message, /^expected one of trace, debug, info, warn, error, fatal, silent, got "loud"$/);
  });

  void it('explains a bad box id: the allowed characters, an example, and a suggestion', () => {
    const error = failure(`box:\n  id: Varanasi 01\nmodems:\n  - port: /dev/ttyUSB2\n`);
    const { message } = issueAt(error, 'box.id');
    assert.match(message, /lowercase letters a-z, digits 0-9 and dashes/);
    assert.match(message, /such as varanasi-01/);
    assert.match(message, /got "Varanasi 01"; try "varanasi-01"$/);
  });

  void it('rejects a box id longer than 64 characters', () => {
    const error = failure(`box:\n  id: ${'a'.repeat(65)}\nmodems:\n  - port: /dev/ttyUSB2\n`);
    assert.match(issueAt(error, 'box.id').message, /1 to 64 characters/);
  });

  void it('says a required key is missing, and where it belongs', () => {
    const error = failure(`box:\n  name: Varanasi\nmodems:\n  - port: /dev/ttyUSB2\n`);
    const issue = issueAt(error, 'box.id');
    assert.match(issue.message, /^missing; expected a box id/);
    assert.equal(issue.value, undefined);
    assert.equal(issue.line, 1);
    assert.equal(issue.lineIsSection, true);
    assert.match(error.message, /\(in the section at line 1\)$/);
  });

  void it('rejects a country libphonenumber cannot read numbers for', () => {
    const error = failure(`${MINIMAL}country: XX\n`);
    assert.equal(
      issueAt(error, 'country').message,
      'expected a two-letter country code that phone numbers can be read for, such as IN for India, got "XX"',
    );
    assert.match(issueAt(failure(`${MINIMAL}country: India\n`), 'country').message, /got "India"$/);
  });

  void it('rejects an empty modems list, and a missing one', () => {
    assert.match(issueAt(failure(`box:\n  id: a\nmodems: []\n`), 'modems').message, /^expected a list of at least one modem.*, got an empty list$/);
    assert.match(issueAt(failure(`box:\n  id: a\n`), 'modems').message, /^missing; expected a list of at least one modem/);
    assert.match(issueAt(failure(`box:\n  id: a\nmodems:\n`), 'modems').message, /got nothing \(the value is empty\)$/);
  });

  void it('rejects a port used twice', () => {
    const error = failure(`box:\n  id: a\nmodems:\n  - port: /dev/ttyUSB2\n  - port: /dev/ttyUSB3\n  - port: /dev/ttyUSB2\n`);
    const issue = issueAt(error, 'modems[2].port');
    assert.equal(
      issue.message,
      'expected each modem to have its own port, but modems[0] uses this port too, got "/dev/ttyUSB2"',
    );
    assert.equal(issue.line, 6);
  });

  void it('rejects a label used twice, including one that clashes with a default label', () => {
    const twice = failure(
      `box:\n  id: a\nmodems:\n  - port: /dev/ttyUSB2\n    label: desk\n  - port: /dev/ttyUSB3\n    label: Desk\n`,
    );
    assert.match(issueAt(twice, 'modems[1].label').message, /own label, but modems\[0\] is also called "Desk", got "Desk"$/);

    const withDefault = failure(
      `box:\n  id: a\nmodems:\n  - port: /dev/ttyUSB2\n    label: line-2\n  - port: /dev/ttyUSB3\n`,
    );
    assert.match(issueAt(withDefault, 'modems[1].label').message, /also called "line-2", got "line-2" \(the default\)$/);
  });

  void it('reports a duplicate port even when another modem has its own mistake', () => {
    const error = failure(
      `box:\n  id: a\nmodems:\n  - port: /dev/ttyUSB2\n    baudRate: 1\n  - port: /dev/ttyUSB2\n`,
    );
    issueAt(error, 'modems[0].baudRate');
    issueAt(error, 'modems[1].port');
  });

  void it('rejects a clip wait that is longer than a ring cycle', () => {
    const error = failure(`${MINIMAL}calls:\n  clipWaitMs: 5000\n  ringCycleGapMs: 3000\n`);
    assert.equal(issueAt(error, 'calls.clipWaitMs').message, 'expected less than calls.ringCycleGapMs (3000), got 5000');
  });

  void it('rejects a database path with ~ or ending in /', () => {
    assert.match(issueAt(failure(`${MINIMAL}database: ~/calls.db\n`), 'database').message, /"~".*got "~\/calls\.db"$/);
    assert.match(issueAt(failure(`${MINIMAL}database: ./data/\n`), 'database').message, /a file, not a folder/);
  });

  void it('rejects a section given as a single value', () => {
    const error = failure(`box: varanasi-01\nmodems:\n  - port: /dev/ttyUSB2\n`);
    assert.match(issueAt(error, 'box').message, /^expected a "box:" section with at least an id.*, got "varanasi-01"$/);
  });

  void it('reports every problem at once, in file order', () => {
    const error = failure(
      `box:\n  id: Bad_Id\ncountry: ZZ\nmodem: []\nhttp:\n  port: 0\nlog:\n  level: chatty\n`,
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ['box.id', 'country', 'modem', 'http.port', 'log.level', 'modems'],
    );
    assert.equal(error.message.split('\n').length, 6);
  });
});

void describe('parseConfig: files that are not settings', () => {
  void it('rejects an empty file, or one with only comments', () => {
    for (const text of ['', '# nothing yet\n', '\n\n']) {
      const error = failure(text);
      assert.equal(error.issues.length, 1);
      assert.match(error.message, /^config\.yaml: the file has no settings; expected at least "box:"/);
    }
  });

  void it('rejects a file that is a list or a single value', () => {
    assert.match(failure('- box\n- modems\n').message, /^config\.yaml: line 1: expected settings written as "key: value" lines.*, got a list of 2 items$/);
    assert.match(failure('hello\n').message, /got "hello"$/);
  });

  void it('names the line and column of a YAML syntax error', () => {
    const error = failure(`box:\n  id: "varanasi-01\nmodems: []\n`);
    const issue = error.issues[0];
    assert.equal(issue?.path, '');
    assert.equal(typeof issue?.line, 'number');
    assert.match(error.message, /^config\.yaml: line \d+, column \d+: not valid YAML: Missing closing "quote/);
  });

  void it('explains tabs and keys written twice', () => {
    assert.match(failure('box:\n\tid: a\n').message, /^config\.yaml: line 2, column 1: not valid YAML: .*indent with spaces, not tabs/);
    assert.match(failure('box:\n  id: a\n  id: b\n').message, /^config\.yaml: line 3, column 3: not valid YAML: .*written twice/);
  });
});

void describe('parseConfig: secrets', () => {
  void it('never repeats the value of a secret key', () => {
    const error = failure(`${MINIMAL}password: hunter2\nmqtt:\n  key: s3cr3t-k3y\n  passwordHash: abc123hash\nbox2:\n  pasword: typo-secret\n`);
    assert.doesNotMatch(error.message, /hunter2|s3cr3t|abc123hash|typo-secret/);
    assert.equal(issueAt(error, 'password').value, '(hidden)');
    // mqtt.key is a known key (a file path, hidden all the same); the unknown passwordHash is hidden too.
    assert.equal(issueAt(error, 'mqtt.passwordHash').value, '(hidden)');
    assert.deepEqual(issueAt(error, 'box2').value, { pasword: '(hidden)' });
    assert.doesNotMatch(JSON.stringify(error.issues), /hunter2|s3cr3t|abc123hash|typo-secret/);
  });

  void it('does not quote the file around a syntax error (the line may hold a password)', () => {
    const error = failure(`${MINIMAL}mqtt:\n  password: "hunter2\n`);
    assert.doesNotMatch(error.message, /hunter2/);
    assert.match(error.message, /line \d+, column \d+/);
  });

  void it('keeps values out of the log context', () => {
    const error = failure(`${MINIMAL}password: hunter2\n`);
    assert.deepEqual(error.context, { source: 'config.yaml', problems: 1 });
  });
});

void describe('validateConfig', () => {
  void it('validates data with the same rules and messages, without line numbers', () => {
    assert.equal(validateConfig({ box: { id: 'a' }, modems: [{ port: '/dev/ttyUSB0' }] }, 'demo', '/tmp').config.database, '/tmp/data/missedcall.db');
    try {
      validateConfig({ box: { id: 'a' }, modems: [{ port: 42 }] }, 'demo', '/tmp');
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, 'demo: modems[0].port: expected a serial device path such as /dev/ttyUSB2, got 42');
    }
  });
});
