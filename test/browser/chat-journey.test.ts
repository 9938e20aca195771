// The foundation journey in real headless Chromium on WebGPU (SwiftShader), against the built app: first visit and a
// streamed answer from the Worker, Stop, a reload with the mirror unreachable, and a download cut half way. The
// steps share one persistent profile, so they run in order.
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_REPO } from '../fixtures/paths';
import {
  APP_URL,
  newProfileDir,
  openBrowser,
  removeProfileDir,
  sendMessage,
  setAnswerSettings,
  useStack,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from './harness';

const stack = useStack({ webgpu: true, mirror: true });

const MODEL_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

const figures: Record<string, number | string> = {};

afterAll(async () => {
  console.info('[browser figures]', JSON.stringify(figures));
});

describe('chat journey on WebGPU in a Worker', () => {
  it('first visit: downloads the tiny model with progress to 100% and streams a real answer from the worker', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 24);

    const loadStarted = Date.now();
    await page.getByRole('button', { name: 'Load model' }).click();
    await page.getByTestId('load-progress').waitFor();
    await waitForModelReady(page);
    figures.firstLoadMs = Date.now() - loadStarted;

    await expect.poll(() => page.getByTestId('load-progress').getAttribute('data-percent')).toBe('100%');
    expect(await page.getByTestId('loaded-device').innerText()).toBe('webgpu');
    expect(await page.getByTestId('model-ready').innerText()).toContain('in a worker');
    const fetched = stack.mirror.requests.filter((line) => line.startsWith('GET '));
    for (const file of MODEL_FILES) expect(fetched.some((line) => line.endsWith(`/${TINY_REPO}/${file}`))).toBe(true);

    // Record every state the answer passes through, to prove it streamed rather than arriving whole.
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { __streamSnapshots: seen });
      new MutationObserver(() => {
        const answer = document.querySelector('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
        const text = answer?.querySelector('[data-testid="message-content"]')?.textContent ?? '';
        if (text.replace('▍', '').length > 0) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await sendMessage(page, 'Hello there!');
    const answer = await waitForAnswer(page);
    expect(answer.status).toBe('done');
    expect(answer.content.length).toBeGreaterThan(0);

    const snapshots = await page.evaluate(() => {
      const value: unknown = Reflect.get(window, '__streamSnapshots');
      return Array.isArray(value) ? value.length : 0;
    });
    expect(snapshots).toBeGreaterThan(1);

    const metrics = page.getByTestId('metrics').last();
    expect(await metrics.getAttribute('data-device')).toBe('webgpu');
    const outputTokens = Number(await metrics.getAttribute('data-output-tokens'));
    expect(outputTokens).toBeGreaterThan(0);
    expect(outputTokens).toBeLessThanOrEqual(24);
    figures.outputTokens = outputTokens;
    figures.timeToFirstTokenMs = Number(await metrics.getAttribute('data-ttft-ms'));
    figures.decodeTokensPerS = Number(await metrics.getAttribute('data-decode-tps'));

    // The engine ran in the worker: the page itself never fetched ONNX Runtime or the model weights.
    const pageFetches = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
    expect(pageFetches.some((url) => url.includes('.wasm') || url.includes('.onnx'))).toBe(false);
    expect(pageFetches.some((url) => url.includes('inference.worker'))).toBe(true);
  });

  it('Stop mid-answer keeps the partial answer and leaves the app ready for the next message', async () => {
    const { page } = stack.session;
    await setAnswerSettings(page, { maxNewTokens: 400 });
    await sendMessage(page, 'Tell me a long story.');
    const streaming = page.locator('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
    await expect.poll(async () => (await streaming.getByTestId('message-content').innerText()).replace('▍', '').length, {
      timeout: 120_000,
    }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Stop' }).click();
    const stopped = await waitForAnswer(page);
    expect(stopped.status).toBe('stopped');
    expect(stopped.content.length).toBeGreaterThan(0);
    const stoppedTokens = Number(await page.getByTestId('metrics').last().getAttribute('data-output-tokens'));
    expect(stoppedTokens).toBeLessThan(400);

    await setAnswerSettings(page, { maxNewTokens: 8 });
    await sendMessage(page, 'And now a short one.');
    const next = await waitForAnswer(page);
    expect(next.status).toBe('done');
    expect(next.content.length).toBeGreaterThan(0);
  });

  it('reload with the mirror unreachable loads the model from IndexedDB, answers, and keeps the conversation', async () => {
    const before = await stack.session.page.locator('[data-testid="message"]').count();
    let mirrorRequests = 0;
    stack.mirror.setBlocked(true);
    stack.mirror.clearRequests();

    // Close the browser entirely and come back with the same profile, as a user returning later would.
    await stack.session.close();
    stack.session = await openBrowser(stack.profile, { webgpu: true });
    await stack.session.context.route(`${stack.mirror.url}**`, async (route) => {
      mirrorRequests += 1;
      await route.abort('internetdisconnected');
    });
    const reloaded = stack.session.page;
    const loadStarted = Date.now();
    await reloaded.goto(APP_URL);
    await waitForModelReady(reloaded);
    figures.cachedLoadMs = Date.now() - loadStarted;
    expect(await reloaded.getByTestId('model-ready').innerText()).toContain("loaded from this device's cache");
    expect(await reloaded.locator('[data-testid="message"]').count()).toBe(before);

    await sendMessage(reloaded, 'Still there?');
    const answer = await waitForAnswer(reloaded);
    expect(answer.status).toBe('done');
    expect(answer.content.length).toBeGreaterThan(0);
    expect(mirrorRequests).toBe(0);
    expect(stack.mirror.requests).toEqual([]);
    stack.mirror.setBlocked(false);
  });

  it('a download cut half way shows a clear error, and Retry fetches only what is missing', async () => {
    const freshProfile = await newProfileDir();
    const fresh = await openBrowser(freshProfile, { webgpu: true });
    try {
      const { page } = fresh;
      await page.goto(APP_URL);
      await useTinyModel(page, stack.mirror.url, TINY_REPO, 8);
      stack.mirror.clearRequests();
      stack.mirror.cutNextDownload('onnx/model.onnx');
      await page.getByRole('button', { name: 'Load model' }).click();
      const error = page.getByTestId('load-error');
      await error.waitFor({ timeout: 120_000 });
      expect(await error.getAttribute('data-error-name')).toBe('DownloadFailed');
      expect(await error.innerText()).toContain('Retry');
      const firstTry = stack.mirror.requests.filter((line) => line.startsWith('GET '));
      expect(firstTry.some((line) => line.endsWith('/tokenizer.json'))).toBe(true);

      stack.mirror.clearRequests();
      await page.getByRole('button', { name: 'Retry' }).click();
      await waitForModelReady(page);
      const retried = stack.mirror.requests.filter((line) => line.startsWith('GET '));
      expect(retried.some((line) => line.endsWith('/onnx/model.onnx'))).toBe(true);
      for (const stored of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) {
        expect(retried.filter((line) => line.endsWith(`/${TINY_REPO}/${stored}`))).toEqual([]);
      }
      await sendMessage(page, 'Hi');
      expect((await waitForAnswer(page)).status).toBe('done');
    } finally {
      await fresh.close();
      await removeProfileDir(freshProfile);
    }
  });
});
