// Chromium without WebGPU (launched without --enable-unsafe-webgpu): the app says so plainly instead of crashing,
// and keeps the rest of the page usable.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PreviewServer } from 'vite';
import { APP_URL, newProfileDir, openBrowser, removeProfileDir, startApp, stopApp, type BrowserSession } from './harness';

let app: PreviewServer;
let profile: string;
let session: BrowserSession;

beforeAll(async () => {
  app = await startApp();
  profile = await newProfileDir();
  session = await openBrowser(profile, { webgpu: false });
});

afterAll(async () => {
  await session?.close();
  if (app) await stopApp(app);
  if (profile) await removeProfileDir(profile);
});

it('shows a clear "no WebGPU" state and no uncaught error', async () => {
  const { page, pageErrors } = session;
  await page.goto(APP_URL);
  const banner = page.getByTestId('no-webgpu');
  await banner.waitFor({ timeout: 30_000 });
  expect(await banner.innerText()).toContain('This browser has no WebGPU');
  expect(await page.getByRole('button', { name: 'Load model' }).isDisabled()).toBe(true);
  expect(await page.getByLabel('Message', { exact: true }).isDisabled()).toBe(true);
  // The rest of the app still works: the model list and the conversations panel are there.
  expect(await page.getByLabel('Pick a model').locator('option').count()).toBeGreaterThan(1);
  await expect.poll(() => page.getByRole('heading', { name: 'Conversations' }).isVisible()).toBe(true);
  expect(pageErrors).toEqual([]);
});
