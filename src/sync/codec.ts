/**
 * Bytes of a batch on the wire: built from the payloads frozen in `sync_log` (so equal rows give
 * equal bytes), optionally gzip-compressed, and read back on the HQ side with every size bound
 * checked before memory is spent. Compression and decompression run on libuv's thread pool, so
 * neither the box's hang-up path nor the collector's MQTT keep-alive waits for zlib.
 */
import { promisify } from 'node:util';
import { constants, gunzip, gzip } from 'node:zlib';

import { AppError, ErrorCodes } from '../errors.js';
import { PROTOCOL_VERSION, type DeadLetterReason } from './protocol.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** One row of `sync_log` as the batch builder needs it. */
export interface LogRow {
  seq: number;
  /** The stable-key JSON object written by `SyncLog.append` (includes `id` and `type`). */
  payload: string;
}

/** The fixed part of a batch. */
export interface BatchHeader {
  box: string;
  db: string;
  batch: string;
  seqFrom: number;
  seqTo: number;
}

/**
 * A payload can be spliced (`{"seq":N,` + the rest) only if it is a non-empty JSON object;
 * `SyncLog.append` always writes one, so anything else is a bug upstream, caught here rather
 * than sent as invalid JSON.
 */
export function isSpliceable(payload: string): boolean {
  return payload.length > 2 && payload.startsWith('{"') && payload.endsWith('}');
}

/** `{"seq":12,"at":…}`: the record as sent, `seq` first so consecutive records compress well. */
export function wireRecord(row: LogRow): string {
  return `{"seq":${row.seq},${row.payload.slice(1)}`;
}

/** The batch JSON, built by concatenation: no parse/stringify per record, deterministic bytes. */
export function batchJson(header: BatchHeader, records: readonly string[]): string {
  return (
    `{"v":${PROTOCOL_VERSION},"box":${JSON.stringify(header.box)},"db":${JSON.stringify(header.db)},` +
    `"batch":${JSON.stringify(header.batch)},"seqFrom":${header.seqFrom},"seqTo":${header.seqTo},` +
    `"records":[${records.join(',')}]}`
  );
}

/**
 * The wire bytes of a batch. Level 9 with the largest window: the box pays once in CPU, HQ and
 * the SIM's data plan pay for every byte (about 38 bytes per call record; see README).
 */
export async function encodeBatch(json: string, compress: boolean): Promise<Buffer> {
  const raw = Buffer.from(json, 'utf8');
  if (!compress) return raw;
  return gzipAsync(raw, { level: 9, memLevel: 9, windowBits: 15, strategy: constants.Z_DEFAULT_STRATEGY });
}

/** True when the bytes start with the gzip magic number 1f 8b (JSON never does). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Why a payload could not be decoded; `reason` is a dead-letter reason. */
export class DecodeError extends AppError {
  readonly reason: DeadLetterReason;

  constructor(reason: DeadLetterReason, message: string, cause?: unknown) {
    super(ErrorCodes.SYNC_BAD_PAYLOAD, message, { cause, context: { reason } });
    this.name = 'DecodeError';
    this.reason = reason;
  }
}

export interface DecodeLimits {
  maxMessageBytes: number;
  maxInflatedBytes: number;
}

/**
 * Wire bytes → parsed JSON. Gzip is recognised by its magic bytes; inflation stops at
 * `maxInflatedBytes` (zlib's `maxOutputLength`), so a gzip bomb costs at most that much memory.
 *
 * @throws DecodeError with the dead-letter reason.
 */
export async function decodePayload(bytes: Buffer, limits: DecodeLimits): Promise<{ value: unknown; inflatedBytes: number; compressed: boolean }> {
  if (bytes.length > limits.maxMessageBytes) {
    throw new DecodeError('too-large', `the message is ${bytes.length} bytes; at most ${limits.maxMessageBytes} are accepted`);
  }
  let text: Buffer = bytes;
  const compressed = isGzip(bytes);
  if (compressed) {
    try {
      text = await gunzipAsync(bytes, { maxOutputLength: limits.maxInflatedBytes });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new DecodeError('gzip-too-large', `gzip expands beyond ${limits.maxInflatedBytes} bytes`, err);
      }
      throw new DecodeError('bad-gzip', `not valid gzip: ${(err as Error).message}`, err);
    }
  } else if (bytes.length > limits.maxInflatedBytes) {
    throw new DecodeError('too-large', `the JSON is ${bytes.length} bytes; at most ${limits.maxInflatedBytes} are accepted`);
  }
  try {
    return { value: JSON.parse(text.toString('utf8')) as unknown, inflatedBytes: text.length, compressed };
  } catch (err) {
    throw new DecodeError('not-json', `not JSON: ${(err as Error).message.slice(0, 200)}`, err);
  }
}

/** Small control messages (acks, config, events): JSON, gzip tolerated, 1 MiB at most. */
export async function decodeControl(bytes: Buffer): Promise<unknown> {
  const limit = 1024 * 1024;
  return (await decodePayload(bytes, { maxMessageBytes: limit, maxInflatedBytes: limit })).value;
}
