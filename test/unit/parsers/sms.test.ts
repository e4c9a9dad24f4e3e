import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCdsHeader } from '../../../src/at/parsers/cds.js';
import { parseCmgl, parseCmgr } from '../../../src/at/parsers/cmgr.js';
import { parseCmgs } from '../../../src/at/parsers/cmgs.js';
import { parseCmtHeader } from '../../../src/at/parsers/cmt.js';
import { parseCdsi, parseCmti } from '../../../src/at/parsers/cmti.js';
import { parseCpms } from '../../../src/at/parsers/cpms.js';

function table<T>(name: string, fn: (line: string) => T, cases: [string, T][]): void {
  for (const [line, expected] of cases) {
    void test(`${name}(${JSON.stringify(line)})`, () => {
      assert.deepEqual(fn(line), expected);
    });
  }
}

table('parseCmti', parseCmti, [
  ['+CMTI: "SM",3', { storage: 'SM', index: 3 }],
  // Modem memory indexes start at 0 on some firmwares.
  ['+CMTI: "ME",0', { storage: 'ME', index: 0 }],
  ['+CMTI: "SR",6', { storage: 'SR', index: 6 }],
  ['+CMTI:"MT",12', { storage: 'MT', index: 12 }],
  ['+CMTI: SM,3', { storage: 'SM', index: 3 }],
  ['+cmti: "sm",3 ', { storage: 'SM', index: 3 }],
  ['+CMTI: "SM"', null],
  ['+CMTI: "SM",-1', null],
  ['+CMTI: "SM",x', null],
  ['+CMTI: "",3', null],
  ['+CMTI: "SM",3,4', null],
  ['+CMTI: "SM,3', null],
]);

table('parseCdsi', parseCdsi, [
  ['+CDSI: "SR",1', { storage: 'SR', index: 1 }],
  ['+CDSI:"SR",0', { storage: 'SR', index: 0 }],
  ['+CDSI: "SM",7', { storage: 'SM', index: 7 }],
  ['+CDSI: "SR"', null],
  ['+CMTI: "SR",1', null],
]);

table('parseCmgs', parseCmgs, [
  ['+CMGS: 12', { messageReference: 12 }],
  ['+CMGS:12', { messageReference: 12 }],
  ['+CMGS: 0', { messageReference: 0 }],
  ['+CMGS: 255', { messageReference: 255 }],
  ['+CMGS: 12,"0006"', { messageReference: 12 }],
  ['+CMGS: 12,"24/05/01,10:15:30+22"', { messageReference: 12 }],
  ['+CMGS: 256', null],
  ['+CMGS:', null],
  ['+CMGS: x', null],
  ['+CMGS: 1,2,3', null],
]);

table('parseCmtHeader', parseCmtHeader, [
  ['+CMT: ,27', { alpha: null, length: 27 }],
  ['+CMT: "",27', { alpha: null, length: 27 }],
  ['+CMT:,27', { alpha: null, length: 27 }],
  ['+CMT: "Ravi",27', { alpha: 'Ravi', length: 27 }],
  ['+CMT: "+919812345678","","24/05/01,10:15:30+22"', null],
  ['+CMT: "+919812345678",,"24/05/01,10:15:30+22",145,4,0,0,"+919800000000",145,5', null],
  ['+CMT: ,0', null],
  ['+CMT: ,x', null],
  ['+CMT: 27', null],
  ['+CMT: ,"27"', null],
]);

table('parseCdsHeader', parseCdsHeader, [
  ['+CDS: 25', { length: 25 }],
  ['+CDS:25', { length: 25 }],
  ['+CDS: 25  ', { length: 25 }],
  ['+CDS: 6,46,"+919812345678",145,"24/05/01,10:15:30+22","24/05/01,10:15:35+22",0', null],
  ['+CDS: 0', null],
  ['+CDS:', null],
  ['+CDSI: "SR",6', null],
]);

table('parseCmgr', parseCmgr, [
  ['+CMGR: 1,,27', { stat: 1, alpha: null, length: 27 }],
  ['+CMGR: ,,27', { stat: null, alpha: null, length: 27 }],
  ['+CMGR: 0,"Ravi",27', { stat: 0, alpha: 'Ravi', length: 27 }],
  ['+CMGR:0,,160', { stat: 0, alpha: null, length: 160 }],
  ['+CMGR: "REC UNREAD","+919812345678",,"24/05/01,10:15:30+22"', null],
  ['+CMGR: 7,,27', null],
  ['+CMGR: 1,,0', null],
  ['+CMGR: 1,27', null],
]);

table('parseCmgl', parseCmgl, [
  ['+CMGL: 1,0,,27', { index: 1, stat: 0, alpha: null, length: 27 }],
  ['+CMGL: 3,1,"",22', { index: 3, stat: 1, alpha: null, length: 22 }],
  ['+CMGL:4,,,22', { index: 4, stat: null, alpha: null, length: 22 }],
  ['+CMGL: 1,"REC UNREAD","+919812345678",,"24/05/01,10:15:30+22"', null],
  ['+CMGL: ,0,,27', null],
  ['+CMGL: 1,0,27', null],
]);

table('parseCpms', parseCpms, [
  [
    '+CPMS: "SM",3,50,"SM",3,50,"SM",3,50',
    [
      { storage: 'SM', used: 3, total: 50 },
      { storage: 'SM', used: 3, total: 50 },
      { storage: 'SM', used: 3, total: 50 },
    ],
  ],
  [
    // Everything in modem memory.
    '+CPMS: "ME",0,255,"ME",0,255,"ME",0,255',
    [
      { storage: 'ME', used: 0, total: 255 },
      { storage: 'ME', used: 0, total: 255 },
      { storage: 'ME', used: 0, total: 255 },
    ],
  ],
  [
    '+CPMS: 3,50,3,50,3,50',
    [
      { storage: null, used: 3, total: 50 },
      { storage: null, used: 3, total: 50 },
      { storage: null, used: 3, total: 50 },
    ],
  ],
  [
    '+CPMS:"SM",1,20,"ME",0,23',
    [
      { storage: 'SM', used: 1, total: 20 },
      { storage: 'ME', used: 0, total: 23 },
    ],
  ],
  ['+CPMS: 0,20', [{ storage: null, used: 0, total: 20 }]],
  ['+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")', null],
  ['+CPMS: "SM",3', null],
  ['+CPMS: 3,50,3', null],
  ['+CPMS: "SM",x,50', null],
  ['+CPMS: "SM",3,50,"SM",3,50,"SM",3,50,"SM",3,50', null],
  ['+CPMS:', null],
]);
