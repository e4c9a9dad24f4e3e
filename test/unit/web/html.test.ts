import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, href, html, SafeHtml, trusted } from '../../../src/web/html.js';

test('escapeHtml: every character that can open a tag, an attribute or an entity is escaped', () => {
  assert.equal(escapeHtml(`<img src=x onerror="alert('1')">&\``), '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;&#96;');
  assert.equal(escapeHtml('नमस्ते 9812345678'), 'नमस्ते 9812345678');
});

test('html``: values are escaped, nested html`` is not escaped twice, arrays are joined', () => {
  const name = '<script>alert(1)</script>';
  const out = html`<p title="${name}">${name}</p>`;
  assert.ok(out instanceof SafeHtml);
  assert.equal(out.value, '<p title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  const list = html`<ul>${['a<b', 'c&d'].map((x) => html`<li>${x}</li>`)}</ul>`;
  assert.equal(list.value, '<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
  assert.equal(html`${[html`<b>`, '<i>']}`.value, '<b>&lt;i&gt;');
});

test('html``: null, undefined and booleans render nothing; numbers render as numbers', () => {
  const show = false;
  assert.equal(html`[${null}${undefined}${show && html`<b>x</b>`}${true}${0}${12.5}]`.value, '[012.5]');
});

test('html``: a string that looks like markup stays text even when it came from an earlier template string', () => {
  // A plain string is never trusted, however it was made.
  const fromElsewhere = `${html`<b>bold</b>`.value}`;
  assert.equal(html`${fromElsewhere}`.value, '&lt;b&gt;bold&lt;/b&gt;');
  assert.equal(html`${trusted('<b>bold</b>')}`.value, '<b>bold</b>');
});

test('href: parameters are encoded, empty ones left out', () => {
  assert.equal(href('/volunteers', { pincode: '221001', interest: 'a&b c', before: undefined, x: '' }), '/volunteers?pincode=221001&interest=a%26b%20c');
  assert.equal(href('/calls'), '/calls');
  // Still escaped when put into an attribute.
  assert.equal(html`<a href="${href('/x', { q: '"><script>' })}">`.value, '<a href="/x?q=%22%3E%3Cscript%3E">');
});
