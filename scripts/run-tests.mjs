#!/usr/bin/env node
// Node 20's test runner takes no glob patterns, so this finds the test files and runs them
// through tsx. `npm test -- test/unit` runs one folder; other `--` options pass through.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const roots = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));

function findTests(path) {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { recursive: true })
    .map((f) => join(path, String(f)))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

const files = (roots.length > 0 ? roots : ['test']).flatMap(findTests);
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ') || 'test'}`);
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...flags, ...files],
  { stdio: 'inherit' },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
