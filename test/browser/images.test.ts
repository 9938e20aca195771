// Images in real headless Chromium on WebGPU (SwiftShader), against the built app and the generated tiny
// Qwen3.5-shaped vision model on the localhost mirror: the model loads with its vision encoder; an image attached
// through the real file input is shown, stored and reaches the model (the prompt grows by the image's tokens, a
// different image changes the greedy answer, the same image gives the same one); paste and drop attach too; files
// that are not pictures are refused by name; two pictures go in one message; a reload keeps the image; and a
// text-only model says it cannot see it.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TINY_REPO, TINY_VL_REPO } from '../fixtures/paths';
import {
  addCustomRepo,
  APP_URL,
  sendMessage,
  useStack,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from './harness';
import { newChat } from './chat-steps';

const stack = useStack({ webgpu: true, mirror: true });

type Pattern = 'red' | 'checker' | 'gradient';

/** The prompt size of "What is this?" without an image, measured by the second test. */
let textOnlyPromptTokens = 0;

/** A PNG drawn by the browser itself, so the test needs no image files or encoders of its own. */
async function drawPng(page: Page, pattern: Pattern, size = 64): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ({ pattern, size }) => {
      const canvas = new OffscreenCanvas(size, size);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2D canvas');
      for (let y = 0; y < size; y += 8) {
        for (let x = 0; x < size; x += 8) {
          if (pattern === 'red') context.fillStyle = '#e11d48';
          else if (pattern === 'checker') context.fillStyle = (x + y) % 16 === 0 ? '#000000' : '#ffffff';
          else context.fillStyle = `rgb(${(x * 4) % 256}, ${(y * 4) % 256}, 128)`;
          context.fillRect(x, y, 8, 8);
        }
      }
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));
    },
    { pattern, size },
  );
  return Buffer.from(base64, 'base64');
}

async function attachByPicker(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
  await page.getByTestId('image-input').setInputFiles(files);
}

const pending = (page: Page) => page.getByTestId('pending-images').locator('img');

/** Sends `text` with one picture attached through the file input; returns the answer and its prompt size. */
async function askAbout(page: Page, pattern: Pattern | undefined, text: string): Promise<{ content: string; promptTokens: number }> {
  await newChat(page);
  if (pattern) {
    await attachByPicker(page, [{ name: `${pattern}.png`, mimeType: 'image/png', buffer: await drawPng(page, pattern) }]);
    await expect.poll(() => pending(page).count()).toBe(1);
  }
  await sendMessage(page, text);
  const answer = await waitForAnswer(page);
  expect(answer.status).toBe('done');
  const promptTokens = Number(await page.getByTestId('metrics').last().getAttribute('data-prompt-tokens'));
  return { content: answer.content, promptTokens };
}

describe('images', () => {
  it('a Qwen3.5-shaped build loads with its vision encoder and processor and says it reads images', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_VL_REPO, 8);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
    await page.getByTestId('loaded-vision').waitFor();
    const fetched = stack.mirror.requests.filter((line) => line.startsWith('GET ') && line.includes(TINY_VL_REPO));
    for (const file of ['preprocessor_config.json', 'onnx/vision_encoder.onnx', 'onnx/embed_tokens.onnx', 'onnx/decoder_model_merged.onnx']) {
      expect(fetched.some((line) => line.endsWith(`/${file}`)), file).toBe(true);
    }
    expect(await page.getByText('This model also reads images').count()).toBe(1);
  });

  it('an attached image is shown, stored and sent: it adds its tokens, and another image changes the answer', async () => {
    const { page } = stack.session;
    const textOnly = await askAbout(page, undefined, 'What is this?');
    textOnlyPromptTokens = textOnly.promptTokens;
    const red = await askAbout(page, 'red', 'What is this?');
    const user = page.locator('[data-testid="message"][data-role="user"]').last();
    await expect.poll(() => user.getByTestId('message-images').locator('img').count()).toBe(1);
    expect(await user.locator('img').getAttribute('alt')).toBe('Attached image: red.png');
    expect(await pending(page).count()).toBe(0);

    // The thumbnail opens the picture full size; Esc closes it and focus returns to the thumbnail.
    const thumbnail = user.getByRole('button', { name: 'Show red.png full size' });
    await thumbnail.click();
    const viewer = user.getByTestId('image-viewer');
    await expect.poll(() => viewer.evaluate((element) => element instanceof HTMLDialogElement && element.open)).toBe(true);
    expect(await viewer.locator('img').getAttribute('alt')).toBe('red.png');
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.evaluate((element) => element instanceof HTMLDialogElement && element.open)).toBe(false);
    expect(await thumbnail.evaluate((element) => element === document.activeElement)).toBe(true);

    // 64x64 px = 4x4 patches of 16 = 4 merged tokens, plus <|vision_start|> and <|vision_end|>.
    expect(red.promptTokens - textOnly.promptTokens).toBe(6);
    const checker = await askAbout(page, 'checker', 'What is this?');
    const redAgain = await askAbout(page, 'red', 'What is this?');
    expect(checker.promptTokens).toBe(red.promptTokens);
    expect(redAgain.content).toBe(red.content);
    expect(checker.content).not.toBe(red.content);
    expect(red.content).not.toBe(textOnly.content);
    expect(stack.session.pageErrors).toEqual([]);
  });

  it('paste and drop attach images too, each can be removed, and non-pictures are refused by name', async () => {
    const { page } = stack.session;
    await newChat(page);
    const png = (await drawPng(page, 'gradient', 40)).toString('base64');
    await page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
      const file = (name: string): File => new File([bytes], name, { type: 'image/png' });
      const pasted = new DataTransfer();
      pasted.items.add(file('pasted.png'));
      document.querySelector('#composer-input')?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: pasted, bubbles: true, cancelable: true }));
      const dropped = new DataTransfer();
      dropped.items.add(file('dropped.png'));
      const chat = document.querySelector('section.chat');
      chat?.dispatchEvent(new DragEvent('dragover', { dataTransfer: dropped, bubbles: true, cancelable: true }));
      chat?.dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true, cancelable: true }));
    }, png);
    await expect.poll(() => pending(page).count()).toBe(2);
    expect(await pending(page).evaluateAll((images) => images.map((image) => image.getAttribute('alt')).sort())).toEqual(['dropped.png', 'pasted.png']);

    await page.getByRole('button', { name: 'Remove pasted.png' }).click();
    await expect.poll(() => pending(page).count()).toBe(1);

    await attachByPicker(page, [
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
      { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__svg=1"/>') },
      { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') },
    ]);
    const problem = page.getByTestId('attach-problem');
    await problem.waitFor();
    const text = await problem.innerText();
    expect(text).toContain('notes.txt is not an image');
    expect(text).toContain('logo.svg is an SVG');
    expect(text).toContain('broken.png could not be read');
    expect(await pending(page).count()).toBe(1);
    expect(await page.evaluate(() => Reflect.get(window, '__svg'))).toBeUndefined();

    // A large photo is scaled down to the pixel budget and re-encoded as JPEG before it is kept.
    await attachByPicker(page, [{ name: 'big.png', mimeType: 'image/png', buffer: await drawPng(page, 'gradient', 2000) }]);
    await expect.poll(() => pending(page).count()).toBe(2);
    const big = page.getByTestId('pending-images').locator('img[alt="big.png"]');
    const [width, height, source] = await Promise.all([big.getAttribute('width'), big.getAttribute('height'), big.getAttribute('src')]);
    expect(Number(width) * Number(height)).toBeLessThanOrEqual(640 * 640);
    expect(Number(width)).toBe(640);
    expect(source?.startsWith('data:image/jpeg;base64,')).toBe(true);
    await page.getByRole('button', { name: 'Remove big.png' }).click();
    await expect.poll(() => pending(page).count()).toBe(1);

    // Two pictures in one message reach the model together.
    await attachByPicker(page, [{ name: 'checker.png', mimeType: 'image/png', buffer: await drawPng(page, 'checker') }]);
    await expect.poll(() => pending(page).count()).toBe(2);
    await sendMessage(page, 'What is this?');
    const answer = await waitForAnswer(page);
    expect(answer.status).toBe('done');
    const user = page.locator('[data-testid="message"][data-role="user"]').last();
    expect(await user.getByTestId('message-images').locator('img').count()).toBe(2);
    // dropped.png, 40x40 px, is resized to 32x32: 1 token; checker.png, 64x64: 4 tokens; each with its two markers.
    const promptTokens = Number(await page.getByTestId('metrics').last().getAttribute('data-prompt-tokens'));
    expect(promptTokens - textOnlyPromptTokens).toBe(1 + 2 + 4 + 2);
  });

  it('the image survives a reload, and a text-only model says it cannot see it instead of dropping it silently', async () => {
    const { page } = stack.session;
    await page.reload();
    await waitForModelReady(page);
    // The newest conversation, the one with two pictures, opens again.
    const user = page.locator('[data-testid="message"][data-role="user"]').last();
    await expect.poll(() => user.getByTestId('message-images').locator('img').count()).toBe(2);
    expect(await user.locator('img').evaluateAll((images) => images.map((image) => image.getAttribute('alt')))).toEqual([
      'Attached image: dropped.png',
      'Attached image: checker.png',
    ]);

    // A picture waiting in the composer when the model is swapped for a text-only one is held back, with the reason.
    await attachByPicker(page, [{ name: 'waiting.png', mimeType: 'image/png', buffer: await drawPng(page, 'checker') }]);
    await expect.poll(() => pending(page).count()).toBe(1);
    await addCustomRepo(page, TINY_REPO);
    await page.getByRole('button', { name: 'Load model' }).click();
    await expect.poll(async () => (await page.getByTestId('model-ready').innerText()).includes('tiny-qwen3 '), { timeout: 180_000 }).toBe(true);
    expect(await page.getByTestId('loaded-vision').count()).toBe(0);
    await page.getByLabel('Message', { exact: true }).fill('Is it still there?');
    expect(await page.getByTestId('stranded-images').innerText()).toContain('reads text only');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Remove waiting.png' }).click();
    await expect.poll(() => page.getByTestId('stranded-images').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(false);
    await page.getByLabel('Message', { exact: true }).fill('');

    await page.getByRole('button', { name: 'Attach images' }).click();
    expect(await page.getByTestId('attach-problem').innerText()).toContain('reads text only');

    await page.getByRole('button', { name: 'Regenerate' }).click();
    const answer = await waitForAnswer(page);
    expect(answer.status).toBe('done');
    const note = page.locator('[data-testid="message"][data-role="assistant"]').last().getByTestId('images-left-out');
    expect(await note.innerText()).toContain('The 2 images in this conversation were not shown to the local model: it reads text only');
  });
});
