import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { exampleConfig } from '../../../src/config/load.js';
import { listConfigKeys } from '../../../src/config/keys.js';

const DOC = readFileSync(new URL('../../../docs/CONFIG.md', import.meta.url), 'utf8');

/** The rows of the key table: `| \`path\` | type | default | meaning |`, by path. */
function tableRows(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of DOC.split('\n')) {
    const match = /^\| `([^`]+)` \|(.*)\|$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    rows.set(match[1], match[2].split(' | ').map((cell) => cell.trim()));
  }
  return rows;
}

void describe('docs/CONFIG.md', () => {
  const keys = listConfigKeys();
  const rows = tableRows();

  void it('walks the whole schema (sanity check of the walk itself)', () => {
    const paths = keys.map((key) => key.path);
    for (const path of ['box.id', 'country', 'database', 'modems[].port', 'modems[].profile', 'http.port', 'log.level']) {
      assert.ok(paths.includes(path), `${path} not found in ${paths.join(', ')}`);
    }
  });

  void it('has a row for every key in the schema', () => {
    const missing = keys.filter((key) => !rows.has(key.path)).map((key) => key.path);
    assert.deepEqual(missing, [], `add these keys to the table in docs/CONFIG.md: ${missing.join(', ')}`);
  });

  void it('has no row for a key the schema does not have', () => {
    const known = new Set(keys.map((key) => key.path));
    const stale = [...rows.keys()].filter((path) => !known.has(path));
    assert.deepEqual(stale, [], `remove or rename these rows in docs/CONFIG.md: ${stale.join(', ')}`);
  });

  void it('gives the same default as the schema, or says the key is required', () => {
    for (const key of keys) {
      const defaultCell = rows.get(key.path)?.[1];
      if (key.required) assert.equal(defaultCell, 'required', key.path);
      else if (key.hasDefault && key.kind === 'value') assert.equal(defaultCell, `\`${String(key.defaultValue)}\``, key.path);
    }
  });

  void it('contains the example configuration word for word', () => {
    assert.ok(DOC.includes(`\`\`\`yaml\n${exampleConfig()}\`\`\``), 'copy exampleConfig() into the Example section of docs/CONFIG.md');
  });
});

void describe('schema descriptions', () => {
  void it('every key has a .describe() sentence', () => {
    const bare = listConfigKeys().filter((key) => key.description === undefined || key.description.trim() === '');
    assert.deepEqual(bare.map((key) => key.path), []);
  });

  void it('every key says whether it is required, and names its default', () => {
    for (const key of listConfigKeys()) {
      const description = key.description ?? '';
      assert.match(description, key.required ? /^Required\./ : /^Optional\./, key.path);
      if (key.hasDefault && key.kind === 'value') {
        assert.ok(description.includes(`Default: ${String(key.defaultValue)}`), `${key.path}: "${description}" does not name its default`);
      }
    }
  });
});
