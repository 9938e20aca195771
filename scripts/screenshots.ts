// Takes the README's screenshots: the built app in headless Chromium (WebGPU on SwiftShader) with the tiny
// generated model from the localhost mirror, one answer streamed, at phone and desktop widths.
// Usage: npm run build && npx tsx scripts/screenshots.ts
import { mkdir } from 'node:fs/promises';
import { ensureTinyModel, TINY_REPO } from '../test/fixtures/paths';
import {
  APP_URL,
  newProfileDir,
  openBrowser,
  removeProfileDir,
  sendMessage,
  startApp,
  startMirror,
  stopApp,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from '../test/browser/harness';

await ensureTinyModel();
await mkdir('docs', { recursive: true });
const app = await startApp();
const mirror = await startMirror();
const profile = await newProfileDir();
const session = await openBrowser(profile, { webgpu: true });
try {
  const { page } = session;
  await page.goto(APP_URL);
  await page.screenshot({ path: 'docs/screenshot-empty.png' });
  await useTinyModel(page, mirror.url, TINY_REPO, 24);
  await page.getByRole('button', { name: 'Load model' }).click();
  await waitForModelReady(page);
  await page.getByText('Model source').click();
  await page.getByText('Answer settings').click();
  await sendMessage(page, 'Hello! What can you do?');
  await waitForAnswer(page);
  await page.screenshot({ path: 'docs/screenshot-desktop.png' });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: 'docs/screenshot-phone.png', fullPage: true });
  console.log('wrote docs/screenshot-empty.png, docs/screenshot-desktop.png, docs/screenshot-phone.png');
} finally {
  await session.close();
  await mirror.close();
  await stopApp(app);
  await removeProfileDir(profile);
}
