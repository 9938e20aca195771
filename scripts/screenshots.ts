// Takes the README's screenshots: the built app in headless Chromium (WebGPU on SwiftShader) with the tiny generated
// model loaded from the localhost mirror, at 1280 px and 360 px, in the light and the dark theme. The conversations
// shown are seeded (a realistic Markdown answer with its reasoning folded, and a compared turn) because the tiny
// model's own answers are random bytes by design.
// Usage: npm run build && npx tsx scripts/screenshots.ts   (TEST_DIST / TEST_APP_PORT / TEST_MIRROR_PORT as in tests)
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { ensureTinyModel, TINY_REPO } from '../test/fixtures/paths';
import { SAMPLE_ANSWER } from '../test/fixtures/sample-answer';
import {
  APP_URL,
  newProfileDir,
  openBrowser,
  removeProfileDir,
  startApp,
  startMirror,
  stopApp,
  waitForModelReady,
} from '../test/browser/harness';
import { assistantMessage, conversation, seedConversations, userMessage } from '../test/browser/seed';

const METRICS = {
  promptTokens: 21,
  outputTokens: 212,
  timeToFirstTokenMs: 380,
  prefillTokensPerS: 412,
  decodeTokensPerS: 41.7,
  totalMs: 5460,
};

const now = Date.now();
const markdownChat = conversation(
  'Count words in Python',
  [
    userMessage('How do I count the most common words in a text with Python?'),
    Object.assign(
      assistantMessage(
        `<think>\nThe user wants the most common words. collections.Counter does this in one line; mention punctuation.\n</think>\n\n${SAMPLE_ANSWER}`,
        { metrics: METRICS, device: 'webgpu', modelId: 'Qwen3-0.6B' },
      ),
      { thinkingMs: 2300 },
    ),
  ],
  now,
);
const comparedChat = conversation(
  'Recursion, compared',
  [
    userMessage('Explain recursion in two sentences, with a tiny example.'),
    assistantMessage(
      'Recursion is when a function **calls itself** on a smaller piece of the problem until it reaches a case it can answer directly.\n\n```js\nconst factorial = (n) => (n <= 1 ? 1 : n * factorial(n - 1));\n```',
      {
        metrics: { ...METRICS, outputTokens: 64, totalMs: 1900 },
        device: 'webgpu',
        modelId: 'Qwen3-0.6B',
        remote: {
          model: 'gpt-5.2',
          content:
            'Recursion solves a problem by reducing it to a *smaller instance of the same problem*, with a base case that stops the descent.\n\n```python\ndef factorial(n):\n    return 1 if n <= 1 else n * factorial(n - 1)\n```',
          status: 'done',
          incomplete: false,
          usage: { inputTokens: 18, outputTokens: 58, reasoningTokens: 0 },
          timeToFirstTokenMs: 910,
          totalMs: 2650,
          tokensPerS: 33.3,
          costUsd: 0.000844,
        },
      },
    ),
  ],
  now - 60_000,
);

async function shoot(page: Page, file: string, width: number, colorScheme: 'light' | 'dark', fullPage: boolean): Promise<void> {
  await page.setViewportSize({ width, height: width < 600 ? 780 : 900 });
  await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
  await page.locator('.hljs-keyword').first().waitFor();
  await page.screenshot({ path: file, fullPage });
  console.log(`wrote ${file}`);
}

await ensureTinyModel();
await mkdir('docs', { recursive: true });
const app = await startApp();
const mirror = await startMirror();
const profile = await newProfileDir();
const session = await openBrowser(profile, { webgpu: true });
try {
  const { page } = session;
  await page.goto(APP_URL);
  await page.getByTestId('messages').waitFor();
  await page.screenshot({ path: 'docs/screenshot-empty.png' });
  console.log('wrote docs/screenshot-empty.png');
  await page.locator('summary', { hasText: 'Model source' }).click();
  await page.getByLabel('Model files from').fill(mirror.url);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByLabel('Add an ONNX Qwen3 repo by id').fill(TINY_REPO);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('button', { name: 'Load model' }).click();
  await waitForModelReady(page);

  await seedConversations(page, [markdownChat, comparedChat]);
  await page.goto(APP_URL);
  await waitForModelReady(page);
  await shoot(page, 'docs/screenshot-desktop.png', 1280, 'light', false);
  await shoot(page, 'docs/screenshot-desktop-dark.png', 1280, 'dark', false);
  await shoot(page, 'docs/screenshot-phone.png', 360, 'light', true);
  await shoot(page, 'docs/screenshot-phone-dark.png', 360, 'dark', true);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('button', { name: /Recursion, compared/ }).first().click();
  await page.getByTestId('compare').waitFor();
  await shoot(page, 'docs/screenshot-compare.png', 1280, 'light', false);
  await shoot(page, 'docs/screenshot-compare-dark.png', 1280, 'dark', false);
} finally {
  await session.close();
  await mirror.close();
  await stopApp(app);
  await removeProfileDir(profile);
}
