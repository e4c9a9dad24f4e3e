import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClip, type ClipInfo } from '../../../src/at/parsers/clip.js';

function clip(partial: Partial<ClipInfo> & Pick<ClipInfo, 'number'>): ClipInfo {
  return {
    type: null,
    subaddress: null,
    subaddressType: null,
    alpha: null,
    validity: null,
    withheld: false,
    ...partial,
  };
}

const cases: [string, string, ClipInfo][] = [
  ['number only', '+CLIP: "9812345678"', clip({ number: '9812345678' })],
  ['number and international type', '+CLIP: "+919812345678",145', clip({ number: '+919812345678', type: 145 })],
  [
    'full form, empty subaddress and alpha',
    '+CLIP: "09812345678",129,"",,"",0',
    clip({ number: '09812345678', type: 129, validity: 0 }),
  ],
  [
    'full form with a phonebook name',
    '+CLIP: "+919812345678",145,,,"Ravi",0',
    clip({ number: '+919812345678', type: 145, alpha: 'Ravi', validity: 0 }),
  ],
  [
    'satype printed as 0 instead of left empty',
    '+CLIP: "+919812345678",145,"",0,"",0',
    clip({ number: '+919812345678', type: 145, subaddressType: 0, validity: 0 }),
  ],
  [
    'all optional fields empty (python-gsmmodem test fixture)',
    '+CLIP: "+27821231234",145,,,,0',
    clip({ number: '+27821231234', type: 145, validity: 0 }),
  ],
  ['SIM800: no space after the colon', '+CLIP:"123",129', clip({ number: '123', type: 129 })],
  ['type 161, national number', '+CLIP: "9812345678",161,,,,0', clip({ number: '9812345678', type: 161, validity: 0 })],
  ['unquoted number', '+CLIP: 9812345678,129', clip({ number: '9812345678', type: 129 })],
  [
    'lower-case prefix and trailing blanks',
    '+clip: "+919812345678",145,,,,0   ',
    clip({ number: '+919812345678', type: 145, validity: 0 }),
  ],
  [
    'withheld by the caller (validity 1)',
    '+CLIP: "",128,"",,"",1',
    clip({ number: '', type: 128, validity: 1, withheld: true }),
  ],
  ['not available (validity 2)', '+CLIP: "",128,,,,2', clip({ number: '', type: 128, validity: 2, withheld: true })],
  ['payphone (validity 4) reads as not available', '+CLIP: "",128,,,,4', clip({ number: '', type: 128, validity: 2, withheld: true })],
  ['empty number, no validity', '+CLIP: "",128', clip({ number: '', type: 128, withheld: true })],
  ['empty quoted number alone', '+CLIP: ""', clip({ number: '', withheld: true })],
  ['empty unquoted number with type', '+CLIP: ,128', clip({ number: '', type: 128, withheld: true })],
  [
    'non-dialable junk is kept raw for the normaliser',
    '+CLIP: "+91 98123-45678#",145',
    clip({ number: '+91 98123-45678#', type: 145 }),
  ],
];

for (const [name, line, expected] of cases) {
  void test(`parseClip: ${name}`, () => {
    assert.deepEqual(parseClip(line), expected);
  });
}

const rejected: [string, string][] = [
  ['AT+CLIP? read response', '+CLIP: 1,1'],
  ['AT+CLIP? read response, network status 2', '+CLIP: 0,2'],
  ['bare prefix', '+CLIP:'],
  ['bare prefix with blanks', '+CLIP:   '],
  ['unterminated string', '+CLIP: "98123'],
  ['text glued to the closing quote', '+CLIP: "123"x,145'],
  ['non-numeric type', '+CLIP: "123",abc'],
  ['type outside the TOA range', '+CLIP: "123",99'],
  ['validity out of range', '+CLIP: "123",145,,,,7'],
  ['another URC', '+CRING: VOICE'],
  ['RING', 'RING'],
  ['similar prefix', '+CLIPX: "123",145'],
  ['empty line', ''],
];

for (const [name, line] of rejected) {
  void test(`parseClip rejects ${name}`, () => {
    assert.equal(parseClip(line), null);
  });
}
