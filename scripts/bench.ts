// Benchmark: tokens/s through the whole app (page, comlink, worker, adapter, UI) next to the engine driven bare in a
// worker, on the same model, prompt and browser; plus main-thread long tasks while tokens stream and the page's
// initial JS size. Prints the machine and browser it ran on. Never used as a test gate.
//
// Usage: npm run bench -- [--repo test/tiny-qwen3] [--models DIR] [--dtype fp32] [--tokens 64] [--runs 3]
//                          [--chromium-arg=--use-vulkan ...]
// Ports: the app on TEST_APP_PORT (4173), the model mirror on TEST_MIRROR_PORT (8090), the bare page on
// BENCH_BARE_PORT (4180), so a bench can run beside a test run or another checkout.
// With no --models, it serves the generated tiny model. To measure a real-size model, point --models at a folder
// holding <org>/<name>/ with the ONNX files (e.g. a random-weight Qwen3-0.6B-shaped export) and pass --repo.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { startModelMirror } from '../test/fixtures/model-mirror';
import { ensureTinyModel, GENERATED_MODELS_DIR, TINY_REPO } from '../test/fixtures/paths';
import {
  APP_URL,
  MIRROR_PORT,
  newProfileDir,
  removeProfileDir,
  sendMessage,
  setAnswerSettings,
  startApp,
  stopApp,
  useTinyModel,
  waitForAnswer,
  waitForModelReady,
} from '../test/browser/harness';
import type { Dtype } from '../common/model-record';
import type { GenerationMetrics } from '../common/protocol';

const { values } = parseArgs({
  options: {
    repo: { type: 'string', default: TINY_REPO },
    models: { type: 'string' },
    dtype: { type: 'string', default: 'fp32' },
    tokens: { type: 'string', default: '64' },
    runs: { type: 'string', default: '3' },
    prompt: { type: 'string', default: 'Write a short paragraph about the sea.' },
    'chromium-arg': { type: 'string', multiple: true, default: [] },
  },
});
const repo = values.repo;
const maxNewTokens = Number(values.tokens);
const runs = Number(values.runs);
const dtype: Dtype = values.dtype === 'q4' || values.dtype === 'q4f16' || values.dtype === 'fp16' ? values.dtype : 'fp32';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BARE_PORT = Number(process.env.BENCH_BARE_PORT ?? 4180);

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function initialJsGzipBytes(): number {
  const html = readFileSync('dist/index.html', 'utf8');
  const scripts = [...html.matchAll(/src="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1] ?? '');
  return scripts.reduce((sum, file) => sum + gzipSync(readFileSync(path.join('dist', file))).length, 0);
}

function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const modelsRoot = values.models ? path.resolve(values.models) : (await ensureTinyModel(), GENERATED_MODELS_DIR);
const args = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', ...values['chromium-arg']];

// The bare page is built separately so the app's own build stays untouched.
await build({
  root: 'scripts/bench-bare',
  logLevel: 'error',
  configFile: false,
  worker: { format: 'es' },
  build: { outDir: path.resolve('dist-bench'), emptyOutDir: true },
});

const app = await startApp();
const bare = await preview({
  root: 'scripts/bench-bare',
  configFile: false,
  logLevel: 'error',
  build: { outDir: path.resolve('dist-bench') },
  preview: { port: BARE_PORT, strictPort: true, host: '127.0.0.1' },
});
const mirror = await startModelMirror({ root: modelsRoot, port: MIRROR_PORT });
const profile = await newProfileDir();
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args });

try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(APP_URL);
  await useTinyModel(page, mirror.url, repo, maxNewTokens);
  const loadStart = Date.now();
  await page.getByRole('button', { name: 'Load model' }).click();
  await waitForModelReady(page);
  const appLoadMs = Date.now() - loadStart;
  const adapter = await page.getByTestId('model-ready').innerText();
  await setAnswerSettings(page, { maxNewTokens, temperature: 0 });

  await page.evaluate(() => {
    const longTasks: number[] = [];
    Object.assign(window, { __longTasks: longTasks });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  const appRuns: GenerationMetrics[] = [];
  for (let i = 0; i < runs; i += 1) {
    await page.getByRole('button', { name: 'New chat' }).click();
    await sendMessage(page, values.prompt);
    await waitForAnswer(page);
    const metrics = page.getByTestId('metrics').last();
    appRuns.push({
      promptTokens: 0,
      outputTokens: Number(await metrics.getAttribute('data-output-tokens')),
      timeToFirstTokenMs: Number(await metrics.getAttribute('data-ttft-ms')),
      decodeTokensPerS: Number(await metrics.getAttribute('data-decode-tps')),
      prefillTokensPerS: 0,
      totalMs: 0,
    });
  }
  const longTasks = await page.evaluate(() => {
    const value: unknown = Reflect.get(window, '__longTasks');
    return Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number') : [];
  });

  const barePage = await context.newPage();
  await barePage.goto(`http://127.0.0.1:${BARE_PORT}/`);
  await barePage.waitForFunction(() => Reflect.get(window, 'bareReady') === true);
  const filesBaseUrl = `${mirror.url}${repo}/`;
  const bareResult = await barePage.evaluate(
    (options) => {
      const runBare: unknown = Reflect.get(window, 'runBare');
      if (typeof runBare !== 'function') throw new Error('bare page not ready');
      return runBare(options);
    },
    { filesBaseUrl, repo, dtype, prompt: values.prompt, maxNewTokens, runs },
  );
  if (!bareResult.ok) throw new Error(`bare engine failed: ${bareResult.error}`);

  const appTps = median(appRuns.map((run) => run.decodeTokensPerS));
  const bareTps = median(bareResult.runs.map((run: GenerationMetrics) => run.decodeTokensPerS));
  const report = {
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
    browser: `${chromiumVersion()} (headless; args: ${args.join(' ')})`,
    adapter,
    model: `${repo} (${dtype}), ${maxNewTokens} new tokens, greedy, ${runs} runs, median`,
    initialJsGzipKB: +(initialJsGzipBytes() / 1024).toFixed(1),
    app: {
      loadMs: appLoadMs,
      ttftMs: median(appRuns.map((run) => run.timeToFirstTokenMs)),
      decodeTokensPerS: +appTps.toFixed(2),
      outputTokens: appRuns.map((run) => run.outputTokens),
    },
    bare: {
      loadMs: Math.round(bareResult.loadMs),
      ttftMs: Math.round(median(bareResult.runs.map((run: GenerationMetrics) => run.timeToFirstTokenMs))),
      decodeTokensPerS: +bareTps.toFixed(2),
      outputTokens: bareResult.runs.map((run: GenerationMetrics) => run.outputTokens),
    },
    appVsBare: `${((appTps / bareTps) * 100).toFixed(1)}% of bare decode speed`,
    mainThreadLongTasksWhileStreaming: { count: longTasks.length, maxMs: Math.round(Math.max(0, ...longTasks)) },
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  await context.close();
  await mirror.close();
  await bare.close();
  await stopApp(app);
  await removeProfileDir(profile);
}
