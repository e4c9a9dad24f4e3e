import { readFileSync } from 'node:fs';
import { AppError, ErrorCodes } from '../errors.js';
import { parseCsv } from './csv.js';
import { splitWords, wordKey } from './text.js';

/** Where a pincode (or a constituency name) is. */
export interface Place {
  pincode: string | null;
  district: string | null;
  /** Assembly constituency. */
  constituency: string | null;
  state: string | null;
}

/** What the keyword parser and the JOIN handler need from the lookup table. */
export interface PlaceLookup {
  byPincode(pincode: string): Place | null;
  /** A constituency by its name or one of its aliases, compared as words (case, nukta, punctuation ignored). */
  byConstituency(name: string): Place | null;
  /** Longest constituency name or alias in words, to bound the search in a message. */
  readonly maxConstituencyWords: number;
}

/** Header names accepted for each column (compared without case, spaces, `_` or `-`). */
const COLUMNS = {
  pincode: ['pincode', 'pin', 'pin code', 'postal code'],
  district: ['district', 'districtname', 'district name'],
  constituency: ['constituency', 'assembly constituency', 'ac', 'ac name', 'acname', 'assemblyconstituency'],
  state: ['state', 'statename', 'state name'],
  aliases: ['aliases', 'alias', 'constituency aliases', 'other names'],
} as const;

type Column = keyof typeof COLUMNS;

function headerKey(h: string): string {
  return h.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

/** An Indian pincode: six digits, the first not 0. */
export const PINCODE = /^[1-9]\d{5}$/;

/**
 * The pincode → district / assembly constituency table (docs/VOLUNTEERS.md). Read once at start
 * from a CSV with a header row naming at least `pincode` and `district` (India Post's directory
 * has `Pincode`, `District` and `StateName`; a constituency column comes from the party's own
 * mapping). Several rows for one pincode (one per post office) are normal: the first row with a
 * value wins for each column.
 */
export class PlaceTable implements PlaceLookup {
  private readonly pincodes = new Map<string, Place>();
  private readonly constituencies = new Map<string, Place>();
  maxConstituencyWords = 0;

  /** Rows that were skipped (no valid pincode and no constituency), for the start-up log. */
  skippedRows = 0;

  /** @throws AppError CONFIG_INVALID naming the file when it cannot be read or has no usable header */
  static load(file: string): PlaceTable {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AppError(ErrorCodes.CONFIG_INVALID, `volunteers.pincodeTable: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    return PlaceTable.fromCsv(text, file);
  }

  /** @throws AppError CONFIG_INVALID when the header lacks a pincode or district column */
  static fromCsv(text: string, source = 'the pincode table'): PlaceTable {
    const rows = parseCsv(text);
    const header = rows[0];
    if (!header) throw new AppError(ErrorCodes.CONFIG_INVALID, `volunteers.pincodeTable: ${source} is empty; expected a header row such as "pincode,district,constituency,state"`);
    const index = {} as Record<Column, number>;
    for (const column of Object.keys(COLUMNS) as Column[]) {
      const names = COLUMNS[column].map(headerKey);
      index[column] = header.findIndex((h) => names.includes(headerKey(h)));
    }
    if (index.pincode < 0 || (index.district < 0 && index.constituency < 0)) {
      throw new AppError(
        ErrorCodes.CONFIG_INVALID,
        `volunteers.pincodeTable: ${source} must have a header row with a "pincode" column and a "district" or "constituency" column, such as "pincode,district,constituency,state"; found "${header.join(',').slice(0, 120)}"`,
      );
    }
    const table = new PlaceTable();
    const cell = (row: string[], column: Column): string | null => {
      const i = index[column];
      const v = i < 0 ? undefined : row[i]?.trim();
      return v === undefined || v === '' ? null : v;
    };
    for (const row of rows.slice(1)) {
      const pincode = cell(row, 'pincode')?.replace(/\s+/g, '') ?? null;
      const place: Place = {
        pincode: pincode !== null && PINCODE.test(pincode) ? pincode : null,
        district: cell(row, 'district'),
        constituency: cell(row, 'constituency'),
        state: cell(row, 'state'),
      };
      if (place.pincode === null && place.constituency === null) {
        table.skippedRows++;
        continue;
      }
      if (place.pincode !== null) table.addPincode(place.pincode, place);
      if (place.constituency !== null) {
        const byName = { ...place, pincode: null };
        table.addConstituency(place.constituency, byName);
        for (const alias of (cell(row, 'aliases') ?? '').split(/[;|]/)) {
          if (alias.trim() !== '') table.addConstituency(alias, byName);
        }
      }
    }
    return table;
  }

  get size(): number {
    return this.pincodes.size;
  }

  byPincode(pincode: string): Place | null {
    return this.pincodes.get(pincode) ?? null;
  }

  byConstituency(name: string): Place | null {
    return this.constituencies.get(nameKey(name)) ?? null;
  }

  private addPincode(pincode: string, place: Place): void {
    const known = this.pincodes.get(pincode);
    if (!known) {
      this.pincodes.set(pincode, place);
      return;
    }
    // Fill gaps from later rows (one row per post office; not every row has every column).
    known.district ??= place.district;
    known.constituency ??= place.constituency;
    known.state ??= place.state;
  }

  private addConstituency(name: string, place: Place): void {
    const key = nameKey(name);
    if (key === '' || this.constituencies.has(key)) return;
    this.constituencies.set(key, place);
    this.maxConstituencyWords = Math.max(this.maxConstituencyWords, key.split(' ').length);
  }
}

/** `Varanasi Cantt.` and `varanasi  cantt` are the same name. */
function nameKey(name: string): string {
  return splitWords(name)
    .map(wordKey)
    .filter((w) => w !== '')
    .join(' ');
}
