// Two tabs of one profile (two pages of one browser context: one IndexedDB, one weight store), in real Chromium on
// the built app with the tiny models. (a) One tab downloads a model while the other answers with the model it has
// loaded: both stores end whole (what each tab lists equals the bytes the mirror served), both models answer, the
// other tab's list follows without a reload, and each tab's conversation survives a reload of either. (b) One tab
// deletes the model the other is using: the other says so at once, named, keeps its conversation, and its Retry
// downloads the model again and answers.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { GENERATED_MODELS_DIR, TINY_REPO, TINY_VL_REPO } from '../fixtures/paths';
import { reportFault } from './fault-report';
import {
  addCustomRepo,
  APP_URL,
  goToView,
  openSettings,
  openStoragePanel,
  sendMessage,
  setAnswerSettings,
  useStack,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from './harness';

const stack = useStack({ webgpu: true, mirror: true });

let tabB: Page | undefined;
function secondTab(): Page {
  if (!tabB) throw new Error('the second tab is not open yet');
  return tabB;
}

const QUESTION_A = 'Tab A asks while B downloads';
const QUESTION_B = 'Tab B asks with its new model';

/** What a tab's storage panel lists: repo → stored bytes. */
async function storedBytes(page: Page): Promise<Record<string, number>> {
  await openStoragePanel(page);
  const rows = await page
    .getByTestId('cached-model')
    .evaluateAll((items) => items.map((item) => [item.getAttribute('data-repo') ?? '', Number(item.getAttribute('data-bytes'))] as const));
  return Object.fromEntries(rows);
}

/** The bytes of the distinct files of `repo` the mirror served whole or in parts, from the files on disk. */
async function servedBytes(repo: string): Promise<number> {
  const dir = path.join(GENERATED_MODELS_DIR, repo);
  const files = (await readdir(dir, { recursive: true })).map((name) => name.split(path.sep).join('/'));
  let bytes = 0;
  for (const file of files) {
    const info = await stat(path.join(dir, file));
    if (!info.isFile()) continue;
    if (stack.mirror.gets.some((get) => get.path.includes(`/${repo}/`) && get.path.endsWith(`/${file}`))) bytes += info.size;
  }
  return bytes;
}

/** The conversation titles a tab lists. */
async function conversationTitles(page: Page): Promise<string[]> {
  await goToView(page, 'chat');
  const labels = await page
    .locator('button[aria-label^="Delete conversation"]')
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label') ?? ''));
  return labels.map((label) => label.replace(/^Delete conversation “(.*)”$/, '$1')).sort();
}

async function loadButton(page: Page): Promise<void> {
  await openSettings(page);
  await page.getByTestId('load-button').click();
}

describe('two tabs of one profile', () => {
  it('one tab downloads a model while the other answers: both stores whole, both conversations kept', async () => {
    const tabA = stack.session.page;
    await tabA.goto(APP_URL);
    // Both repos go into the settings before the second tab reads them; the tiny Qwen3 stays selected in A.
    await useTinyModel(tabA, stack.mirror.url, TINY_VL_REPO, 24);
    await addCustomRepo(tabA, TINY_REPO);
    await loadButton(tabA);
    await waitForModelReady(tabA);

    tabB = await stack.session.context.newPage();
    const b = secondTab();
    await b.goto(APP_URL);
    await waitForModelReady(b); // the selected model is stored, so B loads it by itself
    await addCustomRepo(b, TINY_VL_REPO); // selects the vision model, not stored yet

    stack.mirror.setThrottle(30_000); // about 26 s for the vision model: time to answer in A meanwhile
    await loadButton(b);
    await b.getByTestId('load-progress').waitFor();
    const answerStarted = Date.now();
    await sendMessage(tabA, QUESTION_A);
    const answerA = await waitForAnswer(tabA);
    expect(answerA.status).toBe('done');
    // The answer ended while the other tab was still downloading: the two overlapped.
    expect(await b.getByTestId('model-ready').count()).toBe(0);
    console.info(`[tabs figures] tab A answered in ${Date.now() - answerStarted} ms during B's download`);
    await waitForModelReady(b);
    stack.mirror.setThrottle(undefined);

    const expected = { [TINY_REPO]: await servedBytes(TINY_REPO), [TINY_VL_REPO]: await servedBytes(TINY_VL_REPO) };
    expect(expected[TINY_VL_REPO]).toBeGreaterThan(0);
    // A lists B's download without a reload: B told it.
    await expect.poll(() => storedBytes(tabA)).toEqual(expected);
    expect(await storedBytes(b)).toEqual(expected);
    console.info(`[tabs figures] stored bytes ${JSON.stringify(expected)}`);

    await setAnswerSettings(b, { maxNewTokens: 6 });
    await sendMessage(b, QUESTION_B);
    expect((await waitForAnswer(b)).status).toBe('done');

    await tabA.reload();
    await expect.poll(() => conversationTitles(tabA)).toEqual([QUESTION_A, QUESTION_B].sort());
    await b.reload();
    await expect.poll(() => conversationTitles(b)).toEqual([QUESTION_A, QUESTION_B].sort());
    reportFault('two tabs: one downloads while the other answers', 'both work; the other tab lists the new model without a reload', 'both stored models whole (stored bytes = bytes served), both conversations after a reload of either tab');
  });

  it('one tab deletes the model the other is using: a clear message there, conversation kept, Retry downloads it again', async () => {
    const tabA = stack.session.page;
    const b = secondTab();
    // The settings are shared: after its reload A loaded what B picked last. A picks the tiny Qwen3 again.
    await waitForModelReady(tabA);
    await addCustomRepo(tabA, TINY_REPO);
    await loadButton(tabA);
    await waitForModelReady(tabA);
    await waitForModelReady(b);
    await goToView(tabA, 'chat');
    const messagesBefore = await tabA.locator('[data-testid="message"]').count();

    await openStoragePanel(b);
    await b.locator(`[data-testid="cached-model"][data-repo="${TINY_REPO}"]`).getByRole('button', { name: /^Delete/ }).click();
    await b.locator(`[data-testid="cached-model"][data-repo="${TINY_REPO}"]`).waitFor({ state: 'detached' });

    await openSettings(tabA);
    const notice = tabA.getByTestId('load-error');
    await notice.waitFor();
    expect(await notice.getAttribute('data-error-name')).toBe('ModelDeletedInOtherTab');
    expect(await notice.innerText()).toContain('Another tab of this app deleted this model');
    expect(await tabA.getByTestId('model-ready').count()).toBe(0);
    expect(await tabA.locator('[data-testid="message"]').count()).toBe(messagesBefore);
    expect(Object.keys(await storedBytes(tabA))).toEqual([TINY_VL_REPO]);

    stack.mirror.clearRequests();
    await openSettings(tabA);
    await tabA.getByRole('button', { name: 'Retry' }).click();
    await waitForModelReady(tabA);
    expect(stack.mirror.gets.filter((get) => get.path.includes(`/${TINY_REPO}/`)).length).toBeGreaterThan(0);
    expect(await storedBytes(tabA)).toEqual({ [TINY_REPO]: await servedBytes(TINY_REPO), [TINY_VL_REPO]: expect.any(Number) });
    await setAnswerSettings(tabA, { maxNewTokens: 6 });
    await sendMessage(tabA, 'Back after the other tab deleted you?');
    expect((await waitForAnswer(tabA)).status).toBe('done');
    expect(await tabA.locator('[data-testid="message"]').count()).toBe(messagesBefore + 2);
    reportFault('two tabs: one deletes the model the other is using', '"Another tab deleted this model’s files… press Retry to download it again" at once (ModelDeletedInOtherTab)', 'the conversation; Retry downloads the model again and answers');
  });
});
