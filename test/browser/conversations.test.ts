// Living in the app: regenerate and edit send the right history, earlier reasoning never goes back to a model, the
// system prompt is per conversation, rename and search, the Thinking switch sets Qwen's sampling, and export →
// clear → import gives back byte-identical JSON (images included) while a malformed file is reported and changes
// nothing; an imported image reaches the remote model, and the text-only local model says it did not see it.
// The prompts are observed on the comparison side (a mock OpenAI server records each request's turns), which is
// built by the same history code as the local side.
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startMockOpenAI, type MockOpenAI } from '../fixtures/mock-openai';
import { TINY_REPO } from '../fixtures/paths';
import { APP_URL, goToView, openCompareSettings, sendMessage, useStack, useTinyModel, waitForModelReady } from './harness';

const stack = useStack({ webgpu: true, mirror: true });

const OPENAI_PORT = Number(process.env.TEST_OPENAI_PORT ?? 8091);

let mock: MockOpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI({ port: OPENAI_PORT });
});

afterAll(async () => {
  await mock?.close();
});

/** The chat turns of the last request the mock received (Responses API: `instructions` + `input`). */
function lastTurns(): { instructions: unknown; input: { role: string; content: string }[] } {
  const body = mock.requests.at(-1)?.body;
  if (typeof body !== 'object' || body === null || !('input' in body) || !Array.isArray(body.input)) {
    throw new Error('no request with input');
  }
  const input = body.input.map((item: unknown) => {
    if (typeof item !== 'object' || item === null || !('role' in item) || !('content' in item)) throw new Error('bad turn');
    const content = item.content;
    const text = typeof content === 'string' ? content : JSON.stringify(content);
    return { role: String(item.role), content: text };
  });
  return { instructions: 'instructions' in body ? body.instructions : undefined, input };
}

async function waitIdle(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[data-status="streaming"]'), undefined, { timeout: 120_000 });
}

async function downloadFrom(page: Page, button: string): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: button, exact: true }).click();
  return readFile(await (await download).path(), 'utf8');
}

/** Writes an export file (`version` 1 or 2) holding `conversations` and imports it through the real file input. */
async function importConversations(page: Page, version: 1 | 2, conversations: unknown[]): Promise<void> {
  const file = path.join(tmpdir(), `import-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ format: 'qwen-webgpu-chat/conversations', version, conversations }));
  await page.getByTestId('import-conversations').setInputFiles(file);
  await expect.poll(() => page.getByTestId('import-report').innerText()).toContain(`Imported ${conversations.length} conversation`);
}

describe('conversations, prompts and transfer', () => {
  it('regenerate resends the same history; edit re-runs from the edited question', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 4);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
    await openCompareSettings(page);
    await page.getByLabel('Endpoint base URL').fill(mock.url);
    await page.locator('form', { has: page.getByLabel('Endpoint base URL') }).getByRole('button', { name: 'Save' }).click();
    await page.getByLabel(/API key/).fill('sk-test-conversations');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    // The switch is above the chat; the settings were on the Compare view.
    await goToView(page, 'chat');
    await page.getByRole('switch', { name: /Compare with/ }).check();

    mock.script({ kind: 'ok', text: 'Remote answer one.' });
    await sendMessage(page, 'First question');
    await waitIdle(page);
    mock.script({ kind: 'ok', text: 'Remote answer two.' });
    await sendMessage(page, 'Second question');
    await waitIdle(page);
    const second = lastTurns().input;
    expect(second).toEqual([
      { role: 'user', content: 'First question' },
      { role: 'assistant', content: 'Remote answer one.' },
      { role: 'user', content: 'Second question' },
    ]);

    mock.script({ kind: 'ok', text: 'Remote answer two, again.' });
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await waitIdle(page);
    expect(lastTurns().input).toEqual(second);
    expect(await page.locator('[data-testid="message"]').count()).toBe(4);

    await page.getByRole('button', { name: 'Edit' }).first().click();
    await page.getByLabel('Edit your message').fill('Edited first question');
    mock.script({ kind: 'ok', text: 'Remote answer to the edit.' });
    await page.getByRole('button', { name: 'Save and re-run' }).click();
    await waitIdle(page);
    expect(lastTurns().input).toEqual([{ role: 'user', content: 'Edited first question' }]);
    expect(await page.locator('[data-testid="message"]').count()).toBe(2);
  });

  it('the system prompt belongs to the conversation and reaches the model', async () => {
    const { page } = stack.session;
    await page.getByRole('button', { name: 'System prompt' }).click();
    await page.getByLabel('System prompt for this conversation').fill('Answer like a pirate.');
    await page.locator('form.system-prompt').getByRole('button', { name: 'Save' }).click();
    mock.script({ kind: 'ok', text: 'Arr.' });
    await sendMessage(page, 'Hello?');
    await waitIdle(page);
    expect(lastTurns().instructions).toBe('Answer like a pirate.');

    await page.getByRole('button', { name: 'New chat' }).click();
    mock.script({ kind: 'ok', text: 'Plain.' });
    await sendMessage(page, 'A fresh start');
    await waitIdle(page);
    expect(lastTurns().instructions).toBeUndefined();
  });

  it('renames and searches conversations', async () => {
    const { page } = stack.session;
    await page.getByRole('button', { name: 'Rename conversation “A fresh start”' }).click();
    await page.getByLabel('New title').fill('Renamed chat');
    await page.getByLabel('New title').press('Enter');
    await expect.poll(() => page.getByRole('button', { name: 'Renamed chat', exact: true }).count()).toBe(1);
    await page.getByLabel('Search conversations').fill('hello?');
    const titles = page.locator('nav[aria-labelledby="conversations-heading"] li .open');
    await expect.poll(() => titles.allInnerTexts()).toEqual(['First question']);
    await page.getByLabel('Search conversations').fill('no such words anywhere');
    await expect.poll(() => page.getByText('No conversation mentions').count()).toBe(1);
    await page.getByLabel('Search conversations').fill('');
  });

  it('the Thinking switch applies Qwen’s sampling for each mode', async () => {
    const { page } = stack.session;
    const details = page.locator('details', { hasText: 'Answer settings' });
    if (!(await details.evaluate((element) => element.hasAttribute('open')))) await page.locator('summary', { hasText: 'Answer settings' }).click();
    await page.getByRole('switch', { name: 'Thinking' }).check();
    await expect.poll(() => page.getByLabel('Temperature').inputValue()).toBe('0.6');
    expect(await page.getByLabel('Top-p').inputValue()).toBe('0.95');
    await page.getByRole('switch', { name: 'Thinking' }).uncheck();
    await expect.poll(() => page.getByLabel('Temperature').inputValue()).toBe('0.7');
    expect(await page.getByLabel('Top-p').inputValue()).toBe('0.8');
  });

  it('earlier reasoning is never sent back to a model', async () => {
    const { page } = stack.session;
    await importConversations(page, 1, [
      {
        id: 'with-thinking',
        title: 'Reasoned chat',
        createdAt: Date.now() + 10_000,
        updatedAt: Date.now() + 10_000,
        messages: [
          { id: 'u1', role: 'user', content: 'What is 2+2?', createdAt: 1 },
          { id: 'a1', role: 'assistant', content: '<think>secret reasoning steps</think>It is 4.', createdAt: 2, status: 'done' },
        ],
      },
    ]);
    await page.getByRole('button', { name: 'Reasoned chat', exact: true }).click();
    mock.script({ kind: 'ok', text: 'Sure.' });
    await sendMessage(page, 'And 3+3?');
    await waitIdle(page);
    const sent = JSON.stringify(lastTurns().input);
    expect(sent).toContain('It is 4.');
    expect(sent).not.toContain('secret reasoning');
    expect(sent).not.toContain('<think>');
  });

  it('an imported conversation with an image: the image goes to the remote model, and the text-only local model says it did not see it', async () => {
    const { page } = stack.session;
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    await importConversations(page, 2, [
      {
        id: 'with-image',
        title: 'Picture chat',
        createdAt: Date.now() + 20_000,
        updatedAt: Date.now() + 20_000,
        messages: [
          { id: 'u1', role: 'user', content: 'What colour is this?', createdAt: 1, images: [{ id: 'i1', name: 'dot.png', dataUrl: png, width: 1, height: 1 }] },
          { id: 'a1', role: 'assistant', content: 'Grey.', createdAt: 2, status: 'done' },
        ],
      },
    ]);
    await page.getByRole('button', { name: 'Picture chat', exact: true }).click();
    expect(await page.getByTestId('message-images').locator('img').getAttribute('alt')).toBe('Attached image: dot.png');
    mock.script({ kind: 'ok', text: 'Still grey.' });
    await sendMessage(page, 'Are you sure?');
    await waitIdle(page);
    const first = lastTurns().input[0];
    expect(first?.role).toBe('user');
    expect(JSON.parse(first?.content ?? '[]')).toEqual([
      { type: 'input_image', image_url: png },
      { type: 'input_text', text: 'What colour is this?' },
    ]);
    const note = page.locator('[data-testid="message"][data-role="assistant"]').last().getByTestId('images-left-out');
    expect(await note.innerText()).toContain('The image in this conversation was not shown to the local model');
  });

  it('a history over the context length: the worker counts real tokens, leaves out the oldest turns and says so', async () => {
    const { page } = stack.session;
    // Each CJK character is 3 byte-level tokens, where the page's estimate counts a third of one: the estimate lets
    // this history through, the worker's real count does not.
    const long = '日本語の文章です。'.repeat(12);
    const at = Date.now() + 30_000;
    await importConversations(page, 2, [
      {
        id: 'long-history',
        title: 'Long history',
        createdAt: at,
        updatedAt: at,
        messages: [1, 2, 3].flatMap((n) => [
          { id: `u${n}`, role: 'user', content: long, createdAt: n },
          { id: `a${n}`, role: 'assistant', content: long, createdAt: n, status: 'done' },
        ]),
      },
    ]);
    await page.getByRole('button', { name: 'Long history', exact: true }).click();
    const settings = page.locator('details', { hasText: 'Answer settings' });
    if (!(await settings.evaluate((element) => element.hasAttribute('open')))) await page.locator('summary', { hasText: 'Answer settings' }).click();
    await page.getByLabel('Context length (tokens)').fill('1024');
    await page.getByLabel('Context length (tokens)').press('Tab');
    mock.script({ kind: 'ok', text: 'Short.' });
    await sendMessage(page, 'Sum it up.');
    await waitIdle(page);
    const answer = page.locator('[data-testid="message"][data-role="assistant"]').last();
    expect(await answer.getAttribute('data-status')).toBe('done');
    const promptTokens = Number(await answer.getByTestId('metrics').getAttribute('data-prompt-tokens'));
    // 1,024 tokens of context minus the 4 reserved for the answer.
    expect(promptTokens).toBeLessThanOrEqual(1020);
    expect(promptTokens).toBeGreaterThan(300);
    expect(await answer.getByTestId('turns-left-out').innerText()).toMatch(/^The \d+ oldest messages were left out of what the local model was sent/);
    // The remote side, trimmed by the estimate only, still got the whole history.
    expect(lastTurns().input).toHaveLength(7);
    await page.getByLabel('Context length (tokens)').fill('4096');
    await page.getByLabel('Context length (tokens)').press('Tab');
  });

  it('export → clear storage → import gives byte-identical JSON; a malformed file is reported and changes nothing', async () => {
    const { page } = stack.session;
    await waitIdle(page);
    const exported = await downloadFrom(page, 'Export all');
    const count = JSON.parse(exported).conversations.length;
    expect(count).toBe(5);
    // The export carries the imported conversation's image, so the round trip below covers images too.
    expect(exported).toContain('"dataUrl": "data:image/png;base64,');

    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase('qwen-chat-app');
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
          request.onblocked = () => resolve();
        }),
    );
    await page.reload();
    await page.getByText('No conversations yet').waitFor();

    const file = path.join(tmpdir(), `export-${Date.now()}.json`);
    await writeFile(file, exported);
    await page.getByTestId('import-conversations').setInputFiles(file);
    await expect.poll(() => page.getByTestId('import-report').innerText()).toContain(`Imported ${count} conversations`);
    expect(await downloadFrom(page, 'Export all')).toBe(exported);

    const broken = path.join(tmpdir(), `broken-${Date.now()}.json`);
    await writeFile(
      broken,
      JSON.stringify({
        format: 'qwen-webgpu-chat/conversations',
        version: 1,
        conversations: [{ id: 'bad', title: 'Broken one', createdAt: 1, updatedAt: 1, messages: [{ role: 'alien' }] }],
      }),
    );
    await page.getByTestId('import-conversations').setInputFiles(broken);
    await expect.poll(() => page.getByTestId('import-report').innerText()).toContain('1 rejected');
    expect(await page.getByTestId('import-report').innerText()).toContain('“Broken one”: message 1 has no id');
    await writeFile(broken, '{ this is not json');
    await page.getByTestId('import-conversations').setInputFiles(broken);
    await expect
      .poll(() => page.getByTestId('import-report').innerText())
      .toContain('Nothing imported: The file is not valid JSON.');
    expect(await downloadFrom(page, 'Export all')).toBe(exported);
  });
});
