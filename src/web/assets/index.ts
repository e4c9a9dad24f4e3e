import { createHash } from 'node:crypto';
import { LIVE_SCRIPT } from './live-script.js';
import { STYLE } from './style.js';

/** One static file: its URL carries a hash of its content, so it can be cached forever. */
export interface Asset {
  url: string;
  body: string;
  type: string;
  /** `sha384-…` for the `integrity` attribute. */
  integrity: string;
}

function asset(name: string, ext: string, body: string, type: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { url: `/static/${name}.${hash}.${ext}`, body, type, integrity: `sha384-${createHash('sha384').update(body).digest('base64')}` };
}

/** The page's style sheet and script. */
export const assets = {
  style: asset('style', 'css', STYLE, 'text/css; charset=utf-8'),
  script: asset('live', 'js', LIVE_SCRIPT, 'text/javascript; charset=utf-8'),
} as const;
