// Takes the README's screenshots: the built app in headless Chromium (WebGPU on SwiftShader) with the tiny generated
// model loaded from the localhost mirror, at 1280 px and 360 px, in the light and the dark theme. The conversations
// shown are seeded (a realistic Markdown answer with its reasoning folded, and a compared turn) because the tiny
// model's own answers are random bytes by design.
// Usage: npm run build && npx tsx scripts/screenshots.ts   (TEST_DIST / TEST_APP_PORT / TEST_MIRROR_PORT as in tests)
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { runBenchmarkPage } from './bench/benchmark-page';
import { ensureTinyModels, TINY_GGUF_FILE, TINY_GGUF_REPO, TINY_REPO, TINY_VL_REPO } from '../test/fixtures/paths';
import { SAMPLE_ANSWER } from '../test/fixtures/sample-answer';
import {
  APP_URL,
  addCustomRepo,
  newProfileDir,
  openBrowser,
  openSettings,
  removeProfileDir,
  setModelSource,
  startApp,
  startMirror,
  stopApp,
  waitForModelReady,
} from '../test/browser/harness';
import {
  assistantMessage,
  conversation,
  sampleImage,
  seedConversations,
  userMessage,
  userMessageWithImages,
} from '../test/browser/seed';

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

/** A small bar chart drawn by the browser, as a PNG data URL: the picture in the image screenshots. */
async function drawChart(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const canvas = new OffscreenCanvas(480, 320);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, 480, 320);
    context.fillStyle = '#1f2937';
    context.font = 'bold 22px sans-serif';
    context.fillText('Rainfall (mm)', 24, 36);
    const values = [78, 64, 52, 41, 36, 22, 18, 25, 47, 69, 88, 94];
    values.forEach((value, index) => {
      context.fillStyle = index === 11 ? '#4338ca' : '#93c5fd';
      context.fillRect(28 + index * 37, 290 - value * 2.4, 28, value * 2.4);
    });
    context.fillStyle = '#6b7280';
    context.font = '14px sans-serif';
    ['J', 'F', 'M', 'A', 'M', 'J', 'J', 'A', 'S', 'O', 'N', 'D'].forEach((month, index) => context.fillText(month, 36 + index * 37, 310));
    const blob = await canvas.convertToBlob({ type: 'image/png' });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    return `data:image/png;base64,${btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''))}`;
  });
}

async function shoot(page: Page, file: string, width: number, colorScheme: 'light' | 'dark', fullPage: boolean, wait = '.hljs-keyword'): Promise<void> {
  await page.setViewportSize({ width, height: width < 600 ? 780 : 900 });
  await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
  await page.locator(wait).first().waitFor();
  // A screen-sized shot shows what it waited for (the results table on a phone, not the set-up above it).
  if (!fullPage) await page.locator(wait).first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: file, fullPage });
  console.log(`wrote ${file}`);
}

await ensureTinyModels();
await mkdir('docs', { recursive: true });
const app = await startApp();
const mirror = await startMirror();
const profile = await newProfileDir();
const session = await openBrowser(profile, { webgpu: true });
try {
  const { page } = session;
  // First visit: the welcome with the build suggested for this device, on a wide screen and on a phone.
  await page.goto(APP_URL);
  await shoot(page, 'docs/screenshot-empty.png', 1280, 'light', false, '[data-testid="welcome-suggestion"]');
  await shoot(page, 'docs/screenshot-welcome-phone.png', 360, 'light', false, '[data-testid="welcome-suggestion"]');
  await page.setViewportSize({ width: 1280, height: 900 });
  await setModelSource(page, mirror.url);
  await addCustomRepo(page, TINY_REPO);
  await openSettings(page);
  await page.getByRole('button', { name: 'Load model' }).click();
  await waitForModelReady(page);

  await seedConversations(page, [markdownChat, comparedChat]);
  await page.goto(APP_URL);
  await waitForModelReady(page);
  await shoot(page, 'docs/screenshot-desktop.png', 1280, 'light', false);
  await shoot(page, 'docs/screenshot-desktop-dark.png', 1280, 'dark', false);
  await shoot(page, 'docs/screenshot-phone.png', 360, 'light', false);
  await shoot(page, 'docs/screenshot-phone-dark.png', 360, 'dark', false);
  // On a phone the model and settings are a sheet over the chat.
  await openSettings(page);
  await shoot(page, 'docs/screenshot-phone-settings.png', 360, 'light', false, '[data-testid="model-ready"]');
  await page.keyboard.press('Escape');

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('button', { name: /Recursion, compared/ }).first().click();
  await page.getByTestId('compare').waitFor();
  await shoot(page, 'docs/screenshot-compare.png', 1280, 'light', false);
  await shoot(page, 'docs/screenshot-compare-dark.png', 1280, 'dark', false);

  // Images: the tiny vision model loaded, a conversation about a chart, and a second picture waiting to be sent.
  await addCustomRepo(page, TINY_VL_REPO);
  await openSettings(page);
  await page.getByRole('button', { name: 'Load model' }).click();
  await page.getByTestId('loaded-vision').waitFor({ timeout: 180_000 });
  const chart = await drawChart(page);
  const imageChat = conversation(
    'Rainfall chart',
    [
      userMessageWithImages('Which month is the wettest, and by how much?', [sampleImage('rainfall.png', chart, 480, 320)]),
      assistantMessage(
        'The wettest month is **December**, at about **94 mm**: the highlighted bar.\n\n- It beats November (≈ 88 mm) by about 6 mm.\n- The driest month is July, at about 18 mm, so December gets roughly five times as much rain.',
        { metrics: { ...METRICS, promptTokens: 172, outputTokens: 58, totalMs: 2400 }, device: 'webgpu', modelId: 'Qwen3.5-0.8B' },
      ),
    ],
    now + 60_000,
  );
  await seedConversations(page, [imageChat, markdownChat, comparedChat]);
  await page.goto(APP_URL);
  await page.getByTestId('loaded-vision').waitFor({ timeout: 180_000 });
  await page.getByTestId('image-input').setInputFiles({
    name: 'receipt.png',
    mimeType: 'image/png',
    buffer: Buffer.from(chart.slice(chart.indexOf(',') + 1), 'base64'),
  });
  await page.getByTestId('pending-images').locator('img').waitFor();
  await page.getByLabel('Message', { exact: true }).fill('And this one?');
  await shoot(page, 'docs/screenshot-images.png', 1280, 'light', false, '[data-testid="message-images"] img');
  await shoot(page, 'docs/screenshot-images-phone-dark.png', 360, 'dark', false, '[data-testid="message-images"] img');

  // The Benchmark page after a real (short) run of the tiny ONNX and GGUF models on the CPU: measured, not seeded.
  const gguf = `${TINY_GGUF_REPO}/${TINY_GGUF_FILE}`;
  await page.setViewportSize({ width: 1280, height: 900 });
  // A fresh page at the wide size: after the phone shots the settings panel did not come back beside the chat in
  // this script (not seen by hand; the cause is not found yet), and the benchmark steps open that panel.
  await page.goto(APP_URL);
  await page.getByTestId('loaded-vision').waitFor({ timeout: 180_000 });
  await addCustomRepo(page, gguf);
  await runBenchmarkPage(page, {
    modelLabel: 'Added by you · Qwen3',
    targets: [[`custom:${TINY_REPO}`, 'wasm'], [`custom:${gguf}`, 'wasm']],
    runs: 3,
    maxNewTokens: 32,
    coldLoad: false,
    longPrompt: false,
    timeoutMs: 600_000,
  });
  await shoot(page, 'docs/screenshot-benchmark.png', 1280, 'light', true, '[data-testid="bench-chart"]');
  await shoot(page, 'docs/screenshot-benchmark-phone.png', 360, 'dark', false, '[data-testid="bench-table"]');
} finally {
  await session.close();
  await mirror.close();
  await stopApp(app);
  await removeProfileDir(profile);
}
