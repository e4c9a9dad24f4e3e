import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { isAppError, ErrorCodes } from '../../../src/errors.js';
import { csvLine, parseCsv } from '../../../src/volunteers/csv.js';
import { PlaceTable } from '../../../src/volunteers/places.js';

const SAMPLE = fileURLToPath(new URL('../../fixtures/pincodes-sample.csv', import.meta.url));

void test('the sample table: pincode → district, constituency, state; several rows per pincode fill each other in', () => {
  const t = PlaceTable.load(SAMPLE);
  assert.equal(t.size, 9);
  assert.deepEqual(t.byPincode('221001'), { pincode: '221001', district: 'Varanasi', constituency: 'Varanasi Cantt.', state: 'Uttar Pradesh' });
  // The first 800001 row has no constituency; the second supplies it.
  assert.equal(t.byPincode('800001')?.constituency, 'Bankipur');
  assert.equal(t.byPincode('110014')?.district, 'South East Delhi');
  assert.equal(t.byPincode('999999'), null);
  assert.equal(t.byConstituency('LUCKNOW  central')?.district, 'Lucknow');
  assert.equal(t.byConstituency('लखनऊ पूर्व')?.constituency, 'Lucknow East');
  assert.equal(t.byConstituency('Varanasi Cantonment')?.constituency, 'Varanasi Cantt.');
  assert.equal(t.byConstituency('Nowhere'), null);
  assert.equal(t.maxConstituencyWords, 2);
});

void test("India Post's directory columns work as they are (district only, no constituency)", () => {
  const csv = [
    'CircleName,RegionName,DivisionName,OfficeName,Pincode,OfficeType,Delivery,District,StateName,Latitude,Longitude',
    'Uttar Pradesh Circle,Allahabad Region,Varanasi East Division,Varanasi City S.O,221001,S.O,Delivery,VARANASI,UTTAR PRADESH,25.3,83.0',
    'Uttar Pradesh Circle,Allahabad Region,Varanasi East Division,Kashi Vidyapith S.O,221002,S.O,Delivery,VARANASI,UTTAR PRADESH,NA,NA',
    'bad row without a pincode,,,,,,,,,,',
  ].join('\r\n');
  const t = PlaceTable.fromCsv(`\ufeff${csv}`);
  assert.deepEqual(t.byPincode('221002'), { pincode: '221002', district: 'VARANASI', constituency: null, state: 'UTTAR PRADESH' });
  assert.equal(t.skippedRows, 1);
});

void test('a table without the needed columns, or a missing file, is a configuration error naming the key', () => {
  for (const run of [() => PlaceTable.fromCsv('name,value\n1,2\n'), () => PlaceTable.fromCsv(''), () => PlaceTable.load('/nonexistent/pincodes.csv')]) {
    assert.throws(run, (err: unknown) => isAppError(err, ErrorCodes.CONFIG_INVALID) && err.message.startsWith('volunteers.pincodeTable:'));
  }
});

void test('CSV: quotes, doubled quotes, commas and line breaks inside fields, CRLF, BOM, blank lines', () => {
  assert.deepEqual(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\n\n"two\nlines",\n'), [
    ['a', 'b'],
    ['x, y', 'say "hi"'],
    ['two\nlines', ''],
  ]);
  const line = csvLine(['+919812345678', '=HYPERLINK("x")', '-5', 'राम, "सीता"', null, 3, true]);
  assert.equal(line, `+919812345678,"'=HYPERLINK(""x"")",-5,"राम, ""सीता""",,3,true\r\n`);
  assert.deepEqual(parseCsv(line), [['+919812345678', `'=HYPERLINK("x")`, '-5', 'राम, "सीता"', '', '3', 'true']]);
});
