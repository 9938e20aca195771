// The remote side's faults, in the built app in real Chromium against the mock GPT-5.2 (a real HTTP server on
// localhost): 403, 404 for an unknown model id, 503, an endpoint where nothing listens, an endpoint that goes silent
// (before answering, and part way through), malformed SSE (lines that are no SSE field; an event whose JSON is cut)
// and a very long answer streamed fast. Each case shows a named message with what to do on the remote side, keeps
// what arrived, and the local answer of the same turn completes. compare.test.ts covers 401, 429, 500 and a cut.
// The silence cases shorten the wait through the UI ("Stop waiting after", 120 s by default).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startMockOpenAI, type MockOpenAI, type Scenario } from '../fixtures/mock-openai';
import { TINY_REPO } from '../fixtures/paths';
import { reportFault } from './fault-report';
import { APP_URL, openCompareSettings, sendMessage, useStack, useTinyModel, waitForModelReady } from './harness';
import { storedRecords } from './stored-records';

const stack = useStack({ webgpu: true, mirror: true, serviceWorkers: 'block' });

const API_KEY = 'sk-test-fault-remote-5c1d';
const OPENAI_PORT = Number(process.env.TEST_OPENAI_PORT ?? 8091);
const TEN = 'one two three four five six seven eight nine ten';
/** The long answer: 20,000 words, one delta (and one output token) each, in paragraphs of 50. */
const LONG_WORDS = 20_000;

let mock: MockOpenAI;

beforeAll(async () => {
  mock = await startMockOpenAI({ port: OPENAI_PORT, knownModels: ['gpt-5.2'] });
});

afterAll(async () => {
  await mock?.close();
});

/** A localhost port where nothing listens: bound once by the OS, then released. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

async function waitForBothSides(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const answers = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
      const local = answers[answers.length - 1];
      const remotes = document.querySelectorAll('[data-testid="remote-content"]');
      const remote = remotes[remotes.length - 1];
      return [local, remote].every((element) => element !== undefined && element.getAttribute('data-status') !== 'streaming');
    },
    undefined,
    { timeout, polling: 200 },
  );
}

interface TurnOutcome {
  remoteStatus: string;
  remoteText: string;
  errorName: string | null;
  errorText: string;
  localStatus: string;
  localText: string;
  localHasMetrics: boolean;
}

async function lastTurn(page: Page): Promise<TurnOutcome> {
  const turn = page.locator('[data-testid="compare"]').last();
  const remote = turn.getByTestId('remote-content');
  const error = turn.getByTestId('remote-error');
  const local = page.locator('[data-testid="message"][data-role="assistant"]').last();
  const hasError = (await error.count()) > 0;
  return {
    remoteStatus: (await remote.getAttribute('data-status')) ?? '',
    remoteText: (await remote.innerText()).replace('▍', '').trim(),
    errorName: hasError ? await error.getAttribute('data-error-name') : null,
    errorText: hasError ? await error.innerText() : '',
    localStatus: (await local.getAttribute('data-status')) ?? '',
    localText: await turn.getByTestId('local-content').innerText(),
    localHasMetrics: (await turn.getByTestId('column-local').getByTestId('metrics').count()) === 1,
  };
}

async function saveEndpoint(page: Page, url: string): Promise<void> {
  await openCompareSettings(page);
  await page.getByLabel('Endpoint base URL').fill(url);
  await page.locator('form', { has: page.getByLabel('Endpoint base URL') }).getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => page.getByTestId('key-notice').innerText()).toContain(new URL(url).host);
}

async function setField(page: Page, label: RegExp | string, value: string): Promise<void> {
  await openCompareSettings(page);
  const field = page.getByLabel(label);
  await field.fill(value);
  await field.press('Tab');
}

/** Sends one compared turn, waits for both sides, and checks the local side finished whatever the remote did. */
async function comparedTurn(page: Page, prompt: string, timeout?: number): Promise<TurnOutcome> {
  await sendMessage(page, prompt);
  await waitForBothSides(page, timeout);
  const outcome = await lastTurn(page);
  expect(outcome.localStatus, `${prompt}: local status`).toBe('done');
  expect(outcome.localText, `${prompt}: local text`).not.toBe('');
  expect(outcome.localHasMetrics, `${prompt}: local metrics`).toBe(true);
  expect(outcome.errorText).not.toContain(API_KEY);
  return outcome;
}

interface FaultCase {
  fault: string;
  prompt: string;
  scenario?: Scenario;
  /** Changes made before the turn and undone after it. */
  before?: (page: Page) => Promise<void>;
  after?: (page: Page) => Promise<void>;
  name: string;
  message: RegExp;
  /** The remote text that must be kept (the part that arrived before the fault). */
  kept: string;
  sees: string;
  keptPhrase: string;
}

function statusCase(status: 403 | 503, name: string, message: RegExp, sees: string): FaultCase {
  return {
    fault: `remote ${status}`,
    prompt: `Fault ${status}`,
    scenario: { kind: 'status', status, ...(status === 503 ? { retryAfterSeconds: 30 } : {}) },
    name,
    message,
    kept: '',
    sees,
    keptPhrase: 'local answer complete; no remote text (none was sent)',
  };
}

describe('remote faults, each on the remote side while the local answer completes', () => {
  it('sets up: the tiny model, compare on, the mock as endpoint, a key', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 8);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
    await page.getByRole('switch', { name: /Compare with/ }).check();
    await saveEndpoint(page, mock.url);
    await page.getByLabel(/API key/).fill(API_KEY);
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    expect((await comparedTurn(page, 'A normal turn first')).remoteStatus).toBe('done');
  });

  const cases: FaultCase[] = [
    statusCase(403, 'RemoteModelAccess', /no access to the model "gpt-5\.2".*use a key whose project may call it/, 'remote side: "no access to the model gpt-5.2" — check the model id or use a key whose project may call it'),
    {
      fault: 'remote 404 unknown model',
      prompt: 'Fault 404',
      before: (page) => setField(page, 'Model id', 'gpt-5.2-typo'),
      after: (page) => setField(page, 'Model id', 'gpt-5.2'),
      name: 'RemoteModelAccess',
      message: /There is no model "gpt-5\.2-typo" for this API key at 127\.0\.0\.1:\d+.*Check the model id in Settings/,
      kept: '',
      sees: 'remote side: "There is no model gpt-5.2-typo…" — check the model id in Settings',
      keptPhrase: 'local answer complete; the model id setting as typed',
    },
    statusCase(503, 'RemoteUnavailable', /overloaded or down for maintenance \(HTTP 503\)\. Try again in 30 s/, 'remote side: "overloaded or down for maintenance (HTTP 503). Try again in 30 s"'),
    {
      fault: 'remote endpoint unreachable (nothing listening)',
      prompt: 'Fault unreachable',
      before: async (page) => saveEndpoint(page, `http://127.0.0.1:${await deadPort()}/v1`),
      after: (page) => saveEndpoint(page, mock.url),
      name: 'RemoteNetwork',
      message: /Could not reach 127\.0\.0\.1:\d+\. Check the address, your connection, and that the endpoint allows browser requests \(CORS\)/,
      kept: '',
      sees: 'remote side: "Could not reach HOST" — check the address, the connection, CORS',
      keptPhrase: 'local answer complete',
    },
    {
      fault: 'remote endpoint silent (no byte)',
      prompt: 'Fault silent',
      scenario: { kind: 'silent' },
      before: (page) => setField(page, /Stop waiting after/, '2'),
      name: 'RemoteTimeout',
      message: /sent nothing back for 2 s, so the app stopped waiting\. Try again; if the model thinks for long .* raise "Stop waiting after" in Settings/,
      kept: '',
      sees: 'remote side: "sent nothing back for N s" (default 120 s) — try again or raise "Stop waiting after"',
      keptPhrase: 'local answer complete; the request is cancelled',
    },
    {
      fault: 'remote stream goes silent part way',
      prompt: 'Fault stall',
      scenario: { kind: 'stall', text: TEN, afterChunks: 3 },
      before: (page) => setField(page, /Stop waiting after/, '2'),
      after: (page) => setField(page, /Stop waiting after/, '120'),
      name: 'RemoteTimeout',
      message: /stopped sending part way through the answer for 2 s.*What arrived is kept/,
      kept: 'one two three',
      sees: 'remote side: "stopped sending part way through the answer for N s… What arrived is kept"',
      keptPhrase: 'local answer complete; the remote text that arrived',
    },
    {
      fault: 'remote malformed SSE: broken JSON event',
      prompt: 'Fault broken event',
      scenario: { kind: 'malformed', text: TEN, garbageLines: true, brokenAfterChunks: 4 },
      name: 'RemoteBadResponse',
      message: /sent a broken event part way through the answer .*The answer stops there; what arrived is kept\. Try again\./,
      kept: 'one two three four',
      sees: 'remote side: "sent a broken event part way through the answer… Try again"',
      keptPhrase: 'local answer complete; the remote text before the broken event',
    },
  ];

  for (const fault of cases) {
    it(`${fault.fault}: ${fault.name}`, async () => {
      const { page } = stack.session;
      await fault.before?.(page);
      if (fault.scenario) mock.script(fault.scenario);
      const outcome = await comparedTurn(page, fault.prompt);
      await fault.after?.(page);
      expect(outcome.remoteStatus).toBe('error');
      expect(outcome.errorName).toBe(fault.name);
      expect(outcome.errorText).toMatch(fault.message);
      expect(outcome.remoteText).toBe(fault.kept);
      reportFault(fault.fault, fault.sees, fault.keptPhrase);
    });
  }

  it('remote malformed SSE: lines that are no SSE field are skipped and the answer completes', async () => {
    const { page } = stack.session;
    mock.script({ kind: 'malformed', text: TEN, garbageLines: true });
    const outcome = await comparedTurn(page, 'Fault garbage lines');
    expect(outcome).toMatchObject({ remoteStatus: 'done', errorName: null, remoteText: TEN });
    reportFault('remote malformed SSE: garbage lines', 'nothing: lines that are no SSE field are skipped (SSE spec)', 'the whole remote answer; local answer complete');
  });

  it('a very long answer streamed fast: the whole text is kept, the view and the store have all of it', async () => {
    const { page } = stack.session;
    const words = Array.from({ length: LONG_WORDS }, (_, index) => `w${index}${(index + 1) % 50 === 0 ? '\n\n' : ' '}`);
    const text = words.join('').trimEnd();
    mock.script({ kind: 'ok', text });
    await page.evaluate(() => {
      const long: number[] = [];
      Object.assign(window, { __longTasks: long });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) long.push(entry.duration);
      }).observe({ type: 'longtask' });
    });
    const started = Date.now();
    const outcome = await comparedTurn(page, 'Fault very long answer', 300_000);
    const streamMs = Date.now() - started;
    expect(outcome.remoteStatus).toBe('done');
    expect(outcome.errorName).toBeNull();
    // The rendered text has every word in order (Markdown turns the blank lines into paragraphs).
    const shownWords = outcome.remoteText.split(/\s+/);
    expect(shownWords.length).toBe(LONG_WORDS);
    expect(shownWords.join(' ')).toBe(text.split(/\s+/).join(' '));
    expect(await page.locator('[data-testid="compare"]').last().getByTestId('remote-metrics').getAttribute('data-output-tokens')).toBe(String(LONG_WORDS));
    // The saved conversation holds the exact text, byte for byte.
    // JSON of the exact text: found only where a record holds it as one whole string.
    const stored = JSON.stringify(text);
    await expect
      .poll(async () => (await storedRecords(page)).some((record) => record.json.includes(stored)), { timeout: 30_000 })
      .toBe(true);
    const longTasks = await page.evaluate(() => {
      const value: unknown = Reflect.get(window, '__longTasks');
      return Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : [];
    });
    console.info(
      '[fault-remote figures] long answer',
      JSON.stringify({
        words: LONG_WORDS,
        characters: text.length,
        turnMs: streamMs,
        longTasksOver50ms: longTasks.length,
        longTaskTotalMs: Math.round(longTasks.reduce((sum, ms) => sum + ms, 0)),
        longestTaskMs: Math.round(Math.max(0, ...longTasks)),
      }),
    );
    reportFault('remote very long answer (20,000 tokens, streamed fast)', 'the answer streams in; main-thread tasks over 50 ms printed as figures', 'the whole text, on screen and in the saved conversation');
  });
});
