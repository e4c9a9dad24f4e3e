/**
 * `missedcall hq-config --box <id> --file <yaml>`: publish a retained configuration for one box
 * (it gets it now if online, or when it next connects) and wait for the box's verdict on its
 * `events` topic. The file holds only the keys to push, nested as in the box's own config file:
 *
 * ```yaml
 * reply:
 *   text: "धन्यवाद! JOIN <name> <pincode> भेजें"
 *   cooldownHours: 12
 * ```
 *
 * The push is checked here first, as far as HQ can without the box's own file: only pushable
 * keys, and each pushed value valid for its key. The box checks again against its real file.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import mqtt from 'mqtt';

import { ConfigError, exampleConfig, parseConfig, type Config, type ConfigIssue } from '../config/load.js';
import { PUSHABLE_KEYS } from '../config/schema.js';
import { AppError, ErrorCodes } from '../errors.js';
import { configEventSchema, PROTOCOL_VERSION, topicFor, type ConfigClearMessage, type ConfigEvent, type ConfigMessage } from '../sync/protocol.js';
import { leafPaths, PUSH_SOURCE, validatePush } from '../sync/pushed-config.js';
import type { HqConfig } from './config.js';

/**
 * Problems HQ can see without the box's file. Issues the schema reports at keys that were not
 * pushed (such as `reply.text` missing when only `reply.cooldownHours` is pushed) depend on the
 * box's own file and are left to the box.
 *
 * @throws ConfigError when the push can be rejected here.
 */
export function checkPush(push: Record<string, unknown>, pushable: readonly string[] = PUSHABLE_KEYS): void {
  const base: Config = parseConfig(exampleConfig(), 'example', '/').config;
  try {
    validatePush(base, push, pushable);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const pushed = new Set(leafPaths(push));
    const relevant: ConfigIssue[] = err.issues.filter((i) => [...pushed].some((p) => i.path === p || i.path.startsWith(`${p}[`) || i.path.startsWith(`${p}.`)));
    if (relevant.length > 0) throw new ConfigError(PUSH_SOURCE, relevant);
  }
}

export interface PushOptions {
  hq: Pick<HqConfig, 'broker' | 'topicPrefix'>;
  box: string;
  /** Keys to push; null publishes a retained clear (the box goes back to its file). */
  push: Record<string, unknown> | null;
  /** How long to wait for the box's answer; 0 = do not wait. */
  waitMs: number;
}

export interface PushResult {
  /** The config message id (of the push, or of the clear document). */
  id: string;
  /** The box's event, or null when it did not answer in time (offline: it will on connect). */
  outcome: ConfigEvent | null;
}

/** Publishes the retained config (or a retained clear) and waits for the box's event. */
export async function pushConfig(o: PushOptions): Promise<PushResult> {
  const b = o.hq.broker;
  const client = await mqtt
    .connectAsync(b.url, {
      clientId: `hq-config-${randomUUID().slice(0, 8)}`,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 15_000,
      clean: true,
      ...(b.username === undefined ? {} : { username: b.username }),
      ...(b.password === undefined ? {} : { password: b.password }),
      ...(b.ca === undefined ? {} : { ca: readFileSync(b.ca) }),
      ...(b.cert === undefined ? {} : { cert: readFileSync(b.cert) }),
      ...(b.key === undefined ? {} : { key: readFileSync(b.key) }),
    })
    .catch((err: unknown) => {
      throw new AppError(ErrorCodes.SYNC_CONNECT_FAILED, `cannot connect to ${b.url}: ${(err as Error).message}`, { cause: err });
    });
  try {
    const id = randomUUID();
    const eventsTopic = topicFor(o.hq.topicPrefix, o.box, 'events');
    const answer = new Promise<ConfigEvent | null>((resolve) => {
      if (o.waitMs <= 0) {
        resolve(null);
        return;
      }
      const timer = setTimeout(() => resolve(null), o.waitMs);
      client.on('message', (topic, payload) => {
        if (topic !== eventsTopic) return;
        let parsed;
        try {
          parsed = configEventSchema.safeParse(JSON.parse(payload.toString('utf8')));
        } catch {
          return;
        }
        if (!parsed.success) return;
        const event = parsed.data as ConfigEvent;
        if (event.id !== id) return;
        clearTimeout(timer);
        resolve(event);
      });
    });
    if (o.waitMs > 0) await client.subscribeAsync(eventsTopic, { qos: 1 });
    // A clear is a retained document too, not an empty payload: an empty retained payload deletes
    // the retained message, so a box offline now would never learn of the clear.
    const message: ConfigMessage | ConfigClearMessage = o.push === null ? { v: PROTOCOL_VERSION, id, clear: true } : { v: PROTOCOL_VERSION, id, config: o.push };
    await client.publishAsync(topicFor(o.hq.topicPrefix, o.box, 'config'), JSON.stringify(message), { qos: 1, retain: true });
    return { id, outcome: await answer };
  } finally {
    await client.endAsync().catch(() => undefined);
  }
}
