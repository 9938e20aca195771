// Automated accessibility checks with axe-core in real Chromium on the main states of the app (empty, a
// conversation with Markdown, thinking and an error, a compared and a blind turn, messages with images), at 1280
// and 360 px, in the light and the dark theme. Fails on any serious or critical violation of WCAG 2.x A/AA (contrast included) or axe's
// best practices, and checks that the layout never scrolls sideways. The same for every view of the shell (compare,
// benchmark, storage) and its overlays (the conversation drawer, the model and settings sheet, the shortcuts list).
import { runAxe } from './axe-check';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/lib/types';
import { SAMPLE_ANSWER } from '../fixtures/sample-answer';
import { APP_URL, openSettings, useStack } from './harness';
import { assistantMessage, conversation, sampleImage, seedConversations, userMessage, userMessageWithImages } from './seed';

const stack = useStack({ webgpu: true });

const METRICS = {
  promptTokens: 14,
  outputTokens: 180,
  timeToFirstTokenMs: 420,
  prefillTokensPerS: 310,
  decodeTokensPerS: 38.5,
  totalMs: 5100,
};

function loaded(): Conversation {
  return conversation('Words in Python', [
    userMessage('Count words in Python'),
    Object.assign(assistantMessage(`<think>\nA short function with Counter.\n</think>\n\n${SAMPLE_ANSWER}`, { metrics: METRICS, device: 'webgpu' }), {
      thinkingMs: 2100,
    }),
    userMessage('And in Rust?'),
    assistantMessage('', {
      status: 'error',
      error: { name: 'OutOfMemory', message: 'The GPU ran out of memory. Pick a smaller model or shorten the conversation.' },
    }),
  ]);
}

function compared(): Conversation {
  return conversation('Compared', [
    userMessage('Explain recursion in one paragraph.'),
    assistantMessage('Recursion is when a function **calls itself** on a smaller part of the problem.', {
      metrics: METRICS,
      device: 'webgpu',
      remote: {
        model: 'gpt-5.2',
        content: 'Recursion solves a problem by reducing it to a *smaller instance* of itself:\n\n```js\nconst f = (n) => (n <= 1 ? 1 : n * f(n - 1));\n```',
        status: 'done',
        incomplete: false,
        usage: { inputTokens: 12, outputTokens: 60, reasoningTokens: 0 },
        timeToFirstTokenMs: 800,
        totalMs: 2400,
        tokensPerS: 42,
        costUsd: 0.000861,
      },
    }),
    userMessage('Blind this time'),
    assistantMessage('Answer from one side.', {
      metrics: METRICS,
      device: 'webgpu',
      blind: { aIs: 'remote' },
      remote: { model: 'gpt-5.2', content: 'Answer from the other side.', status: 'error', incomplete: true, error: { name: 'RemoteStreamCut', message: 'The answer stopped part way (the connection was cut). What arrived is kept.' } },
    }),
  ]);
}

function withImages(): Conversation {
  return conversation('Pictures', [
    userMessageWithImages('What is in these pictures?', [sampleImage('garden.png'), sampleImage('receipt.png', undefined, 200, 400)]),
    assistantMessage('A garden and a receipt.', { metrics: METRICS, device: 'webgpu', imagesLeftOut: 2 }),
    userMessageWithImages('', [sampleImage('pasted image')]),
  ]);
}

const STATES: { name: string; conversations: () => Conversation[] }[] = [
  { name: 'empty', conversations: () => [] },
  { name: 'conversation', conversations: () => [loaded()] },
  { name: 'compare', conversations: () => [compared()] },
  { name: 'images', conversations: () => [withImages()] },
];

const summary: Record<string, string[]> = {};
afterAll(() => console.info('[axe]', JSON.stringify(summary)));

/** No serious or critical finding, the named rules ran and passed, and nothing scrolls sideways. */
async function expectAccessible(key: string, requiredRules: string[]): Promise<void> {
  const { page } = stack.session;
  const { violations: findings, passed } = await runAxe(page);
  expect(passed).toEqual(expect.arrayContaining(requiredRules));
  summary[key] = findings.map((finding) => `${finding.impact}:${finding.id}`);
  const serious = findings.filter((finding) => finding.impact === 'serious' || finding.impact === 'critical');
  expect(serious, JSON.stringify(serious, null, 1)).toEqual([]);
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(sideways).toBeLessThanOrEqual(0);
}

describe('axe-core on the main states', () => {
  for (const state of STATES) {
    for (const width of [1280, 360]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        it(`${state.name} at ${width} px, ${colorScheme}`, async () => {
          const { page } = stack.session;
          await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
          await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
          await seedConversations(page, state.conversations());
          await page.goto(APP_URL);
          await page.getByTestId('messages').waitFor();
          if (state.name !== 'empty') await page.locator('[data-testid="message"]').first().waitFor();
          if (state.name === 'conversation') await page.locator('.hljs-keyword').first().waitFor();
          // The checks that matter here did run (and passed) on this page.
          await expectAccessible(`${state.name}/${width}/${colorScheme}`, ['color-contrast', 'button-name', 'label', 'landmark-one-main']);
        });
      }
    }
  }
});

const VIEWS: { name: string; hash: string; open?: (page: Page) => Promise<void> }[] = [
  { name: 'compare view', hash: '#/compare' },
  { name: 'scorecard view', hash: '#/scorecard', open: (page) => page.getByTestId('scorecard-empty').waitFor() },
  { name: 'benchmark view', hash: '#/benchmark', open: (page) => page.locator('#benchmark-heading').waitFor() },
  { name: 'storage view', hash: '#/storage' },
  { name: 'conversation drawer', hash: '#/', open: (page) => page.getByTestId('open-conversations').click() },
  { name: 'settings sheet', hash: '#/', open: openSettings },
  { name: 'shortcuts', hash: '#/', open: (page) => page.getByTestId('open-shortcuts').click() },
];

describe('axe-core on every view and overlay of the shell', () => {
  for (const view of VIEWS) {
    for (const width of [1280, 360]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        it(`${view.name} at ${width} px, ${colorScheme}`, async () => {
          const { page } = stack.session;
          await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
          await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
          await seedConversations(page, [loaded(), compared()]);
          await page.goto(`${APP_URL}${view.hash}`);
          await page.getByTestId('open-settings').waitFor();
          // On a wide screen the list is already beside the chat; the drawer is the phone's.
          if (view.open && !(view.name === 'conversation drawer' && width === 1280)) await view.open(page);
          await expectAccessible(`${view.name}/${width}/${colorScheme}`, ['color-contrast', 'button-name']);
        });
      }
    }
  }
});
