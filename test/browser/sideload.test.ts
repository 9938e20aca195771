// Sideload in real Chromium with the model mirror unreachable: the tiny model's files, copied to a temporary folder,
// are imported through the real folder input; a truncated file and a wrong file are each rejected with a message
// naming the file and leave nothing stored; the imported model loads and answers. Then export -> delete -> import
// the exported .zip -> the same greedy answer. The service worker is blocked here: these tests are not about it.
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_MODEL_DIR, TINY_REPO } from '../fixtures/paths';
import {
  addCustomRepo,
  APP_URL,
  openStoragePanel,
  sendMessage,
  setAnswerSettings,
  setModelSource,
  useStack,
  waitForAnswer,
  waitForModelReady,
} from './harness';
import { storedRepos } from './chat-steps';
import { copyTinyModel, TINY_FILES } from './model-files';

const stack = useStack({ webgpu: true, serviceWorkers: 'block', mirror: true });

const PROMPT = 'Hello from the USB stick';

let work: string;
let mirrorRequests = 0;
let firstAnswer = '';
const figures: Record<string, number> = {};


/** Every console line of the page and its worker, so a stuck import says what the app was doing. */
const consoleLines: string[] = [];

/** Waits for the import's result (done or an error); on a time-out, fails with what the import panel showed. */
async function importOutcome(): Promise<void> {
  const { page } = stack.session;
  const outcome = page.locator('[data-testid="sideload-done"], [data-testid="sideload-error"]');
  try {
    await outcome.first().waitFor({ timeout: 60_000 });
  } catch (error) {
    const panel = await page.getByTestId('sideload').innerText().catch(() => '(no import panel)');
    throw new Error(`no import result in 60 s. Panel: ${panel}\nConsole: ${consoleLines.slice(-20).join('\n')}`, { cause: error });
  }
}

/** Waits for the import to finish and fails with the app's own message when it was rejected. */
async function importFinished(): Promise<void> {
  const { page } = stack.session;
  await importOutcome();
  const error = page.getByTestId('sideload-error');
  if ((await error.count()) > 0) throw new Error(`import rejected: ${await error.innerText()}`);
}

beforeAll(async () => {
  stack.mirror.setBlocked(true);
  stack.session.page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  work = await mkdtemp(path.join(tmpdir(), 'qwen-chat-sideload-'));
  await stack.session.context.route(`${stack.mirror.url}**`, async (route) => {
    mirrorRequests += 1;
    await route.abort('internetdisconnected');
  });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  console.info('[sideload figures]', JSON.stringify(figures));
});

describe('sideload a model folder from disk, with no network', () => {
  it('rejects a truncated file and a wrong file by name and stores nothing', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await setModelSource(page, stack.mirror.url);
    await addCustomRepo(page, TINY_REPO);
    await openStoragePanel(page);

    const truncated = await copyTinyModel(work, 'truncated');
    const onnx = path.join(truncated, 'onnx', 'model.onnx');
    await truncate(onnx, Math.floor((await readFile(onnx)).length / 2));
    await page.getByTestId('sideload-folder').setInputFiles(truncated);
    await importOutcome();
    const error = page.getByTestId('sideload-error');
    expect(await error.getAttribute('data-error-name')).toBe('ImportRejected');
    expect(await error.innerText()).toContain('onnx/model.onnx');
    expect(await error.innerText()).toContain('cut short');
    expect(await storedRepos(stack.session.page)).toEqual([]);

    const wrong = await copyTinyModel(work, 'wrong');
    // A plausible mix-up: the generation config copied over the model config.
    await copyFile(path.join(TINY_MODEL_DIR, 'generation_config.json'), path.join(wrong, 'config.json'));
    await page.getByTestId('sideload-folder').setInputFiles(wrong);
    await expect.poll(() => error.innerText()).toContain('config.json: is not a Qwen3');
    expect(await storedRepos(stack.session.page)).toEqual([]);
    expect(mirrorRequests).toBe(0);
  });

  it('imports the folder with progress, then the model loads from this device and answers', async () => {
    const { page } = stack.session;
    const good = await copyTinyModel(work, 'good');
    const started = Date.now();
    await page.getByTestId('sideload-folder').setInputFiles(good);
    await importFinished();
    const done = page.getByTestId('sideload-done');
    figures.importMs = Date.now() - started;
    expect(await done.getAttribute('data-files')).toBe(String(TINY_FILES.length));
    expect(await storedRepos(stack.session.page)).toEqual([TINY_REPO]);
    expect(await page.getByTestId('cached-source').innerText()).toContain('files on this device');

    await setAnswerSettings(page, { maxNewTokens: 8, temperature: 0 });
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);
    expect(await page.getByTestId('model-ready').innerText()).toContain("loaded from this device's cache");
    await sendMessage(page, PROMPT);
    const answer = await waitForAnswer(page);
    expect(answer.status).toBe('done');
    expect(answer.content.length).toBeGreaterThan(0);
    firstAnswer = answer.content;
    expect(mirrorRequests).toBe(0);
  });

  it('export -> delete -> import the .zip -> the same greedy answer', async () => {
    const { page } = stack.session;
    await openStoragePanel(page);
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: /^Export .* as a \.zip$/ }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('tiny-qwen3.zip');
    const archive = path.join(work, 'tiny-qwen3.zip');
    await download.saveAs(archive);

    await page.getByRole('button', { name: /^Delete tiny-qwen3$/ }).click();
    await expect.poll(() => storedRepos(stack.session.page)).toEqual([]);

    await page.getByTestId('sideload-files').setInputFiles(archive);
    await importFinished();
    const done = page.getByTestId('sideload-done');
    expect(await done.getAttribute('data-hashed')).toBe(String(TINY_FILES.length));

    // A fresh page, so the model really loads from the re-imported files.
    await page.goto(APP_URL);
    await waitForModelReady(page);
    await page.getByRole('button', { name: 'New chat' }).click();
    await sendMessage(page, PROMPT);
    const again = await waitForAnswer(page);
    expect(again.status).toBe('done');
    expect(again.content).toBe(firstAnswer);
    expect(mirrorRequests).toBe(0);
  });

  it('a damaged archive entry is caught by its sha256 and nothing is stored', async () => {
    const { page } = stack.session;
    const { unzipSync, zipSync } = await import('fflate');
    const entries = unzipSync(new Uint8Array(await readFile(path.join(work, 'tiny-qwen3.zip'))));
    const tokenizer = entries['tiny-qwen3/tokenizer.json'];
    expect(tokenizer).toBeDefined();
    if (!tokenizer) return;
    // Same size, one byte changed inside a JSON string: only the hash can tell.
    const damaged = new Uint8Array(tokenizer);
    const at = new TextDecoder().decode(damaged).indexOf('"type"') + 2;
    damaged[at] = (damaged[at] ?? 0) ^ 0x01;
    entries['tiny-qwen3/tokenizer.json'] = damaged;
    const bad = path.join(work, 'damaged.zip');
    await writeFile(bad, zipSync(entries, { level: 0 }));

    await openStoragePanel(page);
    await page.getByRole('button', { name: /^Delete tiny-qwen3$/ }).click();
    await expect.poll(() => storedRepos(stack.session.page)).toEqual([]);
    await page.getByTestId('sideload-files').setInputFiles(bad);
    await importOutcome();
    const error = page.getByTestId('sideload-error');
    expect(await error.innerText()).toContain('tokenizer.json: does not match the sha256');
    expect(await storedRepos(stack.session.page)).toEqual([]);
  });
});
