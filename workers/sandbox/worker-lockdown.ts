// The second wall, around the first (QuickJS has none of these APIs at all): once the wasm is loaded, the worker's
// own ways out are shadowed with undefined, so even a flaw in the interpreter that reached the worker's JavaScript
// would find no network, storage or script loading. postMessage stays: it carries the one answer back.
const WAYS_OUT = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebTransport',
  'EventSource',
  'importScripts',
  'indexedDB',
  'caches',
  'BroadcastChannel',
  'Worker',
  'SharedWorker',
  'navigator',
] as const;

export function lockDownWorker(scope: typeof globalThis): void {
  for (const name of WAYS_OUT) {
    try {
      Object.defineProperty(scope, name, { value: undefined, writable: false, configurable: false });
    } catch {
      // A property the browser will not let us shadow: QuickJS still cannot reach it.
    }
  }
}
