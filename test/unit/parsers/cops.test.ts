import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCops, type OperatorInfo } from '../../../src/at/parsers/cops.js';

const cases: [string, OperatorInfo | null][] = [
  ['+COPS: 0,0,"Jio 4G",7', { mode: 0, format: 0, operator: 'Jio 4G', act: 7 }],
  ['+COPS: 0', { mode: 0, format: null, operator: null, act: null }],
  ['+COPS: 2', { mode: 2, format: null, operator: null, act: null }],
  ['+COPS: 0,2,"40410",2', { mode: 0, format: 2, operator: '40410', act: 2 }],
  ['+COPS: 0,0,"IND airtel",2', { mode: 0, format: 0, operator: 'IND airtel', act: 2 }],
  ['+COPS:1,2,"40445",7', { mode: 1, format: 2, operator: '40445', act: 7 }],
  ['+COPS: 0,1,"VI",0', { mode: 0, format: 1, operator: 'VI', act: 0 }],
  ['+COPS: 0,0,"CellOne, BSNL"', { mode: 0, format: 0, operator: 'CellOne, BSNL', act: null }],
  ['+COPS: 0,0,"Vi India "  ', { mode: 0, format: 0, operator: 'Vi India', act: null }],
  ['+COPS: 0,2,40410,7', { mode: 0, format: 2, operator: '40410', act: 7 }],
  ['+COPS: 0,0', { mode: 0, format: 0, operator: null, act: null }],
  ['+COPS: 0,0,""', { mode: 0, format: 0, operator: null, act: null }],
  ['+COPS: (2,"IND airtel","airtel","40410",7),,(0-4),(0-2)', null],
  ['+COPS: 9', null],
  ['+COPS: 0,5,"x"', null],
  ['+COPS: 0,,"x"', null],
  ['+COPS: x', null],
  ['+COPS: 0,0,"Jio",x', null],
  ['+COPS: 0,0,"Jio",7,1', null],
  ['+COPS:', null],
  ['+CREG: 0,1', null],
];

for (const [line, expected] of cases) {
  void test(`parseCops(${JSON.stringify(line)})`, () => {
    assert.deepEqual(parseCops(line), expected);
  });
}
