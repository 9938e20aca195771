// Steps several browser tests take through the app's views, beyond the harness's set-up: a new chat, loading the
// selected build, the thinking switch, the stored models, and the last answer's metrics as the view shows them.
import type { Page } from 'playwright-core';
import { goToView, openSettings, openStoragePanel, setAnswerSettings } from './harness';

export async function newChat(page: Page): Promise<void> {
  await goToView(page, 'chat');
  await page.getByRole('button', { name: 'New chat' }).first().click();
}

/** Loads the build selected in the picker. */
export async function loadSelected(page: Page): Promise<void> {
  await openSettings(page);
  await page.getByTestId('load-button').click();
}

export async function setThinking(page: Page, on: boolean): Promise<void> {
  const toggle = page.getByRole('switch', { name: 'Thinking' });
  if ((await toggle.isChecked()) !== on) await toggle.click();
  // The switch also sets Qwen's sampling for its mode: back to greedy, so answers repeat.
  await setAnswerSettings(page, { temperature: 0 });
}

/** The repos the storage panel lists. */
export async function storedRepos(page: Page): Promise<string[]> {
  await openStoragePanel(page);
  return page.getByTestId('cached-model').evaluateAll((items) => items.map((item) => item.getAttribute('data-repo') ?? ''));
}

export interface ShownMetrics {
  outputTokens: number;
  promptTokens: number;
  /** Prompt tokens read from the previous turn's state (0 when the view shows none). */
  promptCached: number;
  ttftMs: number;
  device: string;
}

/** The last local answer's metrics, read from the attributes the metrics line carries. */
export async function lastMetrics(page: Page): Promise<ShownMetrics> {
  const metrics = page.getByTestId('metrics').last();
  return {
    outputTokens: Number(await metrics.getAttribute('data-output-tokens')),
    promptTokens: Number(await metrics.getAttribute('data-prompt-tokens')),
    promptCached: Number((await metrics.getAttribute('data-prompt-cached')) ?? 0),
    ttftMs: Number(await metrics.getAttribute('data-ttft-ms')),
    device: (await metrics.getAttribute('data-device')) ?? '',
  };
}
