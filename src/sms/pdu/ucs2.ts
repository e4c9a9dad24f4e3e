/**
 * UCS-2 as phones actually use it: UTF-16BE, so emoji travel as surrogate pairs. Encoding works
 * per code unit, which also keeps a lone surrogate round-trippable instead of replacing it.
 */
export function encodeUcs2(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[i * 2] = unit >>> 8;
    out[i * 2 + 1] = unit & 0xff;
  }
  return out;
}

/**
 * UTF-16BE → text. An odd final octet cannot be half a character anyone meant to send, so it is
 * dropped rather than failing a message that is otherwise readable.
 */
export function decodeUcs2(octets: Uint8Array): string {
  const units: number[] = [];
  for (let i = 0; i + 1 < octets.length; i += 2) {
    units.push(((octets[i] ?? 0) << 8) | (octets[i + 1] ?? 0));
  }
  // Chunked so that a long text never hits the engine's argument-count limit.
  let out = '';
  for (let i = 0; i < units.length; i += 4096) {
    out += String.fromCharCode(...units.slice(i, i + 4096));
  }
  return out;
}
