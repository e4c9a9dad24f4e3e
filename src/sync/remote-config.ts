/**
 * The box's end of the retained `config` topic: validate a push (src/sync/pushed-config.ts),
 * keep the last accepted one in the database so a restart keeps it, hand the new effective
 * configuration to the app, and report the outcome on `events`. A rejected push changes
 * nothing: the configuration in force stays in force.
 *
 * The broker re-delivers the retained message on every reconnect; a push already applied (same
 * id and content) is recognised and not applied or reported again, and so is a clear already
 * carried out (same id) in this run.
 *
 * HQ clears a push with a retained `{"v":1,"id":…,"clear":true}`: an empty retained payload
 * would delete the retained message at the broker, so a box offline at that moment would never
 * hear of it and would keep the old push. An empty payload (an older HQ) still clears too.
 */
import type { Statement } from 'better-sqlite3';

import { ConfigError, type Config } from '../config/load.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { stableJson } from '../store/sync-log.js';
import { decodeControl } from './codec.js';
import { configMessageSchema, configPushSchema, type ConfigEvent } from './protocol.js';
import { changedPaths, validatePush } from './pushed-config.js';

export interface RemoteConfigOptions {
  db: Db;
  log: Logger;
  /** The configuration as read from the box's file, before any push. */
  file: Config;
  /** Key paths HQ may set (`PUSHABLE_KEYS` from the schema). */
  pushable: readonly string[];
  /** The configuration in force now. */
  current: () => Config;
  /** Put a new effective configuration in force (the app's `onConfigChange` listeners run). */
  apply: (next: Config, changed: string[]) => void;
  /** Send an event to HQ (queued by the caller while offline). */
  report: (event: ConfigEvent) => void;
}

export interface RemoteConfigStatus {
  /** The id of the push in force, or null when the file alone is in force. */
  pushId: string | null;
  pushedAt: number | null;
  applied: number;
  rejected: number;
  lastRejection: string | null;
}

export class RemoteConfig {
  private readonly read: Statement;
  private readonly save: Statement;
  private readonly clear: Statement;
  private readonly log: Logger;
  private inForce: { id: string; json: string; at: number } | null = null;
  /** The last rejected push (id + content), so its re-delivery is not reported again. */
  private lastRejectedKey: string | null = null;
  /** The id of the last clear carried out, so its retained re-delivery is not reported again. */
  private lastClearId: string | null = null;
  private readonly counts = { applied: 0, rejected: 0, lastRejection: null as string | null };

  constructor(private readonly o: RemoteConfigOptions) {
    this.read = o.db.prepare(`SELECT push_id AS id, config AS json, received_at AS at FROM sync_pushed_config WHERE slot = 1`);
    this.save = o.db.prepare(
      `INSERT INTO sync_pushed_config (slot, push_id, config, received_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (slot) DO UPDATE SET push_id = excluded.push_id, config = excluded.config, received_at = excluded.received_at`,
    );
    this.clear = o.db.prepare(`DELETE FROM sync_pushed_config WHERE slot = 1`);
    this.log = o.log.child({ module: 'remote-config' });
  }

  /**
   * The stored push laid over the file, for the app to use from the start; null when there is
   * none. A stored push that is no longer valid (the file or the program changed) is dropped
   * and reported, and the file alone is in force.
   */
  restore(): Config | null {
    const row = this.read.get() as { id: string; json: string; at: number } | undefined;
    if (!row) return null;
    try {
      const config = validatePush(this.o.file, JSON.parse(row.json) as Record<string, unknown>, this.o.pushable);
      this.inForce = row;
      this.log.info({ push: row.id }, 'configuration pushed by HQ restored');
      return config;
    } catch (err) {
      this.clear.run();
      this.log.warn({ push: row.id, err: describeError(err) }, 'the stored configuration from HQ is no longer valid; using the file alone');
      this.o.report({ event: 'config', id: row.id, status: 'rejected', changed: [], problems: problemsOf(err), at: Date.now() });
      return null;
    }
  }

  /** A message on the `config` topic (retained): a push, a clear document, or empty (also a clear). */
  async onMessage(payload: Buffer): Promise<void> {
    if (payload.length === 0) {
      this.revert(null);
      return;
    }
    let id: string | null = null;
    let push: Record<string, unknown>;
    try {
      const value = await decodeControl(payload);
      const parsed = configMessageSchema.safeParse(value);
      if (!parsed.success) {
        // The push form's issues name what is missing (`config`), which is what a person meant to send.
        const asPush = configPushSchema.safeParse(value);
        const issues = (asPush.success ? parsed.error : asPush.error).issues;
        throw new ConfigError('config message from HQ', issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      }
      id = parsed.data.id;
      if ('clear' in parsed.data && parsed.data.clear === true) {
        this.revert(id);
        return;
      }
      push = (parsed.data as { config: Record<string, unknown> }).config;
    } catch (err) {
      this.reject(id, err, payload.toString('base64').slice(0, 64));
      return;
    }
    const json = stableJson(push);
    if (this.inForce?.id === id && this.inForce.json === json) return;
    const key = `${id}\n${json}`;
    let next: Config;
    try {
      next = validatePush(this.o.file, push, this.o.pushable);
    } catch (err) {
      if (this.lastRejectedKey === key) return;
      this.lastRejectedKey = key;
      this.reject(id, err, null);
      return;
    }
    const at = Date.now();
    const changed = changedPaths(this.o.current(), next);
    this.save.run(id, json, at);
    this.inForce = { id, json, at };
    this.lastRejectedKey = null;
    this.counts.applied++;
    this.log.info({ push: id, changed }, 'configuration from HQ applied');
    this.o.apply(next, changed);
    this.o.report({ event: 'config', id, status: 'applied', changed, problems: [], at });
  }

  status(): RemoteConfigStatus {
    return {
      pushId: this.inForce?.id ?? null,
      pushedAt: this.inForce?.at ?? null,
      applied: this.counts.applied,
      rejected: this.counts.rejected,
      lastRejection: this.counts.lastRejection,
    };
  }

  /**
   * Back to the file alone. `clearId` is the clear document's id (null for an empty payload);
   * the event carries it, so `hq-config --clear` recognises its answer.
   */
  private revert(clearId: string | null): void {
    if (this.inForce === null) {
      // The retained clear comes again at every reconnect: answer it once.
      if (clearId !== null && clearId === this.lastClearId) return;
      this.lastClearId = clearId;
      // Nothing to undo; still answer, so `hq-config --clear` hears back.
      this.o.report({ event: 'config', id: clearId, status: 'cleared', changed: [], problems: [], at: Date.now() });
      return;
    }
    const previous = this.inForce.id;
    this.clear.run();
    this.inForce = null;
    this.lastClearId = clearId;
    this.lastRejectedKey = null;
    const changed = changedPaths(this.o.current(), this.o.file);
    this.log.info({ push: previous, clear: clearId, changed }, 'HQ cleared its configuration; the file alone is in force');
    this.o.apply(this.o.file, changed);
    this.o.report({ event: 'config', id: clearId ?? previous, status: 'cleared', changed, problems: [], at: Date.now() });
  }

  private reject(id: string | null, err: unknown, sample: string | null): void {
    const problems = problemsOf(err);
    this.counts.rejected++;
    this.counts.lastRejection = problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; ');
    this.log.warn({ push: id, problems, ...(sample === null ? {} : { sample }) }, 'configuration from HQ rejected; the one in force stays');
    this.o.report({ event: 'config', id, status: 'rejected', changed: [], problems, at: Date.now() });
  }
}

function problemsOf(err: unknown): { path: string; message: string }[] {
  if (err instanceof ConfigError) return err.issues.map((i) => ({ path: i.path, message: i.message }));
  return [{ path: '', message: describeError(err) }];
}
