// What a benchmark result says about the machine it ran on, and the memory figure the browser exposes. Browser
// specifics live here so that the runner and the state can be driven by fakes in tests. Memory: the whole page's
// JS and wasm memory, its worker included, from performance.measureUserAgentSpecificMemory() where the page is
// cross-origin isolated; else Chromium's performance.memory (the page's JS heap only, not the worker); else none.
// Neither counts GPU memory, which no browser exposes.
import type { BenchMachine, MemoryReading } from '../../common/bench/result';
import type { GpuInfo } from '../../common/protocol';

/** The browser's own measurement can wait for a garbage collection (up to ~20 s in Chromium); this caps it. */
const MEMORY_TIMEOUT_MS = 30_000;

export function describeMachine(deviceId: string, adapter: GpuInfo, appVersion: string): BenchMachine {
  const memory: unknown = Reflect.get(navigator, 'deviceMemory');
  return {
    deviceId,
    userAgent: navigator.userAgent,
    ...(navigator.hardwareConcurrency > 0 ? { hardwareConcurrency: navigator.hardwareConcurrency } : {}),
    ...(typeof memory === 'number' && memory > 0 ? { deviceMemoryGiB: memory } : {}),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    adapter: { ...adapter, features: [...adapter.features] },
    appVersion,
  };
}

function bytesOf(value: unknown, key: string): number | undefined {
  const bytes: unknown = typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined;
  return typeof bytes === 'number' && Number.isFinite(bytes) && bytes >= 0 ? bytes : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

export async function readMemory(): Promise<MemoryReading> {
  const measure: unknown = Reflect.get(performance, 'measureUserAgentSpecificMemory');
  if (globalThis.crossOriginIsolated === true && typeof measure === 'function') {
    const answer: unknown = await withTimeout(Promise.resolve(measure.call(performance)), MEMORY_TIMEOUT_MS);
    const bytes = bytesOf(answer, 'bytes');
    if (bytes !== undefined) return { source: 'measureUserAgentSpecificMemory', bytes };
  }
  const heap = bytesOf(Reflect.get(performance, 'memory'), 'usedJSHeapSize');
  return heap === undefined ? { source: 'not exposed' } : { source: 'performance.memory', bytes: heap };
}
