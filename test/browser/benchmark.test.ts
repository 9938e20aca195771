// The Benchmark page end to end in real Chromium, against the built app, on the tiny models from the localhost
// mirror: transformers.js (ONNX) on WebGPU (SwiftShader) and on the CPU, and llama.cpp (GGUF) on the CPU, a cold
// load after its confirmation (the files come over the network again), progress, results in the table and the
// chart with the roofline from a typed-in bandwidth, the greedy agreement of WebGPU with the CPU, the chat's model
// offered again, the picker naming the fastest build, JSON and CSV export, an import from "another machine" side by
// side, a bad file refused, Stop, and axe with no sideways scroll at 1280 and 360 px. A build or device joins the
// run by one line in TARGETS.
import { readFile } from 'node:fs/promises';
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_GGUF_FILE, TINY_GGUF_REPO, TINY_REPO } from '../fixtures/paths';
import { addCustomRepo, APP_URL, openSettings, setModelSource, useStack, waitForModelReady } from './harness';

const stack = useStack({ webgpu: true, mirror: true, serviceWorkers: 'block' });

const TINY_ID = `custom:${TINY_REPO}`;
const TINY_GGUF_SPEC = `${TINY_GGUF_REPO}/${TINY_GGUF_FILE}`;
/** What the run measures: [what the user adds (a repo, or repo/file.gguf), device]. */
const TARGETS: readonly (readonly [string, 'webgpu' | 'wasm'])[] = [
  [TINY_REPO, 'webgpu'],
  [TINY_REPO, 'wasm'],
  [TINY_GGUF_SPEC, 'wasm'],
];
const TARGET_IDS = TARGETS.map(([spec, device]) => [`custom:${spec}`, device] as const);
/** The repo a target's files come from. */
const repoOf = (spec: string): string => spec.split('/').slice(0, 2).join('/');
const RUNS = 2;
const TOKENS = 8;
const RUN_TIMEOUT_MS = 280_000;

const figures: Record<string, unknown> = {};
afterAll(() => console.info('[benchmark figures]', JSON.stringify(figures)));

async function openBenchmark(page: Page): Promise<void> {
  await page.evaluate(() => {
    if (location.hash !== '#/benchmark') location.hash = '#/benchmark';
  });
  await page.locator('#benchmark-heading').waitFor();
}

async function setNumber(page: Page, label: string, value: number): Promise<void> {
  const input = page.getByLabel(label);
  await input.fill(String(value));
  await input.press('Tab');
}

async function tickTargets(page: Page, wanted: readonly (readonly [string, string])[]): Promise<void> {
  const rows = page.getByTestId('bench-target');
  for (let index = 0; index < (await rows.count()); index += 1) {
    const row = rows.nth(index);
    const key = [await row.getAttribute('data-build-id'), await row.getAttribute('data-device')];
    await row.getByRole('checkbox').setChecked(wanted.some(([id, device]) => id === key[0] && device === key[1]));
  }
}

async function waitForRun(page: Page): Promise<void> {
  await page.getByTestId('bench-outcome').waitFor({ timeout: RUN_TIMEOUT_MS });
}

async function downloadOf(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(button).click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(file, 'utf8') };
}

async function expectAccessible(page: Page): Promise<void> {
  // Evaluated, not added as a <script>: the app's CSP refuses inline scripts (and that is tested elsewhere).
  await page.evaluate(axe.source);
  const serious = await page.evaluate(async () => {
    const api: unknown = Reflect.get(window, 'axe');
    const run: unknown = typeof api === 'object' && api !== null ? Reflect.get(api, 'run') : undefined;
    if (typeof run !== 'function') throw new Error('axe did not load');
    const results: unknown = await run.call(api, document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] } });
    const violations: unknown = typeof results === 'object' && results !== null ? Reflect.get(results, 'violations') : [];
    return (Array.isArray(violations) ? violations : [])
      .map((violation: unknown) => (typeof violation === 'object' && violation !== null ? violation : {}))
      .filter((violation) => ['serious', 'critical'].includes(String(Reflect.get(violation, 'impact'))))
      .map((violation) => `${String(Reflect.get(violation, 'id'))}: ${JSON.stringify(Reflect.get(violation, 'nodes')).slice(0, 400)}`);
  });
  expect(serious).toEqual([]);
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(sideways).toBeLessThanOrEqual(0);
}

describe('the Benchmark page', () => {
  it('measures transformers.js on WebGPU and the CPU and llama.cpp on the CPU, with a cold load, and keeps the results', async () => {
    const { page } = stack.session;
    await page.goto(APP_URL);
    await setModelSource(page, stack.mirror.url);
    // Every build the run measures; the tiny ONNX model last, so that it is the chat's model.
    for (const spec of new Set([...TARGETS.map(([target]) => target).filter((target) => target !== TINY_REPO), TINY_REPO])) {
      await addCustomRepo(page, spec);
    }
    await page.getByRole('button', { name: 'Load model' }).click();
    await waitForModelReady(page);

    await openBenchmark(page);
    await page.getByTestId('bench-empty').waitFor();
    expect(await page.getByTestId('bench-unload-note').innerText()).toContain('unloads the chat');
    expect(await page.getByLabel('Model to measure').inputValue()).toBe('Added by you · Qwen3');
    await tickTargets(page, TARGET_IDS);
    await setNumber(page, 'Runs per prompt', RUNS);
    await setNumber(page, 'New tokens per answer', TOKENS);
    // SwiftShader is a software GPU: no table figure; a typed one gives the roofline.
    expect(await page.getByTestId('bench-bandwidth').getAttribute('data-match')).toBe('software');
    await setNumber(page, 'Memory bandwidth in GB/s (optional, wins over the table)', 20);
    expect(await page.getByTestId('bench-bandwidth-used').innerText()).toContain('20 GB/s (typed in)');
    await page.getByLabel(/Cold load/).check();
    // SwiftShader prefills the byte-level model's ~3,800-token long prompt slower than the watchdog allows; its
    // size and the prompt set are unit-tested, the other three prompts and the conversation run here.
    await page.getByLabel('Long prompt (~1,000 tokens)').uncheck();

    await page.getByTestId('bench-start').click();
    await page.getByTestId('bench-confirm').waitFor();
    for (const [spec] of TARGETS) expect(await page.getByTestId('bench-confirm').innerText()).toContain(repoOf(spec));
    stack.mirror.clearRequests();
    const started = Date.now();
    await page.getByTestId('bench-confirm-run').click();
    const progress = page.getByTestId('bench-progress');
    await progress.waitFor();
    expect(await progress.getAttribute('data-status')).toBe('running');
    expect(await page.getByTestId('benchmark-running').count()).toBe(1);
    await waitForRun(page);
    figures.runMs = Date.now() - started;
    if ((await page.getByTestId('bench-failures').count()) > 0) figures.failures = await page.getByTestId('bench-failures').innerText();

    expect(await page.getByTestId('bench-outcome').getAttribute('data-failures')).toBe('0');
    expect(await progress.getAttribute('data-done')).toBe(await progress.getAttribute('data-total'));
    // The cold loads fetched each build's files again: the ONNX model at least once per target of it (a load
    // restarted on a busy machine may fetch it once more), the GGUF file too.
    const gets = (path: string): number => stack.mirror.requests.filter((line) => line === `GET /${path}`).length;
    expect(gets(`${TINY_REPO}/onnx/model.onnx`)).toBeGreaterThanOrEqual(TARGETS.filter(([spec]) => spec === TINY_REPO).length);
    for (const [spec] of TARGETS) expect(stack.mirror.requests.some((line) => line.startsWith(`GET /${repoOf(spec)}/`)), spec).toBe(true);

    const rows = page.getByTestId('bench-result');
    expect(await rows.count()).toBe(TARGETS.length);
    const row = (id: string, device: string) => page.locator(`[data-testid="bench-result"][data-build-id="${id}"][data-device="${device}"]`);
    for (const [id, device] of TARGET_IDS) {
      expect(Number(await row(id, device).getAttribute('data-decode')), `${id} ${device}`).toBeGreaterThan(0);
      expect(await row(id, device).getAttribute('data-here')).toBe('true');
    }
    figures.rows = await rows.allInnerTexts();
    const gpuRow = row(TINY_ID, 'webgpu');
    const cpuRow = row(TINY_ID, 'wasm');
    const agreement = Number(await gpuRow.getAttribute('data-agreement'));
    figures.agreement = agreement;
    // SwiftShader and wasm give the same greedy tokens for this model (TESTING.md).
    expect(agreement).toBe(100);
    expect(await gpuRow.innerText()).toMatch(/reached\)/);
    expect(await cpuRow.innerText()).toContain('the CPU is the reference');
    expect(await page.getByTestId('bench-bar').count()).toBe(TARGETS.length);

    // The chat's model was unloaded and is offered again; the picker names the fastest build measured here.
    await page.getByTestId('bench-reload-chat').getByRole('button', { name: 'Load it again' }).click();
    await openSettings(page);
    await waitForModelReady(page);
    const fastest = page.getByTestId('fastest-build');
    await fastest.waitFor();
    expect(await fastest.getAttribute('data-build-id')).toBe(TINY_ID);
    expect(await fastest.innerText()).toMatch(/tokens\/s decode/);
    // The figure the picker says is the WebGPU result's (the device this build loads on here).
    expect(await fastest.getAttribute('data-decode')).toBe(await gpuRow.getAttribute('data-decode'));
  });

  it('exports JSON and CSV, imports another machine side by side, and refuses a bad file', async () => {
    const { page } = stack.session;
    await openBenchmark(page);
    await page.getByTestId('bench-result').first().waitFor();

    const json = await downloadOf(page, 'bench-export-json');
    expect(json.name).toMatch(/^benchmark-.*\.json$/);
    const exported = JSON.parse(json.text);
    expect(exported.results).toHaveLength(TARGETS.length);
    const csv = await downloadOf(page, 'bench-export-csv');
    const csvRows = csv.text.trim().split(/\r\n/);
    expect(csvRows.length).toBe(1 + TARGETS.length * 3);

    // The same file again adds nothing; the file as if from another machine adds its results beside ours.
    await page.getByTestId('bench-import').setInputFiles({ name: json.name, mimeType: 'application/json', buffer: Buffer.from(json.text) });
    await expect.poll(() => page.getByTestId('bench-import-notice').innerText()).toContain('Imported 0 results');
    const other = {
      ...exported,
      results: exported.results.map((result: { id: string; machine: { deviceId: string; adapter: Record<string, unknown> } }) => ({
        ...result,
        id: `${result.id}-other`,
        machine: { ...result.machine, deviceId: 'another-machine', adapter: { ...result.machine.adapter, vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false } },
      })),
    };
    await page.getByTestId('bench-import').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other)) });
    await expect.poll(() => page.getByTestId('bench-import-notice').innerText()).toContain(`Imported ${TARGETS.length} results from other.json`);
    expect(await page.getByTestId('bench-result').count()).toBe(2 * TARGETS.length);
    await page.getByTestId('bench-compare').waitFor();
    expect(await page.getByTestId('bench-compare-row').count()).toBe(TARGETS.length);
    expect(await page.locator('[data-testid="bench-result"][data-here="false"]').count()).toBe(TARGETS.length);

    await page.getByTestId('bench-import').setInputFiles({ name: 'notes.csv', mimeType: 'text/csv', buffer: Buffer.from('a,b\n1,2\n') });
    const error = page.getByTestId('bench-import-error');
    await error.waitFor();
    expect(await error.innerText()).toContain('notes.csv was not imported');
    expect(await page.getByTestId('bench-result').count()).toBe(2 * TARGETS.length);

    // Kept on the device: a reload shows them again.
    await page.reload();
    await openBenchmark(page);
    await expect.poll(() => page.getByTestId('bench-result').count()).toBe(2 * TARGETS.length);
  });

  it('stops a run after the answer in flight', async () => {
    const { page } = stack.session;
    await openBenchmark(page);
    await tickTargets(page, [[TINY_ID, 'wasm']]);
    await page.getByLabel(/Cold load/).uncheck();
    await setNumber(page, 'Runs per prompt', 3);
    await page.getByTestId('bench-start').click();
    const progress = page.getByTestId('bench-progress');
    await expect.poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    await page.getByTestId('bench-stop').click();
    await waitForRun(page);
    expect(await page.getByTestId('bench-outcome').getAttribute('data-stopped')).toBe('true');
    // The build in flight is left out: nothing was added.
    expect(await page.getByTestId('bench-result').count()).toBe(2 * TARGETS.length);
  });

  it('passes axe with results, with no sideways scroll, at 1280 and 360 px, light and dark', async () => {
    const { page } = stack.session;
    for (const width of [1280, 360]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
        await page.emulateMedia({ colorScheme });
        await openBenchmark(page);
        await page.getByTestId('bench-chart').waitFor();
        await expectAccessible(page);
      }
    }
  });
});
