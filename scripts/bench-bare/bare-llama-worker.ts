// llama.cpp driven bare: wllama in a worker with the same load parameters and the same chat call the app makes
// (n_ctx, n_gpu_layers, the same thread rule, greedy, thinking off), with no comlink, no protocol and no UI. The figures are
// llama.cpp's own `timings` from the last stream chunk, the same ones the app reports.
import { Wllama } from '@wllama/wllama';
import wllamaWasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { GenerationMetrics } from '../../common/protocol';
import { threadCount } from '../../workers/engines/llama-cpp-options';
import type { BareReply } from './bare-worker';

export interface BareLlamaOptions {
  engine: 'llama-cpp';
  /** Absolute URLs of the GGUF file(s), in load order. */
  fileUrls: string[];
  nCtx: number;
  nGpuLayers: number;
  prompt: string;
  maxNewTokens: number;
}

export type BareLlamaMessage = { kind: 'load'; options: BareLlamaOptions } | { kind: 'run' };

let loaded: { wllama: Wllama; options: BareLlamaOptions } | undefined;

async function load(options: BareLlamaOptions): Promise<number> {
  const startedAt = performance.now();
  const blobs = await Promise.all(options.fileUrls.map(async (url) => (await fetch(url)).blob()));
  const wllama = new Wllama({ default: new URL(wllamaWasmUrl, self.location.href).href }, { suppressNativeLog: true });
  // The app's own rule for threads, on this page's isolation and cores.
  const nThreads = threadCount(self.crossOriginIsolated, navigator.hardwareConcurrency);
  await wllama.loadModel(blobs, { n_ctx: options.nCtx, n_gpu_layers: options.nGpuLayers, n_threads: nThreads });
  loaded = { wllama, options };
  return performance.now() - startedAt;
}

async function runOnce(wllama: Wllama, options: BareLlamaOptions): Promise<GenerationMetrics> {
  const begun = performance.now();
  let firstAt: number | undefined;
  let timings: { prompt_n: number; prompt_per_second: number; predicted_n: number; predicted_per_second: number } | undefined;
  const stream = await wllama.createChatCompletion({
    messages: [{ role: 'user', content: options.prompt }],
    stream: true,
    max_tokens: options.maxNewTokens,
    temperature: 0,
    chat_template_kwargs: { enable_thinking: false },
  });
  for await (const chunk of stream) {
    if (firstAt === undefined && chunk.choices[0]?.delta?.content) firstAt = performance.now();
    if (chunk.timings) timings = chunk.timings;
  }
  const endedAt = performance.now();
  return {
    promptTokens: timings?.prompt_n ?? 0,
    outputTokens: timings?.predicted_n ?? 0,
    timeToFirstTokenMs: (firstAt ?? endedAt) - begun,
    prefillTokensPerS: timings?.prompt_per_second ?? 0,
    decodeTokensPerS: timings?.predicted_per_second ?? 0,
    totalMs: endedAt - begun,
  };
}

async function handle(message: BareLlamaMessage): Promise<BareReply> {
  if (message.kind === 'load') return { ok: true, loadMs: await load(message.options) };
  if (!loaded) return { ok: false, error: 'not loaded' };
  return { ok: true, run: await runOnce(loaded.wllama, loaded.options) };
}

self.onmessage = (event: MessageEvent<BareLlamaMessage>) => {
  handle(event.data).then(
    (reply) => self.postMessage(reply),
    (error: unknown) => self.postMessage({ ok: false, error: String(error) }),
  );
};
