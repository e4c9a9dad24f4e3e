import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { EventLog } from '../../../src/events/event-log.js';
import { createLogger, silentLogger, type Logger } from '../../../src/log.js';
import type { ModemCounters, ModemInfo } from '../../../src/modem/modem.js';
import { CallStore, type NewCall } from '../../../src/store/calls.js';
import { openDatabase } from '../../../src/store/db.js';
import { buildWebApp, type WebDeps } from '../../../src/web/app.js';
import type { WebUser } from '../../../src/web/auth.js';
import type { StatusSnapshot } from '../../../src/web/status-model.js';
import { tempDir } from '../../helpers/box.js';
import { PASSWORDS, testUsers } from '../../helpers/web.js';

export function counters(): ModemCounters {
  return { commands: 10, timeouts: 0, urcs: 2, noise: 0, unknownLines: 0, overflows: 0, strayFinals: 0, unexpectedPrompts: 0, badClipLines: 0, hangupsConfirmed: 0, hangupsRepeated: 0 };
}

export function modemInfo(label: string, patch: Partial<ModemInfo> = {}): ModemInfo & { counters: ModemCounters } {
  return {
    port: `/dev/tty-${label}`,
    label,
    campaign: 'rally-posters',
    state: 'ready',
    stateSince: Date.now() - 60_000,
    vendor: 'quectel',
    manufacturer: 'Quectel',
    model: 'EC25',
    revision: 'EC25EFAR06A06M4G',
    imei: '867162020000011',
    imsi: '404450123456789',
    iccid: '8991000900111111111',
    operator: 'Jio 4G',
    registered: true,
    registration: 'home',
    signalDbm: -71,
    lastError: null,
    counters: counters(),
    ...patch,
  };
}

export function newCall(number: string | null, patch: Partial<NewCall> = {}): NewCall {
  const at = Date.now() - 1000;
  return {
    number,
    numberRaw: number,
    numberValid: true,
    withheld: number === null,
    numberSource: 'clip',
    modemImei: '867162020000011',
    simIccid: '8991000900111111111',
    port: '/dev/tty-line-1',
    portLabel: 'line-1',
    campaign: 'rally-posters',
    rangAt: at,
    hangupAt: at + 2,
    hangupLatencyMs: 1.25,
    callerGaveUp: false,
    ...patch,
  };
}

export interface Fixture {
  app: FastifyInstance;
  calls: CallStore;
  events: EventLog;
  snapshot: StatusSnapshot;
  users: WebUser[];
  /** What the web app logged (JSON lines), when `captureLog` was set. */
  logged: string[];
  now: { value: number };
}

/** A web app over a real SQLite file, a stub box snapshot and test accounts. */
export async function webFixture(
  t: TestContext,
  options: Partial<WebDeps> & { users?: WebUser[]; captureLog?: boolean; seed?: (calls: CallStore) => void } = {},
): Promise<Fixture> {
  const { dir, remove } = tempDir();
  t.after(remove);
  const db = openDatabase(join(dir, 'box.db'));
  t.after(() => db.close());
  const calls = new CallStore(db);
  options.seed?.(calls);
  const logged: string[] = [];
  const log: Logger = options.captureLog
    ? createLogger({
        level: 'info',
        destination: new Writable({
          write(chunk: Buffer, _enc, cb) {
            logged.push(chunk.toString());
            cb();
          },
        }),
      })
    : silentLogger();
  const events = options.events ?? new EventLog({ log });
  const snapshot: StatusSnapshot = {
    box: 'varanasi-01',
    name: 'Varanasi district office',
    version: '0.0.0-test',
    uptimeSeconds: 3725,
    modems: [modemInfo('line-1'), modemInfo('line-2', { state: 'no-sim', lastError: 'no SIM card in the modem', iccid: null, operator: null, signalDbm: null })],
  };
  const users = options.users ?? (await testUsers());
  const now = { value: Date.now() };
  const { users: _u, captureLog: _c, seed: _s, ...deps } = options;
  const app = await buildWebApp({
    log,
    status: () => snapshot,
    calls,
    db,
    events,
    auth: { users, sessionHours: 12, configPath: '/etc/missedcall/config.yaml' },
    now: () => now.value,
    ...deps,
  });
  t.after(() => app.close());
  return { app, calls, events, snapshot, users, logged, now };
}

/** Log in through the form; returns the cookie header and the session's CSRF token (read from a page). */
export async function login(app: FastifyInstance, user: keyof typeof PASSWORDS): Promise<{ cookie: string; csrf: string; res: LightMyRequestResponse }> {
  const res = await app.inject({
    method: 'POST',
    url: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ user, password: PASSWORDS[user], next: '/' }).toString(),
  });
  const set = res.headers['set-cookie'];
  const raw = Array.isArray(set) ? set[0] : set;
  if (res.statusCode !== 303 || !raw) throw new Error(`login failed: ${res.statusCode} ${res.body.slice(0, 200)}`);
  const cookie = raw.split(';')[0] ?? '';
  const page = await app.inject({ url: '/', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { cookie, csrf, res };
}

/** A form body. */
export function form(fields: Record<string, string>): { headers: Record<string, string>; payload: string } {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() };
}
