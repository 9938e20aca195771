// The main thread while a first answer streams, in the built app in real Chromium: the tiny model on WebGPU streams
// 256 tokens into a fresh conversation, turn start included. What is asserted is structure, never time: the answer
// renderer's warm-up (render-warmup.ts: marked, DOMPurify and every highlight.js grammar, run in idle slices) has
// finished before the user's first turn, so the first text does not pay for it; and the streamed answer's DOM
// changes at most once per animation frame (FrameBatcher). Main-thread long tasks (over 50 ms) and long animation
// frames, with the scripts Chromium attributes them to, are printed as figures.
import { afterAll, describe, expect, it } from 'vitest';
import { RENDERER_WARM_MARK } from '../../src/lib/render-warmup';
import { TINY_REPO } from '../fixtures/paths';
import { APP_URL, sendMessage, useStack, useTinyModel, waitForAnswer, waitForModelReady } from './harness';

const stack = useStack({ webgpu: true, mirror: true, serviceWorkers: 'block' });
const NEW_TOKENS = 256;
const figures: Record<string, unknown> = {};

afterAll(() => {
  console.info('[long-tasks figures]', JSON.stringify(figures));
});

interface Watch {
  longTasks: { start: number; ms: number }[];
  frames: { start: number; ms: number; blockingMs: number; scripts: string[] }[];
  /** One entry per DOM change of the streaming answer: the animation frame it happened in, and the text length. */
  updates: { frame: number; length: number }[];
  firstTextAt: number | undefined;
  sentAt: number;
}

describe('main thread while the first answer streams', () => {
  it('the renderer is warm before the first turn, and the answer changes at most once a frame', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, NEW_TOKENS);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);

    // The warm-up runs in idle time from page start; by the time a model has loaded it is done.
    await expect
      .poll(() => page.evaluate((mark) => performance.getEntriesByName(mark).length, RENDERER_WARM_MARK), { timeout: 30_000 })
      .toBe(1);

    await page.evaluate(() => {
      const watch: Watch = { longTasks: [], frames: [], updates: [], firstTextAt: undefined, sentAt: performance.now() };
      Object.assign(window, { __watch: watch });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) watch.longTasks.push({ start: Math.round(entry.startTime), ms: Math.round(entry.duration) });
      }).observe({ type: 'longtask' });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (entry.duration <= 50) continue;
          const scripts: unknown = Reflect.get(entry, 'scripts');
          watch.frames.push({
            start: Math.round(entry.startTime),
            ms: Math.round(entry.duration),
            blockingMs: Math.round(Number(Reflect.get(entry, 'blockingDuration') ?? 0)),
            scripts: (Array.isArray(scripts) ? scripts : []).map((script: unknown) => {
              const field = (name: string): string => String(Reflect.get(Object(script), name) ?? '');
              const source = field('sourceURL').split('/').pop() ?? '';
              return `${source} ${field('sourceFunctionName')} via ${field('invoker')}: ${Math.round(Number(field('duration')))} ms, layout ${Math.round(Number(field('forcedStyleAndLayoutDuration')))} ms`;
            }),
          });
        }
      }).observe({ type: 'long-animation-frame' });
      let frame = 0;
      const tick = (): void => {
        frame += 1;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      new MutationObserver(() => {
        const answer = document.querySelector('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
        const length = answer?.querySelector('[data-testid="message-content"]')?.textContent?.length ?? 0;
        if (length === 0 || watch.updates.at(-1)?.length === length) return;
        watch.firstTextAt ??= Math.round(performance.now());
        watch.updates.push({ frame, length });
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    await sendMessage(page, 'Tell me a long story about a lighthouse keeper and the sea.');
    const answer = await waitForAnswer(page);
    expect(answer.status).toBe('done');
    const outputTokens = Number(await page.getByTestId('metrics').last().getAttribute('data-output-tokens'));
    expect(outputTokens).toBeGreaterThan(200);

    const watch = await page.evaluate(() => JSON.parse(JSON.stringify(Reflect.get(window, '__watch'))) as Watch);
    const perFrame = new Map<number, number>();
    for (const update of watch.updates) perFrame.set(update.frame, (perFrame.get(update.frame) ?? 0) + 1);
    // It streamed (many frames changed the answer), and no frame changed it twice.
    expect(perFrame.size).toBeGreaterThan(10);
    expect(Math.max(...perFrame.values())).toBe(1);

    Object.assign(figures, {
      outputTokens,
      answerUpdates: watch.updates.length,
      firstTextAfterSendMs: watch.firstTextAt === undefined ? undefined : Math.round(watch.firstTextAt - watch.sentAt),
      longTasks: watch.longTasks.map((task) => ({ afterSendMs: Math.round(task.start - watch.sentAt), ms: task.ms })),
      longAnimationFrames: watch.frames.map((frame) => ({ ...frame, start: Math.round(frame.start - watch.sentAt) })),
    });
  });
});
