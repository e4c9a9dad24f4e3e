import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/box.js';
import { runCli } from '../helpers/cli.js';

const good = `box:
  id: varanasi-01
modems:
  - port: /dev/ttyUSB2
http:
  port: 8080
`;

/** Each kind of mistake a person makes in the file: exit 2, and stderr names the key. */
const cases: { name: string; yaml: string; mentions: RegExp[] }[] = [
  { name: 'unknown key (typo)', yaml: good.replace('modems:', 'modem:'), mentions: [/modem: unknown key/, /did you mean "modems"/] },
  { name: 'bad box id', yaml: good.replace('varanasi-01', 'Varanasi 01'), mentions: [/box\.id/, /Varanasi 01/, /lowercase/] },
  { name: 'wrong type', yaml: good.replace('port: 8080', 'port: eighty'), mentions: [/http\.port/, /eighty/] },
  { name: 'out of range', yaml: good.replace('port: 8080', 'port: 70000'), mentions: [/http\.port/, /70000/, /65535/] },
  { name: 'modem without a port', yaml: good.replace('  - port: /dev/ttyUSB2', '  - label: line-1'), mentions: [/modems\[0\]\.port/] },
  { name: 'YAML syntax error', yaml: 'box:\n  id: [unclosed\n', mentions: [/line \d+/, /YAML/] },
  { name: 'bad country', yaml: `${good}country: XX\n`, mentions: [/country/, /XX/] },
];

test('a bad config file exits with code 2 and a message naming the key, the value and what is expected', async (t) => {
  const { dir, remove } = tempDir();
  t.after(remove);
  await Promise.all(
    cases.map(async (c, i) => {
      const file = join(dir, `config-${i}.yaml`);
      writeFileSync(file, c.yaml);
      const r = await runCli(['run', '--config', file]);
      assert.equal(r.code, 2, `${c.name}: exit code (stderr: ${r.stderr})`);
      for (const m of c.mentions) assert.match(r.stderr, m, `${c.name}: message`);
      assert.match(r.stderr, new RegExp(`config-${i}\\.yaml`), `${c.name}: names the file`);
    }),
  );
});

test('a missing config file and a missing --config are usage errors with exit code 2', async () => {
  const missing = await runCli(['run', '--config', '/nonexistent/config.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nonexistent\/config\.yaml/);
  const none = await runCli(['run']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--config/);
});
