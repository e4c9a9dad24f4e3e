import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { App } from '../../../src/app.js';
import type { Modem, ModemState } from '../../../src/modem/modem.js';
import type { SimModemOptions } from '../../../src/sim/sim-modem.js';
import type { CallRow } from '../../../src/store/calls.js';
import { boxConfig, startBox, tempDir } from '../../helpers/box.js';
import { ptyModem, type PtyModem } from '../../helpers/pty-modem.js';
import { nextEvent } from '../../helpers/wait.js';
import { PASSWORDS, testUsers } from '../../helpers/web.js';

/** Debian's Chromium; tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A box on simulated modems over real ptys, with the status page on a free port and two accounts. */
export interface WebBox {
  app: App;
  base: string;
  modems: PtyModem[];
  dir: string;
  close: () => Promise<void>;
}

export async function startWebBox(specs: (SimModemOptions & { label: string })[]): Promise<WebBox> {
  const { dir, remove } = tempDir('mcb-web-');
  const modems: PtyModem[] = [];
  try {
    for (const [i, spec] of specs.entries()) modems.push(await ptyModem(dir, `modem${i}`, spec));
    const config = boxConfig(
      dir,
      modems.map((m, i) => ({ port: m.path, label: specs[i]?.label ?? `line-${i + 1}`, campaign: 'rally-posters' })),
      { box: { id: 'varanasi-01', name: 'Varanasi district office' }, http: { host: '127.0.0.1', port: 8080, users: await testUsers() } },
    );
    const app = await startBox(config);
    const base = app.address();
    if (!base) throw new Error('the status page is not listening');
    return {
      app,
      base,
      modems,
      dir,
      close: async () => {
        await app.stop();
        await Promise.all(modems.map(closeModem));
        remove();
      },
    };
  } catch (err) {
    await Promise.all(modems.map(closeModem));
    remove();
    throw err;
  }
}

/**
 * Close a simulated modem, bounded: under load socat's exit has been seen to go unreported,
 * which would leave `close()` waiting forever and the test file timing out.
 */
async function closeModem(m: PtyModem): Promise<void> {
  await Promise.race([m.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (m.pty.process.exitCode === null && m.pty.process.signalCode === null) m.pty.process.kill('SIGKILL');
}

/** Resolve once the modem is in `state` (bounded). */
export function inState(m: Modem, state: ModemState, timeoutMs = 10_000): Promise<unknown> {
  if (m.info.state === state) return Promise.resolve();
  return nextEvent(m, 'state', (s: unknown) => s === state, timeoutMs);
}

/** The next call the box records whose number satisfies `accept`. */
export function nextRecorded(app: App, accept: (row: CallRow) => boolean, timeoutMs = 10_000): Promise<[CallRow]> {
  return nextEvent<[CallRow]>(app.handler, 'recorded', (row) => accept(row), timeoutMs);
}

/** One headless Chromium for a test file; playwright gives it a fresh temporary profile and removes it on close. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}

/** A phone-sized page that records console errors (a CSP violation is one). */
export async function phonePage(browser: Browser, width = 360): Promise<{ context: BrowserContext; page: Page; consoleErrors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: 780 }, deviceScaleFactor: 1, locale: 'en-IN' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const consoleErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  return { context, page, consoleErrors };
}

/** Log in through the form, as a person would. */
export async function logIn(page: Page, base: string, user: keyof typeof PASSWORDS, path = '/'): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('#user', user);
  await page.fill('#password', PASSWORDS[user]);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('button[type=submit]')]);
}
