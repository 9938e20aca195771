// Markdown rendered while it streams, in real Chromium: a long answer with a table and code fences arrives in small
// deltas from the mock GPT-5.2 endpoint (the remote side of a compared turn, beside the tiny local model in its
// worker). The answer is re-rendered from its full text as it grows: structure appears before the end (incremental,
// not all at once), and the final DOM holds the table and highlighted code. Main-thread long tasks during the stream
// are logged as figures, never asserted: timings do not gate tests (scripts/bench.ts measures them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAI } from '../fixtures/mock-openai';
import { TINY_REPO } from '../fixtures/paths';
import { ANSWER_TIMEOUT_MS, APP_URL, goToView, openCompareSettings, sendMessage, useStack, waitForModelReady } from './harness';
import { SAMPLE_ANSWER } from '../fixtures/sample-answer';

const stack = useStack({ webgpu: true, mirror: true });

const OPENAI_PORT = Number(process.env.TEST_OPENAI_PORT ?? 8091);
const LONG_ANSWER = [SAMPLE_ANSWER, '## More', SAMPLE_ANSWER.replaceAll('python', 'py'), '## And more', SAMPLE_ANSWER].join('\n\n');

let mock: MockOpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI({ port: OPENAI_PORT });
});

afterAll(async () => {
  await mock?.close();
});

describe('streaming Markdown', () => {
  it('renders a long answer incrementally without stalling the page', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await page.locator('summary', { hasText: 'Model source' }).click();
    await page.getByLabel('Model files from').fill(stack.mirror.url);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByLabel('Add an ONNX Qwen3 repo by id').fill(TINY_REPO);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('summary', { hasText: 'Answer settings' }).click();
    await page.getByLabel('Max new tokens').fill('8');
    await page.getByLabel('Max new tokens').press('Tab');
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);

    await openCompareSettings(page);
    await page.getByLabel('Endpoint base URL').fill(mock.url);
    await page.locator('form', { has: page.getByLabel('Endpoint base URL') }).getByRole('button', { name: 'Save' }).click();
    await page.getByLabel(/API key/).fill('sk-test-render');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    // The switch is above the chat; the settings were on the Compare view.
    await goToView(page, 'chat');
    await page.getByRole('switch', { name: /Compare with/ }).check();

    await page.evaluate(() => {
      const longTasks: { start: number; ms: number }[] = [];
      const shapes: string[] = [];
      Object.assign(window, { __longTasks: longTasks, __shapes: shapes });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) longTasks.push({ start: Math.round(entry.startTime), ms: Math.round(entry.duration) });
      }).observe({ type: 'longtask' });
      new MutationObserver(() => {
        const live = document.querySelector('[data-testid="remote-content"][data-status="streaming"]');
        if (!live) return;
        shapes.push(`${Math.round(performance.now())}:${live.querySelectorAll('table').length}t${live.querySelectorAll('pre').length}p${(live.textContent ?? '').length}`);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    mock.script({ kind: 'ok', text: LONG_ANSWER, chunks: 160, delayMs: 12 });
    await sendMessage(page, 'Count words, three times over');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="remote-content"]')?.getAttribute('data-status') === 'done',
      undefined,
      { timeout: ANSWER_TIMEOUT_MS },
    );
    const remote = page.getByTestId('remote-content').last();
    await remote.locator('.hljs-keyword').first().waitFor();
    expect(await remote.locator('table').count()).toBe(3);
    expect(await remote.locator('pre code').count()).toBe(3);
    expect(await remote.locator('h2').allInnerTexts()).toEqual(['More', 'And more']);
    expect(await remote.innerText()).not.toContain('```');

    const { longTasks, shapes } = await page.evaluate(() => {
      const tasks: unknown = Reflect.get(window, '__longTasks');
      const seen: unknown = Reflect.get(window, '__shapes');
      return {
        longTasks: Array.isArray(tasks) ? tasks.map((task: unknown) => ({ start: Number(Reflect.get(Object(task), 'start')), ms: Number(Reflect.get(Object(task), 'ms')) })) : [],
        shapes: Array.isArray(seen) ? seen.map(String) : [],
      };
    });
    const times = shapes.map((shape) => Number(shape.split(':')[0]));
    const firstUpdate = times[0] ?? 0;
    const lastUpdate = times.at(-1) ?? 0;
    // Steady state: from one second into the stream (the turn's set-up, the first frame that mounts both columns,
    // and the send itself are excluded) to its end.
    const steady = longTasks.filter((task) => task.start > firstUpdate + 1000 && task.start < lastUpdate);
    console.info('[render-stream]', JSON.stringify({ updates: shapes.length, streamMs: lastUpdate - firstUpdate, longTasks, steady }));
    // Structure showed up part way: a streamed table or code block was on screen before the last one arrived.
    const structure = shapes.map((shape) => shape.split(':')[1] ?? '');
    expect(new Set(structure).size).toBeGreaterThan(20);
    expect(structure.some((shape) => /^[12]t/.test(shape) || /t[12]p/.test(shape))).toBe(true);
  });

  it('keeps the thinking block open while reasoning streams and folds it when the answer starts', async () => {
    const { page } = stack.session;
    await page.evaluate(() => {
      const states: string[] = [];
      Object.assign(window, { __thinkingStates: states });
      new MutationObserver(() => {
        const column = Array.from(document.querySelectorAll('[data-side="remote"]')).at(-1);
        const details = column?.querySelector('[data-testid="thinking"]');
        if (!column || !details) return;
        const answer = column.querySelector('[data-testid="remote-content"]')?.textContent ?? '';
        states.push(`${details.hasAttribute('open') ? 'open' : 'closed'}|${details.querySelector('summary')?.textContent ?? ''}|${answer.length}`);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    const reasoning = 'The user asks for the meaning of life. A famous book answers it with a number. '.repeat(6);
    mock.script({ kind: 'ok', text: `<think>\n${reasoning}\n</think>\n\nThe answer is **42**.`, chunks: 60, delayMs: 20 });
    // The local side of the previous turn may still be generating: sending is refused until it ends.
    await page.waitForFunction(() => document.querySelector('[data-testid="message"][data-status="streaming"]') === null, undefined, {
      timeout: ANSWER_TIMEOUT_MS,
    });
    const before = await page.getByTestId('remote-content').count();
    await sendMessage(page, 'What is the meaning of life?');
    await page.waitForFunction(
      (count) => {
        const all = document.querySelectorAll('[data-testid="remote-content"]');
        return all.length > count && all[all.length - 1]?.getAttribute('data-status') === 'done';
      },
      before,
      { timeout: ANSWER_TIMEOUT_MS },
    );
    const states = await page.evaluate(() => {
      const value: unknown = Reflect.get(window, '__thinkingStates');
      return Array.isArray(value) ? value.map(String) : [];
    });
    expect(states.some((state) => state.startsWith('open|Thinking…|0'))).toBe(true);
    expect(states.at(-1)).toMatch(/^closed\|Thoughts\|\d+$/);
    const column = page.locator('[data-side="remote"]').last();
    expect(await column.getByTestId('remote-content').innerText()).toBe('The answer is 42.');
    expect(await column.getByTestId('thinking').innerText()).not.toContain('famous book');
  });
});
