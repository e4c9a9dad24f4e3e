import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Wait until `check` returns a truthy value, re-checking after each event loop turn that
 * may have changed it (bounded). For state that has no event to await, such as a database
 * row written by another process.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
    await sleep(everyMs);
  }
}

/** Resolve on the first event for which `accept` is true, or reject after `timeoutMs`. */
export function nextEvent<A extends unknown[]>(
  emitter: { on(e: string, l: (...a: A) => void): unknown; off(e: string, l: (...a: A) => void): unknown },
  event: string,
  accept: (...args: A) => boolean = () => true,
  timeoutMs = 5000,
): Promise<A> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    const listener = (...args: A): void => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args);
    };
    emitter.on(event, listener);
  });
}
