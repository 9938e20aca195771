// One engine through the whole app, the way a user drives it: pick the build, load it (timing the load and the
// renderers' peak memory), then send the same prompt several times in new chats and read each answer's metrics
// off the page; one longer answer counts the main-thread tasks over 50 ms while it streams, turn start included.
import type { Page } from 'playwright-core';
import {
  addCustomRepo,
  sendMessage,
  setAnswerSettings,
  waitForAnswer,
  waitForModelReady,
} from '../../test/browser/harness';
import { measureRendererPeak, type MemoryPeak } from './renderer-memory';

export interface ChatRun {
  outputTokens: number;
  timeToFirstTokenMs: number;
  decodeTokensPerS: number;
  /** The page's main-thread task time over the turn's wall time: work that competes with the engine for cores. */
  mainThreadBusyShare: number;
}

export interface ChatMeasure {
  loadMs: number;
  memory?: MemoryPeak;
  /** What the model panel says ran: device, threads, and why. */
  ranOn: string;
  runs: ChatRun[];
  longTasks: { tokens: number; durationsMs: number[] };
}

export interface ChatOptions {
  /** What the user types under "Add a repo": `org/name` (ONNX) or `org/name/file.gguf`. */
  spec: string;
  prompt: string;
  maxNewTokens: number;
  runs: number;
  /** New tokens of the answer during which long tasks are counted. */
  longTaskTokens: number;
  /** Called once the app's model is loaded, then after each of its runs: the bench runs the bare engine there. */
  afterLoad?: () => Promise<void>;
  afterEachRun?: () => Promise<void>;
}

async function readRun(page: Page, mainThreadBusyShare: number): Promise<ChatRun> {
  const metrics = page.getByTestId('metrics').last();
  return {
    outputTokens: Number(await metrics.getAttribute('data-output-tokens')),
    timeToFirstTokenMs: Number(await metrics.getAttribute('data-ttft-ms')),
    decodeTokensPerS: Number(await metrics.getAttribute('data-decode-tps')),
    mainThreadBusyShare,
  };
}

/** Runs `work` and returns the page's main-thread task time during it over its wall time (CDP's TaskDuration). */
async function mainThreadBusyShare(page: Page, work: () => Promise<void>): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async (): Promise<number> =>
    (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0;
  const before = await taskSeconds();
  const startedAt = Date.now();
  await work();
  const share = ((await taskSeconds()) - before) / ((Date.now() - startedAt) / 1000);
  await cdp.detach();
  return +share.toFixed(3);
}

async function countLongTasks(page: Page, work: () => Promise<void>): Promise<number[]> {
  await page.evaluate(() => {
    const durations: number[] = [];
    Object.assign(window, { __benchLongTasks: durations });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) durations.push(Math.round(entry.duration));
    }).observe({ type: 'longtask', buffered: false });
  });
  await work();
  return page.evaluate(() => {
    const value: unknown = Reflect.get(window, '__benchLongTasks');
    return Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : [];
  });
}

export async function measureThroughApp(page: Page, options: ChatOptions): Promise<ChatMeasure> {
  await addCustomRepo(page, options.spec);
  await setAnswerSettings(page, { maxNewTokens: options.maxNewTokens, temperature: 0 });
  const startedAt = Date.now();
  const { memory } = await measureRendererPeak(async () => {
    await page.getByTestId('load-button').click();
    await waitForModelReady(page);
  });
  const loadMs = Date.now() - startedAt;
  const ranOn = (await page.getByTestId('model-ready').innerText()).replace(/\s+/g, ' ').trim();
  await options.afterLoad?.();

  const runs: ChatRun[] = [];
  for (let i = 0; i < options.runs; i += 1) {
    await page.getByRole('button', { name: 'New chat' }).click();
    const busy = await mainThreadBusyShare(page, async () => {
      await sendMessage(page, options.prompt);
      await waitForAnswer(page);
    });
    runs.push(await readRun(page, busy));
    await options.afterEachRun?.();
  }

  await setAnswerSettings(page, { maxNewTokens: options.longTaskTokens });
  await page.getByRole('button', { name: 'New chat' }).click();
  const durationsMs = await countLongTasks(page, async () => {
    await sendMessage(page, options.prompt);
    await waitForAnswer(page);
  });
  const tokens = Number(await page.getByTestId('metrics').last().getAttribute('data-output-tokens'));
  return { loadMs, ...(memory ? { memory } : {}), ranOn, runs, longTasks: { tokens, durationsMs } };
}
