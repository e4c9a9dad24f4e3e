/**
 * The status page in a real browser: Debian's headless Chromium driven by playwright-core,
 * against the real App on simulated modems over real ptys, with a real SQLite file. One
 * browser and one box for the whole file (each test gets its own browser context).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { encodeDeliver } from '../../../src/sms/pdu/index.js';
import { nextEvent } from '../../helpers/wait.js';
import { inState, launchBrowser, logIn, nextRecorded, phonePage, startWebBox, type WebBox } from './setup.js';

const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const HOUR = 3_600_000;

let box: WebBox | undefined;
let browser: Browser | undefined;

before(async () => {
  // Settled one by one, so that whatever did start is stopped by `after` even if the other failed.
  const [b, started] = await Promise.allSettled([
    launchBrowser(),
    startWebBox([
      { label: 'line-1', vendor: 'quectel', csq: 24, operator: 'Jio 4G', imei: '867162020000011', iccid: '8991000900111111111' },
      { label: 'line-2', vendor: 'simcom', simPresent: false, imei: '867162020000022' },
    ]),
  ]);
  if (b.status === 'fulfilled') browser = b.value;
  if (started.status === 'fulfilled') box = started.value;
  if (b.status === 'rejected') throw b.reason;
  if (started.status === 'rejected') throw started.reason;
  const { box: web } = ready();
  const [line1, line2] = web.app.modems;
  assert.ok(line1 && line2);
  await Promise.all([inState(line1, 'ready'), inState(line2, 'no-sim')]);
  // Yesterday's and today's calls, so the chart has a shape (written as the call handler would).
  const now = Date.now();
  for (let h = 23; h >= 1; h--) {
    const count = Math.round(6 + 5 * Math.sin(h / 3.5) + (h % 5));
    for (let i = 0; i < count; i++) {
      const at = now - h * HOUR + i * 97_000;
      web.app.calls.record({
        number: `+9197${String(10000000 + h * 100 + i).padStart(8, '0')}`,
        numberRaw: null,
        numberValid: true,
        withheld: false,
        numberSource: 'clip',
        modemImei: '867162020000011',
        simIccid: '8991000900111111111',
        port: line1.info.port,
        portLabel: 'line-1',
        campaign: 'rally-posters',
        rangAt: at,
        hangupAt: at + 3,
        hangupLatencyMs: 2 + (i % 4) * 0.7,
        callerGaveUp: false,
      });
    }
  }
});

after(async () => {
  await browser?.close();
  await box?.close();
});

/** The browser and box started by `before`. */
function ready(): { browser: Browser; box: WebBox } {
  if (!browser || !box) throw new Error('the browser or the box did not start');
  return { browser, box };
}

test('a viewer logs in, sees the modems, and a call on the simulated modem appears within 3 s without reload, its number masked', async () => {
  const { browser, box } = ready();
  const { page, context, consoleErrors } = await phonePage(browser);
  try {
    await logIn(page, box.base, 'viewer');
    assert.equal(new URL(page.url()).pathname, '/');
    // Both lines with their state, as the technician sees them.
    await page.locator('[data-region="modems"] tr[data-modem="line-1"]', { hasText: 'working' }).waitFor();
    await page.locator('[data-region="modems"] tr[data-modem="line-2"]', { hasText: 'no SIM card' }).waitFor();
    assert.match(await page.locator('[data-region="health"]').innerText(), /line-2: no SIM card/);
    // Wait until the live stream delivered its first update, then mark the page: a reload would lose the mark.
    await page.waitForFunction("document.documentElement.hasAttribute('data-live-version')");
    await page.evaluate('window.__sameDocument = true');
    const masked = '+91 98•••••210';
    const recent = page.locator('[data-region="recent"]');
    assert.equal(await recent.getByText(masked).count(), 0, 'not there before the call');

    const sim = box.modems[0]?.sim;
    assert.ok(sim);
    const recorded = nextRecorded(box.app, (row) => row.number === '+919876543210');
    const outcome = await sim.ring('+919876543210', { rings: 3, intervalMs: 1500 });
    assert.equal(outcome.outcome, 'hung-up');
    await recorded;
    const t0 = Date.now();
    await recent.getByText(masked).waitFor({ timeout: 3000 });
    const shownAfterMs = Date.now() - t0;
    assert.ok(shownAfterMs <= 3000, `shown after ${shownAfterMs} ms`);
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'no reload');
    const text = await page.locator('body').innerText();
    assert.ok(!text.includes('9876543210'), 'the whole number is never shown to a viewer');
    assert.ok(!(await page.content()).includes('9876543210'), 'nor sent to the viewer’s browser');

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}overview.png`, fullPage: true });
    assert.deepEqual(consoleErrors, [], 'no script errors or CSP violations');
  } finally {
    await context.close();
  }
});

test('an admin sees whole numbers and sends a test SMS from the page; the simulated modem receives it', async () => {
  const { browser, box } = ready();
  const { page, context, consoleErrors } = await phonePage(browser);
  try {
    await logIn(page, box.base, 'admin', '/calls');
    await page.locator('[data-region="calls"]').getByText('+919876543210').first().waitFor();
    await page.goto(`${box.base}/modems`);
    const card = page.locator('article[data-modem="line-1"]');
    await card.locator('summary', { hasText: 'Send a test SMS' }).click();
    await card.locator('input[name="to"]').fill('98123 45678');
    const sim = box.modems[0]?.sim;
    assert.ok(sim);
    const delivered = nextEvent(sim, 'sms', () => true, 20_000);
    await Promise.all([page.waitForURL(/notice=test-sms/), card.locator('button', { hasText: 'Send' }).click()]);
    assert.match(await page.locator('.notice').innerText(), /Test SMS queued/);
    const [sms] = (await delivered) as unknown as [{ pdu: string }];
    // The PDU carries the recipient as swapped BCD: 919812345678 → 19 89 21 43 65 87.
    assert.match(sms.pdu, /198921436587/);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});

test('HTML and script from a modem (operator name, caller id) and from a volunteer (an SMS) show as literal text and run nothing', async () => {
  const { browser, box } = ready();
  const { page, context, consoleErrors } = await phonePage(browser);
  try {
    await logIn(page, box.base, 'admin', '/modems');
    const sim = box.modems[0]?.sim;
    assert.ok(sim);
    const operator = '<img src=x onerror=window.__xss=1>';
    const caller = '<script>window.__xss=2</script>';
    sim.operator = operator;
    // The next health poll reads the new name; the open page shows it through the live stream.
    await page.locator('article[data-modem="line-1"] [data-field="operator"]', { hasText: operator }).waitFor({ timeout: 10_000 });
    const recorded = nextRecorded(box.app, (row) => row.numberRaw === caller);
    assert.equal((await sim.ring(caller, { rings: 3, intervalMs: 1500 })).outcome, 'hung-up');
    await recorded;
    await page.goto(`${box.base}/calls`);
    await page.locator('[data-region="calls"]').getByText(caller).waitFor();
    await page.goto(`${box.base}/`);
    await page.locator('[data-region="modems"]').getByText(operator).waitFor();
    await page.locator('[data-region="recent"]').getByText(caller).waitFor();
    assert.equal(await page.evaluate('window.__xss'), undefined, 'nothing ran');
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element was made from the text');
    assert.equal(await page.locator('main script').count(), 0);
    sim.operator = 'Jio 4G';

    // A volunteer's SMS with HTML and script in it, delivered by the network to the modem.
    const inbox = box.app.inbound?.inbox;
    assert.ok(inbox, 'the inbound side is running');
    const message = '<script>window.__xss=3</script><img src=x onerror=window.__xss=4> JOIN';
    const stored = nextEvent(inbox, 'stored', () => true, 15_000);
    const [pdu] = encodeDeliver({ from: '+919812345670', text: message, timestamp: new Date() });
    assert.ok(pdu);
    sim.deliverSms(pdu);
    await stored;
    await page.goto(`${box.base}/messages`);
    await page.locator('main td.text').getByText(message, { exact: true }).waitFor();
    assert.equal(await page.evaluate('window.__xss'), undefined, 'nothing ran');
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});

test('readable at 360 px without sideways scrolling; Hindi is one tap away and remembered', async () => {
  const { browser, box } = ready();
  const { page, context, consoleErrors } = await phonePage(browser, 360);
  try {
    await logIn(page, box.base, 'viewer');
    for (const path of ['/', '/modems', '/calls', '/events', '/sms']) {
      await page.goto(`${box.base}${path}`);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(overflow <= 0, `${path} is ${overflow} px too wide for a 360-px phone`);
    }
    await page.goto(`${box.base}/modems`);
    await Promise.all([page.waitForURL(/\/modems$/), page.locator('a[hreflang="hi"]').click()]);
    assert.equal(await page.getAttribute('html', 'lang'), 'hi');
    assert.match(await page.locator('nav').innerText(), /सारांश/);
    await page.goto(`${box.base}/`);
    assert.match(await page.locator('[data-region="health"]').innerText(), /सिम कार्ड नहीं/);
    await page.locator('#live').waitFor();
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});
