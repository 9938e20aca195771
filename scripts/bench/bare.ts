// The engines driven bare, for the app's overhead: a separate tiny page (scripts/bench-bare) that runs one engine in
// a worker with the same calls the app makes and no comlink, protocol or UI. Served cross-origin isolated like the
// app, so llama.cpp gets the same thread count in both.
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import type { GenerationMetrics } from '../../common/protocol';
import type { BareLlamaOptions } from '../bench-bare/bare-llama-worker';
import type { BareOptions, BareReply } from '../bench-bare/bare-worker';

const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const OUT_DIR = path.resolve('dist-bench');

/** An engine loaded bare in its own page: one answer per `run()`, so the bench can interleave them with the app's. */
export interface BareSession {
  loadMs: number;
  run(): Promise<GenerationMetrics>;
  close(): Promise<void>;
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

export async function openBare(context: BrowserContext, port: number, options: BareOptions | BareLlamaOptions): Promise<BareSession> {
  const page = await context.newPage();
  const call = async (name: 'loadBare' | 'runBare', sent?: BareOptions | BareLlamaOptions): Promise<BareReply> => {
    const reply = await page.evaluate(
      ({ name, sent }) => {
        const inPage: unknown = Reflect.get(window, name);
        if (typeof inPage !== 'function') throw new Error('bare page not ready');
        return inPage(sent);
      },
      { name, sent },
    );
    if (!reply.ok) throw new Error(`bare engine failed: ${reply.error}`);
    return reply;
  };
  try {
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => Reflect.get(window, 'bareReady') === true);
    const loaded = await call('loadBare', options);
    return {
      loadMs: Math.round(loaded.ok ? (loaded.loadMs ?? 0) : 0),
      async run() {
        const reply = await call('runBare');
        if (!reply.ok || !reply.run) throw new Error('bare engine returned no run');
        return reply.run;
      },
      close: () => page.close(),
    };
  } catch (error) {
    await page.close();
    throw error;
  }
}
