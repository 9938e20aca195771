// Crashes mid-answer, in real Chromium on the built app with the tiny model: the inference worker dies (an uncaught
// error inside it, thrown there through the DevTools protocol, as an engine bug would), is terminated from outside
// (it goes silent: only the watchdog can tell), or hangs in an endless loop (the watchdog). Each time the answer
// keeps what arrived and is marked with the named error, the model loads again by itself from IndexedDB (no
// network), and the next message is answered. A lost GPU mid-answer is gpu-lost.test.ts's case.
import type { Page, Worker as PageWorker } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { TINY_REPO } from '../fixtures/paths';
import { reportFault } from './fault-report';
import {
  APP_URL,
  openSettings,
  sendMessage,
  setAnswerSettings,
  useStack,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from './harness';

const stack = useStack({ webgpu: true, mirror: true });

/** The workers the page created, newest last: a restart replaces the inference worker. */
const workers: PageWorker[] = [];

function inferenceWorker(): PageWorker {
  const worker = workers.filter((candidate) => candidate.url().includes('inference')).at(-1);
  if (!worker) throw new Error(`no inference worker among ${workers.map((candidate) => candidate.url()).join(', ')}`);
  return worker;
}

/** Sends a message that makes a long answer and waits until some of it has arrived. */
async function startLongAnswer(page: Page): Promise<void> {
  await setAnswerSettings(page, { maxNewTokens: 400 });
  await sendMessage(page, 'A long answer, please.');
  const streaming = page.locator('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
  await expect
    .poll(async () => (await streaming.getByTestId('message-content').innerText()).replace('▍', '').length, { timeout: 120_000 })
    .toBeGreaterThan(0);
}

/**
 * After a fault: the answer is marked with the error and keeps its text, the model is back without a download,
 * and the next message is answered. Answers the error text shown.
 */
async function expectRecovery(page: Page, advice: string, faultAt: number): Promise<string> {
  const failed = await waitForAnswer(page);
  console.info(`[crash figures] ${advice.slice(0, 40)}…: named ${Date.now() - faultAt} ms after the fault`);
  expect(failed.status).toBe('error');
  expect(failed.content.replace('▍', '').length).toBeGreaterThan(0);
  const shown = await page.getByTestId('answer-error').last().innerText();
  expect(shown).toContain(advice);
  // Back to the default limit for what follows: a first answer on a fresh worker compiles its shaders, which on a
  // busy software GPU can be quiet for longer than the 10 s the hang cases use.
  await setWatchdogSeconds(page, 120);

  const reloadStarted = Date.now();
  await waitForModelReady(page);
  console.info(`[crash figures] reload after the fault: ${Date.now() - reloadStarted} ms`);
  expect(stack.mirror.requests.filter((line) => line.startsWith('GET '))).toEqual([]);

  const before = await page.locator('[data-testid="message"]').count();
  await setAnswerSettings(page, { maxNewTokens: 6 });
  await sendMessage(page, 'Are you back?');
  const next = await waitForAnswer(page);
  if (next.status !== 'done') console.error(`[crash] the next answer: ${await page.getByTestId('answer-error').last().innerText()}`);
  expect(next.status).toBe('done');
  expect(await page.locator('[data-testid="message"]').count()).toBe(before + 2);
  return shown;
}

describe('crashes mid-answer', () => {
  it('loads the tiny model', async () => {
    const { page } = stack.session;
    page.on('worker', (worker) => workers.push(worker));
    // The test's own handle on the workers the page creates, so it can terminate one as the browser would kill it.
    await page.addInitScript(() => {
      const created: Worker[] = [];
      Object.defineProperty(window, '__testWorkers', { value: created });
      const Original = window.Worker;
      window.Worker = class extends Original {
        constructor(url: string | URL, options?: WorkerOptions) {
          super(url, options);
          created.push(this);
        }
      };
    });
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 400);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
  });

  it('a worker that dies of an uncaught error: WorkerCrashed at once, partial kept, reloads by itself', async () => {
    const { page } = stack.session;
    await startLongAnswer(page);
    stack.mirror.clearRequests();
    const crashed = inferenceWorker();
    const crashedAt = Date.now();
    await crashed.evaluate(() => {
      setTimeout(() => {
        throw new Error('test: the engine crashed');
      }, 0);
    });
    const shown = await expectRecovery(page, 'The inference worker stopped unexpectedly', crashedAt);
    expect(shown).toContain('test: the engine crashed');
    expect(inferenceWorker()).not.toBe(crashed);
    reportFault('inference worker crashes mid-answer (uncaught error)', '"The answer failed": worker stopped unexpectedly and was restarted, with the cause', 'partial answer (marked error), conversation; model reloads from IndexedDB by itself, next message works');
  });

  it('a worker terminated from outside goes silent: the watchdog names it WorkerHung, and it recovers', async () => {
    const { page } = stack.session;
    await setWatchdogSeconds(page, 10);
    await startLongAnswer(page);
    stack.mirror.clearRequests();
    // The page created the worker; terminate() ends it with no event at all, as a killed thread would.
    const killedAt = Date.now();
    await page.evaluate(() => {
      const created: unknown = Reflect.get(window, '__testWorkers');
      if (!Array.isArray(created)) throw new Error('the Worker constructor was not wrapped');
      const last: unknown = created.at(-1);
      if (!(last instanceof Worker)) throw new Error('no Worker recorded');
      last.terminate();
    });
    await expectRecovery(page, 'The model stopped responding', killedAt);
    reportFault('inference worker terminated mid-answer (silent)', '"The answer failed": the model stopped responding, restarted (watchdog, WorkerHung)', 'partial answer (marked error), conversation; model reloads from IndexedDB by itself, next message works');
  });

  it('a worker stuck in an endless loop: the watchdog restarts it with WorkerHung, and it recovers', async () => {
    const { page } = stack.session;
    await setWatchdogSeconds(page, 10);
    await startLongAnswer(page);
    stack.mirror.clearRequests();
    const hung = inferenceWorker();
    const hungAt = Date.now();
    await hung.evaluate(() => {
      setTimeout(() => {
        for (;;) {
          // spins until the page terminates the worker
        }
      }, 0);
    });
    const shown = await expectRecovery(page, 'The model stopped responding', hungAt);
    expect(shown).toMatch(/no progress, token or answer for \d+ s/);
    reportFault('inference worker hangs mid-answer (endless loop)', '"The answer failed": the model stopped responding, restarted after the watchdog time (WorkerHung)', 'partial answer (marked error), conversation; model reloads from IndexedDB by itself, next message works');
  });

  it('keeps every answer, failed ones marked, after a reload of the page', async () => {
    const { page } = stack.session;
    await page.reload();
    const answers = page.locator('[data-testid="message"][data-role="assistant"]');
    await expect
      .poll(() => answers.evaluateAll((items) => items.map((item) => item.getAttribute('data-status'))))
      .toEqual(['error', 'done', 'error', 'done', 'error', 'done']);
    expect(await page.getByTestId('answer-error').count()).toBe(3);
  });
});

/** The watchdog's limit in the answer settings (10 s is its least). */
async function setWatchdogSeconds(page: Page, seconds: number): Promise<void> {
  await setAnswerSettings(page, {});
  await openSettings(page);
  const field = page.locator('#watchdog-seconds');
  await field.fill(String(seconds));
  await field.press('Tab');
}
