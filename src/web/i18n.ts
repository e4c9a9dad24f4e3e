/**
 * Every word the status page shows, in English and Hindi. Messages return plain text (the
 * templates escape it); a message never builds HTML. The Hindi table has the English one's
 * type, so a key missing in Hindi does not compile.
 *
 * Numbers use Indian grouping (4,210 · 1,00,000) in both languages; times are the box's own
 * time zone (the office's), written 24-hour.
 */
import type { EventKind, EventParams } from '../events/event-log.js';
import type { ModemState } from '../modem/modem.js';

export const LANGS = ['en', 'hi'] as const;
export type Lang = (typeof LANGS)[number];

/** Read a language code (cookie, query); anything unknown is English. */
export function parseLang(value: unknown): Lang {
  return value === 'hi' ? 'hi' : 'en';
}

/** The formatting a message may use (a narrower type than `Formatter`, so the tables do not refer to themselves). */
export interface Fmt {
  num(n: number | null | undefined): string;
  dec(n: number | null | undefined): string;
  time(ms: number | null | undefined, now?: number): string;
  ago(ms: number | null | undefined, now?: number): string;
  duration(seconds: number): string;
  bytes(n: number): string;
}

/** Formatting for one language. */
export class Formatter implements Fmt {
  private readonly numbers: Intl.NumberFormat;
  private readonly oneDecimal: Intl.NumberFormat;
  private readonly clock: Intl.DateTimeFormat;
  private readonly dayClock: Intl.DateTimeFormat;
  private readonly relative: Intl.RelativeTimeFormat;

  constructor(
    readonly lang: Lang,
    readonly words: Messages,
  ) {
    const locale = lang === 'hi' ? 'hi-IN' : 'en-IN';
    this.numbers = new Intl.NumberFormat(locale, { numberingSystem: 'latn' });
    this.oneDecimal = new Intl.NumberFormat(locale, { numberingSystem: 'latn', maximumFractionDigits: 1 });
    this.clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', numberingSystem: 'latn' });
    this.dayClock = new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      numberingSystem: 'latn',
    });
    // Hindi's short style abbreviates to forms like "मि॰" that people do not use; the long one reads naturally.
    this.relative = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: lang === 'hi' ? 'long' : 'short', numberingSystem: 'latn' } as Intl.RelativeTimeFormatOptions);
  }

  /** 4210 → "4,210"; null → the "not known" dash. */
  num(n: number | null | undefined): string {
    return n === null || n === undefined || !Number.isFinite(n) ? '—' : this.numbers.format(n);
  }

  /** 12.345 → "12.3". */
  dec(n: number | null | undefined): string {
    return n === null || n === undefined || !Number.isFinite(n) ? '—' : this.oneDecimal.format(n);
  }

  /** "14:05" today, "27 Nov, 14:05" on another day. */
  time(ms: number | null | undefined, now = Date.now()): string {
    if (ms === null || ms === undefined) return '—';
    const sameDay = new Date(ms).toDateString() === new Date(now).toDateString();
    return (sameDay ? this.clock : this.dayClock).format(ms);
  }

  /** "3 min ago". */
  ago(ms: number | null | undefined, now = Date.now()): string {
    if (ms === null || ms === undefined) return '—';
    const s = Math.round((now - ms) / 1000);
    if (s < 45) return this.words.justNow;
    if (s < 3600) return this.relative.format(-Math.round(s / 60), 'minute');
    if (s < 86400) return this.relative.format(-Math.round(s / 3600), 'hour');
    return this.relative.format(-Math.round(s / 86400), 'day');
  }

  /** 93784 s → "1 d 2 h"; two units at most. */
  duration(seconds: number): string {
    const u = this.words.units;
    const s = Math.max(0, Math.round(seconds));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d > 0) return h > 0 ? `${this.num(d)} ${u.day} ${this.num(h)} ${u.hour}` : `${this.num(d)} ${u.day}`;
    if (h > 0) return m > 0 ? `${this.num(h)} ${u.hour} ${this.num(m)} ${u.minute}` : `${this.num(h)} ${u.hour}`;
    if (m > 0) return `${this.num(m)} ${u.minute}`;
    return `${this.num(s)} ${u.second}`;
  }

  /** Bytes → "1.2 GB". */
  bytes(n: number): string {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let v = n;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${this.dec(v)} ${units[i] ?? 'B'}`;
  }
}

type P = EventParams;

/** English singular or plural. */
function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

/** Text of a parameter for a message ("" when absent). */
function s(p: P, key: string): string {
  const v = p[key];
  return v === null || v === undefined ? '' : String(v);
}

function n(p: P, key: string): number {
  const v = p[key];
  return typeof v === 'number' ? v : Number(v ?? 0);
}

/** Why a health reason was given; params as in status-model.ts. */
export type ReasonKind =
  | 'modem-state'
  | 'weak-signal'
  | 'sync-down'
  | 'sync-behind'
  | 'sms-failed'
  | 'sms-queue'
  | 'disk-low'
  | 'calls-not-saved'
  | 'no-modem-ready';

const enStates: Record<ModemState, string> = {

    opening: 'connecting',
    initialising: 'starting',
    ready: 'working',
    'no-sim': 'no SIM card',
    'not-registered': 'no network',
    unresponsive: 'not answering',
    gone: 'unplugged',
    stopped: 'stopped',
  };

const enRegistration: Record<string, string> = { home: 'home network', roaming: 'roaming', searching: 'searching', denied: 'refused', 'not-registered': 'not registered', unknown: 'unknown', 'sms-only-home': 'SMS only (no calls)', 'sms-only-roaming': 'SMS only, roaming (no calls)', 'emergency-only': 'emergency calls only' };

const hiStates: Record<ModemState, string> = {

    opening: 'जुड़ रहा है',
    initialising: 'शुरू हो रहा है',
    ready: 'चालू',
    'no-sim': 'सिम कार्ड नहीं',
    'not-registered': 'नेटवर्क नहीं',
    unresponsive: 'जवाब नहीं दे रहा',
    gone: 'निकला हुआ',
    stopped: 'बंद',
  };

const hiRegistration: Record<string, string> = { home: 'होम नेटवर्क', roaming: 'रोमिंग', searching: 'खोज रहा है', denied: 'मना किया', 'not-registered': 'पंजीकृत नहीं', unknown: 'अज्ञात', 'sms-only-home': 'केवल एसएमएस (कॉल नहीं)', 'sms-only-roaming': 'केवल एसएमएस, रोमिंग (कॉल नहीं)', 'emergency-only': 'केवल आपातकालीन कॉल' };

const en = {
  langName: 'English',
  title: 'Missed-call box',
  justNow: 'just now',
  notKnown: '—',
  notAvailable: 'Not available on this box yet',
  notAvailableShort: 'not available yet',
  units: { day: 'd', hour: 'h', minute: 'min', second: 's' },
  nav: { overview: 'Overview', modems: 'Modems', calls: 'Calls', sms: 'SMS', messages: 'Messages', volunteers: 'Volunteers', events: 'Events' },
  roles: { viewer: 'viewer', admin: 'admin' },
  signedInAs: (name: string, role: string) => `${name} (${role})`,
  logout: 'Log out',
  live: 'Live',
  liveLost: 'Not updating — check the connection',
  updated: (t: string) => `updated ${t}`,
  // Login and first run.
  login: {
    heading: 'Log in',
    user: 'User name',
    password: 'Password',
    submit: 'Log in',
    wrong: 'Wrong user name or password.',
    locked: (seconds: number) => `Too many wrong passwords. Try again in ${seconds} seconds.`,
    busy: 'The box is checking other passwords right now. Try again in a moment.',
    expired: 'The form was open too long. Please log in again.',
  },
  setup: {
    heading: 'This box has no password yet',
    intro: 'The status page stays locked until an account is made. On the box, run:',
    then: 'It asks for the password twice, then restart the box:',
    roles: 'Use --role viewer for an account that can look but not act (phone numbers are hidden for viewers).',
  },
  // Overview.
  verdict: { ok: 'All working', warning: 'Needs attention', problem: 'Problem' },
  box: 'Box',
  boxId: 'Box id',
  version: 'Version',
  uptime: 'Running for',
  diskFree: 'Disk free',
  today: 'Today',
  callsToday: 'Calls',
  uniqueCallers: 'Different callers',
  newVolunteers: 'New volunteers',
  smsHeading: 'SMS replies',
  smsSent: 'Sent today',
  smsQueued: 'Waiting',
  smsFailed: 'Failed today',
  hqHeading: 'Headquarters sync',
  hqConnected: 'Connected',
  hqDisconnected: 'Not connected',
  hqBacklog: 'Records waiting',
  hqLastAck: 'Last confirmed',
  hqLastError: 'Last error',
  hqNever: 'never',
  hqNotSetUp: 'Not set up on this box (no mqtt: section in the config); records wait here.',
  chartHeading: 'Calls per hour, last 24 hours',
  chartLabel: (total: string) => `Calls per hour over the last 24 hours: ${total} in all`,
  chartBar: (hour: string, calls: number, shown: string) => `${hour}: ${shown} ${calls === 1 ? 'call' : 'calls'}`,
  recentCalls: 'Latest calls',
  allCalls: 'All calls',
  noCalls: 'No calls yet.',
  // Modems.
  states: enStates,
  signal: 'Signal',
  signalBars: (bars: number) => `${bars} of 4 bars`,
  operator: 'Operator',
  registration: 'Network',
  registrationStates: enRegistration,
  iccid: 'SIM (ICCID)',
  imei: 'IMEI',
  model: 'Modem',
  port: 'Port',
  campaign: 'Campaign',
  smsToday: 'SMS today',
  smsOfLimit: (sent: string, limit: string) => `${sent} of ${limit}`,
  noLimit: 'no limit',
  lastCall: 'Last call',
  lastError: 'Last error',
  latency: 'Hang-up time (median)',
  ms: (v: string) => `${v} ms`,
  unreadable: 'Unreadable lines',
  since: (t: string) => `since ${t}`,
  restart: 'Restart modem',
  restartConfirm: 'Restart',
  testSms: 'Send a test SMS',
  testSmsTo: 'To number',
  testSmsSend: 'Send',
  // Lists.
  when: 'Time',
  number: 'Number',
  line: 'Line',
  hangup: 'Hang-up',
  notes: 'Notes',
  withheld: 'withheld',
  unreadableNumber: 'unreadable number',
  gaveUp: 'caller hung up first',
  repeatCaller: (times: number, shown: string) => (times === 1 ? 'called once before' : `called ${shown} times before`),
  older: 'Older',
  newest: 'Newest',
  downloadCsv: 'Download CSV',
  to: 'To',
  from: 'From',
  status: 'Status',
  text: 'Text',
  error: 'Error',
  attempts: 'Tries',
  allStatuses: 'All',
  filter: 'Show',
  keyword: 'Command',
  noRows: 'Nothing here yet.',
  name: 'Name',
  pincode: 'PIN code',
  interest: 'Interest',
  interests: 'Interests',
  joined: 'Joined',
  optedOut: 'stopped',
  search: 'Search',
  // Events.
  eventsHeading: 'What happened',
  levels: { info: 'info', warning: 'warning', problem: 'problem' },
  showLevels: { info: 'Everything', warning: 'Warnings and problems', problem: 'Problems only' },
  times: (count: string) => `×${count}`,
  lastTime: (t: string) => `last ${t}`,
  noEvents: 'Nothing to report.',
  source: 'Where',
  // Notices after an action.
  notices: {
    'test-sms': 'Test SMS queued.',
    restart: 'Restarting the modem; it comes back in a few seconds.',
    'sync-now': 'Sync started.',
  } as Record<string, string>,
  syncNow: 'Sync now',
  adminActions: 'Admin',
  actionsNotAvailable: 'Not available on this box yet',
  // Errors.
  errorHeading: 'Something is wrong with the request',
  forbidden: 'Only an admin can do this.',
  notFound: 'There is no such page.',
  back: 'Back',
  // Health reasons (the overview's verdict).
  reasons: {
    'modem-state': (p: P) => {
      const state = s(p, 'state') as ModemState;
      const label = s(p, 'label');
      switch (state) {
        case 'no-sim':
          return s(p, 'detail') === 'pin' ? `${label}: the SIM card asks for a PIN` : `${label}: no SIM card`;
        case 'not-registered':
          return `${label}: no mobile network`;
        case 'unresponsive':
          return `${label}: the modem is not answering`;
        case 'gone':
          return `${label}: modem unplugged or its port cannot be opened`;
        case 'opening':
        case 'initialising':
          return `${label}: starting up`;
        default:
          return `${label}: ${enStates[state] ?? state}`;
      }
    },
    'weak-signal': (p: P, f: Fmt) => `${s(p, 'label')}: weak signal (${f.num(n(p, 'dbm'))} dBm); move the modem or its antenna`,
    'sync-down': (p: P, f: Fmt) =>
      p.since
        ? `HQ unreachable for ${f.duration((n(p, 'now') - n(p, 'since')) / 1000)}, ${f.num(n(p, 'backlog'))} records waiting`
        : `HQ unreachable, ${f.num(n(p, 'backlog'))} records waiting`,
    'sync-behind': (p: P, f: Fmt) => `${f.num(n(p, 'backlog'))} records waiting for HQ; last confirmed ${f.ago(p.lastAckAt === null ? null : n(p, 'lastAckAt'), n(p, 'now'))}`,
    'sms-failed': (p: P, f: Fmt) => `${plural(n(p, 'count'), 'An SMS reply', `${f.num(n(p, 'count'))} SMS replies`)} failed today`,
    'sms-queue': (p: P, f: Fmt) => `${f.num(n(p, 'count'))} SMS replies waiting to be sent`,
    'disk-low': (p: P, f: Fmt) => `Disk almost full: ${f.bytes(n(p, 'free'))} free`,
    'calls-not-saved': (p: P, f: Fmt) => `${plural(n(p, 'count'), 'A call', `${f.num(n(p, 'count'))} calls`)} could not be saved: the SD card may be full or failing`,
    'no-modem-ready': () => 'No line can take calls',
  } satisfies Record<ReasonKind, (p: P, f: Fmt) => string>,
  // The event log.
  events: {
    'box-started': (p: P) => `The box started (version ${s(p, 'version')})`,
    'box-stopping': () => 'The box is shutting down',
    'modem-ready': (p: P, f: Fmt) =>
      p.operator ? `Ready on ${s(p, 'operator')}${p.signalDbm === null ? '' : `, signal ${f.num(n(p, 'signalDbm'))} dBm`}` : 'Ready',
    'modem-recovered': () => 'Working again',
    'modem-no-sim': (p: P) => {
      switch (s(p, 'reason')) {
        case 'pin':
          return 'The SIM card asks for a PIN; remove the PIN with a phone';
        case 'missing':
          return 'No SIM card: insert one';
        case 'removed':
          return 'The SIM card was removed or came loose';
        default:
          return `The SIM card is not ready (${s(p, 'error')})`;
      }
    },
    'modem-not-registered': (p: P) =>
      `Not connected to the mobile network (${enRegistration[s(p, 'registration')] ?? s(p, 'registration')}); check the antenna and the SIM's validity`,
    'modem-unresponsive': () => 'Stopped answering; the box keeps retrying (unplug and replug the modem if this lasts)',
    'modem-gone': (p: P) => `Unplugged, or its port ${s(p, 'port')} cannot be opened; the box keeps trying`,
    'modem-restart': (p: P) => `Restart requested by ${s(p, 'by')}`,
    'modem-bad-input': (p: P, f: Fmt) => `Printed ${plural(n(p, 'lines'), 'a line', `${f.num(n(p, 'lines'))} lines`)} the box could not read`,
    'modem-timeouts': (p: P, f: Fmt) => `${plural(n(p, 'count'), 'A command', `${f.num(n(p, 'count'))} commands`)} got no answer in time`,
    'calls-not-saved': (p: P, f: Fmt) => `${plural(n(p, 'count'), 'A call', `${f.num(n(p, 'count'))} calls`)} could not be saved: the SD card may be full or failing`,
    'hangup-unconfirmed': (p: P, f: Fmt) => `The modem did not confirm hanging up ${plural(n(p, 'count'), 'a call', `${f.num(n(p, 'count'))} calls`)}`,
    // Without `user` the name typed was not an account (it is never shown: it may be a password).
    'login-failed': (p: P) => `Wrong password for ${p.user == null ? 'an unknown user' : `"${s(p, 'user')}"`} from ${s(p, 'ip')}`,
    'test-sms': (p: P) => `Test SMS to ${s(p, 'to')} queued by ${s(p, 'by')}`,
    'sync-now': (p: P) => `Sync with HQ started by ${s(p, 'by')}`,
    text: (p: P) => s(p, 'text'),
  } satisfies Record<EventKind, (p: P, f: Fmt) => string>,
  sources: { box: 'box', hq: 'HQ', web: 'web page', sms: 'SMS' } as Record<string, string>,
};

/** The shape of a language's messages. */
export type Messages = typeof en;

const hi: Messages = {
  langName: 'हिन्दी',
  title: 'मिस्ड-कॉल बॉक्स',
  justNow: 'अभी',
  notKnown: '—',
  notAvailable: 'इस बॉक्स पर अभी उपलब्ध नहीं',
  notAvailableShort: 'अभी उपलब्ध नहीं',
  units: { day: 'दिन', hour: 'घंटे', minute: 'मिनट', second: 'सेकंड' },
  nav: { overview: 'सारांश', modems: 'मॉडेम', calls: 'कॉल', sms: 'एसएमएस', messages: 'संदेश', volunteers: 'स्वयंसेवक', events: 'घटनाएँ' },
  roles: { viewer: 'दर्शक', admin: 'एडमिन' },
  signedInAs: (name, role) => `${name} (${role})`,
  logout: 'लॉग आउट',
  live: 'लाइव',
  liveLost: 'अपडेट नहीं हो रहा — कनेक्शन जाँचें',
  updated: (t) => `${t} पर अपडेट`,
  login: {
    heading: 'लॉग इन',
    user: 'यूज़र नाम',
    password: 'पासवर्ड',
    submit: 'लॉग इन करें',
    wrong: 'यूज़र नाम या पासवर्ड गलत है।',
    locked: (seconds) => `बहुत बार गलत पासवर्ड। ${seconds} सेकंड बाद फिर कोशिश करें।`,
    busy: 'बॉक्स अभी दूसरे पासवर्ड जाँच रहा है। थोड़ी देर में फिर कोशिश करें।',
    expired: 'फ़ॉर्म बहुत देर खुला रहा। कृपया फिर से लॉग इन करें।',
  },
  setup: {
    heading: 'इस बॉक्स का अभी कोई पासवर्ड नहीं है',
    intro: 'खाता बनने तक यह पेज बंद रहेगा। बॉक्स पर यह चलाएँ:',
    then: 'यह दो बार पासवर्ड पूछेगा, फिर बॉक्स को दोबारा चालू करें:',
    roles: 'केवल देखने वाले खाते के लिए --role viewer लिखें (दर्शकों को फ़ोन नंबर छिपे हुए दिखते हैं)।',
  },
  verdict: { ok: 'सब ठीक है', warning: 'ध्यान दें', problem: 'समस्या' },
  box: 'बॉक्स',
  boxId: 'बॉक्स आईडी',
  version: 'संस्करण',
  uptime: 'चालू समय',
  diskFree: 'खाली जगह',
  today: 'आज',
  callsToday: 'कॉल',
  uniqueCallers: 'अलग-अलग कॉलर',
  newVolunteers: 'नए स्वयंसेवक',
  smsHeading: 'एसएमएस जवाब',
  smsSent: 'आज भेजे',
  smsQueued: 'कतार में',
  smsFailed: 'आज विफल',
  hqHeading: 'मुख्यालय सिंक',
  hqConnected: 'जुड़ा हुआ',
  hqDisconnected: 'जुड़ा नहीं',
  hqBacklog: 'बाकी रिकॉर्ड',
  hqLastAck: 'आखिरी पुष्टि',
  hqLastError: 'आखिरी त्रुटि',
  hqNever: 'कभी नहीं',
  hqNotSetUp: 'इस बॉक्स पर सेट नहीं है (कॉन्फ़िग में mqtt: नहीं); रिकॉर्ड यहीं रखे हैं।',
  chartHeading: 'हर घंटे की कॉल, पिछले 24 घंटे',
  chartLabel: (total) => `पिछले 24 घंटों में हर घंटे की कॉल: कुल ${total}`,
  chartBar: (hour, _calls, shown) => `${hour}: ${shown} कॉल`,
  recentCalls: 'ताज़ा कॉल',
  allCalls: 'सभी कॉल',
  noCalls: 'अभी कोई कॉल नहीं।',
  states: hiStates,
  signal: 'सिग्नल',
  signalBars: (bars) => `4 में से ${bars} बार`,
  operator: 'ऑपरेटर',
  registration: 'नेटवर्क',
  registrationStates: hiRegistration,
  iccid: 'सिम (ICCID)',
  imei: 'IMEI',
  model: 'मॉडेम',
  port: 'पोर्ट',
  campaign: 'अभियान',
  smsToday: 'आज के एसएमएस',
  smsOfLimit: (sent, limit) => `${limit} में से ${sent}`,
  noLimit: 'कोई सीमा नहीं',
  lastCall: 'आखिरी कॉल',
  lastError: 'आखिरी त्रुटि',
  latency: 'कॉल काटने का समय (मध्य)',
  ms: (v) => `${v} मि.से.`,
  unreadable: 'न पढ़ी जा सकी लाइनें',
  since: (t) => `${t} से`,
  restart: 'मॉडेम रीस्टार्ट करें',
  restartConfirm: 'रीस्टार्ट',
  testSms: 'टेस्ट एसएमएस भेजें',
  testSmsTo: 'नंबर',
  testSmsSend: 'भेजें',
  when: 'समय',
  number: 'नंबर',
  line: 'लाइन',
  hangup: 'कॉल काटी',
  notes: 'टिप्पणी',
  withheld: 'नंबर छिपा',
  unreadableNumber: 'नंबर पढ़ा नहीं जा सका',
  gaveUp: 'कॉलर ने पहले काटा',
  repeatCaller: (_times, shown) => `पहले ${shown} बार कॉल किया`,
  older: 'पुराने',
  newest: 'नए',
  downloadCsv: 'CSV डाउनलोड करें',
  to: 'किसे',
  from: 'किससे',
  status: 'स्थिति',
  text: 'संदेश',
  error: 'त्रुटि',
  attempts: 'प्रयास',
  allStatuses: 'सभी',
  filter: 'दिखाएँ',
  keyword: 'कमांड',
  noRows: 'अभी यहाँ कुछ नहीं।',
  name: 'नाम',
  pincode: 'पिन कोड',
  interest: 'रुचि',
  interests: 'रुचियाँ',
  joined: 'जुड़े',
  optedOut: 'बंद किया',
  search: 'खोजें',
  eventsHeading: 'क्या हुआ',
  levels: { info: 'जानकारी', warning: 'चेतावनी', problem: 'समस्या' },
  showLevels: { info: 'सब कुछ', warning: 'चेतावनी और समस्याएँ', problem: 'केवल समस्याएँ' },
  times: (count) => `×${count}`,
  lastTime: (t) => `आखिरी ${t}`,
  noEvents: 'बताने को कुछ नहीं।',
  source: 'कहाँ',
  notices: {
    'test-sms': 'टेस्ट एसएमएस कतार में डाला गया।',
    restart: 'मॉडेम रीस्टार्ट हो रहा है; कुछ सेकंड में वापस आएगा।',
    'sync-now': 'सिंक शुरू हुआ।',
  },
  syncNow: 'अभी सिंक करें',
  adminActions: 'एडमिन',
  actionsNotAvailable: 'इस बॉक्स पर अभी उपलब्ध नहीं',
  errorHeading: 'अनुरोध में कुछ गलत है',
  forbidden: 'यह केवल एडमिन कर सकता है।',
  notFound: 'ऐसा कोई पेज नहीं है।',
  back: 'वापस',
  reasons: {
    'modem-state': (p) => {
      const state = s(p, 'state') as ModemState;
      const label = s(p, 'label');
      switch (state) {
        case 'no-sim':
          return s(p, 'detail') === 'pin' ? `${label}: सिम कार्ड पिन माँग रहा है` : `${label}: सिम कार्ड नहीं`;
        case 'not-registered':
          return `${label}: मोबाइल नेटवर्क नहीं`;
        case 'unresponsive':
          return `${label}: मॉडेम जवाब नहीं दे रहा`;
        case 'gone':
          return `${label}: मॉडेम निकला हुआ है या उसका पोर्ट नहीं खुल रहा`;
        case 'opening':
        case 'initialising':
          return `${label}: शुरू हो रहा है`;
        default:
          return `${label}: ${hiStates[state] ?? state}`;
      }
    },
    'weak-signal': (p, f) => `${s(p, 'label')}: कमज़ोर सिग्नल (${f.num(n(p, 'dbm'))} dBm); मॉडेम या एंटीना की जगह बदलें`,
    'sync-down': (p, f) =>
      p.since
        ? `मुख्यालय से ${f.duration((n(p, 'now') - n(p, 'since')) / 1000)} से संपर्क नहीं, ${f.num(n(p, 'backlog'))} रिकॉर्ड बाकी`
        : `मुख्यालय से संपर्क नहीं, ${f.num(n(p, 'backlog'))} रिकॉर्ड बाकी`,
    'sync-behind': (p, f) => `${f.num(n(p, 'backlog'))} रिकॉर्ड मुख्यालय के लिए बाकी; आखिरी पुष्टि ${f.ago(p.lastAckAt === null ? null : n(p, 'lastAckAt'), n(p, 'now'))}`,
    'sms-failed': (p, f) => `आज ${f.num(n(p, 'count'))} एसएमएस जवाब विफल`,
    'sms-queue': (p, f) => `${f.num(n(p, 'count'))} एसएमएस जवाब भेजे जाने बाकी`,
    'disk-low': (p, f) => `डिस्क लगभग भरी: केवल ${f.bytes(n(p, 'free'))} खाली`,
    'calls-not-saved': (p, f) => `${f.num(n(p, 'count'))} कॉल सहेजी नहीं जा सकीं: एसडी कार्ड भरा या खराब हो सकता है`,
    'no-modem-ready': () => 'कोई भी लाइन कॉल नहीं ले सकती',
  },
  events: {
    'box-started': (p) => `बॉक्स चालू हुआ (संस्करण ${s(p, 'version')})`,
    'box-stopping': () => 'बॉक्स बंद हो रहा है',
    'modem-ready': (p, f) =>
      p.operator ? `${s(p, 'operator')} पर तैयार${p.signalDbm === null ? '' : `, सिग्नल ${f.num(n(p, 'signalDbm'))} dBm`}` : 'तैयार',
    'modem-recovered': () => 'फिर से चालू',
    'modem-no-sim': (p) => {
      switch (s(p, 'reason')) {
        case 'pin':
          return 'सिम कार्ड पिन माँग रहा है; किसी फ़ोन से पिन हटाएँ';
        case 'missing':
          return 'सिम कार्ड नहीं: सिम लगाएँ';
        case 'removed':
          return 'सिम कार्ड निकाला गया या ढीला है';
        default:
          return `सिम कार्ड तैयार नहीं (${s(p, 'error')})`;
      }
    },
    'modem-not-registered': (p) =>
      `मोबाइल नेटवर्क से नहीं जुड़ा (${hiRegistration[s(p, 'registration')] ?? s(p, 'registration')}); एंटीना और सिम की वैधता जाँचें`,
    'modem-unresponsive': () => 'जवाब देना बंद किया; बॉक्स कोशिश करता रहेगा (देर तक रहे तो मॉडेम निकालकर फिर लगाएँ)',
    'modem-gone': (p) => `निकाला गया, या उसका पोर्ट ${s(p, 'port')} नहीं खुल रहा; बॉक्स कोशिश करता रहेगा`,
    'modem-restart': (p) => `${s(p, 'by')} ने रीस्टार्ट किया`,
    'modem-bad-input': (p, f) => `${f.num(n(p, 'lines'))} ऐसी लाइनें भेजीं जो बॉक्स पढ़ नहीं सका`,
    'modem-timeouts': (p, f) => `${f.num(n(p, 'count'))} कमांड का समय पर जवाब नहीं आया`,
    'calls-not-saved': (p, f) => `${f.num(n(p, 'count'))} कॉल सहेजी नहीं जा सकीं: एसडी कार्ड भरा या खराब हो सकता है`,
    'hangup-unconfirmed': (p, f) => `मॉडेम ने ${f.num(n(p, 'count'))} कॉल काटने की पुष्टि नहीं की`,
    'login-failed': (p) => `${p.user == null ? 'अज्ञात यूज़र' : `"${s(p, 'user')}"`} के लिए ${s(p, 'ip')} से गलत पासवर्ड`,
    'test-sms': (p) => `${s(p, 'by')} ने ${s(p, 'to')} को टेस्ट एसएमएस भेजा`,
    'sync-now': (p) => `${s(p, 'by')} ने मुख्यालय सिंक शुरू किया`,
    text: (p) => s(p, 'text'),
  },
  sources: { box: 'बॉक्स', hq: 'मुख्यालय', web: 'वेब पेज', sms: 'एसएमएस' },
};

const TABLES: Record<Lang, Messages> = { en, hi };

/** The formatter (with its words) for a language. */
export function formatter(lang: Lang): Formatter {
  // Built once per language: each holds five Intl formatters, and every request and every
  // live-page tick asks for one. They keep no state between calls.
  let f = FORMATTERS.get(lang);
  if (!f) FORMATTERS.set(lang, (f = new Formatter(lang, TABLES[lang])));
  return f;
}

const FORMATTERS = new Map<Lang, Formatter>();

/** An event in words. */
export function eventText(f: Formatter, kind: string, params: EventParams): string {
  const message = (f.words.events as Record<string, ((p: P, f: Fmt) => string) | undefined>)[kind];
  return message ? message(params, f) : kind;
}
