// The model picker and the storage panel in real headless Chromium on SwiftShader (WebGPU without shader-f16, 1 GiB
// buffers): verdicts per build for this adapter; web-llm loads whose files are unreachable, or whose model library
// is broken, fail with a named error and leave the app usable; a model source that refuses connections is named
// HostUnreachable with its host, and its Retry stays with the build that failed; the storage panel lists what is really in IndexedDB
// (the tiny model, and what web-llm itself stored), with sizes, deletes one and all, and the usage figure drops.
// Nothing leaves localhost: every other host is aborted, or answered by the test where it says so.
import { stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { findModel } from '../../common/catalog/builds';
import { TINY_MODEL_DIR, TINY_REPO } from '../fixtures/paths';
import { addCustomRepo, APP_URL, openStoragePanel, setModelSource, useStack, waitForModelReady } from './harness';

const stack = useStack({ webgpu: true, mirror: true });

const WEB_LLM_ID = 'webllm:Qwen3-0.6B-q4f32_1-MLC';
const WEB_LLM_REPO = 'mlc-ai/Qwen3-0.6B-q4f32_1-MLC';
const TINY_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];
const F16_QUANTISATIONS = new Set(['q4f16_1', 'q0f16', 'q4f16', 'fp16']);

/** Requests to anything but 127.0.0.1, which the test aborts (or answers itself where it says so). */
const outside: string[] = [];
let answerWebLlmFiles = false;

interface Row {
  id: string;
  engine: string;
  level: string;
  quantisation: string;
}

async function rows(page: Page): Promise<Row[]> {
  return page.getByTestId('build-verdict').evaluateAll((items) =>
    items.map((item) => ({
      id: item.getAttribute('data-build-id') ?? '',
      engine: item.getAttribute('data-engine') ?? '',
      level: item.getAttribute('data-level') ?? '',
      quantisation: item.getAttribute('data-quantisation') ?? '',
    })),
  );
}

async function usage(page: Page): Promise<number> {
  return Number(await page.getByTestId('storage-usage').getAttribute('data-usage'));
}

/** IndexedDB's share of the origin's usage (Chromium's `usageDetails`). */
async function indexedDbUsage(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const estimate: StorageEstimate & { usageDetails?: { indexedDB?: number } } = await navigator.storage.estimate();
    return estimate.usageDetails?.indexedDB ?? 0;
  });
}

/** A localhost port that nothing listens on (taken, then let go), so a connection to it is refused. */
async function refusingPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  const modelLib = findModel(WEB_LLM_ID)?.mlc?.modelLib ?? '';
  await stack.session.context.route(
    (url) => url.hostname !== '127.0.0.1',
    async (route: Route) => {
      const url = route.request().url();
      outside.push(url);
      // The one place the test stands in for web-llm's CDN: a model library that is not WebAssembly.
      if (answerWebLlmFiles && url === modelLib) {
        await route.fulfill({ status: 200, contentType: 'application/wasm', body: 'this is not a model library' });
        return;
      }
      await route.abort('internetdisconnected');
    },
  );
});

describe('picker on SwiftShader (no shader-f16, 1 GiB buffers)', () => {
  it('marks only q4f32 / q4 / fp32 builds runnable, explains the rest, and suggests the smallest', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await page.locator('[data-testid="build-list"][data-gpu-known="true"]').waitFor({ state: 'attached', timeout: 30_000 });
    const all = await rows(page);
    expect(all.length).toBe(33);

    const runnable = all.filter((row) => row.level !== 'wont-fit');
    for (const row of runnable) expect(F16_QUANTISATIONS.has(row.quantisation), row.id).toBe(false);
    for (const row of all.filter((candidate) => F16_QUANTISATIONS.has(candidate.quantisation))) {
      expect(row.level, row.id).toBe('wont-fit');
    }
    // Every web-llm q4f32_1 / q0f32 build runs here (slowly: a software GPU), so does transformers.js Qwen3 0.6B at q4.
    const ids = runnable.map((row) => row.id);
    expect(ids).toEqual(expect.arrayContaining([WEB_LLM_ID, 'webllm:Qwen3.5-9B-q4f32_1-MLC', 'webllm:Qwen3-0.6B-q0f32-MLC', 'qwen3-0.6b-onnx']));
    expect(all.find((row) => row.id === 'qwen3-0.6b-onnx')?.quantisation).toBe('q4');
    // Qwen3 1.7B's q4 export keeps a 1.2 GB fp32 embedding: over this adapter's 1 GiB buffers.
    expect(all.find((row) => row.id === 'qwen3-1.7b-onnx')?.level).toBe('wont-fit');
    expect(all.filter((row) => row.level === 'fits')).toEqual([]);

    expect(await page.getByLabel('Pick a model').inputValue()).toBe('qwen3-0.6b-onnx');
    expect(await page.getByTestId('recommended-badge').isVisible()).toBe(true);
    expect(await page.getByTestId('fit-verdict').innerText()).toContain('software GPU');
    expect(await page.getByTestId('switch-build').count()).toBe(5);

    await page.getByLabel('Pick a model').selectOption('webllm:Qwen3-0.6B-q4f16_1-MLC');
    const verdict = page.getByTestId('fit-verdict');
    await expect.poll(() => verdict.getAttribute('data-level')).toBe('wont-fit');
    expect(await verdict.innerText()).toContain('this GPU has no shader-f16');
    expect(await page.getByTestId('load-button').isDisabled()).toBe(true);
    const card = await page.getByTestId('model-details').innerText();
    for (const field of ['Engine', 'web-llm', 'Quantisation', 'q4f16_1', 'Download', 'GPU memory', '1.5 GB', 'Context', '4,096 tokens', 'Licence', 'Apache-2.0', 'Images']) {
      expect(card).toContain(field);
    }
  });
});

describe('web-llm loads that cannot finish', () => {
  it('files unreachable on the mirror: DownloadFailed, nothing fetched from outside, and the app stays usable', async () => {
    const { page } = stack.session;
    await setModelSource(page, stack.mirror.url);
    // Switch engine for the same model: from transformers.js Qwen3 0.6B to its web-llm q4f32_1 build.
    await page.getByLabel('Pick a model').selectOption('qwen3-0.6b-onnx');
    await page.getByTestId('switch-build').filter({ hasText: 'web-llm q4f32_1' }).click();
    expect(await page.getByLabel('Pick a model').inputValue()).toBe(WEB_LLM_ID);

    stack.mirror.clearRequests();
    await page.getByTestId('load-button').click();
    const error = page.getByTestId('load-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getAttribute('data-error-name')).toBe('DownloadFailed');
    expect(await error.innerText()).toContain('Retry');
    expect(stack.mirror.requests).toContain(`GET /${WEB_LLM_REPO}/resolve/main/mlc-chat-config.json`);
    expect(outside).toEqual([]);
    // Usable: the picker still works and offers Retry.
    expect(await page.getByLabel('Pick a model').isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Retry' }).isEnabled()).toBe(true);
  });

  it('a broken model library (answered by the test for web-llm\'s CDN) fails with a named error; web-llm stored what it fetched', async () => {
    const { page } = stack.session;
    answerWebLlmFiles = true;
    await stack.session.context.route(`${stack.mirror.url}${WEB_LLM_REPO}/resolve/main/mlc-chat-config.json`, (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ context_window_size: 4096 }) }),
    );
    await page.getByRole('button', { name: 'Retry' }).click();
    const error = page.getByTestId('load-error');
    await expect.poll(() => page.getByTestId('load-button').innerText(), { timeout: 60_000 }).toBe('Retry');
    expect(await error.getAttribute('data-error-name')).toBe('Unknown');
    expect(await error.innerText()).toMatch(/WebAssembly|magic/i);
    answerWebLlmFiles = false;

    // web-llm wrote the config and the library into its own IndexedDB databases; the storage panel sees them.
    await openStoragePanel(page);
    const entry = page.locator(`[data-testid="cached-model"][data-repo="${WEB_LLM_REPO}"]`);
    await entry.waitFor({ timeout: 30_000 });
    expect(await entry.getAttribute('data-engine')).toBe('web-llm');
    expect(await entry.innerText()).toContain('partial');
    expect(await entry.innerText()).toContain('2 files');
  });
});

describe('a model source that cannot be reached', () => {
  it('refused connections: HostUnreachable naming the host and the ways out; Retry only for that build', async () => {
    const { page } = stack.session;
    const unreachable = `http://127.0.0.1:${await refusingPort()}`;
    await setModelSource(page, `${unreachable}/`);
    await addCustomRepo(page, TINY_REPO);
    await page.getByTestId('load-button').click();
    const error = page.getByTestId('load-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getAttribute('data-error-name')).toBe('HostUnreachable');
    const text = await error.innerText();
    expect(text).toContain(unreachable);
    expect(text).toMatch(/connection/);
    expect(text).toContain('Model source');
    expect(text).toMatch(/import/i);
    expect(text).not.toMatch(/cut off/);
    expect(await page.getByTestId('load-button').innerText()).toBe('Retry');

    // Another build picked: a plain load, no error of the build that failed.
    await page.getByLabel('Pick a model').selectOption('qwen3-0.6b-onnx');
    expect(await page.getByTestId('load-button').innerText()).not.toBe('Retry');
    expect(await error.count()).toBe(0);
    await page.getByLabel('Pick a model').selectOption(`custom:${TINY_REPO}`);
    expect(await page.getByTestId('load-button').innerText()).toBe('Retry');
    await setModelSource(page, stack.mirror.url);
  });
});

describe('storage panel', () => {
  it('lists the tiny model once it is stored, with its size, deletes it, and the usage drops', async () => {
    const { page } = stack.session;
    await addCustomRepo(page, TINY_REPO);
    await page.getByTestId('load-button').click();
    await waitForModelReady(page);
    await openStoragePanel(page);

    const entry = page.locator(`[data-testid="cached-model"][data-repo="${TINY_REPO}"]`);
    await entry.waitFor();
    let expected = 0;
    for (const file of TINY_FILES) expected += (await stat(path.join(TINY_MODEL_DIR, ...file.split('/')))).size;
    expect(Number(await entry.getAttribute('data-bytes'))).toBe(expected);
    expect(await entry.innerText()).toContain('transformers.js · 458 KB · 5 files');
    expect(await usage(page)).toBeGreaterThan(expected);
    // The weights live in IndexedDB; the origin's total also holds the engine files the worker keeps for offline
    // use, written in the background after a load, so the drop is read from IndexedDB's own share.
    const before = await indexedDbUsage(page);
    expect(before).toBeGreaterThan(expected);

    await page.getByRole('button', { name: 'Delete tiny-qwen3' }).click();
    await entry.waitFor({ state: 'detached' });
    await expect.poll(() => indexedDbUsage(page), { timeout: 30_000 }).toBeLessThan(before);
    console.info('[storage figures]', JSON.stringify({ before, after: await indexedDbUsage(page), tinyBytes: expected }));
  });

  it('asks for persistent storage and shows the answer', async () => {
    const { page } = stack.session;
    await page.getByRole('button', { name: 'Ask to keep models' }).click();
    const state = page.getByTestId('persist-state');
    await expect.poll(() => state.getAttribute('data-state')).toMatch(/^(granted|refused)$/);
    expect(await state.innerText()).toMatch(/Granted|said no/);
  });

  it('deletes every stored model, web-llm\'s included', async () => {
    const { page } = stack.session;
    await page.getByRole('button', { name: 'Delete all stored models' }).click();
    await page.getByRole('button', { name: 'Yes, delete all' }).click();
    await page.getByTestId('storage-empty').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('cached-model').count()).toBe(0);
    // The model loaded before is still in memory and keeps working; only the stored copy is gone.
    expect(await page.getByTestId('model-ready').isVisible()).toBe(true);
  });
});
