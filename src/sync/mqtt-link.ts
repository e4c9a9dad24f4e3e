/**
 * One MQTT connection that comes back by itself, for the box and for HQ collectors.
 *
 * mqtt.js reconnects at a fixed period and keeps unsent messages in memory; here its
 * `reconnectPeriod` is 0 and every attempt is a fresh client, so nothing survives a dropped
 * connection inside mqtt.js: callers keep their own state (the box: SQLite) and publish again
 * after `up`. Attempts are spaced by exponential backoff with jitter (src/sync/backoff.ts).
 * After each CONNACK the link subscribes, publishes its "birth" message (the retained online
 * state) and only then reports `up`, so a caller never publishes before it can hear replies.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

import mqtt, { type IClientOptions, type IClientPublishOptions, type MqttClient } from 'mqtt';

import { AppError, describeError, ErrorCodes } from '../errors.js';
import type { Logger } from '../log.js';
import { Backoff } from './backoff.js';

/** mqtt.js's per-message ack hook (MQTT 5): call `done(reasonCode)` to send the PUBACK. */
export type AckHook = NonNullable<IClientOptions['customHandleAcks']>;

/** A message with its options, as the link sends it. */
export interface LinkMessage {
  topic: string;
  payload: string | Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface LinkOptions {
  /** `mqtt://host:1883` or `mqtts://host:8883`. */
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  /** PEM file paths, read at every attempt (a renewed certificate is picked up without restart). */
  tls?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined };
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  backoff: { minMs: number; maxMs: number };
  /** A connection that lasted this long resets the backoff; shorter ones keep growing it. */
  stableMs?: number;
  /** The Last Will: published by the broker if the connection dies without a DISCONNECT. */
  will?: LinkMessage;
  /** Published after every CONNACK, before `up` (the retained online state). */
  birth?: LinkMessage;
  subscriptions: { topic: string; qos: 0 | 1 }[];
  /** False keeps the broker session (and its queued QoS 1 messages) across reconnects. */
  clean?: boolean;
  sessionExpirySeconds?: number;
  /**
   * On a clean stop, end the broker session too (DISCONNECT with session expiry 0), so a
   * stopped collector does not keep a share of the batches queued for it until it returns.
   */
  endSessionOnStop?: boolean;
  /** Delays each received QoS 1 message's PUBACK until `done` is called (HQ: after the commit). */
  customHandleAcks?: AckHook;
  log: Logger;
  random?: () => number;
}

/** Where the link is. */
export type LinkState = 'off' | 'connecting' | 'connected' | 'waiting';

export interface LinkStatus {
  state: LinkState;
  /** Wall-clock ms of the current connection's start, or null. */
  connectedSince: number | null;
  /** The last failure in words (never a password), or null if none since start. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** True while the broker's last answer was "bad username or password" / "not authorised". */
  authFailed: boolean;
  /** Failed attempts since the last stable connection. */
  attempts: number;
  /** When the next attempt is due (while `waiting`). */
  nextAttemptAt: number | null;
  connects: number;
  /** When "connected" last changed (start counts as a change to "not connected"). */
  since: number | null;
  /** MQTT bytes written and read over every connection since start (TLS and TCP headers not counted). */
  bytesOut: number;
  bytesIn: number;
}

export interface LinkEvents {
  up: [];
  down: [reason: string];
  /** `qos` tells a QoS 0 message from one already seen by `customHandleAcks`. */
  message: [topic: string, payload: Buffer, qos: number];
}

/** MQTT 5 and 3.1.1 CONNACK codes that mean the credentials (or the client id) were refused. */
const AUTH_CODES = new Map<number, string>([
  [134, 'bad username or password'],
  [135, 'not authorised'],
  [133, 'client id not accepted'],
  [4, 'bad username or password'],
  [5, 'not authorised'],
]);

/** A broker URL fit to show: credentials inside it removed. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}

export class MqttLink extends EventEmitter<LinkEvents> {
  private client: MqttClient | null = null;
  private isUp = false;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private readonly current: LinkStatus = {
    state: 'off',
    connectedSince: null,
    lastError: null,
    lastErrorAt: null,
    authFailed: false,
    attempts: 0,
    nextAttemptAt: null,
    connects: 0,
    since: null,
    bytesOut: 0,
    bytesIn: 0,
  };
  /** Bytes of the connections that are closed (the open one is read live). */
  private closedBytes = { out: 0, in: 0 };

  constructor(private readonly options: LinkOptions) {
    super();
    this.backoff = new Backoff({ ...options.backoff, ...(options.random ? { random: options.random } : {}) });
    this.log = options.log.child({ module: 'mqtt', broker: displayUrl(options.url) });
  }

  /** Connected, subscribed and the birth message sent. */
  get up(): boolean {
    return this.isUp;
  }

  status(): LinkStatus {
    const socket = this.client?.stream as Partial<Socket> | undefined;
    return {
      ...this.current,
      attempts: this.backoff.attempts,
      bytesOut: this.closedBytes.out + (socket?.bytesWritten ?? 0),
      bytesIn: this.closedBytes.in + (socket?.bytesRead ?? 0),
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.current.since = Date.now();
    this.attempt();
  }

  /**
   * Publishes `final` (the retained offline state) if connected, then disconnects cleanly, so
   * the broker does not publish the Last Will. Bounded: a dead connection does not hold up
   * shutdown for more than `timeoutMs`.
   */
  async stop(final?: LinkMessage, timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    const wasUp = this.isUp;
    this.isUp = false;
    this.current.state = 'off';
    this.current.connectedSince = null;
    if (!client) return;
    if (wasUp && final) {
      await withTimeout(publishOn(client, final), timeoutMs).catch((err: unknown) =>
        this.log.warn({ err: describeError(err) }, 'could not publish the offline state before stopping'),
      );
    }
    const disconnect = this.options.endSessionOnStop ? { properties: { sessionExpiryInterval: 0 } } : {};
    await withTimeout(
      new Promise<void>((resolve) => client.end(!wasUp, disconnect, () => resolve())),
      timeoutMs,
    ).catch(() => client.end(true));
  }

  /**
   * Publishes on the current connection; rejects at once when there is none (no hidden queue).
   * Allowed from the CONNACK on, before `up`: a collector's persistent session delivers queued
   * batches right after CONNACK, and their acks must not wait.
   */
  publish(topic: string, payload: string | Buffer, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    const client = this.client;
    if (!client?.connected) {
      return Promise.reject(new AppError(ErrorCodes.SYNC_CONNECT_FAILED, 'not connected to the broker'));
    }
    return publishOn(client, { topic, payload, qos: options.qos, retain: options.retain ?? false });
  }

  private attempt(): void {
    if (this.stopped) return;
    this.timer = null;
    this.current.state = 'connecting';
    this.current.nextAttemptAt = null;
    let files: { ca?: Buffer; cert?: Buffer; key?: Buffer };
    try {
      files = readTlsFiles(this.options.tls);
    } catch (err) {
      this.failed(err);
      this.scheduleRetry();
      return;
    }
    const o = this.options;
    const opts: IClientOptions = {
      clientId: o.clientId,
      protocolVersion: 5,
      // Our own backoff decides when to try again; mqtt.js must never retry on its own.
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs,
      keepalive: o.keepaliveSeconds,
      clean: o.clean ?? true,
      resubscribe: false,
      queueQoSZero: false,
      rejectUnauthorized: true,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      ...files,
      ...(o.sessionExpirySeconds === undefined ? {} : { properties: { sessionExpiryInterval: o.sessionExpirySeconds } }),
      ...(o.will
        ? { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: o.will.qos, retain: o.will.retain } }
        : {}),
      ...(o.customHandleAcks ? { customHandleAcks: o.customHandleAcks } : {}),
    };
    let client: MqttClient;
    try {
      client = mqtt.connect(o.url, opts);
    } catch (err) {
      // A URL mqtt.js cannot use at all (the config schema should have caught it).
      this.failed(err);
      this.scheduleRetry();
      return;
    }
    this.client = client;
    // Batches, acks and PUBACKs are small request/response messages: with Nagle's algorithm
    // each waits for the peer's delayed ACK (~40 ms), which caps a drain at a few hundred
    // batches a second whatever the bandwidth. (mqtt.js leaves the socket's default.)
    (client.stream as Partial<Socket> | undefined)?.setNoDelay?.(true);
    client.on('connect', () => {
      void this.connected(client);
    });
    client.on('error', (err) => {
      if (client === this.client) this.failed(err);
    });
    client.on('disconnect', (packet) => {
      if (client !== this.client) return;
      const code = packet.reasonCode ?? 0;
      this.failed(new AppError(ErrorCodes.SYNC_CONNECT_FAILED, `the broker closed the connection (MQTT reason ${code}${code === 142 ? ': another client took over this client id' : ''})`));
    });
    client.on('close', () => this.closed(client));
    client.on('message', (topic, payload, packet) => {
      if (client === this.client) this.emit('message', topic, payload, packet.qos);
    });
  }

  private async connected(client: MqttClient): Promise<void> {
    try {
      if (this.options.subscriptions.length > 0) {
        const granted = await client.subscribeAsync(Object.fromEntries(this.options.subscriptions.map((s) => [s.topic, { qos: s.qos }])));
        const refused = granted.filter((g) => g.qos === 128);
        if (refused.length > 0) {
          throw new AppError(ErrorCodes.SYNC_AUTH_FAILED, `the broker refused the subscription to ${refused.map((g) => g.topic).join(', ')} (check its ACL)`);
        }
      }
      if (this.options.birth) await publishOn(client, this.options.birth);
    } catch (err) {
      if (client !== this.client) return;
      this.failed(err);
      client.end(true);
      return;
    }
    if (client !== this.client || this.stopped) return;
    this.isUp = true;
    this.current.state = 'connected';
    this.current.connectedSince = Date.now();
    this.current.since = this.current.connectedSince;
    this.current.authFailed = false;
    // lastError says what is wrong now; once connected, the old problem is history (the log has it).
    this.current.lastError = null;
    this.current.lastErrorAt = null;
    this.current.connects++;
    this.log.info({ attempts: this.backoff.attempts }, 'connected to the broker');
    this.emit('up');
  }

  private closed(client: MqttClient): void {
    if (client !== this.client) return;
    this.client = null;
    const socket = client.stream as Partial<Socket> | undefined;
    this.closedBytes.out += socket?.bytesWritten ?? 0;
    this.closedBytes.in += socket?.bytesRead ?? 0;
    // Settle mqtt.js's pending publish callbacks ("connection closed") and drop its stores.
    client.end(true);
    const wasUp = this.isUp;
    const since = this.current.connectedSince;
    this.isUp = false;
    this.current.connectedSince = null;
    if (wasUp && since !== null && Date.now() - since >= (this.options.stableMs ?? 30_000)) this.backoff.reset();
    // lastError was cleared on connect; a quiet close still needs a reason on the status page.
    if (wasUp && this.current.lastError === null) this.failed(new AppError(ErrorCodes.SYNC_CONNECT_FAILED, 'the connection to the broker closed'));
    if (wasUp) {
      this.current.since = Date.now();
      const reason = this.current.lastError ?? 'connection closed';
      this.log.warn({ reason }, 'disconnected from the broker');
      this.emit('down', reason);
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const wait = this.backoff.next();
    this.current.state = 'waiting';
    this.current.nextAttemptAt = Date.now() + wait;
    this.log.debug({ waitMs: wait, attempts: this.backoff.attempts }, 'next connection attempt scheduled');
    this.timer = setTimeout(() => this.attempt(), wait);
  }

  private failed(err: unknown): void {
    const code = (err as { code?: unknown }).code;
    const auth = typeof code === 'number' ? AUTH_CODES.get(code) : undefined;
    let message: string;
    if (auth !== undefined) {
      this.current.authFailed = true;
      message = `the broker refused the login: ${auth} (MQTT reason ${String(code)}); check mqtt.username and mqtt.password`;
    } else if (err instanceof AppError && err.code === ErrorCodes.SYNC_AUTH_FAILED) {
      message = err.message;
    } else {
      message = describeError(err);
    }
    if (message !== this.current.lastError) this.log.warn({ err: message }, 'broker connection problem');
    this.current.lastError = message;
    this.current.lastErrorAt = Date.now();
  }
}

function publishOn(client: MqttClient, m: LinkMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    const opts: IClientPublishOptions = { qos: m.qos, retain: m.retain };
    client.publish(m.topic, m.payload, opts, (err) => (err ? reject(err) : resolve()));
  });
}

function readTlsFiles(tls: LinkOptions['tls']): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  for (const name of ['ca', 'cert', 'key'] as const) {
    const path = tls?.[name];
    if (path === undefined) continue;
    try {
      out[name] = readFileSync(path);
    } catch (err) {
      throw new AppError(ErrorCodes.SYNC_TLS_FILE, `cannot read the TLS ${name} file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
