// The sideload hang, reproduced: comlink sends progress on the callback's own MessagePort and the answer on the
// worker's, and Chromium keeps no order between the two. When the page is slow (CI's two busy cores; here the CPU
// throttled through CDP) the answer could overtake the last "Storing … 458 KB of 458 KB" message, which then
// overwrote the finished import: the panel stayed "running" with its pickers disabled, with neither a result nor an
// error. Many imports in a row after a rejection, throttled, must each end with a result.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_MODEL_DIR, TINY_REPO } from '../fixtures/paths';
import { addCustomRepo, APP_URL, openStoragePanel, setModelSource, useStack } from './harness';
import { copyTinyModel, TINY_FILES } from './model-files';

const stack = useStack({ webgpu: true, serviceWorkers: 'block', mirror: true });

const ROUNDS = 8;
/** Chromium's own CPU throttling of the page: 6× slower, as a busy CI machine or a cheap laptop. */
const THROTTLE = 6;

let work: string;


/** The import's outcome ('done' or 'failed'), or what the panel showed when none came. */
async function outcome(): Promise<string> {
  const { page } = stack.session;
  const result = page.locator('[data-testid="sideload-done"], [data-testid="sideload-error"]');
  try {
    await result.first().waitFor({ timeout: 30_000 });
  } catch {
    const panel = await page.getByTestId('sideload').innerText().catch(() => '(no import panel)');
    return `stuck: ${panel.split('\n').filter((line) => line.includes('Storing') || line.includes('Checking')).join(' | ')}`;
  }
  return (await page.getByTestId('sideload-done').count()) > 0 ? 'done' : 'failed';
}

beforeAll(async () => {
  stack.mirror.setBlocked(true);
  work = await mkdtemp(path.join(tmpdir(), 'qwen-chat-sideload-repeat-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('sideload under a slow page', () => {
  it(`${ROUNDS} rejected-then-good imports in a row, CPU throttled ${THROTTLE}×: every one ends with its result`, async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await setModelSource(page, stack.mirror.url);
    await addCustomRepo(page, TINY_REPO);
    await openStoragePanel(page);
    const good = await copyTinyModel(work, 'good');
    const wrong = await copyTinyModel(work, 'wrong');
    await copyFile(path.join(TINY_MODEL_DIR, 'generation_config.json'), path.join(wrong, 'config.json'));

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    const outcomes: string[] = [];
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        await page.getByTestId('sideload-folder').setInputFiles(wrong);
        outcomes.push(await outcome());
        if (outcomes.at(-1)?.startsWith('stuck')) break;
        await page.getByTestId('sideload-folder').setInputFiles(good);
        outcomes.push(await outcome());
        if (outcomes.at(-1)?.startsWith('stuck')) break;
      }
    } finally {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    }
    const expected = Array.from({ length: ROUNDS }, () => ['failed', 'done']).flat();
    expect(outcomes).toEqual(expected);
    expect(await page.getByTestId('sideload-done').getAttribute('data-files')).toBe(String(TINY_FILES.length));
  });
});
