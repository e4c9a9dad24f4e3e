import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { expandTemplate, templatePlaceholders } from '../../../src/sms/template.js';

const values = { box: 'varanasi-01', boxName: 'Varanasi office', label: 'line-2', campaign: 'rally-posters' };

void describe('reply templates', () => {
  void it('lists the placeholders used, once each', () => {
    assert.deepEqual(templatePlaceholders('Hi from {box} ({label}), {box}'), ['box', 'label']);
    assert.deepEqual(templatePlaceholders('धन्यवाद! JOIN <नाम> <पिनकोड>'), []);
  });

  void it('expands placeholders, and {{ }} are literal braces', () => {
    assert.equal(expandTemplate('{boxName}: {campaign} on {label} {{ok}}', values), 'Varanasi office: rally-posters on line-2 {ok}');
    assert.equal(expandTemplate('{ box }', values), 'varanasi-01', 'spaces inside the braces are forgiven');
    assert.equal(expandTemplate('{campaign}', { ...values, campaign: null }), '');
  });

  void it('rejects unknown placeholders and unbalanced braces, saying what is allowed', () => {
    const unknown = templatePlaceholders('Hello {name}');
    assert.ok(!Array.isArray(unknown));
    assert.match(unknown.expected, /\{box\}, \{boxName\}, \{label\}, \{campaign\}.*\{name\}/);
    const open = templatePlaceholders('Hello {box');
    assert.ok(!Array.isArray(open));
    assert.match(open.expected, /closed by "}"/);
    const close = templatePlaceholders('Hello }');
    assert.ok(!Array.isArray(close));
    assert.throws(() => expandTemplate('{nope}', values), /template/);
  });
});
