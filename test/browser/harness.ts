// Shared set-up for the browser tests: the built app on a fixed localhost port (IndexedDB is per origin, port
// included, so "come back later" tests need the same port), the tiny model on a localhost mirror, and Debian's
// Chromium driven by playwright-core with a persistent profile.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { startModelMirror, type ModelMirror } from '../fixtures/model-mirror';
import { GENERATED_MODELS_DIR } from '../fixtures/paths';

// Overridable so two checkouts can run their browser tests side by side on one machine.
export const APP_PORT = Number(process.env.TEST_APP_PORT ?? 4173);
export const MIRROR_PORT = Number(process.env.TEST_MIRROR_PORT ?? 8090);
export const APP_URL = `http://127.0.0.1:${APP_PORT}/`;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DIST = path.resolve(process.env.TEST_DIST ?? 'dist');

export async function startApp(): Promise<PreviewServer> {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    throw new Error('dist/ is missing: run `npm run build` first (`npm test` does it for you).');
  }
  return preview({
    logLevel: 'error',
    build: { outDir: DIST },
    preview: { port: APP_PORT, strictPort: true, host: '127.0.0.1' },
  });
}

export async function stopApp(server: PreviewServer): Promise<void> {
  await server.close();
}

export function startMirror(): Promise<ModelMirror> {
  return startModelMirror({ root: GENERATED_MODELS_DIR, port: MIRROR_PORT });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, for tests to assert on. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** A persistent profile, so IndexedDB survives `close()` + `openBrowser(sameDir)`. */
export async function newProfileDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'qwen-chat-profile-'));
}

export async function removeProfileDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface BrowserOptions {
  webgpu: boolean;
  /** 'block' keeps the app's service worker (and its caches) out, for tests that are not about it. */
  serviceWorkers?: 'allow' | 'block';
}

export async function openBrowser(profileDir: string, options: BrowserOptions): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`sudo apt-get install -y chromium\`.`);
  }
  const args = [
    '--no-sandbox',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
  ];
  if (options.webgpu) args.push('--enable-unsafe-webgpu');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args,
    viewport: { width: 1280, height: 900 },
    serviceWorkers: options.serviceWorkers ?? 'allow',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // A failed resource load says only its status; the URL is in the location, and tests need to see which.
    const url = message.location().url;
    pageErrors.push(message.text().startsWith('Failed to load resource') && url ? `${message.text()} ${url}` : message.text());
  });
  return { context, page, pageErrors, close: () => context.close() };
}

export interface StackOptions extends BrowserOptions {
  /** Serve the generated models on the localhost mirror too. */
  mirror?: boolean;
}

/**
 * What most browser test files run against: the built app, the model mirror if asked for, a fresh persistent profile
 * and Chromium on it. Started before the file's tests and torn down after them (a file's own hooks, registered
 * after this call, run inside that span). A test that restarts the browser assigns `session`; one that takes the
 * app server away calls `stopApp()`.
 */
export interface Stack {
  readonly mirror: ModelMirror;
  readonly profile: string;
  session: BrowserSession;
  stopApp(): Promise<void>;
}

export function useStack(options: StackOptions): Stack {
  let app: PreviewServer | undefined;
  let mirror: ModelMirror | undefined;
  let profile: string | undefined;
  let session: BrowserSession | undefined;
  beforeAll(async () => {
    app = await startApp();
    if (options.mirror) mirror = await startMirror();
    profile = await newProfileDir();
    session = await openBrowser(profile, options);
  });
  afterAll(async () => {
    await session?.close();
    await mirror?.close();
    if (app) await stopApp(app);
    if (profile) await removeProfileDir(profile);
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not running: use the stack inside tests and hooks`);
    return value;
  };
  return {
    get mirror() {
      return started(mirror, options.mirror ? 'the model mirror' : 'the model mirror (pass { mirror: true })');
    },
    get profile() {
      return started(profile, 'the browser profile');
    },
    get session() {
      return started(session, 'the browser');
    },
    set session(next: BrowserSession) {
      session = next;
    },
    async stopApp() {
      const running = app;
      app = undefined;
      if (running) await stopApp(running);
    },
  };
}

/** The shell's views (hash links); switching keeps the page, so app state survives. */
export async function goToView(page: Page, view: 'chat' | 'compare' | 'storage'): Promise<void> {
  const hash = view === 'chat' ? '#/' : `#/${view}`;
  await page.evaluate((next) => {
    if (location.hash !== next) location.hash = next;
  }, hash);
  await page.locator(`nav[aria-label="Views"] a[href="${hash}"][aria-current="page"]`).waitFor();
}

/** Opens the model and settings (beside the chat on a wide screen, a sheet on a phone), if it is not open yet. */
export async function openSettings(page: Page): Promise<void> {
  const button = page.getByTestId('open-settings');
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  await page.getByTestId('settings-panel').waitFor();
}

/** Opens the comparison settings on their own view (unfolded there). */
export async function openCompareSettings(page: Page): Promise<void> {
  await goToView(page, 'compare');
  const details = page.locator('details', { has: page.locator('summary', { hasText: 'Remote models' }) });
  if (!(await details.evaluate((element) => element.hasAttribute('open')))) await page.locator('summary', { hasText: 'Remote models' }).click();
}

/** Points the app at the mirror, adds the tiny model, selects it, and sets short greedy answers. */
export async function useTinyModel(page: Page, mirrorUrl: string, repo: string, maxNewTokens: number): Promise<void> {
  await openSettings(page);
  await page.locator('summary', { hasText: 'Model source' }).click();
  await page.getByLabel('Model files from').fill(mirrorUrl);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByLabel('Add an ONNX Qwen3 repo by id').fill(repo);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await setAnswerSettings(page, { maxNewTokens, temperature: 0 });
}

export async function setAnswerSettings(page: Page, values: { maxNewTokens?: number; temperature?: number }): Promise<void> {
  await openSettings(page);
  const details = page.locator('details', { hasText: 'Answer settings' });
  if (!(await details.evaluate((element) => element.hasAttribute('open')))) await page.locator('summary', { hasText: 'Answer settings' }).click();
  if (values.maxNewTokens !== undefined) {
    await page.getByLabel('Max new tokens').fill(String(values.maxNewTokens));
    await page.getByLabel('Max new tokens').press('Tab');
  }
  if (values.temperature !== undefined) {
    await page.getByLabel('Temperature').fill(String(values.temperature));
    await page.getByLabel('Temperature').press('Tab');
  }
}

export const LOAD_TIMEOUT_MS = 180_000;
export const ANSWER_TIMEOUT_MS = 180_000;

export async function waitForModelReady(page: Page): Promise<void> {
  await page.getByTestId('model-ready').waitFor({ timeout: LOAD_TIMEOUT_MS });
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  if ((await page.locator('#composer-input').count()) === 0) await goToView(page, 'chat');
  const box = page.getByLabel('Message', { exact: true });
  await box.fill(text);
  await box.press('Enter');
}

/**
 * The last assistant message, once it is no longer streaming. It waits on a MutationObserver rather than polling
 * every animation frame (waitForFunction's default): rAF polling keeps the page drawing frames and running the check
 * each one, work that competes with a software GPU for the same cores and would slow the answer being measured.
 */
export async function waitForAnswer(page: Page): Promise<{ status: string; content: string }> {
  const last = page.locator('[data-testid="message"][data-role="assistant"]').last();
  // A string, not a function: tsx (npm run bench) would wrap named inner functions in a helper the page lacks.
  await page.evaluate(`new Promise((resolve, reject) => {
    const ended = () => {
      const answers = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
      const answer = answers[answers.length - 1];
      return answer !== undefined && answer.getAttribute('data-status') !== 'streaming';
    };
    if (ended()) return resolve();
    const observer = new MutationObserver(() => {
      if (!ended()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error('no answer ended within ${ANSWER_TIMEOUT_MS} ms'));
    }, ${ANSWER_TIMEOUT_MS});
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
  })`);
  return {
    status: (await last.getAttribute('data-status')) ?? '',
    content: await last.getByTestId('message-content').innerText(),
  };
}

/** Opens a folded `<details>` by its summary text, if it is not open yet. */
async function openDetails(page: Page, summary: string): Promise<void> {
  const details = page.locator('details', { has: page.locator('summary', { hasText: summary }) });
  if (!(await details.evaluate((element) => element.hasAttribute('open')))) await page.getByText(summary).click();
}

/** Points the app's model source at `url` (a localhost mirror in tests). */
export async function setModelSource(page: Page, url: string): Promise<void> {
  await openSettings(page);
  await openDetails(page, 'Model source');
  await page.getByLabel('Model files from').fill(url);
  await page.getByRole('button', { name: 'Save' }).click();
}

/** Adds a user-named ONNX repo (which also selects it). */
export async function addCustomRepo(page: Page, repo: string): Promise<void> {
  await openSettings(page);
  await openDetails(page, 'Model source');
  await page.getByLabel('Add an ONNX Qwen3 repo by id').fill(repo);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
}

/** Opens the storage view and its panel (a `<details>`), where import and export live. */
export async function openStoragePanel(page: Page): Promise<void> {
  await goToView(page, 'storage');
  const details = page.getByTestId('storage-panel');
  if (!(await details.evaluate((element) => element.hasAttribute('open')))) await page.locator('#storage-heading').click();
}
