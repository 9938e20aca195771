// Drives the app's Benchmark page as a user would: pick the model, tick the builds and devices, set runs and
// tokens, run it (with a cold load: confirmed), wait for the outcome, and read the results back from its own JSON
// export, which is what the bench prints.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';

export interface PageRunOptions {
  modelLabel: string;
  /** [record id, device] pairs to tick. */
  targets: readonly (readonly [string, 'webgpu' | 'wasm'])[];
  runs: number;
  maxNewTokens: number;
  coldLoad: boolean;
  longPrompt: boolean;
  timeoutMs: number;
}

async function setNumber(page: Page, label: string, value: number): Promise<void> {
  const input = page.getByLabel(label);
  await input.fill(String(value));
  await input.press('Tab');
}

export async function runBenchmarkPage(page: Page, options: PageRunOptions): Promise<{ exported: unknown; failures: string }> {
  await page.evaluate(() => {
    if (location.hash !== '#/benchmark') location.hash = '#/benchmark';
  });
  await page.locator('#benchmark-heading').waitFor();
  await page.getByLabel('Model to measure').selectOption(options.modelLabel);
  const rows = page.getByTestId('bench-target');
  for (let index = 0; index < (await rows.count()); index += 1) {
    const row = rows.nth(index);
    const id = await row.getAttribute('data-build-id');
    const device = await row.getAttribute('data-device');
    const wanted = options.targets.some(([target, on]) => target === id && on === device);
    const box = row.getByRole('checkbox');
    if (await box.isEnabled()) await box.setChecked(wanted);
  }
  await setNumber(page, 'Runs per prompt', options.runs);
  await setNumber(page, 'New tokens per answer', options.maxNewTokens);
  await page.getByLabel(/Cold load/).setChecked(options.coldLoad);
  await page.getByLabel('Long prompt (~1,000 tokens)').setChecked(options.longPrompt);
  await page.getByTestId('bench-start').click();
  if (options.coldLoad) await page.getByTestId('bench-confirm-run').click();
  await page.getByTestId('bench-outcome').waitFor({ timeout: options.timeoutMs });
  const failures = (await page.getByTestId('bench-failures').count()) > 0 ? await page.getByTestId('bench-failures').innerText() : '';
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('bench-export-json').click()]);
  const exported: unknown = JSON.parse(await readFile(await download.path(), 'utf8'));
  return { exported, failures };
}
