// Engine adapter over @mlc-ai/web-llm: its MLCEngine runs inside OUR worker (not web-llm's own worker handler), so
// the page speaks one protocol to both engines. Weights go to IndexedDB (`cacheBackend: "indexeddb"`), model files
// come from the model base URL setting (web-llm always reads `<model>/resolve/<revision>/<file>`), the compiled model
// library (.wasm) from web-llm's CDN. web-llm is imported lazily, so neither the page nor a transformers.js-only
// session pays for its 6 MB; tests inject a fake runtime that implements the same narrow interface.
import type {
  AppConfig,
  ChatCompletionChunk,
  ChatCompletionFinishReason,
  ChatCompletionMessageParam,
  ChatCompletionRequestStreaming,
  CompletionUsage,
  InitProgressReport,
  ModelRecord as MlcModelRecord,
} from '@mlc-ai/web-llm';
import type {
  ChatTurn,
  FinishReason,
  GenerateRequest,
  GenerationMetrics,
  GenerationResult,
  GpuInfo,
  LoadedModel,
  LoadRequest,
  ProgressCallback,
  TokenCallback,
} from '../../common/protocol';
import type { ModelRecord } from '../../common/model-record';
import { engineError, toEngineError, type EngineError } from '../errors';
import { GenerationClock } from '../metrics';
import type { Engine } from './engine';
import { TurnSlot } from './turn-slot';
import { WebLlmProgressNormaliser } from './web-llm-progress';

/** The parts of MLCEngine this adapter uses. MLCEngine implements it; so does the tests' fake. */
export interface MlcEngineLike {
  reload(modelId: string): Promise<void>;
  chatCompletion(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
  interruptGenerate(): void;
  unload(): Promise<void>;
}

export interface MlcEngineOptions {
  appConfig: AppConfig;
  initProgressCallback: (report: InitProgressReport) => void;
}

/** The parts of the @mlc-ai/web-llm module this app uses. */
export interface WebLlmRuntime {
  createEngine(options: MlcEngineOptions): MlcEngineLike;
  hasModelInCache(modelId: string, appConfig: AppConfig): Promise<boolean>;
  deleteModelAllInfoInCache(modelId: string, appConfig: AppConfig): Promise<void>;
}

let runtime: Promise<WebLlmRuntime> | undefined;

/** The real web-llm, imported on first use. */
export function loadWebLlmRuntime(): Promise<WebLlmRuntime> {
  runtime ??= import('@mlc-ai/web-llm').then((webllm) => ({
    createEngine: (options) => new webllm.MLCEngine({ ...options, logLevel: 'WARN' }),
    hasModelInCache: (modelId, appConfig) => webllm.hasModelInCache(modelId, appConfig),
    deleteModelAllInfoInCache: (modelId, appConfig) => webllm.deleteModelAllInfoInCache(modelId, appConfig),
  }));
  return runtime;
}

/**
 * web-llm's model URL for a files base URL. web-llm appends `resolve/main/` to any URL without a `/resolve/<rev>/`,
 * so a mirror must lay MLC builds out hub-style: `<base>/<org>/<name>/resolve/main/<file>`. We add it ourselves so
 * the URLs (and the IndexedDB keys) are the ones web-llm will use.
 */
export function webLlmModelUrl(filesBaseUrl: string): string {
  const base = filesBaseUrl.endsWith('/') ? filesBaseUrl : `${filesBaseUrl}/`;
  return /\/resolve\/[^/]+\/$/.test(base) ? base : `${base}resolve/main/`;
}

/** The app config for one build: a single model_list entry pointing at the model base URL, IndexedDB cache. */
export function webLlmAppConfig(record: ModelRecord, filesBaseUrl: string): AppConfig {
  const mlc = record.mlc;
  if (!mlc) throw engineError('Unknown', `${record.id} is not a web-llm build`);
  const entry: MlcModelRecord = {
    model: webLlmModelUrl(filesBaseUrl),
    model_id: mlc.modelId,
    model_lib: mlc.modelLib,
    vram_required_MB: mlc.vramRequiredMB,
    low_resource_required: mlc.lowResource,
    overrides: {
      context_window_size: mlc.contextWindowSize,
      ...(mlc.maxHistorySize === undefined ? {} : { max_history_size: mlc.maxHistorySize }),
    },
    // prebuiltAppConfig leaves this out for Qwen; with it web-llm fails early with its named error, not in a shader.
    ...(record.needsShaderF16 ? { required_features: ['shader-f16'] } : {}),
  };
  return { model_list: [entry], cacheBackend: 'indexeddb' };
}

const SMALLER_BUILD = 'Pick a smaller build (fewer parameters, or q4 instead of q0) in the model list.';

/** Names what web-llm throws with the worker's one table; memory trouble gets the advice to pick a smaller build. */
export function toWebLlmError(error: unknown): EngineError {
  return toEngineError(error, { memoryAdvice: SMALLER_BUILD });
}

function toMessages(turns: ChatTurn[]): ChatCompletionMessageParam[] {
  return turns.map((turn): ChatCompletionMessageParam => {
    switch (turn.role) {
      case 'system':
        return { role: 'system', content: turn.content };
      case 'user':
        return { role: 'user', content: turn.content };
      case 'assistant':
        return { role: 'assistant', content: turn.content };
    }
  });
}

function finishReasonOf(reason: ChatCompletionFinishReason | null | undefined, interrupted: boolean): FinishReason {
  if (interrupted || reason === 'abort') return 'aborted';
  return reason === 'length' ? 'length' : 'stop';
}

/** web-llm's own usage figures where it gave them; our clock for whatever it did not. */
export function metricsFromUsage(usage: CompletionUsage | undefined, clocked: GenerationMetrics): GenerationMetrics {
  if (!usage) return clocked;
  const { extra } = usage;
  return {
    promptTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    timeToFirstTokenMs: extra.time_to_first_token_s * 1000,
    prefillTokensPerS: extra.prefill_tokens_per_s,
    decodeTokensPerS: extra.decode_tokens_per_s,
    totalMs: extra.e2e_latency_s > 0 ? extra.e2e_latency_s * 1000 : clocked.totalMs,
  };
}

interface Loaded {
  engine: MlcEngineLike;
  info: LoadedModel;
}

export function createWebLlmEngine(gpu: GpuInfo, getRuntime: () => Promise<WebLlmRuntime> = loadWebLlmRuntime): Engine {
  let loaded: Loaded | undefined;
  const slot = new TurnSlot();
  let lost: EngineError | undefined;

  async function load(request: LoadRequest, onProgress: ProgressCallback): Promise<LoadedModel> {
    const { record, filesBaseUrl } = request;
    const mlc = record.mlc;
    if (!mlc) throw engineError('Unknown', `${record.id} is not a web-llm build`);
    if (!gpu.webgpu || request.device === 'wasm') throw engineError('WebGPUUnavailable', 'web-llm runs on WebGPU only');
    const dtype = record.dtypes.withF16;
    if (record.needsShaderF16 && !gpu.shaderF16) {
      throw engineError('ShaderF16Missing', `${mlc.modelId} needs shader-f16; pick its q4f32_1 build`);
    }
    const startedAt = performance.now();
    const appConfig = webLlmAppConfig(record, filesBaseUrl);
    const progress = new WebLlmProgressNormaliser(record.downloadBytes[dtype] ?? 0);
    onProgress(progress.start());
    try {
      const webllm = await getRuntime();
      const wasCached = await webllm.hasModelInCache(mlc.modelId, appConfig).catch(() => false);
      const engine = webllm.createEngine({ appConfig, initProgressCallback: (report) => onProgress(progress.report(report)) });
      try {
        await engine.reload(mlc.modelId);
      } catch (error) {
        await engine.unload().catch(() => undefined);
        throw error;
      }
      const shards = progress.shardsTotal;
      const fromNetwork = progress.fetchedFromNetwork && !wasCached;
      const info: LoadedModel = {
        modelId: record.id,
        engine: 'web-llm',
        device: 'webgpu',
        dtype,
        adapterArchitecture: gpu.architecture,
        inWorker: typeof window === 'undefined' && 'WorkerGlobalScope' in globalThis,
        // web-llm's Qwen3 and Qwen3.5 builds are compiled text-only.
        takesImages: false,
        filesFromCache: fromNetwork ? 0 : shards,
        filesDownloaded: fromNetwork ? shards : 0,
        loadMs: performance.now() - startedAt,
      };
      loaded = { engine, info };
      lost = undefined;
      return info;
    } catch (error) {
      throw toWebLlmError(error);
    }
  }

  async function generate(request: GenerateRequest, onToken: TokenCallback): Promise<GenerationResult> {
    if (lost) throw lost;
    if (!loaded) throw engineError('ModelNotLoaded');
    if (request.messages.some((turn) => (turn.images?.length ?? 0) > 0)) throw engineError('ImagesUnsupported');
    const { engine, info } = loaded;
    return slot.run(request.requestId, () => engine.interruptGenerate(), async (current) => {
      const { options } = request;
      const clock = new GenerationClock();
      let text = '';
      let finish: ChatCompletionFinishReason | null | undefined;
      let usage: CompletionUsage | undefined;
      try {
        const stream = await engine.chatCompletion({
          messages: toMessages(request.messages),
          stream: true,
          stream_options: { include_usage: true },
          max_tokens: options.maxNewTokens,
          // web-llm samples greedily at temperature 0 (it clamps to 1e-6); it has no top-k.
          temperature: options.temperature,
          top_p: options.topP,
          repetition_penalty: options.repetitionPenalty,
          extra_body: { enable_thinking: options.enableThinking },
        });
        for await (const chunk of stream) {
          if (chunk.usage) usage = chunk.usage;
          const choice = chunk.choices[0];
          if (!choice) continue;
          finish = choice.finish_reason ?? finish;
          const piece = choice.delta.content ?? '';
          if (piece.length > 0) {
            // web-llm sends one chunk per decode step that produced text.
            clock.tokenProduced();
            text += piece;
            onToken({ text: piece, outputTokens: clock.outputTokens });
          }
        }
        const metrics = metricsFromUsage(usage, clock.finish(usage?.prompt_tokens ?? 0));
        return {
          requestId: request.requestId,
          text,
          finishReason: finishReasonOf(finish, current.interrupted),
          metrics,
          device: info.device,
        };
      } catch (error) {
        const named = toWebLlmError(error);
        // After a lost device web-llm has unloaded itself: every later call must say so until a reload.
        if (named.name === 'DeviceLost' || named.name === 'OutOfMemory') {
          lost = named;
          loaded = undefined;
        }
        throw named;
      }
    });
  }

  return {
    offlineAssets: [],
    load,
    generate,
    interrupt: (requestId) => slot.interrupt(requestId),
    async unload() {
      slot.stopAny();
      const current = loaded;
      loaded = undefined;
      await current?.engine.unload();
    },
  };
}
