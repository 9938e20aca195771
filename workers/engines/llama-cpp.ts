// Engine adapter over @wllama/wllama (llama.cpp in WebAssembly): a Wllama inside OUR worker (it starts its own nested
// worker for llama.cpp), its wasm served by the app, never a CDN (no setCompat). GGUF files come from the request's
// base URL into the IndexedDB weight store (chunked, resumable), the first one's header checked over HTTP before the
// download; llama.cpp reads them from the stored blobs. It runs on WebGPU where the GPU has shader-f16, else on the
// CPU, and reports where it really ran (its log tells; it falls back silently). llama-server's prompt cache (in
// wllama) keeps the conversation's KV across turns, so a turn evaluates only what changed since the last one.
// wllama is imported on first use, so a session that never picks llama.cpp never fetches its JavaScript or wasm.
import wllamaWasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';
import type { ChatCompletionChunk, ChatCompletionParams, Wllama, WllamaConfig } from '@wllama/wllama';
import { withoutOldestExchange } from '../../common/context-budget';
import type {
  ChatTurn,
  GenerateRequest,
  GenerationResult,
  GpuInfo,
  LoadedModel,
  LoadProgress,
  LoadRequest,
  ProgressCallback,
  TokenCallback,
} from '../../common/protocol';
import { fetchFilesIntoStore } from '../cache/chunked-download';
import type { WeightStore } from '../cache/weights-idb';
import { engineError, toEngineError, type EngineError } from '../errors';
import { GenerationClock } from '../metrics';
import type { Engine } from './engine';
import { TurnSlot, type RunningTurn } from './turn-slot';
import { checkRemoteHeader, checkStoredFiles, trainedContext } from './llama-cpp-files';
import { NativeLog, withNativeDetail } from './llama-cpp-log';
import {
  contextSize,
  finishReasonOf,
  isOverContext,
  metricsFromTimings,
  planDevice,
  promptBudget,
  samplingFields,
  settleDevice,
  threadCount,
  type LlamaTimings,
} from './llama-cpp-options';

/** A Wllama whose wasm is the app's own copy; the import happens here, on the first llama.cpp load. */
async function createWllama(config: WllamaConfig): Promise<Wllama> {
  const { Wllama } = await import('@wllama/wllama');
  return new Wllama({ default: wasmUrl() }, config);
}

function wasmUrl(): string {
  return new URL(wllamaWasmUrl, self.location.href).href;
}

// wllama's level 2 is llama.cpp's INFO: enough to tell where the layers went, silent while generating.
const NATIVE_LOG_LEVEL = 2;
const SMALLER_BUILD = 'Pick a smaller build (fewer parameters, or Q4_K_M instead of Q8_0) in the model list.';

interface Loaded {
  wllama: Wllama;
  info: LoadedModel;
  contextTokens: number;
  /** Its native log, whose last warnings name a failure mid-answer (an abort, a lost GPU). */
  log: NativeLog;
}

/** One try at a turn: its outcome, or that the prompt did not fit and the oldest exchange must go. */
type Attempt = { kind: 'done'; result: GenerationResult } | { kind: 'over-budget' };

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function toMessages(turns: readonly ChatTurn[]): ChatCompletionParams['messages'] {
  return turns.map(({ role, content }) => ({ role, content }));
}

export function createLlamaCppEngine(store: WeightStore, gpu: GpuInfo): Engine {
  let loaded: Loaded | undefined;
  const slot = new TurnSlot();
  /** The abort signal of the try under way (a turn over budget tries again with a fresh one). */
  let controller = new AbortController();
  /** Set when llama.cpp aborted or lost its device: every call says so until the next load. */
  let broken: EngineError | undefined;

  async function load(request: LoadRequest, onProgress: ProgressCallback): Promise<LoadedModel> {
    const { record, filesBaseUrl } = request;
    const gguf = record.gguf;
    const first = gguf?.files[0];
    if (!gguf || first === undefined) throw engineError('Unknown', `${record.id} is not a GGUF build`);
    const startedAt = performance.now();
    const plan = planDevice(gpu, request);

    // The header before the download: a wrong or cut file on the server is refused before gigabytes come over.
    if (!(await store.readFile(record.repo, first))) await checkRemoteHeader(`${filesBaseUrl}${first}`, first);
    const stored = await fetchFilesIntoStore({ store, repo: record.repo, engine: 'llama-cpp', filesBaseUrl, files: gguf.files, onProgress });
    const header = await checkStoredFiles(stored).catch(async (error: unknown) => {
      // Stored but unusable: drop it, so Retry fetches it again instead of failing on the same bytes.
      await store.deleteModel(record.repo).catch(() => undefined);
      throw error;
    });

    const totalBytes = stored.reduce((sum, file) => sum + file.blob.size, 0);
    const compiling: LoadProgress = { phase: 'compile', loadedBytes: totalBytes, totalBytes, filesDone: stored.length, filesTotal: stored.length };
    onProgress(compiling);
    const contextTokens = contextSize(record, trainedContext(header));
    const log = new NativeLog();
    const wllama = await createWllama({ logger: log.logger }).catch((error: unknown) => {
      // The app's own engine code, not the model host: named apart, so it never reads as "the host is unreachable".
      throw engineError('Unknown', `llama.cpp's code could not be loaded from this app (${String(error)})`, error);
    });
    try {
      await wllama.loadModel(
        stored.map((file) => file.blob),
        {
          n_ctx: contextTokens,
          n_gpu_layers: plan.gpuLayers,
          n_threads: threadCount(self.crossOriginIsolated, navigator.hardwareConcurrency),
          log_level: NATIVE_LOG_LEVEL,
          // `<think>` stays in the text, where the page splits it off, as it does for the other engines.
          reasoning_format: 'none',
        },
      );
    } catch (error) {
      await wllama.exit().catch(() => undefined);
      throw toEngineError(withNativeDetail(error, log), { memoryAdvice: SMALLER_BUILD });
    }

    const where = settleDevice(plan, log.device);
    const info: LoadedModel = {
      modelId: record.id,
      engine: 'llama-cpp',
      device: where.device,
      dtype: record.dtypes.withoutF16,
      adapterArchitecture: where.device === 'wasm' ? 'CPU' : gpu.architecture,
      inWorker: typeof window === 'undefined' && 'WorkerGlobalScope' in globalThis,
      takesImages: false,
      filesFromCache: stored.filter((file) => file.fromCache).length,
      filesDownloaded: stored.filter((file) => !file.fromCache).length,
      loadMs: performance.now() - startedAt,
      threads: wllama.getNumThreads(),
      ...(where.reason === undefined ? {} : { deviceReason: where.reason }),
    };
    loaded = { wllama, info, contextTokens, log };
    broken = undefined;
    onProgress({ ...compiling, phase: 'ready' });
    return info;
  }

  /** Streams one try; over budget (by llama.cpp's own count of the prompt) it stops before any token and says so. */
  async function attempt(
    model: Loaded,
    current: RunningTurn,
    turns: readonly ChatTurn[],
    budget: number,
    request: GenerateRequest,
    onToken: TokenCallback,
    clock: GenerationClock,
  ): Promise<Attempt> {
    const { wllama, info } = model;
    controller = new AbortController();
    let overBudget = false;
    let text = '';
    let finish: string | null | undefined;
    let timings: LlamaTimings | undefined;
    let promptTokens = 0;
    const body = {
      messages: toMessages(turns),
      stream: true as const,
      ...samplingFields(request.options),
      cache_prompt: true,
      // The first chunk then carries the prompt's length before any of it is evaluated.
      return_progress: true,
      abortSignal: controller.signal,
    };
    try {
      if (current.interrupted) controller.abort();
      const stream: AsyncIterable<ChatCompletionChunk> = await wllama.createChatCompletion(body);
      // Read to the end even after an abort: wllama's stream then ends with its AbortError, and nothing is left unread.
      for await (const chunk of stream) {
        if (controller.signal.aborted) continue;
        if (chunk.prompt_progress) {
          promptTokens = chunk.prompt_progress.total;
          if (promptTokens > budget && withoutOldestExchange(turns)) {
            overBudget = true;
            controller.abort();
            continue;
          }
        }
        if (chunk.timings) timings = chunk.timings;
        const choice = chunk.choices[0];
        finish = choice?.finish_reason ?? finish;
        const piece = choice?.delta.content ?? '';
        if (piece.length > 0) {
          // llama-server sends one chunk per token that completed some text.
          clock.tokenProduced();
          text += piece;
          onToken({ text: piece, outputTokens: clock.outputTokens });
        }
      }
    } catch (error) {
      if (isOverContext(error) && withoutOldestExchange(turns)) return { kind: 'over-budget' };
      if (!isAbort(error)) throw error;
    }
    if (overBudget) return { kind: 'over-budget' };
    const metrics = metricsFromTimings(timings, clock.finish(promptTokens));
    const result: GenerationResult = {
      requestId: request.requestId,
      text,
      finishReason: finishReasonOf(finish, current.interrupted),
      metrics,
      device: info.device,
    };
    return { kind: 'done', result };
  }

  async function generate(request: GenerateRequest, onToken: TokenCallback): Promise<GenerationResult> {
    if (broken) throw broken;
    const model = loaded;
    if (!model) throw engineError('ModelNotLoaded');
    if (request.messages.some((turn) => (turn.images?.length ?? 0) > 0)) throw engineError('ImagesUnsupported');
    const budget = promptBudget(model.contextTokens, request.options.maxNewTokens, request.promptBudgetTokens);
    const clock = new GenerationClock();
    let turns: readonly ChatTurn[] = request.messages;
    return slot.run(request.requestId, () => controller.abort(), async (current) => {
      try {
        for (;;) {
          const outcome = await attempt(model, current, turns, budget, request, onToken, clock);
          if (outcome.kind === 'done') {
            const turnsLeftOut = request.messages.length - turns.length;
            return turnsLeftOut > 0 ? { ...outcome.result, turnsLeftOut } : outcome.result;
          }
          turns = withoutOldestExchange(turns) ?? turns;
        }
      } catch (error) {
        const named = toEngineError(withNativeDetail(error, model.log), { memoryAdvice: SMALLER_BUILD });
        // After an abort inside llama.cpp or a lost GPU its worker is gone: say so until the model is loaded again.
        if (named.name === 'WorkerCrashed' || named.name === 'DeviceLost' || named.name === 'OutOfMemory') {
          broken = named;
          if (loaded === model) loaded = undefined;
          await model.wllama.exit().catch(() => undefined);
        }
        throw named;
      }
    });
  }

  return {
    // wllama's nested worker fetches the wasm, out of this worker's sight: name it so it is kept for offline use.
    offlineAssets: [wasmUrl()],
    load,
    generate,
    interrupt: (requestId) => slot.interrupt(requestId),
    async unload() {
      slot.stopAny();
      const current = loaded;
      loaded = undefined;
      await current?.wllama.exit();
    },
  };
}
