// Baseline page for scripts/bench.ts: exposes `runBare(options)` that runs one engine in a bare worker
// (transformers.js, or llama.cpp through wllama when `options.engine` is 'llama-cpp').
import type { BareLlamaOptions, BareLlamaResult } from './bare-llama-worker';
import type { BareOptions, BareResult } from './bare-worker';

function workerFor(options: BareOptions | BareLlamaOptions): Worker {
  if ('engine' in options) return new Worker(new URL('./bare-llama-worker.ts', import.meta.url), { type: 'module' });
  return new Worker(new URL('./bare-worker.ts', import.meta.url), { type: 'module' });
}

function runBare(options: BareOptions | BareLlamaOptions): Promise<BareResult | BareLlamaResult> {
  return new Promise((resolve, reject) => {
    const worker = workerFor(options);
    worker.onmessage = (event: MessageEvent<BareResult | BareLlamaResult>) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(options);
  });
}

Object.assign(window, { runBare, bareReady: true });
