// The first run in real headless Chromium on SwiftShader: the welcome says what runs where, suggests the build for
// this device with one verdict (the same sentence as the model card, no contradicting labels), its download and a
// time estimate; its Load button loads the picked build (the tiny model, a custom repo on the localhost mirror),
// and once the model is ready its example prompts send themselves and get an answer.
import { expect, it } from 'vitest';
import { TINY_REPO } from '../fixtures/paths';
import { APP_URL, useStack, useTinyModel, waitForAnswer, waitForModelReady } from './harness';

const stack = useStack({ webgpu: true, mirror: true });

it('first visit: suggests the smallest build with one verdict, its size and a time estimate', async () => {
  const { page, pageErrors } = stack.session;
  await page.goto(APP_URL);
  const suggestion = page.locator('[data-testid="welcome-suggestion"][data-model-id="qwen3-0.6b-onnx"]');
  await suggestion.waitFor({ timeout: 30_000 });
  const welcome = page.getByTestId('welcome');
  expect(await welcome.getByRole('heading', { level: 2 }).innerText()).toBe('Load a model to start');
  const where = await page.getByTestId('welcome-where').innerText();
  expect(where).toContain('on this device’s GPU: your messages never leave it');
  expect(where).toContain('Only if you add an OpenAI key under Compare do they also go to GPT-5.2.');
  expect(await welcome.innerText()).not.toContain('on the left');

  expect(await suggestion.textContent()).toContain('Suggested for this device');
  // SwiftShader is a software adapter: one verdict, slow, said the same way on the welcome and on the model card.
  const verdict = page.getByTestId('welcome-verdict');
  await expect.poll(() => verdict.innerText()).toContain('Runs here, slowly: this is a software GPU');
  expect(await verdict.getAttribute('data-level')).toBe('tight');
  const sentence = (await verdict.innerText()).replace(/^!\s*Slow\s*/, '');
  const card = await page.getByTestId('fit-verdict').innerText();
  expect(card).toContain(sentence);
  for (const contradiction of ['Tight', 'Fits', 'Recommended here']) expect(card).not.toContain(contradiction);

  // The q4 build (no shader-f16 here) is 928 MB; the speed is the browser's estimate or a named assumption.
  expect((await page.getByTestId('welcome-download').innerText()).replaceAll('\u00a0', ' ')).toMatch(
    /^(≈ )?928 MB to download · (about (\d+ h )?\d+ min|about \d+ h|under a minute) at (20 Mbit\/s \(an assumed speed\)|the [\d.]+ Mbit\/s this browser estimates)\. It is kept on this device\.$/,
  );
  const load = page.getByTestId('welcome-load');
  expect(await load.innerText()).toBe('Load Qwen3 0.6B');
  expect(await load.isEnabled()).toBe(true);
  expect(pageErrors).toEqual([]);
});

it('Load loads the picked build; the example prompts then send themselves and get an answer', async () => {
  const { page } = stack.session;
  await useTinyModel(page, stack.mirror.url, TINY_REPO, 12);
  const suggestion = page.locator('[data-testid="welcome-suggestion"][data-model-id="custom:test/tiny-qwen3"]');
  await suggestion.waitFor();
  expect(await suggestion.textContent()).toContain('Your pick');
  expect(await page.getByTestId('welcome-download').innerText()).toBe('Size unknown. It is kept on this device.');

  await page.getByTestId('welcome-load').click();
  await waitForModelReady(page);
  expect(await page.getByTestId('loaded-device').innerText()).toBe('webgpu');

  const welcome = page.getByTestId('welcome');
  await expect.poll(() => welcome.getByRole('heading', { level: 2 }).innerText()).toBe('Ask anything');
  const examples = page.getByTestId('example-prompt');
  // The tiny model reads text only: no image example.
  expect(await examples.evaluateAll((buttons) => buttons.map((button) => button.getAttribute('data-kind')))).toEqual([
    'Reasoning',
    'Translation',
    'Code',
  ]);
  const translation = examples.filter({ hasText: 'Translate into French' });
  const prompt = (await translation.innerText()).replace(/^Translation\s*/, '');
  await translation.click();

  const question = page.locator('[data-testid="message"][data-role="user"]');
  await expect.poll(() => question.count()).toBe(1);
  expect(await question.getByTestId('message-content').innerText()).toBe(prompt);
  const answer = await waitForAnswer(page);
  expect(answer.status).toBe('done');
  expect(answer.content.length).toBeGreaterThan(0);
  expect(await welcome.count()).toBe(0);
  // The pressed button went away with the welcome: the keyboard is back in the message box.
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('composer-input');
});
