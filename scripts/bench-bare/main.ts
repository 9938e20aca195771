// Baseline page for scripts/bench.ts: exposes `runBare(options)` that runs the engine in a bare worker.
import type { BareOptions, BareResult } from './bare-worker';

function runBare(options: BareOptions): Promise<BareResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./bare-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<BareResult>) => {
      resolve(event.data);
      worker.terminate();
    };
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage(options);
  });
}

Object.assign(window, { runBare, bareReady: true });
