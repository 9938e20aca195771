// The whole scorecard in real Chromium on the built app: the tiny local model plus two OpenAI-compatible mocks at
// once, one speaking the Responses API with a key and a price (GPT-5.2), one Chat Completions with vLLM's usage,
// no key and no price (the big Qwen3.5 on a local server). GPT-5.2 answers every task with its reference except the
// arithmetic ones; the vLLM side fails with 500 (three in a row end that side) while the others go on. Then the
// table, the per-task reasons, the code sandbox's verdicts, export → import, Stop, and axe at 360 and 1280 px.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_SET } from '../../src/lib/scorecard/tasks';
import { startMockOpenAI, type MockOpenAI, type Scenario } from '../fixtures/mock-openai';
import { TINY_REPO } from '../fixtures/paths';
import { seriousFindings } from './axe-check';
import { APP_URL, openCompareSettings, useStack, useTinyModel, waitForModelReady } from './harness';

const stack = useStack({ webgpu: true, mirror: true });
const API_KEY = 'sk-test-scorecard-77';
const GPT_PORT = Number(process.env.TEST_OPENAI_PORT ?? 8091);
const VLLM_PORT = GPT_PORT + 2;

const referenceByPrompt = new Map(TASK_SET.tasks.map((task) => [task.prompt, task]));
let gpt: MockOpenAI;
let vllm: MockOpenAI;
let vllmDown = true;

beforeAll(async () => {
  gpt = await startMockOpenAI({
    port: GPT_PORT,
    expectedKey: API_KEY,
    respond: ({ prompt }): Scenario | undefined => {
      const task = referenceByPrompt.get(prompt);
      if (!task) return undefined;
      return { kind: 'ok', text: task.group === 'arithmetic' ? 'The answer is 0.' : task.reference, chunks: 3 };
    },
  });
  vllm = await startMockOpenAI({
    port: VLLM_PORT,
    usageStyle: 'vllm',
    respond: () => (vllmDown ? { kind: 'status', status: 500 } : { kind: 'ok', text: 'The answer is 1.', chunks: 2, delayMs: 400 }),
  });
});

afterAll(async () => {
  await Promise.all([gpt?.close(), vllm?.close()]);
});

async function setUpSides(): Promise<void> {
  const { page } = stack.session;
  await openCompareSettings(page);
  const first = page.locator('[data-testid="remote-side"][data-side-id="openai"]');
  await first.getByLabel('Endpoint base URL').fill(gpt.url);
  await first.getByRole('button', { name: 'Save' }).click();
  await first.getByLabel(/API key/).fill(API_KEY);
  await first.getByRole('button', { name: 'Set', exact: true }).click();
  await page.getByLabel('Add a remote side').selectOption('vllm');
  await page.getByRole('button', { name: 'Add side' }).click();
  const second = page.locator('[data-testid="remote-side"][data-side-id="vllm"]');
  await second.getByLabel('Endpoint base URL').fill(vllm.url);
  await second.getByRole('button', { name: 'Save' }).click();
  expect(await second.getByTestId('key-notice').innerText()).toMatch(/No key is sent/);
  // The endpoints were set after the page opened: its CSP takes them on a reload, and the key is in memory only.
  await page.reload();
  await openCompareSettings(page);
  await page.locator('[data-testid="remote-side"][data-side-id="openai"]').getByLabel(/API key/).fill(API_KEY);
  await page.locator('[data-testid="remote-side"][data-side-id="openai"]').getByRole('button', { name: 'Set', exact: true }).click();
}

async function runScorecard(sideIds: string[]): Promise<void> {
  const { page } = stack.session;
  await page.evaluate(() => (location.hash = '#/scorecard'));
  await page.locator('#scorecard-heading').waitFor();
  for (const id of sideIds) await page.locator(`input[type="checkbox"][value="${id}"]`).check();
  await page.getByRole('button', { name: 'Run the scorecard' }).click();
}

describe('the scorecard', () => {
  it('runs every task on the local model and two remote sides at once, and grades each answer', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await useTinyModel(page, stack.mirror.url, TINY_REPO, 8);
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
    await setUpSides();
    await runScorecard(['local', 'openai', 'vllm']);
    await page.getByTestId('scorecard-progress').waitFor();
    await page.locator('[data-testid="scorecard-run"][data-status="done"]').waitFor({ timeout: 600_000 });

    const row = (id: string) => page.locator(`[data-testid="scorecard-row"][data-side-id="${id}"]`);
    const arithmetic = TASK_SET.tasks.filter((task) => task.group === 'arithmetic').length;
    const others = TASK_SET.tasks.length - arithmetic;
    // GPT-5.2: every reference passes its grader (code through the real sandbox), every arithmetic "0" fails.
    expect(await row('openai').getByTestId('score-overall').innerText()).toBe(`${Math.round((others / TASK_SET.tasks.length) * 100)}% (${others}/${TASK_SET.tasks.length})`);
    expect(await row('openai').getByTestId('score-cost').innerText()).toMatch(/^(\$0\.\d{4}|< \$0\.0001)$/);
    expect(await row('openai').getByTestId('score-sent').innerText()).toMatch(/\d+(\.\d+)? (B|KB|kB|KiB)/);
    expect(await row('local').getByTestId('score-sent').innerText()).toBe('0 B');
    expect(await row('local').getByTestId('score-cost').innerText()).toMatch(/\$0\.00/);
    // vLLM: no key, no price: cost unknown, never $0; three 500s in a row, then the rest not run.
    expect(await row('vllm').getByTestId('score-cost').innerText()).toBe('unknown');
    expect(vllm.requests).toHaveLength(3);
    expect(vllm.requests.every((request) => request.authorization === undefined)).toBe(true);
    expect(gpt.requests.every((request) => request.authorization === `Bearer ${API_KEY}`)).toBe(true);
    // The local model here reads no pictures: none was sent to it, and GPT-5.2 got them as images.
    const pictures = TASK_SET.tasks.filter((task) => task.group === 'pictures').length;
    const withImage = gpt.requests.filter((request) => JSON.stringify(request.body).includes('data:image/png;base64,'));
    expect(withImage).toHaveLength(pictures);

    await page.locator('summary', { hasText: 'Every task' }).first().click();
    const codeTask = page.locator('[data-testid="scorecard-task"]', { hasText: 'code-fizzbuzz · OpenAI GPT-5.2' });
    expect(await codeTask.getAttribute('data-status')).toBe('pass');
    const failed = page.locator('[data-testid="scorecard-task"]', { hasText: 'arithmetic-' }).filter({ hasText: 'OpenAI GPT-5.2' }).first();
    await failed.locator('summary').click();
    expect(await failed.innerText()).toMatch(/expected .*found 0|0/i);
    const notRun = page.locator('[data-testid="scorecard-task"][data-status="not-run"]', { hasText: 'Qwen3.5-397B-A17B' }).first();
    await notRun.locator('summary').click();
    expect(await notRun.innerText()).toMatch(/3 times in a row/);

    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      expect(await seriousFindings(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    }
  });

  it('exports a run as JSON and CSV and imports it back beside the runs here', async () => {
    const { page } = stack.session;
    const card = page.getByTestId('scorecard-run').first();
    const [csv] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Export CSV' }).click()]);
    const csvText = await readFile((await csv.path()) ?? '', 'utf8');
    expect(csvText.split('\r\n')[0]).toMatch(/^side,model,task,group,status/);
    expect(csvText).toContain('code-fizzbuzz');
    const [json] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Export JSON' }).click()]);
    const file = (await json.path()) ?? '';
    await page.getByTestId('import-scorecard').setInputFiles({ name: 'classmate.json', mimeType: 'application/json', buffer: await readFile(file) });
    await expect.poll(() => page.getByTestId('scorecard-message').innerText()).toMatch(/Imported the scorecard from classmate\.json/);
    expect(await page.getByTestId('scorecard-run').count()).toBe(2);
    expect(await page.getByTestId('scorecard-run').last().innerText()).toContain('Imported from classmate.json');
    await page.getByTestId('import-scorecard').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"nope"}') });
    await expect.poll(() => page.getByTestId('scorecard-message').innerText()).not.toMatch(/Imported/);
    expect(await page.getByTestId('scorecard-run').count()).toBe(2);
  });

  it('stops a run: the tasks not reached are not run and the run says stopped', async () => {
    const { page } = stack.session;
    vllmDown = false;
    await runScorecard(['vllm']);
    await expect.poll(() => vllm.requests.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-testid="scorecard-run"][data-status="stopped"]').waitFor({ timeout: 30_000 });
    const first = page.getByTestId('scorecard-run').first();
    await first.locator('summary', { hasText: 'Every task' }).click();
    expect(await first.locator('[data-testid="scorecard-task"][data-status="not-run"]').count()).toBeGreaterThan(30);
  });
});
