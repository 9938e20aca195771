// The engines driven bare, for the app's overhead: a separate tiny page (scripts/bench-bare) that runs one engine in
// a worker with the same calls the app makes and no comlink, protocol or UI. Served cross-origin isolated like the
// app, so llama.cpp gets the same thread count in both.
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import type { GenerationMetrics } from '../../common/protocol';
import type { BareLlamaOptions } from '../bench-bare/bare-llama-worker';
import type { BareOptions } from '../bench-bare/bare-worker';

const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const OUT_DIR = path.resolve('dist-bench');

export interface BareMeasure {
  loadMs: number;
  runs: GenerationMetrics[];
}

export async function startBarePage(port: number): Promise<PreviewServer> {
  await build({
    root: 'scripts/bench-bare',
    logLevel: 'error',
    configFile: false,
    worker: { format: 'es' },
    build: { outDir: OUT_DIR, emptyOutDir: true },
  });
  return preview({
    root: 'scripts/bench-bare',
    configFile: false,
    logLevel: 'error',
    build: { outDir: OUT_DIR },
    preview: { port, strictPort: true, host: '127.0.0.1', headers: ISOLATED },
  });
}

export async function runBare(context: BrowserContext, port: number, options: BareOptions | BareLlamaOptions): Promise<BareMeasure> {
  const page = await context.newPage();
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => Reflect.get(window, 'bareReady') === true);
    const result = await page.evaluate((sent) => {
      const runBareInPage: unknown = Reflect.get(window, 'runBare');
      if (typeof runBareInPage !== 'function') throw new Error('bare page not ready');
      return runBareInPage(sent);
    }, options);
    if (!result.ok) throw new Error(`bare engine failed: ${result.error}`);
    return { loadMs: Math.round(result.loadMs), runs: result.runs };
  } finally {
    await page.close();
  }
}
