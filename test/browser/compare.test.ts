// Side by side with a mock GPT-5.2 (a real HTTP server on localhost speaking the Responses API with SSE): both
// answers stream with their figures and cost; each remote failure stays on its side while the local answer
// completes; the key goes nowhere but the endpoint and is stored only when the user asks; blind voting and export.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startMockOpenAI, type MockOpenAI } from '../fixtures/mock-openai';
import { TINY_REPO } from '../fixtures/paths';
import { storedRecords } from './stored-records';
import { APP_URL, openCompareSettings, sendMessage, useStack, useTinyModel, waitForAnswer, waitForModelReady } from './harness';

const stack = useStack({ webgpu: true, mirror: true });

const API_KEY = 'sk-test-4f9c2b7e1a';
const OPENAI_PORT = Number(process.env.TEST_OPENAI_PORT ?? 8091);

let mock: MockOpenAI;
const seenRequests: { url: string; headers: Record<string, string>; body: string }[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  mock = await startMockOpenAI({ port: OPENAI_PORT });
  stack.session.context.on('request', (request) => {
    seenRequests.push({ url: request.url(), headers: request.headers(), body: request.postData() ?? '' });
  });
  stack.session.page.on('console', (message) => consoleLines.push(message.text()));
});

afterAll(async () => {
  await mock?.close();
});

/** How far below its last child each column of the last compared turn ends: small when a box fits its content. */
async function emptySpaceBelowColumns(page: Page): Promise<number[]> {
  return page.locator('[data-testid="compare"]').last().locator('section.column').evaluateAll((columns) =>
    columns.map((column) => {
      const last = column.lastElementChild;
      return last ? column.getBoundingClientRect().bottom - last.getBoundingClientRect().bottom : 0;
    }),
  );
}

/** Waits until both sides of the last compared turn have ended. */
async function waitForBothSides(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const answers = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
    const local = answers[answers.length - 1];
    const remotes = document.querySelectorAll('[data-testid="remote-content"]');
    const remote = remotes[remotes.length - 1];
    return [local, remote].every((element) => element !== undefined && element.getAttribute('data-status') !== 'streaming');
  }, undefined, { timeout: 120_000 });
}

async function lastRemote(page: Page): Promise<{ status: string; text: string; errorName: string | null }> {
  const content = page.getByTestId('remote-content').last();
  const error = page.locator('[data-testid="compare"]').last().getByTestId('remote-error');
  return {
    status: (await content.getAttribute('data-status')) ?? '',
    text: (await content.innerText()).replace('▍', ''),
    errorName: (await error.count()) > 0 ? await error.getAttribute('data-error-name') : null,
  };
}

async function dumpStorage(page: Page): Promise<string> {
  const areas = await page.evaluate(() => [JSON.stringify({ ...localStorage }), JSON.stringify({ ...sessionStorage })]);
  return [...areas, ...(await storedRecords(page)).map((record) => record.json)].join('\n');
}

describe('compare with GPT-5.2 (mock)', () => {
  it('without a key only the local model answers, with a hint and no error', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 10);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
    await page.getByRole('switch', { name: /Compare with/ }).check();
    await page.getByTestId('compare-needs-key').waitFor();
    await sendMessage(page, 'Hello without a key');
    expect((await waitForAnswer(page)).status).toBe('done');
    expect(await page.getByTestId('compare').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(mock.requests).toEqual([]);
  });

  it('streams both answers side by side with speed, tokens and cost', async () => {
    const { page } = stack.session;
    // The app is served cross-origin isolated (COOP + COEP, for llama.cpp's threads): the remote endpoint, another
    // origin, must still answer under it.
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    await openCompareSettings(page);
    await page.getByLabel('Endpoint base URL').fill(mock.url);
    await page.locator('form', { has: page.getByLabel('Endpoint base URL') }).getByRole('button', { name: 'Save' }).click();
    await page.getByLabel(/API key/).fill(API_KEY);
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    expect(await page.getByTestId('key-notice').innerText()).toContain('127.0.0.1');

    const reply = 'The sea is wide and deep. It moves with the moon.';
    mock.script({ kind: 'ok', text: reply, chunks: 10, delayMs: 60 });
    await page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { __remoteSnapshots: seen });
      new MutationObserver(() => {
        const live = document.querySelector('[data-testid="remote-content"][data-status="streaming"]');
        if (live?.textContent) seen.push(live.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await sendMessage(page, 'Tell me about the sea');
    await waitForBothSides(page);

    const remote = await lastRemote(page);
    expect(remote).toEqual({ status: 'done', text: reply, errorName: null });
    const snapshots = await page.evaluate(() => {
      const value: unknown = Reflect.get(window, '__remoteSnapshots');
      return Array.isArray(value) ? new Set(value).size : 0;
    });
    expect(snapshots).toBeGreaterThan(1);

    const remoteMetrics = page.getByTestId('remote-metrics').last();
    const outputTokens = Number(await remoteMetrics.getAttribute('data-output-tokens'));
    const inputTokens = Number(await remoteMetrics.getAttribute('data-input-tokens'));
    expect(outputTokens).toBe(10);
    expect(inputTokens).toBeGreaterThan(0);
    const cost = Number(await remoteMetrics.getAttribute('data-cost-usd'));
    expect(cost).toBeCloseTo((inputTokens * 1.75 + outputTokens * 14) / 1e6, 10);
    expect(await remoteMetrics.innerText()).toMatch(/first token[\s\S]*tok\/s[\s\S]*total[\s\S]*cost \$/);

    const localColumn = page.getByTestId('column-local').last();
    expect(await localColumn.getByTestId('metrics').getAttribute('data-output-tokens')).not.toBe('0');
    expect(await localColumn.innerText()).toContain('cost $0');
    expect(await page.getByTestId('compare-summary').last().innerText()).toMatch(/was [0-9.]+× faster|took about as long/);
    // Answers of different length: each box is as tall as its own content, with no tall empty space under one.
    for (const gap of await emptySpaceBelowColumns(page)) expect(gap).toBeLessThan(24);

    const sent = mock.requests.at(-1);
    expect(sent?.path).toBe('/v1/responses');
    expect(sent?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.stringify(sent?.body)).toContain('Tell me about the sea');
  });

  it('each remote failure shows its message on the remote side while the local answer completes', async () => {
    const { page } = stack.session;
    const cases = [
      { scenario: { kind: 'status', status: 401 } as const, name: 'RemoteAuth', words: /key/i },
      { scenario: { kind: 'status', status: 429, retryAfterSeconds: 7 } as const, name: 'RemoteRateLimit', words: /7 s/ },
      { scenario: { kind: 'status', status: 500 } as const, name: 'RemoteHttp', words: /try again/i },
      { scenario: { kind: 'cut', text: 'Half of an answer that will be cut off', afterChunks: 3 } as const, name: 'RemoteStreamCut', words: /kept/ },
    ];
    for (const { scenario, name, words } of cases) {
      mock.script(scenario);
      await sendMessage(page, `Failure case ${name}`);
      await waitForBothSides(page);
      const remote = await lastRemote(page);
      expect(remote.errorName, name).toBe(name);
      const message = await page.locator('[data-testid="compare"]').last().getByTestId('remote-error').innerText();
      expect(message, name).toMatch(words);
      expect(message).not.toContain(API_KEY);
      if (scenario.kind === 'cut') {
        expect(remote.text.length).toBeGreaterThan(0);
        // A cut answer is never called the faster one, and a cost without usage reads "unknown", never "$0.00".
        expect(await page.getByTestId('compare-summary').last().innerText()).toMatch(/^No speed verdict/);
        const cost = page.locator('[data-testid="compare"]').last().getByTestId('remote-cost');
        expect(await cost.innerText()).toBe('cost unknown');
      }
      const local = page.getByTestId('column-local').last();
      expect(await local.getByTestId('metrics').count(), name).toBe(1);
      expect(await local.getByTestId('local-content').innerText()).not.toBe('');
    }
  });

  it('stops the remote side on its own while the local side finishes', async () => {
    const { page } = stack.session;
    mock.script({ kind: 'ok', text: 'one two three four five six seven eight nine ten eleven twelve', chunks: 12, delayMs: 700 });
    await sendMessage(page, 'Slow remote please');
    const live = page.locator('[data-testid="remote-content"][data-status="streaming"]');
    await expect.poll(async () => (await live.innerText()).replace('▍', '').length, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: /^Stop gpt-5\.2/ }).click();
    await waitForBothSides(page);
    expect((await lastRemote(page)).status).toBe('stopped');
    expect(await page.getByTestId('column-local').last().getByTestId('metrics').count()).toBe(1);
  });

  it('the key goes only to the endpoint, is stored only when remembered, and never reaches the console', async () => {
    const { page } = stack.session;
    const carrying = seenRequests.filter((request) =>
      [request.url, request.body, ...Object.values(request.headers)].some((text) => text.includes(API_KEY)),
    );
    expect(carrying.length).toBeGreaterThan(0);
    for (const request of carrying) {
      expect(request.url.startsWith(mock.url)).toBe(true);
      expect(request.url).not.toContain(API_KEY);
      expect(request.body).not.toContain(API_KEY);
    }
    expect(await dumpStorage(page)).not.toContain(API_KEY);

    await openCompareSettings(page);
    await page.getByLabel('Remember on this device').check();
    await expect.poll(() => dumpStorage(page)).toContain(API_KEY);
    await page.getByLabel('Remember on this device').uncheck();
    await expect.poll(() => dumpStorage(page)).not.toContain(API_KEY);
    expect(consoleLines.filter((line) => line.includes(API_KEY))).toEqual([]);
  });

  it('blind mode hides the names until the vote, keeps a tally and exports it', async () => {
    const { page } = stack.session;
    await openCompareSettings(page);
    await page.getByLabel(/Blind mode/).check();
    // The tally lives with the comparison settings, on the compare view.
    expect(await page.getByTestId('tally-local').innerText()).toBe('0');
    mock.script({ kind: 'ok', text: 'A blind answer.', chunks: 3, delayMs: 20 });
    await sendMessage(page, 'Blind question');
    await waitForBothSides(page);
    const turn = page.locator('[data-testid="compare"]').last();
    expect(await turn.getByTestId('column-a').locator('h3').innerText()).toBe('A');
    expect(await turn.getByTestId('column-b').locator('h3').innerText()).toBe('B');
    expect(await turn.innerText()).not.toContain('gpt-5.2');

    await turn.getByRole('button', { name: 'A', exact: true }).click();
    const revealed = await turn.getByTestId('blind-revealed').innerText();
    expect(revealed).toMatch(/You preferred/);
    const preferredRemote = revealed.includes('You preferred gpt-5.2');
    await openCompareSettings(page);
    await expect.poll(() => page.getByTestId(preferredRemote ? 'tally-remote' : 'tally-local').innerText()).toBe('1');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const csv = await readFile(file, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('at,conversationId,conversationTitle,prompt,localModel,remoteModel,aWas,vote');
    expect(csv).toContain(`Blind question`);
    expect(csv).toContain(preferredRemote ? ',remote\r\n' : ',local\r\n');
  });
});
