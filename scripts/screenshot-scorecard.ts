// Screenshots of the Scorecard view after a real run: the tiny random-weight test model on this machine (it fails
// nearly every task, as a model of random weights should) beside a localhost mock of an OpenAI-compatible endpoint
// that answers each task with its reference answer except the arithmetic ones, named "Mock endpoint (test fixture)"
// in the picture so it is never mistaken for GPT-5.2's figures. Run: `npm run build && npx tsx scripts/screenshot-scorecard.ts`.
import { TASK_SET } from '../src/lib/scorecard/tasks';
import { startMockOpenAI } from '../test/fixtures/mock-openai';
import { ensureTinyModels, TINY_REPO } from '../test/fixtures/paths';
import {
  APP_URL,
  addCustomRepo,
  newProfileDir,
  openBrowser,
  openCompareSettings,
  openSettings,
  removeProfileDir,
  setAnswerSettings,
  setModelSource,
  startApp,
  startMirror,
  stopApp,
  waitForModelReady,
} from '../test/browser/harness';

const byPrompt = new Map(TASK_SET.tasks.map((task) => [task.prompt, task]));

await ensureTinyModels();
const app = await startApp();
const mirror = await startMirror();
const mock = await startMockOpenAI({
  port: 8095,
  usageStyle: 'vllm',
  respond: ({ prompt }) => {
    const task = byPrompt.get(prompt);
    return task ? { kind: 'ok', text: task.group === 'arithmetic' ? 'The answer is 0.' : task.reference, chunks: 4, delayMs: 20 } : undefined;
  },
});
const profile = await newProfileDir();
const session = await openBrowser(profile, { webgpu: true });
try {
  const { page } = session;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(APP_URL);
  await setModelSource(page, mirror.url);
  await addCustomRepo(page, TINY_REPO);
  await setAnswerSettings(page, { maxNewTokens: 16, temperature: 0 });
  await openCompareSettings(page);
  await page.getByLabel('Add a remote side').selectOption('blank');
  await page.getByRole('button', { name: 'Add side' }).click();
  const side = page.locator('[data-testid="remote-side"][data-side-id="blank"]');
  await side.getByLabel('Name').fill('Mock endpoint (test fixture)');
  await side.getByLabel('Name').press('Tab');
  await side.getByLabel('The endpoint requires a key').uncheck();
  await side.getByLabel('Model id').fill('mock-model');
  await side.getByLabel('Model id').press('Tab');
  await side.getByLabel('Reads pictures (gets picture tasks and images)').check();
  await side.getByLabel('Endpoint base URL').fill(mock.url);
  await side.getByRole('button', { name: 'Save' }).click();
  await page.reload();
  await openSettings(page);
  await page.getByRole('button', { name: 'Load model' }).click();
  await waitForModelReady(page);
  await page.evaluate(() => (location.hash = '#/scorecard'));
  await page.locator('input[type="checkbox"][value="local"]').check();
  await page.locator('input[type="checkbox"][value="blank"]').check();
  await page.getByRole('button', { name: 'Run the scorecard' }).click();
  await page.locator('[data-testid="scorecard-run"][data-status="done"]').waitFor({ timeout: 900_000 });
  await page.getByTestId('open-settings').click();
  await page.locator('#scorecard-heading').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/screenshot-scorecard.png', fullPage: false });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByTestId('scorecard-table').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'docs/screenshot-scorecard-phone-dark.png', fullPage: false });
  console.log('wrote docs/screenshot-scorecard.png and docs/screenshot-scorecard-phone-dark.png');
} finally {
  await session.close();
  await mock.close();
  await mirror.close();
  await stopApp(app);
  await removeProfileDir(profile);
}
