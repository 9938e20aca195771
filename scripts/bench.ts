// `npm run bench`: headless Chromium drives the built app on local models and prints what it measured, with the
// machine, browser and adapter. Never a test gate. Three parts, one run:
// 1. the Benchmark page itself (the app's own figures: cold/warm/hot load, first token, prefill, decode, turn 3 vs
//    turn 1, memory, roofline, agreement), read back from its JSON export;
// 2. each engine through the whole app (page, comlink, worker, adapter, UI) against the same engine driven bare in
//    a worker, same model, prompt and greedy decoding: the app's share of bare decode speed (goal: at least 0.97);
//    plus the renderers' peak memory during the app's load against the weights' size (goal: at most 1.3x) and the
//    main-thread tasks over 50 ms while a long answer streams, turn start included (goal: none);
// 3. the page's initial JS, gzipped (goal: at most 100 KB).
//
// Usage: npm run bench -- [--onnx test/tiny-qwen3] [--gguf test/tiny-qwen3-GGUF/tiny-qwen3-Q8_0.gguf]
//          [--models DIR] [--runs 5] [--tokens 128] [--stream-tokens 500] [--json out.json] [--chromium-arg=...]
// --onnx '' or --gguf '' leaves that engine out. Full-size random-weight models: `npm run fixtures -- --full
// qwen3-0.6b --format gguf`, then `--models test/.generated/full --onnx '' --gguf random/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q8_0.gguf`.
// Ports: TEST_APP_PORT (4173), TEST_MIRROR_PORT (8090), BENCH_BARE_PORT (4180).
import { writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { parseResultsFile } from '../common/bench/exchange';
import { startModelMirror } from '../test/fixtures/model-mirror';
import { ensureTinyModels, GENERATED_MODELS_DIR, TINY_GGUF_FILE, TINY_GGUF_REPO, TINY_REPO } from '../test/fixtures/paths';
import { APP_URL, MIRROR_PORT, newProfileDir, removeProfileDir, setModelSource, startApp, stopApp } from '../test/browser/harness';
import { measureThroughApp, type ChatMeasure } from './bench/app-chat';
import { openBare, startBarePage, type BareSession } from './bench/bare';
import type { GenerationMetrics } from '../common/protocol';
import { runBenchmarkPage } from './bench/benchmark-page';
import { chromiumVersion, initialJsGzipBytes, machineLine, median } from './bench/machine';

const { values } = parseArgs({
  options: {
    onnx: { type: 'string', default: TINY_REPO },
    gguf: { type: 'string', default: `${TINY_GGUF_REPO}/${TINY_GGUF_FILE}` },
    models: { type: 'string' },
    runs: { type: 'string', default: '5' },
    tokens: { type: 'string', default: '128' },
    'stream-tokens': { type: 'string', default: '500' },
    prompt: { type: 'string', default: 'Write a short paragraph about the sea.' },
    json: { type: 'string' },
    'chromium-arg': { type: 'string', multiple: true, default: [] },
  },
});
const runs = Number(values.runs);
const maxNewTokens = Number(values.tokens);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BARE_PORT = Number(process.env.BENCH_BARE_PORT ?? 4180);
const args = ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', ...values['chromium-arg']];
const specs = [values.onnx, values.gguf].filter((spec): spec is string => Boolean(spec));
const isGguf = (spec: string): boolean => spec.endsWith('.gguf');

const modelsRoot = values.models ? path.resolve(values.models) : (await ensureTinyModels(), GENERATED_MODELS_DIR);

/** Bytes of the weights a spec loads: the .gguf file, or every file of the ONNX folder's onnx/. */
async function weightsBytes(spec: string): Promise<number> {
  if (isGguf(spec)) return (await stat(path.join(modelsRoot, spec))).size;
  const { readdir } = await import('node:fs/promises');
  const dir = path.join(modelsRoot, spec, 'onnx');
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

const app = await startApp();
const bare = await startBarePage(BARE_PORT);
const mirror = await startModelMirror({ root: modelsRoot, port: MIRROR_PORT });
const profile = await newProfileDir();
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args, acceptDownloads: true });

try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(APP_URL);
  await setModelSource(page, mirror.url);

  const engines: Record<string, { app: ChatMeasure; bare: { loadMs: number; runs: GenerationMetrics[] }; weightsBytes: number }> = {};
  for (const spec of specs) {
    // The bare engine loads once the app's has, and its runs alternate with the app's: drift on a shared machine
    // (other work, clocks, a software GPU's threads) then falls on both sides alike.
    let session: BareSession | undefined;
    const bareRuns: GenerationMetrics[] = [];
    const through = await measureThroughApp(page, {
      spec, prompt: values.prompt, maxNewTokens, runs, longTaskTokens: Number(values['stream-tokens']),
      afterLoad: async () => {
        const ranOn = await page.getByTestId('model-ready').innerText();
        session = await openBare(context, BARE_PORT, isGguf(spec)
          ? { engine: 'llama-cpp', fileUrls: [`${mirror.url}${spec}`], nCtx: 4096, nGpuLayers: ranOn.includes('WebGPU') ? 99_999 : 0, prompt: values.prompt, maxNewTokens }
          : { filesBaseUrl: `${mirror.url}${spec}/`, repo: spec, dtype: 'fp32', prompt: values.prompt, maxNewTokens });
        await page.bringToFront();
      },
      afterEachRun: async () => {
        if (session) bareRuns.push(await session.run());
      },
    });
    const loadMs = session?.loadMs ?? 0;
    await session?.close();
    engines[spec] = { app: through, bare: { loadMs, runs: bareRuns }, weightsBytes: await weightsBytes(spec) };
  }

  const adapter = await page.evaluate(async () => {
    const gpu = await navigator.gpu?.requestAdapter();
    return gpu ? { vendor: gpu.info.vendor, architecture: gpu.info.architecture, description: gpu.info.description, fallback: gpu.info.isFallbackAdapter, shaderF16: gpu.features.has('shader-f16') } : 'no WebGPU adapter';
  });
  const targets = specs.flatMap((spec) => (isGguf(spec) ? [[`custom:${spec}`, 'wasm'] as const, [`custom:${spec}`, 'webgpu'] as const] : [[`custom:${spec}`, 'webgpu'] as const, [`custom:${spec}`, 'wasm'] as const]));
  const pageRun = await runBenchmarkPage(page, {
    modelLabel: 'Added by you · Qwen3', targets, runs, maxNewTokens, coldLoad: true, longPrompt: true, timeoutMs: 1_800_000,
  });
  const parsed = parseResultsFile(JSON.stringify(pageRun.exported));
  const results = parsed.ok ? parsed.results : [];

  const report = {
    machine: machineLine(),
    browser: `${chromiumVersion(CHROMIUM)} (headless; ${args.join(' ')})`,
    adapter,
    settings: { runs, maxNewTokens, prompt: values.prompt, greedy: true },
    initialJsGzipKB: +(initialJsGzipBytes(process.env.TEST_DIST ?? 'dist') / 1024).toFixed(1),
    engines: Object.fromEntries(Object.entries(engines).map(([spec, { app: through, bare: bareRun, weightsBytes: weights }]) => {
      const appTps = median(through.runs.map((run) => run.decodeTokensPerS));
      const bareTps = median(bareRun.runs.map((run) => run.decodeTokensPerS));
      return [spec, {
        ranOn: through.ranOn,
        appDecodeTps: +appTps.toFixed(2),
        bareDecodeTps: +bareTps.toFixed(2),
        appShareOfBare: +(appTps / bareTps).toFixed(3),
        appMainThreadBusyShare: median(through.runs.map((run) => run.mainThreadBusyShare)),
        appTtftMs: Math.round(median(through.runs.map((run) => run.timeToFirstTokenMs))),
        bareTtftMs: Math.round(median(bareRun.runs.map((run) => run.timeToFirstTokenMs))),
        appLoadMs: through.loadMs,
        bareLoadMs: bareRun.loadMs,
        weightsBytes: weights,
        loadPeakRendererBytesAdded: through.memory?.addedBytes,
        loadPeakOverWeights: through.memory ? +(through.memory.addedBytes / weights).toFixed(2) : undefined,
        longTasksOver50ms: { whileTokensStreamed: through.longTasks.tokens, count: through.longTasks.durationsMs.length, durationsMs: through.longTasks.durationsMs },
      }];
    })),
    benchmarkPage: {
      failures: pageRun.failures || undefined,
      results: results.map((result) => ({
        build: `${result.buildLabel} (${result.buildId})`,
        device: result.device,
        threads: result.threads,
        coldLoadMs: result.load.coldMs === undefined ? undefined : Math.round(result.load.coldMs),
        warmLoadMs: Math.round(result.load.warmMs),
        warmOverCold: result.load.coldMs ? +(result.load.warmMs / result.load.coldMs).toFixed(2) : undefined,
        ttftMs: Math.round(result.timeToFirstTokenMs),
        prefillTps: +result.prefillTokensPerS.toFixed(1),
        decodeTps: +result.decodeTokensPerS.toFixed(1),
        turn3OverTurn1Ttft: result.turns ? +(result.turns.turn3TtftMs / result.turns.turn1TtftMs).toFixed(2) : undefined,
        memory: result.memory,
        agreementPercent: result.agreement?.percent,
      })),
    },
  };
  console.log(JSON.stringify(report, null, 2));
  console.table(report.benchmarkPage.results.map(({ memory, ...row }) => ({ ...row, memoryMB: memory.bytes ? Math.round(memory.bytes / 1e6) : memory.source })));
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ report, exported: pageRun.exported }, null, 2)}\n`);
} finally {
  await context.close();
  await mirror.close();
  await bare.close();
  await stopApp(app);
  await removeProfileDir(profile);
}
