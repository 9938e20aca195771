// Callbacks from the page (progress, tokens), called so that the page sees every one of them before the answer.
// comlink sends a callback's messages on its own MessagePort and the call's answer on the worker's port, and the
// browser keeps no order between two ports: under load the answer can overtake the last progress message, which
// the page then applies after "done" (the sideload panel stuck at "Storing … 458 KB of 458 KB"). So every call is
// tracked and the host awaits them all before it answers; then the callback's port is released.
import { releaseProxy } from 'comlink';

export interface TrackedCallback<A> {
  /** Calls the page's callback; never throws, never blocks the caller. */
  call(arg: A): void;
  /** Resolves once the page has run every call made so far (or failed it), then releases the proxy. */
  settle(): Promise<void>;
}

export function trackCallback<A>(callback: (arg: A) => void): TrackedCallback<A> {
  const pending = new Set<Promise<unknown>>();
  return {
    call(arg) {
      let delivered: Promise<unknown>;
      try {
        // Through comlink the call returns a promise that settles when the page has run it; a plain function
        // (the unit tests) returns undefined.
        delivered = Promise.resolve(callback(arg));
      } catch (error) {
        delivered = Promise.reject(error);
      }
      const settled = delivered.catch(() => undefined).finally(() => pending.delete(settled));
      pending.add(settled);
    },
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
      const release: unknown = Reflect.get(callback, releaseProxy);
      if (typeof release === 'function') release.call(callback);
    },
  };
}

/** Runs `work` with a tracked callback and answers only after the page has run every call it made. */
export async function withCallback<A, T>(callback: (arg: A) => void, work: (call: (arg: A) => void) => Promise<T>): Promise<T> {
  const tracked = trackCallback(callback);
  try {
    return await work((arg) => tracked.call(arg));
  } finally {
    await tracked.settle();
  }
}
