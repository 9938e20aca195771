// llama.cpp (wllama) through the whole built app in real headless Chromium, on the tiny generated Qwen3 GGUF named as
// a custom `org/name/file.gguf` on the localhost mirror. SwiftShader has no shader-f16, so llama.cpp runs on the CPU
// here, and the panel must say so and why. One profile, in order: load with progress, stream, the prompt cache over
// three turns, thinking off and on, Stop, a reload from IndexedDB (no model file fetched), a non-Qwen GGUF and one
// cut short refused before their download, the split GGUF, a .gguf sideload, and last the offline reload.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GENERATED_MODELS_DIR,
  TINY_GGUF_DIR,
  TINY_GGUF_FILE,
  TINY_GGUF_REPO,
  TINY_LLAMA_GGUF_FILE,
  TINY_LLAMA_GGUF_REPO,
  TINY_SPLIT_GGUF_FILES,
  TINY_SPLIT_GGUF_REPO,
} from '../fixtures/paths';
import {
  addCustomRepo,
  APP_URL,
  newProfileDir,
  openBrowser,
  openStoragePanel,
  removeProfileDir,
  sendMessage,
  setAnswerSettings,
  setModelSource,
  useStack,
  waitForAnswer,
  waitForModelReady,
} from './harness';
import { lastMetrics, loadSelected, newChat, setThinking, storedRepos } from './chat-steps';

const stack = useStack({ webgpu: true, mirror: true });

const TINY_SPEC = `${TINY_GGUF_REPO}/${TINY_GGUF_FILE}`;
const SPLIT_SPEC = `${TINY_SPLIT_GGUF_REPO}/${TINY_SPLIT_GGUF_FILES[0] ?? ''}`;
const LLAMA_SPEC = `${TINY_LLAMA_GGUF_REPO}/${TINY_LLAMA_GGUF_FILE}`;
// A truncated copy of the tiny GGUF, written into the mirror's folder for this file's run only.
const CUT_REPO = 'test-llama-cpp/cut-short-GGUF';
const CUT_SPEC = `${CUT_REPO}/${TINY_GGUF_FILE}`;
const CUT_DIR = path.join(GENERATED_MODELS_DIR, ...CUT_REPO.split('/'));

const figures: Record<string, number | string> = {};
let work: string;

/** GETs of model files the mirror saw (a header probe included) for a repo. */
function modelFileGets(repo: string): string[] {
  return stack.mirror.requests.filter((line) => line.startsWith('GET ') && line.includes(`/${repo}/`) && line.endsWith('.gguf'));
}

/** The Range header ('' for none) of every request the browser makes for a repo's files on the mirror. */
async function watchRanges(context: BrowserContext, repo: string): Promise<string[]> {
  const ranges: string[] = [];
  await context.route(`${stack.mirror.url}${repo}/**`, async (route) => {
    if (route.request().method() === 'GET') ranges.push(route.request().headers().range ?? '');
    await route.continue();
  });
  return ranges;
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'qwen-chat-llama-cpp-'));
  const whole = await readFile(path.join(TINY_GGUF_DIR, TINY_GGUF_FILE));
  await mkdir(CUT_DIR, { recursive: true });
  await writeFile(path.join(CUT_DIR, TINY_GGUF_FILE), whole.subarray(0, Math.floor(whole.length * 0.6)));
  await copyFile(path.join(TINY_GGUF_DIR, TINY_GGUF_FILE), path.join(work, TINY_GGUF_FILE));
});

afterAll(async () => {
  await rm(path.dirname(CUT_DIR), { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
  console.info('[llama.cpp figures]', JSON.stringify(figures));
});

describe('llama.cpp (wllama) on the tiny Qwen3 GGUF, through the app', () => {
  it('offers the GGUF on the CPU with the reason, loads it with progress and says where and why it runs', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await setModelSource(page, stack.mirror.url);
    await addCustomRepo(page, TINY_SPEC);
    await setAnswerSettings(page, { maxNewTokens: 24, temperature: 0 });

    const load = page.getByTestId('load-button');
    expect(await load.getAttribute('data-device')).toBe('wasm');
    expect(await page.getByTestId('fit-verdict').innerText()).toContain('shader-f16');

    const started = Date.now();
    await load.click();
    await page.getByTestId('load-progress').waitFor();
    await waitForModelReady(page);
    figures.firstLoadMs = Date.now() - started;
    await expect.poll(() => page.getByTestId('load-progress').getAttribute('data-percent')).toBe('100%');

    const ready = await page.getByTestId('model-ready').innerText();
    expect(ready).toContain('llama.cpp');
    expect(ready).toContain('in a worker');
    expect(await page.getByTestId('loaded-device').innerText()).toBe('wasm');
    const reason = await page.getByTestId('device-reason').innerText();
    expect(reason).toContain('shader-f16');
    expect(reason).toContain('CPU');
    figures.threads = await page.getByTestId('loaded-threads').innerText();
    expect(modelFileGets(TINY_GGUF_REPO).length).toBeGreaterThan(0);

    // The engine and its wasm are the worker's: the page never fetched them.
    const pageFetches = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
    expect(pageFetches.some((url) => url.includes('wllama') || url.endsWith('.gguf'))).toBe(false);
  });

  it('streams an answer with metrics, then keeps the prompt cache across turns', async () => {
    const { page } = stack.session;
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { __streamSnapshots: seen });
      new MutationObserver(() => {
        const answer = document.querySelector('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
        const text = answer?.querySelector('[data-testid="message-content"]')?.textContent ?? '';
        if (text.replace('▍', '').length > 0) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    // A long enough answer to span several frames: llama.cpp runs the tiny model at about a millisecond a token.
    await setAnswerSettings(page, { maxNewTokens: 200 });
    await sendMessage(page, 'Hello there, llama.cpp!');
    const first = await waitForAnswer(page);
    expect(first.status).toBe('done');
    expect(first.content.length).toBeGreaterThan(0);
    const snapshots = await page.evaluate(() => {
      const value: unknown = Reflect.get(window, '__streamSnapshots');
      return Array.isArray(value) ? value.length : 0;
    });
    expect(snapshots).toBeGreaterThan(1);
    const turn1 = await lastMetrics(page);
    expect(turn1.device).toBe('wasm');
    expect(turn1.outputTokens).toBeGreaterThan(0);
    expect(turn1.outputTokens).toBeLessThanOrEqual(200);
    expect(turn1.promptTokens).toBeGreaterThan(0);
    await setAnswerSettings(page, { maxNewTokens: 24 });

    await sendMessage(page, 'Tell me more.');
    expect((await waitForAnswer(page)).status).toBe('done');
    await sendMessage(page, 'And one more thing.');
    expect((await waitForAnswer(page)).status).toBe('done');
    const turn3 = await lastMetrics(page);
    // Turn 3's prompt holds turns 1 and 2: most of it comes from llama.cpp's prompt cache, not evaluated again.
    expect(turn3.promptTokens).toBeGreaterThan(turn1.promptTokens);
    expect(turn3.promptCached).toBeGreaterThan(turn1.promptTokens / 2);
    figures.turn1PromptTokens = turn1.promptTokens;
    figures.turn3PromptTokens = turn3.promptTokens;
    figures.turn3EvaluatedTokens = turn3.promptTokens - turn3.promptCached;
  });

  it('renders thinking on and off into the prompt (the empty think block when off)', async () => {
    const { page } = stack.session;
    await setThinking(page, true);
    await newChat(page);
    await sendMessage(page, 'Think about it.');
    expect((await waitForAnswer(page)).status).toBe('done');
    const thinking = await lastMetrics(page);

    await setThinking(page, false);
    await newChat(page);
    await sendMessage(page, 'Think about it.');
    expect((await waitForAnswer(page)).status).toBe('done');
    const plain = await lastMetrics(page);
    // Qwen's template closes an empty `<think>\n\n</think>\n\n` after the assistant tag when thinking is off.
    expect(plain.promptTokens).toBeGreaterThan(thinking.promptTokens);
    figures.emptyThinkBlockTokens = plain.promptTokens - thinking.promptTokens;
  });

  it('Stop mid-answer keeps the partial answer and the next message works', async () => {
    const { page } = stack.session;
    await setAnswerSettings(page, { maxNewTokens: 2000 });
    await sendMessage(page, 'Tell me a very long story.');
    const streaming = page.locator('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
    await expect.poll(async () => (await streaming.getByTestId('message-content').innerText()).replace('▍', '').length, {
      timeout: 120_000,
    }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Stop' }).click();
    const stopped = await waitForAnswer(page);
    expect(stopped.status).toBe('stopped');
    expect(stopped.content.length).toBeGreaterThan(0);
    expect((await lastMetrics(page)).outputTokens).toBeLessThan(2000);

    await setAnswerSettings(page, { maxNewTokens: 8 });
    await sendMessage(page, 'A short one now.');
    expect((await waitForAnswer(page)).status).toBe('done');
  });

  it("leaves out the oldest exchanges when llama.cpp's own count of the prompt is over the budget", async () => {
    const { page } = stack.session;
    const setContext = async (tokens: number): Promise<void> => {
      await setAnswerSettings(page, {});
      await page.getByLabel('Context length (tokens)').fill(String(tokens));
      await page.getByLabel('Context length (tokens)').press('Tab');
    };
    // The page estimates 3 characters a token; the tiny model's byte-level tokens are 1 each: only the engine can
    // tell that three of these messages do not fit in 256 - 8 tokens.
    await setContext(256);
    await newChat(page);
    for (const word of ['first', 'second', 'third']) {
      await sendMessage(page, `This is the ${word} message, long enough that three of them fill the context: ${'x'.repeat(60)}`);
      expect((await waitForAnswer(page)).status).toBe('done');
    }
    const last = page.locator('[data-testid="message"][data-role="assistant"]').last();
    await expect.poll(() => last.getByTestId('turns-left-out').count()).toBe(1);
    expect((await lastMetrics(page)).promptTokens).toBeLessThanOrEqual(256 - 8);
    await setContext(4096);
  });

  it('a reload loads from IndexedDB: no model file is fetched again', async () => {
    stack.mirror.clearRequests();
    await stack.session.close();
    stack.session = await openBrowser(stack.profile, { webgpu: true });
    const { page } = stack.session;
    const started = Date.now();
    await page.goto(APP_URL);
    await waitForModelReady(page);
    figures.cachedLoadMs = Date.now() - started;
    expect(await page.getByTestId('model-ready').innerText()).toContain("loaded from this device's cache");
    await sendMessage(page, 'Back again.');
    expect((await waitForAnswer(page)).status).toBe('done');
    expect(modelFileGets(TINY_GGUF_REPO)).toEqual([]);
  });

  it('refuses a GGUF that is not a Qwen model before downloading it, with the named error in the view', async () => {
    const { page, context } = stack.session;
    const ranges = await watchRanges(context, TINY_LLAMA_GGUF_REPO);
    await addCustomRepo(page, LLAMA_SPEC);
    await loadSelected(page);
    const error = page.getByTestId('load-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getAttribute('data-error-name')).toBe('ModelUnsupported');
    expect(await error.innerText()).toContain('"llama"');
    expect(await error.innerText()).toContain(TINY_LLAMA_GGUF_FILE);
    expect(await storedRepos(page)).not.toContain(TINY_LLAMA_GGUF_REPO);
    // Only its header was read, by Range requests: the file itself was never downloaded.
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((range) => /^bytes=\d+-\d+$/.test(range)), ranges.join(', ')).toBe(true);
  });

  it('refuses a GGUF cut short on the server before downloading it, naming the file', async () => {
    const { page, context } = stack.session;
    const ranges = await watchRanges(context, CUT_REPO);
    await addCustomRepo(page, CUT_SPEC);
    await loadSelected(page);
    const error = page.getByTestId('load-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getAttribute('data-error-name')).toBe('IntegrityMismatch');
    expect(await error.innerText()).toContain(`${TINY_GGUF_FILE} is cut short`);
    expect(await storedRepos(page)).not.toContain(CUT_REPO);
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((range) => /^bytes=\d+-\d+$/.test(range)), ranges.join(', ')).toBe(true);
  });

  it('a split GGUF whose second shard was cut off: Retry fetches only that shard', async () => {
    const profile = await newProfileDir();
    const fresh = await openBrowser(profile, { webgpu: true, serviceWorkers: 'block' });
    const [firstShard = '', secondShard = ''] = TINY_SPLIT_GGUF_FILES;
    try {
      const { page } = fresh;
      await page.goto(APP_URL);
      await setModelSource(page, stack.mirror.url);
      await addCustomRepo(page, SPLIT_SPEC);
      stack.mirror.cutNextDownload(secondShard);
      await loadSelected(page);
      const error = page.getByTestId('load-error');
      await error.waitFor({ timeout: 60_000 });
      expect(await error.getAttribute('data-error-name')).toBe('DownloadFailed');
      expect(await error.innerText()).toContain(secondShard);

      stack.mirror.clearRequests();
      await page.getByRole('button', { name: 'Retry' }).click();
      await waitForModelReady(page);
      const retried = modelFileGets(TINY_SPLIT_GGUF_REPO);
      expect(retried.some((line) => line.endsWith(`/${secondShard}`))).toBe(true);
      expect(retried.filter((line) => line.endsWith(`/${firstShard}`))).toEqual([]);
      await sendMessage(page, 'Whole again?');
      expect((await waitForAnswer(page)).status).toBe('done');
    } finally {
      await fresh.close();
      await removeProfileDir(profile);
    }
  });

  it('loads a split GGUF from its first shard’s name and answers', async () => {
    const { page } = stack.session;
    stack.mirror.clearRequests();
    await addCustomRepo(page, SPLIT_SPEC);
    await loadSelected(page);
    await waitForModelReady(page);
    for (const shard of TINY_SPLIT_GGUF_FILES) {
      expect(modelFileGets(TINY_SPLIT_GGUF_REPO).some((line) => line.endsWith(`/${shard}`)), shard).toBe(true);
    }
    await newChat(page);
    await sendMessage(page, 'Two files, one model.');
    expect((await waitForAnswer(page)).status).toBe('done');
    expect(await storedRepos(page)).toContain(TINY_SPLIT_GGUF_REPO);
  });

  it('imports a .gguf file from disk for the GGUF build; it loads from this device and answers', async () => {
    const { page } = stack.session;
    await addCustomRepo(page, TINY_SPEC);
    await openStoragePanel(page);
    const item = page.locator(`[data-testid="cached-model"][data-repo="${TINY_GGUF_REPO}"]`);
    expect(await item.getAttribute('data-engine')).toBe('llama-cpp');
    await item.getByRole('button', { name: /^Delete / }).click();
    await expect.poll(() => storedRepos(page)).not.toContain(TINY_GGUF_REPO);

    stack.mirror.clearRequests();
    await page.getByTestId('sideload-files').setInputFiles(path.join(work, TINY_GGUF_FILE));
    const done = page.getByTestId('sideload-done');
    await page.locator('[data-testid="sideload-done"], [data-testid="sideload-error"]').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('sideload-error').count()).toBe(0);
    expect(await done.getAttribute('data-files')).toBe('1');
    expect(await storedRepos(page)).toContain(TINY_GGUF_REPO);

    await loadSelected(page);
    await waitForModelReady(page);
    expect(await page.getByTestId('model-ready').innerText()).toContain("loaded from this device's cache");
    expect(modelFileGets(TINY_GGUF_REPO)).toEqual([]);
  });

  it('export -> delete -> import the .zip: the sha256 is checked and the same greedy answer comes back', async () => {
    const { page } = stack.session;
    await setAnswerSettings(page, { maxNewTokens: 12, temperature: 0 });
    await newChat(page);
    await sendMessage(page, 'Same answer twice?');
    const before = await waitForAnswer(page);
    expect(before.status).toBe('done');

    await openStoragePanel(page);
    const downloading = page.waitForEvent('download');
    await page.locator(`[data-testid="cached-model"][data-repo="${TINY_GGUF_REPO}"]`).getByRole('button', { name: /^Export / }).click();
    const archive = path.join(work, 'tiny-gguf.zip');
    await (await downloading).saveAs(archive);
    await page.locator(`[data-testid="cached-model"][data-repo="${TINY_GGUF_REPO}"]`).getByRole('button', { name: /^Delete / }).click();
    await expect.poll(() => storedRepos(page)).not.toContain(TINY_GGUF_REPO);

    await page.getByTestId('sideload-files').setInputFiles(archive);
    await page.locator('[data-testid="sideload-done"], [data-testid="sideload-error"]').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('sideload-error').count()).toBe(0);
    expect(await page.getByTestId('sideload-done').getAttribute('data-hashed')).toBe('1');

    await page.goto(APP_URL);
    await waitForModelReady(page);
    await newChat(page);
    await sendMessage(page, 'Same answer twice?');
    const after = await waitForAnswer(page);
    expect(after.content).toBe(before.content);
  });

  it('offline, with the app server gone: the shell starts, the stored GGUF loads and answers', async () => {
    await stack.session.close();
    await stack.stopApp();
    stack.mirror.setBlocked(true);
    stack.mirror.clearRequests();
    stack.session = await openBrowser(stack.profile, { webgpu: true });
    const { context, page } = stack.session;
    await context.setOffline(true);
    const reached: string[] = [];
    await context.route('**/*', async (route) => {
      reached.push(route.request().url());
      await route.abort('internetdisconnected');
    });
    await page.goto(APP_URL);
    await waitForModelReady(page);
    expect(await page.getByTestId('model-ready').innerText()).toContain('llama.cpp');
    await sendMessage(page, 'No network at all?');
    expect((await waitForAnswer(page)).status).toBe('done');
    expect(stack.mirror.requests).toEqual([]);
    expect(reached.filter((url) => url.startsWith(APP_URL) || url.startsWith(stack.mirror.url))).toEqual([]);
    stack.mirror.setBlocked(false);
  });
});
