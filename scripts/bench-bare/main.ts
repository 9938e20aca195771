// Baseline page for scripts/bench.ts: `loadBare(options)` loads one engine in a bare worker (transformers.js, or
// llama.cpp through wllama when `options.engine` is 'llama-cpp') and keeps it; `runBare()` runs one answer on it.
import type { BareLlamaOptions } from './bare-llama-worker';
import type { BareOptions, BareReply } from './bare-worker';

let worker: Worker | undefined;

function ask(message: unknown): Promise<BareReply> {
  return new Promise((resolve, reject) => {
    if (!worker) return reject(new Error('no bare worker'));
    worker.onmessage = (event: MessageEvent<BareReply>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(message);
  });
}

function loadBare(options: BareOptions | BareLlamaOptions): Promise<BareReply> {
  worker?.terminate();
  worker =
    'engine' in options
      ? new Worker(new URL('./bare-llama-worker.ts', import.meta.url), { type: 'module' })
      : new Worker(new URL('./bare-worker.ts', import.meta.url), { type: 'module' });
  return ask({ kind: 'load', options });
}

const runBare = (): Promise<BareReply> => ask({ kind: 'run' });

Object.assign(window, { loadBare, runBare, bareReady: true });
