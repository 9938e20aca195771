// The model state kept between turns, in the built app on WebGPU (SwiftShader) in real Chromium: a three-turn chat
// on the tiny model prefills in turns 2 and 3 only what the previous turn had not read (the worker logs one line a
// turn: prompt tokens, prefilled, from the previous turn). Then a fresh page (a new worker, nothing kept)
// regenerates turn 3 from scratch: the greedy answer is the one the kept state gave, so reuse corrupted nothing on
// the GPU. First-token times (turns 1-3, and turn 3 without reuse) are printed as figures, never asserted.
import type { Page, Worker } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_REPO } from '../fixtures/paths';
import { APP_URL, sendMessage, useStack, useTinyModel, waitForAnswer, waitForModelReady } from './harness';
import { lastMetrics } from './chat-steps';

const stack = useStack({ webgpu: true, mirror: true, serviceWorkers: 'block' });

const QUESTIONS = [
  'Tell me about the history of the bicycle, from the draisine to the safety bicycle, in a few sentences please.',
  'And how did pneumatic tyres change cycling at the end of the nineteenth century, for racing and for daily use?',
  'Finally, which inventions of the twentieth century mattered most for bicycles, and why do you think so?',
];

interface TurnLine {
  promptTokens: number;
  prefilled: number;
  reused: number;
}

const TURN_LINE = /^\[transformers\] prompt (\d+) tokens: (\d+) prefilled, (\d+) from the previous turn$/;
const figures: Record<string, unknown> = {};

afterAll(() => {
  console.info('[kv-reuse browser figures]', JSON.stringify(figures));
});

/** Collects the inference worker's per-turn lines from now on. */
function watchTurns(page: Page): TurnLine[] {
  const lines: TurnLine[] = [];
  const listen = (worker: Worker): void => {
    worker.on('console', (message) => {
      const match = TURN_LINE.exec(message.text());
      if (match) lines.push({ promptTokens: Number(match[1]), prefilled: Number(match[2]), reused: Number(match[3]) });
    });
  };
  page.workers().forEach(listen);
  page.on('worker', listen);
  return lines;
}

describe('model state kept across turns (WebGPU)', () => {
  let thirdAnswer = '';

  it('prefills in turn 3 only what follows turn 2, as the worker reports', async () => {
    const { page } = stack.session;
    const turns = watchTurns(page);
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 16);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);

    const metrics: { promptTokens: number; ttftMs: number }[] = [];
    for (const question of QUESTIONS) {
      await sendMessage(page, question);
      const answer = await waitForAnswer(page);
      expect(answer.status).toBe('done');
      metrics.push(await lastMetrics(page));
      thirdAnswer = answer.content;
    }
    await expect.poll(() => turns.length).toBe(3);
    const [first, second, third] = turns;
    if (!first || !second || !third) throw new Error('the worker reported fewer than three turns');
    expect(first.reused).toBe(0);
    expect(second.reused).toBeGreaterThan(0);
    expect(third.reused).toBeGreaterThan(second.reused);
    expect(third.reused + third.prefilled).toBe(third.promptTokens);
    expect(third.prefilled).toBeLessThan(third.promptTokens / 2);
    // The page's metrics are the whole prompt, as before: reuse changes what is prefilled, not what is sent.
    expect(metrics.map((turn) => turn.promptTokens)).toEqual(turns.map((turn) => turn.promptTokens));
    Object.assign(figures, {
      turns: [...turns],
      ttftMs: metrics.map((turn) => turn.ttftMs),
      turn3VsTurn1FirstToken: Number(((metrics[2]?.ttftMs ?? 0) / Math.max(1, metrics[0]?.ttftMs ?? 1)).toFixed(2)),
    });
  });

  it('a fresh worker regenerating turn 3 from scratch gives the same greedy answer', async () => {
    const { page } = stack.session;
    const turns = watchTurns(page);
    // The page loads the last model again by itself, into a new worker.
    await page.reload();
    await waitForModelReady(page);
    await page.getByRole('button', { name: 'Regenerate' }).click();
    const answer = await waitForAnswer(page);
    expect(answer.status).toBe('done');
    await expect.poll(() => turns.length).toBe(1);
    expect(turns[0]?.reused).toBe(0);
    expect(answer.content).toBe(thirdAnswer);
    // The same turn 3 without any kept state: its first-token time is the fair comparison for the reused one.
    figures.turn3WithoutReuse = { ...turns[0], ttftMs: (await lastMetrics(page)).ttftMs };
  });
});
