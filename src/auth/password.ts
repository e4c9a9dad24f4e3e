/**
 * Password hashes for the status page's accounts: scrypt (memory-hard, in Node's own crypto),
 * stored in the configuration file as one self-describing string
 * `scrypt$<N>$<r>$<p>$<salt, base64>$<hash, base64>`, so the cost can be raised later without
 * invalidating older hashes. Verification runs on libuv's thread pool (async `scrypt`), so a
 * login never stalls the event loop that hangs up calls.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** The shape of a stored hash; the configuration schema checks `passwordHash` against it. */
export const PASSWORD_HASH_PATTERN = /^scrypt\$(\d{4,8})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/]{16,}={0,2})\$([A-Za-z0-9+/]{32,}={0,2})$/;

/** Cost used by `missedcall passwd`: 16 MiB of memory, about 0.1 s on a Raspberry Pi 4. */
export const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1 } as const;

/** Passwords shorter than this are refused by `missedcall passwd`. */
export const MIN_PASSWORD_LENGTH = 8;

const KEY_LENGTH = 32;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Scrypt's memory need is 128·N·r bytes; leave room above it. */
function maxmemFor(N: number, r: number): number {
  return 128 * N * r * 2 + 1024 * 1024;
}

/**
 * Parse a stored hash; null when it is not in the format above or its cost is out of the
 * range this box accepts (N a power of two from 1024 to 1048576, r 1..32, p 1..16).
 */
export function parsePasswordHash(stored: string): ParsedHash | null {
  const m = PASSWORD_HASH_PATTERN.exec(stored);
  if (!m) return null;
  const N = Number(m[1]);
  const r = Number(m[2]);
  const p = Number(m[3]);
  if (N < 1024 || N > 1_048_576 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(m[4] ?? '', 'base64');
  const hash = Buffer.from(m[5] ?? '', 'base64');
  if (salt.length < 16 || hash.length < 16) return null;
  return { N, r, p, salt, hash };
}

/** True when `stored` is a hash {@link verifyPassword} can check. */
export function isPasswordHash(stored: string): boolean {
  return parsePasswordHash(stored) !== null;
}

/** Hash a password for the configuration file. `cost` is for tests that need speed. */
export async function hashPassword(password: string, cost: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { ...cost, maxmem: maxmemFor(cost.N, cost.r) });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A valid hash of nothing anyone knows: verifying against it costs what a real check costs. */
let decoy: Promise<string> | null = null;

/**
 * Check a password against a stored hash in constant time. With `stored` null (no such user)
 * the same work is done against a decoy, so the answer time does not tell whether a user
 * name exists. Never throws for a bad hash: it is simply not a match.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const target = stored ?? (await (decoy ??= hashPassword(randomBytes(18).toString('base64'))));
  const parsed = parsePasswordHash(target);
  if (!parsed) return false;
  let key: Buffer;
  try {
    key = await scrypt(password.normalize('NFC'), parsed.salt, parsed.hash.length, {
      N: parsed.N,
      r: parsed.r,
      p: parsed.p,
      maxmem: maxmemFor(parsed.N, parsed.r),
    });
  } catch {
    return false;
  }
  return timingSafeEqual(key, parsed.hash) && stored !== null;
}
