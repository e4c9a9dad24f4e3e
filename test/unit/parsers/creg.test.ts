import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegistration, type Registration } from '../../../src/at/parsers/creg.js';

type Expect = Pick<Registration, 'kind' | 'stat' | 'state' | 'unsolicited'> & Partial<Registration>;

function reg(e: Expect): Registration {
  const roaming = e.state === 'roaming' || e.state === 'sms-only-roaming';
  return {
    registered: e.state === 'home' || e.state === 'sms-only-home' || roaming,
    roaming,
    lac: null,
    cellId: null,
    act: null,
    ...e,
  };
}

const cases: [string, string, Registration][] = [
  ['read response, home', '+CREG: 0,1', reg({ kind: 'CREG', stat: 1, state: 'home', unsolicited: false })],
  [
    'read response with location and AcT',
    '+CREG: 2,5,"1A2B","00C3D4E5",7',
    reg({ kind: 'CREG', stat: 5, state: 'roaming', lac: '1A2B', cellId: '00C3D4E5', act: 7, unsolicited: false }),
  ],
  ['URC, home', '+CREG: 1', reg({ kind: 'CREG', stat: 1, state: 'home', unsolicited: true })],
  [
    'URC with location',
    '+CREG: 1,"1A2B","00C3D4E5"',
    reg({ kind: 'CREG', stat: 1, state: 'home', lac: '1A2B', cellId: '00C3D4E5', unsolicited: true }),
  ],
  ['read response, denied', '+CREG: 1,3', reg({ kind: 'CREG', stat: 3, state: 'denied', unsolicited: false })],
  ['URC, denied', '+CREG: 3', reg({ kind: 'CREG', stat: 3, state: 'denied', unsolicited: true })],
  ['read response, unknown', '+CREG: 0,4', reg({ kind: 'CREG', stat: 4, state: 'unknown', unsolicited: false })],
  ['URC, searching, no space', '+CREG:2', reg({ kind: 'CREG', stat: 2, state: 'searching', unsolicited: true })],
  [
    'Sierra Mercury: unquoted read response',
    '+CREG: 0,1,84CD,00D30173',
    reg({ kind: 'CREG', stat: 1, state: 'home', lac: '84CD', cellId: '00D30173', unsolicited: false }),
  ],
  [
    'Sierra Mercury: unquoted URC',
    '+CREG: 1,84CD,00D30156',
    reg({ kind: 'CREG', stat: 1, state: 'home', lac: '84CD', cellId: '00D30156', unsolicited: true }),
  ],
  [
    'Huawei E160G: unregistered read response with zero location',
    '+CREG: 2,0,00,0',
    reg({ kind: 'CREG', stat: 0, state: 'not-registered', lac: '00', cellId: '0', unsolicited: false }),
  ],
  [
    'Huawei E160G: unquoted read response',
    '+CREG: 2,1,8BE3,2BAF',
    reg({ kind: 'CREG', stat: 1, state: 'home', lac: '8BE3', cellId: '2BAF', unsolicited: false }),
  ],
  [
    'Huawei E160G: unquoted URC, searching',
    '+CREG: 2,8BE3,2BAF',
    reg({ kind: 'CREG', stat: 2, state: 'searching', lac: '8BE3', cellId: '2BAF', unsolicited: true }),
  ],
  ['Novatel XU870: URC with empty location', '+CREG: 2,,', reg({ kind: 'CREG', stat: 2, state: 'searching', unsolicited: true })],
  [
    'Iridium: zero-padded, no space, lower-case hex',
    '+CREG:002,001,"18d8","ffff"',
    reg({ kind: 'CREG', stat: 1, state: 'home', lac: '18D8', cellId: 'FFFF', unsolicited: false }),
  ],
  [
    'Ericsson F3607gw: CGREG read response with AcT',
    '+CGREG: 2,1,"8BE3","00002B5D",3',
    reg({ kind: 'CGREG', stat: 1, state: 'home', lac: '8BE3', cellId: '00002B5D', act: 3, unsolicited: false }),
  ],
  [
    'Ericsson F3607gw: CGREG URC with AcT',
    '+CGREG: 1,"8BE3","00002B5D",3',
    reg({ kind: 'CGREG', stat: 1, state: 'home', lac: '8BE3', cellId: '00002B5D', act: 3, unsolicited: true }),
  ],
  [
    'Sony-Ericsson MD400: CGREG URC, roaming',
    '+CGREG: 5,"0502","0404736D",2',
    reg({ kind: 'CGREG', stat: 5, state: 'roaming', lac: '0502', cellId: '0404736D', act: 2, unsolicited: true }),
  ],
  [
    'Alcatel X220D: blanks after commas',
    '+CGREG: 2,1, 81ED, 1A9CEB',
    reg({ kind: 'CGREG', stat: 1, state: 'home', lac: '81ED', cellId: '1A9CEB', unsolicited: false }),
  ],
  [
    'CGREG read response with RAC',
    '+CGREG: 2,1,"00DE","2D3C1C6",2,"03"',
    reg({ kind: 'CGREG', stat: 1, state: 'home', lac: '00DE', cellId: '2D3C1C6', act: 2, unsolicited: false }),
  ],
  [
    'CEREG read response on LTE, short TAC',
    '+CEREG: 2,1,"2C5","1A2D001",7',
    reg({ kind: 'CEREG', stat: 1, state: 'home', lac: '2C5', cellId: '1A2D001', act: 7, unsolicited: false }),
  ],
  [
    'CEREG URC with TAC, CI and AcT',
    '+CEREG: 1,"1A2B","00C3D4E5",7',
    reg({ kind: 'CEREG', stat: 1, state: 'home', lac: '1A2B', cellId: '00C3D4E5', act: 7, unsolicited: true }),
  ],
  ['CEREG SMS only, home', '+CEREG: 0,6', reg({ kind: 'CEREG', stat: 6, state: 'sms-only-home', unsolicited: false })],
  ['CEREG SMS only, roaming', '+CEREG: 0,7', reg({ kind: 'CEREG', stat: 7, state: 'sms-only-roaming', unsolicited: false })],
  ['emergency only URC', '+CEREG: 8', reg({ kind: 'CEREG', stat: 8, state: 'emergency-only', unsolicited: true })],
  ['CSFB not preferred, home', '+CEREG: 0,9', reg({ kind: 'CEREG', stat: 9, state: 'home', unsolicited: false })],
  [
    'CEREG n=4 read response with empty cause fields',
    '+CEREG: 4,1,"1A2B","00C3D4E5",7,,,"00000101","00000011"',
    reg({ kind: 'CEREG', stat: 1, state: 'home', lac: '1A2B', cellId: '00C3D4E5', act: 7, unsolicited: false }),
  ],
  ['a stat from a later standard is kept, state unknown', '+CREG: 15', reg({ kind: 'CREG', stat: 15, state: 'unknown', unsolicited: true })],
];

for (const [name, line, expected] of cases) {
  void test(`parseRegistration: ${name}`, () => {
    assert.deepEqual(parseRegistration(line), expected);
  });
}

void test('registered and roaming flags follow the state', () => {
  assert.equal(parseRegistration('+CREG: 0,5')?.registered, true);
  assert.equal(parseRegistration('+CREG: 0,5')?.roaming, true);
  assert.equal(parseRegistration('+CREG: 0,1')?.roaming, false);
  assert.equal(parseRegistration('+CREG: 0,2')?.registered, false);
  assert.equal(parseRegistration('+CREG: 0,3')?.registered, false);
  assert.equal(parseRegistration('+CEREG: 0,7')?.registered, true);
});

const rejected: string[] = [
  '+CREG:',
  '+CREG: a',
  '+CREG: 0,x',
  '+CREG: 9,1',
  '+CREG: 1,"XYZ","00C3"',
  '+CREG: 2,1,"1A2B","00C3D4E5",x',
  '+CREG: (0-2)',
  '+CREG: 1,"1A2B',
  '+CREG: 1,"1A2B"',
  '+COPS: 0',
  '+C5GREG: 1',
  'CREG: 1',
];

for (const line of rejected) {
  void test(`parseRegistration rejects ${JSON.stringify(line)}`, () => {
    assert.equal(parseRegistration(line), null);
  });
}
