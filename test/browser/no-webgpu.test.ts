// Chromium without WebGPU (launched without --enable-unsafe-webgpu): instead of a dead end the app (panel and
// welcome) says there is no WebGPU and offers the smallest builds on the CPU (transformers.js on wasm), marked slow.
// The tiny model then answers on wasm inside the worker, and Stop interrupts a long answer (the CPU path yields
// between steps).
import { afterAll, expect, it } from 'vitest';
import { TINY_REPO } from '../fixtures/paths';
import {
  APP_URL,
  sendMessage,
  setAnswerSettings,
  useStack,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from './harness';

const stack = useStack({ webgpu: false, mirror: true });

const figures: Record<string, number> = {};

afterAll(async () => {
  console.info('[no-webgpu figures]', JSON.stringify(figures));
});

it('says there is no WebGPU and offers only the small builds, on the CPU, marked slow', async () => {
  const { page, pageErrors } = stack.session;
  await page.goto(APP_URL);
  const banner = page.getByTestId('no-webgpu');
  await banner.waitFor({ timeout: 30_000 });
  expect(await banner.innerText()).toContain('This browser has no WebGPU');
  expect(await banner.innerText()).toContain('CPU');

  // First visit: the suggestion is the smallest CPU build, ready to load (no dead end).
  const load = page.getByTestId('load-button');
  await expect.poll(() => load.innerText()).toBe('Load model on the CPU (slow)');
  expect(await load.isEnabled()).toBe(true);
  expect(await load.getAttribute('data-device')).toBe('wasm');
  expect(await page.getByLabel('Pick a model').inputValue()).toBe('qwen3-0.6b-onnx');
  // The welcome says the same, in the chat: no WebGPU, the CPU build suggested with its one verdict.
  expect(await page.getByTestId('welcome').getByRole('heading', { level: 2 }).innerText()).toBe('No WebGPU in this browser');
  expect(await page.getByTestId('welcome-where').innerText()).toContain('on this device’s CPU');
  expect(await page.getByTestId('welcome-verdict').innerText()).toContain('Runs here on the CPU, slowly: this browser has no WebGPU.');
  expect(await page.getByTestId('welcome-load').innerText()).toBe('Load Qwen3 0.6B on the CPU');

  const rows = await page.getByTestId('build-verdict').evaluateAll((items) =>
    items.map((item) => [item.getAttribute('data-build-id'), item.getAttribute('data-level')]),
  );
  const runnable = rows.filter(([, level]) => level !== 'wont-fit').map(([id]) => id);
  expect(runnable).toEqual([
    'qwen3-0.6b-onnx',
    'qwen3.5-0.8b-onnx-opt',
    'gguf:Qwen3-0.6B-Q8_0',
    'gguf:Qwen3-1.7B-Q8_0',
    'gguf:Qwen3.5-0.8B-Q4_K_M',
    'gguf:Qwen3.5-2B-Q4_K_M',
  ]);
  expect(rows.length).toBeGreaterThan(20);
  // Nothing can be typed before a model is loaded; the conversations panel is there.
  expect(await page.getByLabel('Message', { exact: true }).isDisabled()).toBe(true);
  await expect.poll(() => page.getByRole('heading', { name: 'Conversations' }).isVisible()).toBe(true);
  expect(pageErrors).toEqual([]);
});

it('loads the tiny model on wasm in the worker and answers', async () => {
  const { page } = stack.session;
  await useTinyModel(page, stack.mirror.url, TINY_REPO, 24);
  const load = page.getByTestId('load-button');
  expect(await load.innerText()).toBe('Load model on the CPU (slow)');
  const started = Date.now();
  await load.click();
  await waitForModelReady(page);
  figures.loadMs = Date.now() - started;
  expect(await page.getByTestId('loaded-device').innerText()).toBe('wasm');
  const ready = await page.getByTestId('model-ready').innerText();
  expect(ready).toContain('in a worker');
  expect(ready).toContain('on the CPU');

  await sendMessage(page, 'Hello on the CPU!');
  const answer = await waitForAnswer(page);
  expect(answer.status).toBe('done');
  expect(answer.content.length).toBeGreaterThan(0);
  const metrics = page.getByTestId('metrics').last();
  expect(await metrics.getAttribute('data-device')).toBe('wasm');
  figures.outputTokens = Number(await metrics.getAttribute('data-output-tokens'));
  figures.decodeTokensPerS = Number(await metrics.getAttribute('data-decode-tps'));
  figures.timeToFirstTokenMs = Number(await metrics.getAttribute('data-ttft-ms'));
  expect(figures.outputTokens).toBeGreaterThan(0);
});

it('Stop interrupts a long answer on wasm within moments, and the next answer works', async () => {
  const { page } = stack.session;
  await setAnswerSettings(page, { maxNewTokens: 3000 });
  await sendMessage(page, 'Tell me a very long story.');
  const streaming = page.locator('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
  await expect
    .poll(async () => (await streaming.getByTestId('message-content').innerText()).replace('▍', '').length, { timeout: 60_000 })
    .toBeGreaterThan(0);
  const stopAt = Date.now();
  await page.getByRole('button', { name: 'Stop' }).click();
  const stopped = await waitForAnswer(page);
  figures.stopMs = Date.now() - stopAt;
  expect(stopped.status).toBe('stopped');
  expect(stopped.content.length).toBeGreaterThan(0);
  const tokens = Number(await page.getByTestId('metrics').last().getAttribute('data-output-tokens'));
  figures.stoppedAfterTokens = tokens;
  expect(tokens).toBeLessThan(3000);
  expect(figures.stopMs).toBeLessThan(10_000);

  await setAnswerSettings(page, { maxNewTokens: 8 });
  await sendMessage(page, 'And a short one.');
  expect((await waitForAnswer(page)).status).toBe('done');
});
