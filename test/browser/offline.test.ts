// The installable, offline app shell in real Chromium with a fixed port and a persistent profile: one online visit
// (the service worker precaches the shell alone; the worker and ONNX Runtime's wasm are kept in the engine cache when
// the model first loads, fetched once, and web-llm's runtime, never used, is not fetched at all; the tiny model is
// stored in IndexedDB), then the app server is stopped, the browser goes offline and every request is aborted: the
// shell starts, the worker and ONNX Runtime come from the engine cache, the stored model loads, and it answers. Then
// a second build with another version is served: the running app shows the update prompt (and keeps running the old
// version) until Reload is pressed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, preview, type PreviewServer } from 'vite';
import type { Page } from 'playwright-core';
import { ENGINE_CACHE_NAME } from '../../common/engine-assets';
import { TINY_REPO } from '../fixtures/paths';
import {
  APP_PORT,
  APP_URL,
  openBrowser,
  sendMessage,
  stopApp,
  useStack,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from './harness';

const stack = useStack({ webgpu: true, mirror: true });

let nextBuild: string | undefined;
/** The second build's server, which stands in for the stopped app server on the same port. */
let nextApp: PreviewServer | undefined;
let firstVersion = '';
const figures: Record<string, number | string> = {};

const WORKER_SCRIPT = /\/assets\/engine\/inference\.worker-.*\.js$/;
const ORT_WASM = /\/assets\/engine\/ort-wasm-simd-threaded\.asyncify-.*\.wasm$/;

/** Every cached URL's path, by cache name. */
async function cachedPaths(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const byCache: Record<string, string[]> = {};
    for (const name of await caches.keys()) {
      byCache[name] = (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname);
    }
    return byCache;
  });
}

async function packageVersion(): Promise<string> {
  const parsed: unknown = JSON.parse(await readFile('package.json', 'utf8'));
  const version: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'version') : undefined;
  return typeof version === 'string' ? version : '';
}

afterAll(async () => {
  if (nextApp) await stopApp(nextApp);
  if (nextBuild) await rm(nextBuild, { recursive: true, force: true });
  console.info('[offline figures]', JSON.stringify(figures));
});

describe('offline app shell', () => {
  it('first visit: the service worker stores the shell; the engine files are kept once the model first loads', async () => {
    const { context, page } = stack.session;
    // Fetches of the engine files that reached the app server (not answered by the service worker), by path.
    const engineDownloads: string[] = [];
    context.on('requestfinished', async (request) => {
      const url = new URL(request.url());
      if (!url.pathname.includes('/assets/engine/')) return;
      const response = await request.response();
      if (response?.fromServiceWorker() !== false) return;
      const { responseBodySize } = await request.sizes();
      engineDownloads.push(`${url.pathname} ${response.status()} ${responseBodySize}B`);
    });
    await page.goto(APP_URL);
    const status = page.getByTestId('offline-status');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 120_000 }).toBe('offline-ready');
    expect(await status.innerText()).toContain('Offline-ready');
    firstVersion = (await page.getByTestId('app-version').innerText()).trim();
    expect(firstVersion).toBe(`v${await packageVersion()}`);

    const precached = Object.entries(await cachedPaths(page))
      .filter(([name]) => name.startsWith('workbox-precache'))
      .flatMap(([, paths]) => paths);
    for (const wanted of [/^\/index\.html/, /^\/assets\/index-.*\.js$/, /^\/assets\/index-.*\.css$/, /manifest\.webmanifest/]) {
      expect(precached.some((url) => wanted.test(url)), String(wanted)).toBe(true);
    }
    // Only the shell: nothing of the worker's bundle (engines, wasm) is precached.
    expect(precached.filter((url) => url.includes('/assets/engine/'))).toEqual([]);
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector('link[rel="manifest"]');
      return link instanceof HTMLLinkElement ? (await fetch(link.href)).json() : undefined;
    });
    expect(manifest).toMatchObject({ name: 'Qwen WebGPU Chat', display: 'standalone' });

    await useTinyModel(page, stack.mirror.url, TINY_REPO, 8);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
    await sendMessage(page, 'Hello before the cable is pulled');
    expect((await waitForAnswer(page)).status).toBe('done');

    // The engine cache holds what this engine used, and only that: web-llm's runtime chunk was never fetched.
    await expect.poll(async () => (await cachedPaths(page))[ENGINE_CACHE_NAME] ?? []).toEqual(
      expect.arrayContaining([expect.stringMatching(WORKER_SCRIPT), expect.stringMatching(ORT_WASM)]),
    );
    const engineCache = (await cachedPaths(page))[ENGINE_CACHE_NAME] ?? [];
    expect(engineCache.filter((url) => !WORKER_SCRIPT.test(url) && !ORT_WASM.test(url))).toEqual([]);
    // ONNX Runtime's wasm came over the network once, whoever asked for it.
    expect(engineDownloads.filter((line) => ORT_WASM.test(line.split(' ')[0] ?? ''))).toHaveLength(1);
    figures.engineCache = engineCache.join(' ');
    figures.engineDownloads = engineDownloads.join(', ');
  });

  it('network off and the app server gone: the shell starts, the stored model loads and answers', async () => {
    await stack.session.close();
    await stack.stopApp();
    stack.mirror.setBlocked(true);
    stack.mirror.clearRequests();

    stack.session = await openBrowser(stack.profile, { webgpu: true });
    const { context, page } = stack.session;
    await context.setOffline(true);
    const reachedNetwork: string[] = [];
    const fromServiceWorker: string[] = [];
    context.on('requestfinished', async (request) => {
      if ((await request.response())?.fromServiceWorker()) fromServiceWorker.push(new URL(request.url()).pathname);
    });
    await context.route('**/*', async (route) => {
      reachedNetwork.push(route.request().url());
      await route.abort('internetdisconnected');
    });

    const started = Date.now();
    await page.goto(APP_URL);
    await page.getByRole('heading', { name: 'Qwen WebGPU Chat' }).waitFor();
    figures.offlineShellMs = Date.now() - started;
    await waitForModelReady(page);
    figures.offlineModelReadyMs = Date.now() - started;
    expect(await page.getByTestId('model-ready').innerText()).toContain("loaded from this device's cache");
    expect(await page.getByTestId('offline-status').getAttribute('data-state')).toBe('offline-ready');

    await sendMessage(page, 'Still here without a network?');
    const answer = await waitForAnswer(page);
    expect(answer.status).toBe('done');
    expect(answer.content.length).toBeGreaterThan(0);
    expect(stack.mirror.requests).toEqual([]);
    figures.requestsThatReachedTheNetworkLayer = reachedNetwork.length;
    expect(reachedNetwork.filter((url) => url.startsWith(APP_URL) || url.startsWith(stack.mirror.url))).toEqual([]);
    // The worker and ONNX Runtime, never precached, were answered from the engine cache.
    expect(fromServiceWorker.some((url) => WORKER_SCRIPT.test(url))).toBe(true);
    expect(fromServiceWorker.some((url) => ORT_WASM.test(url))).toBe(true);
    stack.mirror.setBlocked(false);
  });

  it('a new deployment shows the update prompt; the old version runs until Reload', async () => {
    await stack.session.close();
    nextBuild = await mkdtemp(path.join(tmpdir(), 'qwen-chat-next-build-'));
    const nextVersion = `${await packageVersion()}-next`;
    process.env.APP_VERSION = nextVersion;
    try {
      await build({ logLevel: 'error', build: { outDir: nextBuild, emptyOutDir: true } });
    } finally {
      delete process.env.APP_VERSION;
    }
    nextApp = await preview({ logLevel: 'error', build: { outDir: nextBuild }, preview: { port: APP_PORT, strictPort: true, host: '127.0.0.1' } });

    stack.session = await openBrowser(stack.profile, { webgpu: true });
    const { page } = stack.session;
    await page.goto(APP_URL);
    const prompt = page.getByTestId('update-prompt');
    await prompt.waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('app-version').innerText()).toBe(firstVersion);
    expect(await prompt.innerText()).toContain('Update available');

    await prompt.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.getByTestId('app-version').innerText(), { timeout: 60_000 }).toBe(`v${nextVersion}`);
    await expect.poll(() => page.getByTestId('update-prompt').count()).toBe(0);
  });
});
