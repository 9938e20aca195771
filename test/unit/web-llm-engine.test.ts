// The web-llm adapter's own logic behind a fake of web-llm's engine interface: the request it sends (messages,
// sampling, enable_thinking, usage), streamed chunks to tokens, usage to metrics, interrupt, load progress, and
// device-lost / out-of-memory / download failures turned into our named errors. The real MLCEngine cannot run here
// (no compiled model library, no weights); see the README for what is exercised for real.
import type { ChatCompletionChunk, ChatCompletionRequestStreaming, CompletionUsage } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { findModel } from '../../common/catalog/builds';
import { filesBaseUrl } from '../../common/model-urls';
import type { GenerateRequest, GpuInfo, LoadProgress, TokenEvent } from '../../common/protocol';
import type { ModelRecord } from '../../common/model-record';
import { EngineError } from '../../workers/errors';
import {
  createWebLlmEngine,
  metricsFromUsage,
  toWebLlmError,
  type MlcEngineLike,
  type MlcEngineOptions,
  type WebLlmRuntime,
} from '../../workers/engines/web-llm';
import type { WebLlmProgressReport } from '../../workers/engines/web-llm-progress';

const GPU: GpuInfo = {
  webgpu: true,
  shaderF16: true,
  architecture: 'ampere',
  vendor: 'nvidia',
  isFallbackAdapter: false,
  maxBufferSize: 4 * 1024 ** 3,
  maxStorageBufferBindingSize: 2 * 1024 ** 3,
  device: '',
  description: '',
  features: [],
};
const NO_F16: GpuInfo = { ...GPU, shaderF16: false };

function record(id: string): ModelRecord {
  const found = findModel(id);
  if (!found) throw new Error(`no ${id}`);
  return found;
}

const Q4F16 = record('webllm:Qwen3-0.6B-q4f16_1-MLC');
const MIRROR = 'http://127.0.0.1:8190/';

const USAGE: CompletionUsage = {
  prompt_tokens: 12,
  completion_tokens: 3,
  total_tokens: 15,
  extra: {
    e2e_latency_s: 0.5,
    prefill_tokens_per_s: 240,
    decode_tokens_per_s: 42.5,
    time_to_first_token_s: 0.05,
    time_per_output_token_s: 0.0235,
  },
};

function chunk(content: string | undefined, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: Q4F16.mlc?.modelId ?? '',
    choices: [{ index: 0, delta: content === undefined ? {} : { content, role: 'assistant' }, finish_reason: finish }],
  };
}

function usageChunk(usage: CompletionUsage = USAGE): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: '', choices: [], usage };
}

type Script = (request: ChatCompletionRequestStreaming, engine: FakeEngine) => AsyncIterable<ChatCompletionChunk>;

class FakeEngine implements MlcEngineLike {
  readonly requests: ChatCompletionRequestStreaming[] = [];
  readonly reloaded: string[] = [];
  interrupts = 0;
  unloads = 0;
  interruptFlag = false;

  constructor(
    readonly options: MlcEngineOptions,
    private readonly script: Script,
    private readonly reports: WebLlmProgressReport[],
    private readonly reloadError?: Error,
  ) {}

  async reload(modelId: string): Promise<void> {
    this.reloaded.push(modelId);
    for (const report of this.reports) this.options.initProgressCallback(report);
    if (this.reloadError) throw this.reloadError;
  }

  async chatCompletion(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>> {
    this.requests.push(request);
    this.interruptFlag = false;
    return this.script(request, this);
  }

  interruptGenerate(): void {
    this.interrupts += 1;
    this.interruptFlag = true;
  }

  async unload(): Promise<void> {
    this.unloads += 1;
  }
}

interface Setup {
  script?: Script;
  reports?: WebLlmProgressReport[];
  reloadError?: Error;
  cached?: boolean;
  gpu?: GpuInfo;
}

function setup(options: Setup = {}) {
  const engines: FakeEngine[] = [];
  const runtime: WebLlmRuntime = {
    createEngine(engineOptions) {
      const engine = new FakeEngine(engineOptions, options.script ?? hello, options.reports ?? [], options.reloadError);
      engines.push(engine);
      return engine;
    },
    hasModelInCache: async () => options.cached ?? false,
    deleteModelAllInfoInCache: async () => undefined,
  };
  const adapter = createWebLlmEngine(options.gpu ?? GPU, async () => runtime);
  const progress: LoadProgress[] = [];
  const load = (target: ModelRecord = Q4F16) =>
    adapter.load({ record: target, filesBaseUrl: filesBaseUrl(MIRROR, target.repo) }, (update) => progress.push(update));
  const last = (): FakeEngine => {
    const engine = engines.at(-1);
    if (!engine) throw new Error('no engine created');
    return engine;
  };
  return { adapter, engines, progress, load, last };
}

async function* hello(): AsyncIterable<ChatCompletionChunk> {
  yield chunk('Hel');
  yield chunk('lo');
  yield chunk(' world');
  yield chunk(undefined, 'stop');
  yield usageChunk();
}

function request(overrides: Partial<GenerateRequest['options']> = {}, requestId = 'r1'): GenerateRequest {
  return {
    requestId,
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Again?' },
    ],
    options: { maxNewTokens: 64, temperature: 0, topP: 0.8, topK: 20, repetitionPenalty: 1.1, enableThinking: true, ...overrides },
  };
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('web-llm adapter: load', () => {
  it('creates the engine with an IndexedDB app config pointing at the mirror, and normalises progress', async () => {
    const reports: WebLlmProgressReport[] = [
      { progress: 0, timeElapsed: 0, text: 'Start to fetch params' },
      { progress: 0.5, timeElapsed: 1, text: 'Fetching param cache[1/2]: 100MB fetched. 50% completed, 1 secs elapsed.' },
      { progress: 1, timeElapsed: 2, text: 'Fetching param cache[2/2]: 200MB fetched. 100% completed, 2 secs elapsed.' },
      { progress: 1, timeElapsed: 3, text: 'Loading model from cache[2/2]: 200MB loaded. 100% completed, 3 secs elapsed.' },
      { progress: 1, timeElapsed: 4, text: 'Loading GPU shader modules[10/10]: 100% completed, 4 secs elapsed.' },
      { progress: 1, timeElapsed: 4, text: 'Finish loading on WebGPU - nvidia' },
    ];
    const { load, last, progress } = setup({ reports });
    const info = await load();
    const engine = last();
    expect(engine.reloaded).toEqual(['Qwen3-0.6B-q4f16_1-MLC']);
    expect(engine.options.appConfig.cacheBackend).toBe('indexeddb');
    expect(engine.options.appConfig.model_list).toEqual([
      expect.objectContaining({
        model: `${MIRROR}mlc-ai/Qwen3-0.6B-q4f16_1-MLC/resolve/main/`,
        model_id: 'Qwen3-0.6B-q4f16_1-MLC',
        model_lib: Q4F16.mlc?.modelLib,
        required_features: ['shader-f16'],
      }),
    ]);
    expect(progress.map((update) => update.phase)).toEqual(['download', 'download', 'download', 'download', 'cache-read', 'compile', 'ready']);
    expect(progress.at(-1)).toMatchObject({ filesDone: 2, filesTotal: 2 });
    expect(info).toMatchObject({ engine: 'web-llm', device: 'webgpu', dtype: 'q4f16', modelId: Q4F16.id, filesDownloaded: 2, filesFromCache: 0 });
  });

  it('reports a load from IndexedDB as such', async () => {
    const reports: WebLlmProgressReport[] = [
      { progress: 1, timeElapsed: 1, text: 'Loading model from cache[3/3]: 90MB loaded. 100% completed, 1 secs elapsed.' },
    ];
    const { load } = setup({ reports, cached: true });
    expect(await load()).toMatchObject({ filesDownloaded: 0, filesFromCache: 3 });
  });

  it('refuses an f16 build on a GPU without shader-f16 before touching web-llm', async () => {
    const { load, engines } = setup({ gpu: NO_F16 });
    const error = await rejection(load());
    expect(error.name).toBe('ShaderF16Missing');
    expect(error.message).toMatch(/q4f32_1/);
    expect(engines).toEqual([]);
    await expect(load(record('webllm:Qwen3-0.6B-q4f32_1-MLC'))).resolves.toMatchObject({ dtype: 'q4' });
  });

  it('turns unreachable files into DownloadFailed and unloads the half-made engine', async () => {
    const unreachable = new Error(
      `Failed to store ${MIRROR}mlc-ai/Qwen3-0.6B-q4f16_1-MLC/resolve/main/mlc-chat-config.json with error: Error: Network response was not ok`,
    );
    const { load, last } = setup({ reloadError: unreachable });
    const error = await rejection(load());
    expect(error.name).toBe('DownloadFailed');
    expect(error.message).toMatch(/Retry/);
    expect(last().unloads).toBe(1);
  });

  it('turns a device lost while loading into DeviceLost with the advice to pick a smaller build', async () => {
    const lost = Object.assign(new Error('The WebGPU device was lost while loading the model.'), { name: 'DeviceLostError' });
    const error = await rejection(setup({ reloadError: lost }).load());
    expect(error.name).toBe('DeviceLost');
    expect(error.message).toMatch(/smaller build/);
  });
});

describe('web-llm adapter: generate', () => {
  it('sends our messages and sampling, passes enable_thinking through, streams tokens and maps usage to metrics', async () => {
    const { adapter, load, last } = setup();
    await load();
    const tokens: TokenEvent[] = [];
    const result = await adapter.generate(request(), (event) => tokens.push(event));
    const sent = last().requests[0];
    expect(sent).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0,
      top_p: 0.8,
      extra_body: { enable_thinking: true },
    });
    expect(sent?.messages).toEqual(request().messages);
    expect(tokens).toEqual([
      { text: 'Hel', outputTokens: 1 },
      { text: 'lo', outputTokens: 2 },
      { text: ' world', outputTokens: 3 },
    ]);
    expect(result).toEqual({
      requestId: 'r1',
      text: 'Hello world',
      finishReason: 'stop',
      device: 'webgpu',
      metrics: { promptTokens: 12, outputTokens: 3, timeToFirstTokenMs: 50, prefillTokensPerS: 240, decodeTokensPerS: 42.5, totalMs: 500 },
    });
  });

  it('passes enable_thinking: false too, and reports a length stop', async () => {
    async function* long(): AsyncIterable<ChatCompletionChunk> {
      yield chunk('a');
      yield chunk(undefined, 'length');
      yield usageChunk({ ...USAGE, completion_tokens: 1 });
    }
    const { adapter, load, last } = setup({ script: long });
    await load();
    const result = await adapter.generate(request({ enableThinking: false, maxNewTokens: 1 }), () => undefined);
    expect(last().requests[0]?.extra_body).toEqual({ enable_thinking: false });
    expect(result.finishReason).toBe('length');
  });

  it('Stop calls interruptGenerate and ends the answer as aborted, keeping what came', async () => {
    async function* endless(_request: ChatCompletionRequestStreaming, engine: FakeEngine): AsyncIterable<ChatCompletionChunk> {
      for (let step = 0; step < 1000 && !engine.interruptFlag; step += 1) yield chunk(`t${step} `);
      yield chunk(undefined, 'abort');
      yield usageChunk({ ...USAGE, completion_tokens: 3 });
    }
    const { adapter, load, last } = setup({ script: endless });
    await load();
    const result = await adapter.generate(request(), (event) => {
      if (event.outputTokens === 3) {
        adapter.interrupt('someone-else');
        adapter.interrupt('r1');
      }
    });
    expect(last().interrupts).toBe(1);
    expect(result.finishReason).toBe('aborted');
    expect(result.text).toBe('t0 t1 t2 ');
  });

  it('without a usage chunk, falls back to its own clock', async () => {
    async function* noUsage(): AsyncIterable<ChatCompletionChunk> {
      yield chunk('x');
      yield chunk(undefined, 'stop');
    }
    const { adapter, load } = setup({ script: noUsage });
    await load();
    const result = await adapter.generate(request(), () => undefined);
    expect(result.metrics.outputTokens).toBe(1);
    expect(result.metrics.promptTokens).toBe(0);
  });

  it('a device lost mid-answer becomes DeviceLost, and stays so until the model is loaded again', async () => {
    let calls = 0;
    async function* dies(): AsyncIterable<ChatCompletionChunk> {
      calls += 1;
      if (calls > 1) {
        yield* hello();
        return;
      }
      yield chunk('partial');
      throw new Error('Device was lost. This can happen due to insufficient memory or other GPU constraints.');
    }
    const { adapter, load } = setup({ script: dies });
    await load();
    const tokens: string[] = [];
    const error = await rejection(adapter.generate(request(), (event) => tokens.push(event.text)));
    expect(error.name).toBe('DeviceLost');
    expect(error.message).toMatch(/smaller build/);
    expect(tokens).toEqual(['partial']);
    expect((await rejection(adapter.generate(request({}, 'r2'), () => undefined))).name).toBe('DeviceLost');
    expect(calls).toBe(1);
    await load();
    await expect(adapter.generate(request({}, 'r3'), () => undefined)).resolves.toMatchObject({ text: 'Hello world' });
  });

  it('out of GPU memory becomes OutOfMemory with the advice to pick a smaller build', async () => {
    async function* oom(): AsyncIterable<ChatCompletionChunk> {
      yield* [];
      throw Object.assign(new Error('Out of memory: failed to allocate buffer'), { name: 'GPUOutOfMemoryError' });
    }
    const { adapter, load } = setup({ script: oom });
    await load();
    const error = await rejection(adapter.generate(request(), () => undefined));
    expect(error.name).toBe('OutOfMemory');
    expect(error.message).toMatch(/smaller build/);
  });

  it('is Busy while an answer runs, and ModelNotLoaded before a load', async () => {
    let release: () => void = () => undefined;
    async function* slow(): AsyncIterable<ChatCompletionChunk> {
      yield chunk('a');
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield chunk(undefined, 'stop');
    }
    const { adapter, load } = setup({ script: slow });
    expect((await rejection(adapter.generate(request(), () => undefined))).name).toBe('ModelNotLoaded');
    await load();
    const first = adapter.generate(request(), () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await rejection(adapter.generate(request({}, 'r2'), () => undefined))).name).toBe('Busy');
    release();
    await expect(first).resolves.toMatchObject({ text: 'a' });
  });

  it('unload interrupts and unloads the engine', async () => {
    const { adapter, load, last } = setup();
    await load();
    await adapter.unload();
    expect(last().unloads).toBe(1);
    expect((await rejection(adapter.generate(request(), () => undefined))).name).toBe('ModelNotLoaded');
  });
});

describe('toWebLlmError and metricsFromUsage', () => {
  it.each([
    ['WebGPUNotAvailableError', 'WebGPU is not supported in your current environment', 'WebGPUUnavailable'],
    ['ShaderF16SupportError', 'This model requires WebGPU extension shader-f16', 'ShaderF16Missing'],
    ['TypeError', 'Failed to fetch', 'DownloadFailed'],
    ['Error', 'ArtifactIndexedDBCache failed to fetch: http://x/tokenizer.json', 'DownloadFailed'],
    ['QuotaExceededError', 'The quota has been exceeded.', 'QuotaExceeded'],
    ['ModelNotFoundError', 'Cannot find model record in appConfig for X', 'Unknown'],
  ])('%s: %s -> %s', (name, message, expected) => {
    expect(toWebLlmError(Object.assign(new Error(message), { name })).name).toBe(expected);
  });

  it('keeps our clock for a total web-llm did not time', () => {
    const clocked = { promptTokens: 0, outputTokens: 2, timeToFirstTokenMs: 10, prefillTokensPerS: 0, decodeTokensPerS: 5, totalMs: 900 };
    expect(metricsFromUsage(undefined, clocked)).toBe(clocked);
    expect(metricsFromUsage({ ...USAGE, extra: { ...USAGE.extra, e2e_latency_s: 0 } }, clocked).totalMs).toBe(900);
  });
});
