/**
 * `missedcall passwd`: add a status-page account, or change its password or role, in the
 * YAML configuration file, keeping the file as the person wrote it (comments, order, blank
 * lines). The password never touches the file or the log: only its scrypt hash is written.
 */
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parse, parseDocument, type Document, type YAMLMap } from 'yaml';
import { parseConfig } from '../config/load.js';
import { USER_NAME_PATTERN, WEB_ROLES } from '../config/schema.js';
import { AppError, ErrorCodes } from '../errors.js';
import { DEFAULT_SCRYPT, hashPassword, MIN_PASSWORD_LENGTH } from './password.js';

/** The account roles (the same words as config `http.users[].role`). */
export type AccountRole = (typeof WEB_ROLES)[number];

export interface SetAccountOptions {
  /** The configuration file to change. */
  file: string;
  user: string;
  role: AccountRole;
  password: string;
  /** scrypt cost; tests use a cheap one. */
  cost?: { N: number; r: number; p: number };
}

/** What `setAccount` did. */
export interface SetAccountResult {
  action: 'added' | 'changed';
  path: string;
  /** True when users other than the owner can read the file (the hashes are secrets). */
  readableByOthers: boolean;
}

function usage(message: string): AppError {
  return new AppError(ErrorCodes.CONFIG_INVALID, message);
}

/** Check a new password; a message for the person, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 256) return 'the password must have at most 256 characters';
  if (/[\r\n]/.test(password)) return 'the password must be on one line';
  return null;
}

/** A key written with no value (`http:` and nothing after it). */
function isEmpty(node: unknown): boolean {
  return node === undefined || node === null || (isScalar(node) && (node.value === null || node.value === ''));
}

/** A text change: replace `[start, end)` with `text`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just after the end of the line `offset` is on (after its newline, or the end of the text). */
function lineEndOf(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

function rangeOf(node: unknown): [number, number, number] | null {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ?? null;
}

/** An insertion at `offset`, making sure it starts on a new line. */
function insertLines(text: string, offset: number, lines: string[]): Edit {
  const needsNewline = offset > 0 && text[offset - 1] !== '\n';
  return { start: offset, end: offset, text: `${needsNewline ? '\n' : ''}${lines.join('\n')}\n` };
}

/**
 * The edits that put the account into the file's text, touching nothing else: an existing
 * account's role and hash are replaced where they stand; a new one is added after the last
 * account, in the same indentation; `users:` (or `http:`) is added when missing. Null when
 * the file is written in a style this does not handle (flow `{…}` sections): the caller
 * then re-serialises the document, which keeps comments but not every alignment.
 */
function plannedEdits(text: string, doc: Document, user: string, role: AccountRole, hash: string): { edits: Edit[]; action: 'added' | 'changed' } | null {
  const http = doc.get('http', true);
  const entry = (indent: string): string[] => [`${indent}- name: ${user}`, `${indent}  role: ${role}`, `${indent}  passwordHash: ${hash}`];
  if (http === undefined) {
    return { action: 'added', edits: [insertLines(text, text.length, ['http:', '  users:', ...entry('    ')])] };
  }
  if (isEmpty(http)) {
    const pair = doc.contents && isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'http') : undefined;
    const keyRange = rangeOf(pair?.key);
    if (!keyRange) return null;
    return { action: 'added', edits: [insertLines(text, lineEndOf(text, keyRange[1]), ['  users:', ...entry('    ')])] };
  }
  if (!isMap(http) || http.flow) return null;
  const firstKey = rangeOf(http.items[0]?.key);
  if (!firstKey) return null;
  const keyIndent = ' '.repeat(columnOf(text, firstKey[0]));
  const users = http.get('users', true);
  if (users === undefined || isEmpty(users)) {
    if (users !== undefined) {
      const pair = http.items.find((p) => isScalar(p.key) && p.key.value === 'users');
      const r = rangeOf(pair?.key);
      if (!r) return null;
      return { action: 'added', edits: [insertLines(text, lineEndOf(text, r[1]), entry(`${keyIndent}  `))] };
    }
    const last = http.items[http.items.length - 1];
    const end = rangeOf(last?.value) ?? rangeOf(last?.key);
    if (!end) return null;
    return { action: 'added', edits: [insertLines(text, lineEndOf(text, end[1]), [`${keyIndent}users:`, ...entry(`${keyIndent}  `)])] };
  }
  if (!isSeq(users)) throw usage('http.users in the file is not a list; fix it first (each account starts with "- name:")');
  const maps = users.items.filter((i): i is YAMLMap => isMap(i));
  const existing = maps.find((m) => String(m.get('name')).toLowerCase() === user.toLowerCase());
  if (existing) {
    if (existing.flow) return null;
    const edits: Edit[] = [];
    const nameKey = rangeOf(existing.items[0]?.key);
    if (!nameKey) return null;
    const indent = ' '.repeat(columnOf(text, nameKey[0]));
    const lastValue = rangeOf(existing.items[existing.items.length - 1]?.value);
    const missing: string[] = [];
    for (const [key, value] of [
      ['role', role],
      ['passwordHash', hash],
    ] as const) {
      const node = existing.get(key, true);
      const r = rangeOf(node);
      if (r && isScalar(node)) edits.push({ start: r[0], end: r[1], text: value });
      else missing.push(`${indent}${key}: ${value}`);
    }
    if (missing.length > 0) {
      if (!lastValue) return null;
      edits.push(insertLines(text, lineEndOf(text, lastValue[1]), missing));
    }
    return { action: 'changed', edits };
  }
  if (users.flow) {
    const r = rangeOf(users);
    if (!r || users.items.length > 0) return null;
    // `users: []` becomes a block list.
    return { action: 'added', edits: [{ start: r[0], end: r[1], text: `\n${entry(`${keyIndent}  `).join('\n')}` }] };
  }
  const lastItem = maps[maps.length - 1];
  const lastKey = rangeOf(lastItem?.items[0]?.key);
  const lastEnd = rangeOf(lastItem?.items[(lastItem?.items.length ?? 1) - 1]?.value);
  if (!lastKey || !lastEnd) return null;
  const dash = text.lastIndexOf('-', lastKey[0]);
  const seqIndent = ' '.repeat(columnOf(text, dash));
  return { action: 'added', edits: [insertLines(text, lineEndOf(text, lastEnd[1]), entry(seqIndent))] };
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The same change through the YAML document model (comments kept, alignment of trailing comments not). */
function viaDocument(doc: Document, user: string, role: AccountRole, hash: string): { out: string; action: 'added' | 'changed' } {
  const http = doc.get('http', true);
  if (isEmpty(http)) doc.set('http', doc.createNode({ users: [] }));
  else if (!isMap(http)) throw usage('the "http:" section of the file is not a section of keys; fix it first');
  const map = doc.get('http', true) as YAMLMap;
  if (isEmpty(map.get('users', true))) map.set('users', doc.createNode([]));
  const users = map.get('users', true);
  if (!isSeq(users)) throw usage('http.users in the file is not a list; fix it first (each account starts with "- name:")');
  const existing = users.items.find((i): i is YAMLMap => isMap(i) && String(i.get('name')).toLowerCase() === user.toLowerCase());
  if (existing) {
    existing.set('role', role);
    existing.set('passwordHash', hash);
  } else users.add(doc.createNode({ name: user, role, passwordHash: hash }));
  // lineWidth 0: never fold a long line (a hash, a reply text) the person wrote on one line.
  return { out: doc.toString({ lineWidth: 0 }), action: existing ? 'changed' : 'added' };
}

/** True when `text` holds the account exactly as intended (checked before anything is written). */
function holdsAccount(text: string, user: string, role: AccountRole, hash: string): boolean {
  const users = (parse(text) as { http?: { users?: { name?: unknown; role?: unknown; passwordHash?: unknown }[] } } | null)?.http?.users ?? [];
  const matches = users.filter((u) => String(u.name).toLowerCase() === user.toLowerCase());
  return matches.length === 1 && matches[0]?.role === role && matches[0]?.passwordHash === hash;
}

/**
 * Add the account or update it (matched by name, ignoring case), then write the file back
 * atomically, keeping its permissions. The result is validated first: a change that would
 * leave the file unreadable by the box is never written.
 */
export async function setAccount(options: SetAccountOptions): Promise<SetAccountResult> {
  const path = resolve(options.file);
  if (!USER_NAME_PATTERN.test(options.user)) throw usage(`--user must be 1 to 32 letters, digits, dots, dashes, underscores or @, got "${options.user.slice(0, 40)}"`);
  if (!(WEB_ROLES as readonly string[]).includes(options.role)) throw usage(`--role must be viewer or admin, got "${String(options.role)}"`);
  const problem = passwordProblem(options.password);
  if (problem) throw usage(problem);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw usage(`cannot read ${options.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // Check the file as it is first: its own problems are reported as such, not blamed on the account.
  parseConfig(text, options.file, dirname(path));
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const doc = parseDocument(source);
  const hash = await hashPassword(options.password, options.cost ?? DEFAULT_SCRYPT);
  const planned = plannedEdits(source, doc, options.user, options.role, hash);
  let out = planned ? applyEdits(source, planned.edits) : '';
  let action = planned?.action ?? 'added';
  if (!planned || !holdsAccount(out, options.user, options.role, hash)) ({ out, action } = viaDocument(doc, options.user, options.role, hash));
  parseConfig(out, options.file, dirname(path));
  if (!holdsAccount(out, options.user, options.role, hash)) throw new AppError(ErrorCodes.CONFIG_INVALID, 'could not add the account to the file; nothing was changed');
  const mode = statSync(path).mode & 0o777;
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, out);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, mode);
  renameSync(tmp, path);
  return { action, path, readableByOthers: (mode & 0o044) !== 0 };
}

/**
 * Read a password: on a terminal, typed without echo and asked twice; otherwise the first
 * line of standard input (for scripts: `echo "$PW" | missedcall passwd …`).
 */
export async function readPassword(input: NodeJS.ReadStream, output: NodeJS.WritableStream): Promise<string> {
  if (!input.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').replace(/^\uFEFF/, '');
  }
  const first = await promptHidden(input, output, 'Password: ');
  const second = await promptHidden(input, output, 'Again, to check: ');
  if (first !== second) throw usage('the two passwords differ; nothing was changed');
  return first;
}

/** One line typed without echo (raw mode): Enter ends it, Backspace deletes, Ctrl-C cancels. */
function promptHidden(input: NodeJS.ReadStream, output: NodeJS.WritableStream, prompt: string): Promise<string> {
  output.write(prompt);
  return new Promise((resolvePassword, reject) => {
    let typed = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const finish = (err: Error | null): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolvePassword(typed);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || ch === '\u0004') return finish(usage('cancelled; nothing was changed'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch >= ' ') typed += ch;
      }
      return undefined;
    };
    input.on('data', onData);
  });
}
