import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import type { ReceivingLine } from './messages.js';

/** What a JOIN says about a person. */
export interface Profile {
  name: string;
  pincode: string | null;
  district: string | null;
  constituency: string | null;
  state: string | null;
}

/** A volunteer as the API, the page and the export see them: profile, calls and opt-out together. */
export interface VolunteerView {
  seq: number;
  id: string;
  number: string;
  name: string | null;
  pincode: string | null;
  district: string | null;
  constituency: string | null;
  state: string | null;
  interests: string[];
  /** The first complete JOIN; null for someone who only named an interest. */
  joinedAt: number | null;
  updatedAt: number;
  /** The line (label) that received their JOIN, and its modem and SIM. */
  modem: string | null;
  modemImei: string | null;
  simIccid: string | null;
  /** From `callers`: null when they never gave a missed call (they heard of the number elsewhere). */
  firstCallAt: number | null;
  lastCallAt: number | null;
  calls: number;
  /** From `optouts`. */
  optedOut: boolean;
  optedOutAt: number | null;
}

/** One caller for the callers export: the call history, and the profile when they joined. */
export interface CallerView {
  number: string;
  firstCallAt: number;
  lastCallAt: number;
  calls: number;
  /** The line and SIM of their first call. */
  firstLine: string | null;
  firstSim: string | null;
  registered: boolean;
  name: string | null;
  pincode: string | null;
  district: string | null;
  constituency: string | null;
  interests: string[];
  optedOut: boolean;
  optedOutAt: number | null;
}

export interface VolunteerQuery {
  limit: number;
  /** Only volunteers listed after this one (the `seq` of the last one on the previous page). */
  beforeSeq?: number;
  /** Oldest first from after this `seq` instead (paging through everything for an export). */
  afterSeq?: number;
  /** An interest name (case ignored). */
  interest?: string;
  /** A whole pincode or its first digits (`221` for all of Varanasi's 221xxx). */
  pincode?: string;
  /** Part of a name, district or constituency, or digits of the number. */
  q?: string;
  /** Let `q` match digits of the number (default true); false for someone who may see only masked numbers. */
  numbers?: boolean;
  /** Include people who named an interest but never completed a JOIN. Default false. */
  includeUnregistered?: boolean;
}

export interface ExportQuery {
  /** Only rows active since (callers: last call; volunteers: joined or changed). */
  since?: number;
  includeOptedOut: boolean;
}

interface RawView {
  seq: number;
  id: string;
  number: string;
  name: string | null;
  pincode: string | null;
  district: string | null;
  constituency: string | null;
  state: string | null;
  interests: string;
  joined_at: number | null;
  updated_at: number;
  modem: string | null;
  modem_imei: string | null;
  sim_iccid: string | null;
  first_call_at: number | null;
  last_call_at: number | null;
  calls: number | null;
  opted_out: number | null;
  opted_out_at: number | null;
}

interface RawCaller {
  number: string;
  first_call_at: number;
  last_call_at: number;
  calls: number;
  first_line: string | null;
  first_sim: string | null;
  registered: number;
  name: string | null;
  pincode: string | null;
  district: string | null;
  constituency: string | null;
  interests: string | null;
  opted_out: number | null;
  opted_out_at: number | null;
}

function parseInterests(json: string | null): string[] {
  if (json === null) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function viewFromRaw(r: RawView): VolunteerView {
  return {
    seq: r.seq,
    id: r.id,
    number: r.number,
    name: r.name,
    pincode: r.pincode,
    district: r.district,
    constituency: r.constituency,
    state: r.state,
    interests: parseInterests(r.interests),
    joinedAt: r.joined_at,
    updatedAt: r.updated_at,
    modem: r.modem,
    modemImei: r.modem_imei,
    simIccid: r.sim_iccid,
    firstCallAt: r.first_call_at,
    lastCallAt: r.last_call_at,
    calls: r.calls ?? 0,
    optedOut: r.opted_out === 1,
    optedOutAt: r.opted_out === 1 ? r.opted_out_at : null,
  };
}

function callerFromRaw(r: RawCaller): CallerView {
  return {
    number: r.number,
    firstCallAt: r.first_call_at,
    lastCallAt: r.last_call_at,
    calls: r.calls,
    firstLine: r.first_line,
    firstSim: r.first_sim,
    registered: r.registered === 1,
    name: r.name,
    pincode: r.pincode,
    district: r.district,
    constituency: r.constituency,
    interests: parseInterests(r.interests),
    optedOut: r.opted_out === 1,
    optedOutAt: r.opted_out === 1 ? r.opted_out_at : null,
  };
}

/** `%` and `_` typed by a person are letters, not wildcards. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const VIEW_SELECT = `
  SELECT v.seq, v.id, v.number, v.name, v.pincode, v.district, v.constituency, v.state, v.interests, v.joined_at,
    v.updated_at, v.modem, v.modem_imei, v.sim_iccid, c.first_call_at, c.last_call_at, c.calls,
    o.opted_out, o.changed_at AS opted_out_at
  FROM volunteers v
  LEFT JOIN callers c ON c.number = v.number
  LEFT JOIN optouts o ON o.number = v.number`;

/**
 * The `volunteers` table, and the read side that joins it with `callers` and `optouts`.
 * Every value is bound; the only SQL put together at run time is a choice among fixed clauses.
 */
export class VolunteerStore {
  private readonly byNumber: Statement;
  private readonly viewById: Statement;
  private readonly viewByNumber: Statement;
  private readonly insertRow: Statement;
  private readonly updateProfile: Statement;
  private readonly updateInterests: Statement;
  private readonly countJoinedSince: Statement;

  constructor(private readonly db: Db) {
    this.byNumber = db.prepare(`SELECT id, joined_at, interests FROM volunteers WHERE number = ?`);
    this.viewById = db.prepare(`${VIEW_SELECT} WHERE v.id = ?`);
    this.viewByNumber = db.prepare(`${VIEW_SELECT} WHERE v.number = ?`);
    this.insertRow = db.prepare(`
      INSERT INTO volunteers (id, number, name, pincode, district, constituency, state, interests, joined_at, updated_at,
        modem, modem_imei, sim_iccid, created_at)
      VALUES (@id, @number, @name, @pincode, @district, @constituency, @state, @interests, @joinedAt, @at,
        @modem, @modemImei, @simIccid, @at)`);
    this.updateProfile = db.prepare(`
      UPDATE volunteers SET name = @name, pincode = @pincode, district = @district, constituency = @constituency,
        state = @state, joined_at = COALESCE(joined_at, @at), updated_at = @at,
        modem = CASE WHEN joined_at IS NULL THEN @modem ELSE modem END,
        modem_imei = CASE WHEN joined_at IS NULL THEN @modemImei ELSE modem_imei END,
        sim_iccid = CASE WHEN joined_at IS NULL THEN @simIccid ELSE sim_iccid END
      WHERE number = @number`);
    this.updateInterests = db.prepare(`UPDATE volunteers SET interests = ?, updated_at = ? WHERE number = ?`);
    this.countJoinedSince = db.prepare(`SELECT COUNT(*) AS n FROM volunteers WHERE joined_at >= ?`);
  }

  /**
   * Record a complete JOIN: a new volunteer, or new details for a known one (the latest JOIN wins;
   * the first JOIN's time and line are kept, as that is when and where they agreed).
   */
  join(number: string, profile: Profile, at: number, line: ReceivingLine): { view: VolunteerView; firstJoin: boolean } {
    const known = this.byNumber.get(number) as { id: string; joined_at: number | null } | undefined;
    const params = {
      number,
      ...profile,
      at,
      modem: line.label,
      modemImei: line.imei,
      simIccid: line.iccid,
    };
    if (known) this.updateProfile.run(params);
    else this.insertRow.run({ ...params, id: randomUUID(), interests: '[]', joinedAt: at });
    return { view: this.mustView(number), firstJoin: known?.joined_at == null };
  }

  /** Add interests (kept in the order first named); creates an unregistered row for a newcomer. */
  addInterests(number: string, interests: readonly string[], at: number, line: ReceivingLine): { view: VolunteerView; added: string[] } {
    const known = this.byNumber.get(number) as { id: string; interests: string } | undefined;
    const current = known ? parseInterests(known.interests) : [];
    const added = interests.filter((i) => !current.includes(i));
    const next = JSON.stringify([...current, ...added]);
    if (known) {
      if (added.length > 0) this.updateInterests.run(next, at, number);
    } else {
      this.insertRow.run({
        id: randomUUID(),
        number,
        name: null,
        pincode: null,
        district: null,
        constituency: null,
        state: null,
        interests: next,
        joinedAt: null,
        at,
        modem: line.label,
        modemImei: line.imei,
        simIccid: line.iccid,
      });
    }
    return { view: this.mustView(number), added };
  }

  get(number: string): VolunteerView | null {
    const r = this.viewByNumber.get(number) as RawView | undefined;
    return r ? viewFromRaw(r) : null;
  }

  getById(id: string): VolunteerView | null {
    const r = this.viewById.get(id) as RawView | undefined;
    return r ? viewFromRaw(r) : null;
  }

  /** Newest first (by when the row was made); oldest first with `afterSeq`. */
  list(query: VolunteerQuery): VolunteerView[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (!query.includeUnregistered) where.push('v.joined_at IS NOT NULL');
    if (query.beforeSeq !== undefined) {
      where.push('v.seq < ?');
      params.push(query.beforeSeq);
    }
    if (query.afterSeq !== undefined) {
      where.push('v.seq > ?');
      params.push(query.afterSeq);
    }
    if (query.pincode !== undefined) {
      where.push(`v.pincode LIKE ? ESCAPE '\\'`);
      params.push(`${likeEscape(query.pincode)}%`);
    }
    if (query.interest !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(v.interests) j WHERE j.value = ? COLLATE NOCASE)');
      params.push(query.interest);
    }
    if (query.q !== undefined) {
      const like = `%${likeEscape(query.q)}%`;
      const digits = query.numbers === false ? '' : query.q.replace(/\D/g, '');
      where.push(
        `(v.name LIKE ? ESCAPE '\\' OR v.district LIKE ? ESCAPE '\\' OR v.constituency LIKE ? ESCAPE '\\'${digits.length >= 3 ? ` OR v.number LIKE ? ESCAPE '\\'` : ''})`,
      );
      params.push(like, like, like);
      if (digits.length >= 3) params.push(`%${digits}%`);
    }
    const sql = `${VIEW_SELECT}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY v.seq ${query.afterSeq === undefined ? 'DESC' : 'ASC'} LIMIT ?`;
    params.push(query.limit);
    return (this.db.prepare(sql).all(...params) as RawView[]).map(viewFromRaw);
  }

  /** Volunteers whose first JOIN was at or after `since`. */
  joinedSince(since: number): number {
    return (this.countJoinedSince.get(since) as { n: number }).n;
  }

  /** How many rows {@link exportVolunteers} will give (for progress). */
  countVolunteersForExport(q: ExportQuery): number {
    const { sql, params } = volunteerExportSql(q, true);
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  /** Registered volunteers for the CSV export, oldest first, one row at a time (bounded memory). */
  *exportVolunteers(q: ExportQuery): Generator<VolunteerView> {
    const { sql, params } = volunteerExportSql(q, false);
    for (const r of this.db.prepare(sql).iterate(...params) as IterableIterator<RawView>) yield viewFromRaw(r);
  }

  /** How many rows {@link exportCallers} will give. */
  countCallersForExport(q: ExportQuery): number {
    const { sql, params } = callerExportSql(q, true);
    return (this.db.prepare(sql).get(...params) as { n: number }).n;
  }

  /** Every caller for the CSV export, in order of first call, one row at a time. */
  *exportCallers(q: ExportQuery): Generator<CallerView> {
    const { sql, params } = callerExportSql(q, false);
    for (const r of this.db.prepare(sql).iterate(...params) as IterableIterator<RawCaller>) yield callerFromRaw(r);
  }

  private mustView(number: string): VolunteerView {
    const v = this.get(number);
    if (!v) throw new Error(`volunteer row for ${number.slice(-2)} vanished inside its own transaction`);
    return v;
  }
}

function volunteerExportSql(q: ExportQuery, count: boolean): { sql: string; params: number[] } {
  const where = ['v.joined_at IS NOT NULL'];
  const params: number[] = [];
  if (q.since !== undefined) {
    where.push('v.updated_at >= ?');
    params.push(q.since);
  }
  if (!q.includeOptedOut) where.push('COALESCE(o.opted_out, 0) = 0');
  const head = count
    ? `SELECT COUNT(*) AS n FROM volunteers v LEFT JOIN optouts o ON o.number = v.number`
    : VIEW_SELECT;
  return { sql: `${head} WHERE ${where.join(' AND ')}${count ? '' : ' ORDER BY v.seq'}`, params };
}

function callerExportSql(q: ExportQuery, count: boolean): { sql: string; params: number[] } {
  const where: string[] = [];
  const params: number[] = [];
  if (q.since !== undefined) {
    where.push('c.last_call_at >= ?');
    params.push(q.since);
  }
  if (!q.includeOptedOut) where.push('COALESCE(o.opted_out, 0) = 0');
  const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
  if (count) return { sql: `SELECT COUNT(*) AS n FROM callers c LEFT JOIN optouts o ON o.number = c.number${filter}`, params };
  // The first call's line: one index seek per caller on calls (number, seq).
  const sql = `
    SELECT c.number, c.first_call_at, c.last_call_at, c.calls,
      (SELECT port_label FROM calls k WHERE k.number = c.number ORDER BY k.seq LIMIT 1) AS first_line,
      (SELECT sim_iccid FROM calls k WHERE k.number = c.number ORDER BY k.seq LIMIT 1) AS first_sim,
      (v.joined_at IS NOT NULL) AS registered, v.name, v.pincode, v.district, v.constituency, v.interests,
      o.opted_out, o.changed_at AS opted_out_at
    FROM callers c
    LEFT JOIN volunteers v ON v.number = c.number
    LEFT JOIN optouts o ON o.number = c.number${filter}
    ORDER BY c.first_call_at, c.number`;
  return { sql, params };
}
