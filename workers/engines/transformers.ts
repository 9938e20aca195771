// Engine adapter over @huggingface/transformers on WebGPU, or on the CPU (ONNX Runtime's wasm backend) when the page
// asks for `device: 'wasm'`. Owns transformers.js's global `env` (one model at a time, so one configuration at a
// time): files come from the request's base URL, are cached in our IndexedDB weight store, and ONNX Runtime's wasm
// is served by the app itself, never a CDN. On wasm a generation step never yields to the worker's event loop, so
// the model's forward is wrapped to yield once per step: that is what lets an interrupt arrive mid-answer.
// A build whose config names an image-text architecture (Qwen3.5 with a vision_config) is loaded whole, with its
// image encoder and processor, so its user turns can carry images; every other build loads as a causal LM.
// Between turns the model's state is kept (transformers-kv-cache.ts), so a turn prefills only what is new.
// The files are fetched first by our own chunked download, which resumes inside a file after a cut
// (transformers-download.ts); transformers.js then finds them in the cache.
import {
  AutoConfig,
  AutoModelForCausalLM,
  AutoModelForImageTextToText,
  AutoProcessor,
  AutoTokenizer,
  InterruptableStoppingCriteria,
  LogLevel,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Processor,
} from '@huggingface/transformers';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import type {
  Device,
  GenerateRequest,
  GenerationResult,
  GpuInfo,
  LoadedModel,
  LoadRequest,
  ProgressCallback,
  TokenCallback,
} from '../../common/protocol';
import type { Dtype } from '../../common/model-record';
import { chooseDtype, NoPrecisionForGpu, visionDtypeFor } from '../../common/precision';
import type { WeightStore } from '../cache/weights-idb';
import { engineError } from '../errors';
import type { Engine } from './engine';
import { TurnSlot } from './turn-slot';
import { TurnStateCache } from './transformers-kv-cache';
import { TransformersPrefetch } from './transformers-download';
import { LoadProgressTracker } from './transformers-progress';
import { generateTurn, type TurnModel } from './transformers-turn';
import { isImageTextConfig } from '../../common/vision-config';

interface Loaded extends TurnModel {
  info: LoadedModel;
}


function configureEnvironment(): void {
  env.allowLocalModels = false;
  env.allowRemoteModels = true;
  env.useBrowserCache = false;
  env.useCustomCache = true;
  env.logLevel = LogLevel.ERROR;
  const onnx = env.backends.onnx;
  if (onnx.wasm) onnx.wasm.wasmPaths = { wasm: new URL(ortWasmUrl, self.location.href).href };
}

function isWorkerThread(): boolean {
  return typeof window === 'undefined' && 'WorkerGlobalScope' in globalThis;
}

/** Lets queued messages (an interrupt) run before each generation step on the CPU backend. */
export function yieldBeforeEachStep(model: PreTrainedModel): void {
  const forward = model.forward.bind(model);
  const yielding = async (inputs: Parameters<PreTrainedModel['forward']>[0]): ReturnType<PreTrainedModel['forward']> => {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    return forward(inputs);
  };
  model.forward = yielding;
}

export function pickDtype(request: LoadRequest, gpu: GpuInfo): Dtype {
  // The CPU has no shader-f16 question: it always takes the non-f16 precision (q4 or fp32).
  if (request.device === 'wasm') return request.record.dtypes.withoutF16;
  try {
    return chooseDtype(request.record, gpu);
  } catch (error) {
    if (error instanceof NoPrecisionForGpu) throw engineError('ShaderF16Missing', error.message, error);
    throw error;
  }
}

export function createTransformersEngine(store: WeightStore, gpu: GpuInfo): Engine {
  let loaded: Loaded | undefined;
  const slot = new TurnSlot();
  let deviceLost: string | undefined;
  configureEnvironment();

  /** ONNX Runtime keeps one GPUDevice per worker; once it is lost, only a fresh worker can compute again. */
  async function watchDevice(): Promise<void> {
    const device = await env.backends.onnx.webgpu?.device;
    void device?.lost.then((info) => {
      deviceLost = info.message || info.reason || 'unknown reason';
      console.error(`[transformers] GPU device lost: ${deviceLost}`);
      slot.stopAny();
    });
  }

  /** A failed run may be the first sign of a lost device, before `device.lost` settles: give it a moment. */
  async function lostDeviceReason(): Promise<string | undefined> {
    if (deviceLost) return deviceLost;
    const device = await env.backends.onnx.webgpu?.device;
    if (!device) return undefined;
    const grace = new Promise<undefined>((resolve) => setTimeout(resolve, 250, undefined));
    const lost = device.lost.then((info) => info.message || info.reason || 'unknown reason');
    return Promise.race([lost, grace]);
  }

  async function load(request: LoadRequest, onProgress: ProgressCallback): Promise<LoadedModel> {
    const device: Device = request.device ?? 'webgpu';
    if (device === 'webgpu' && !gpu.webgpu) throw engineError('WebGPUUnavailable');
    const dtype = pickDtype(request, gpu);
    const { record, filesBaseUrl } = request;
    const startedAt = performance.now();
    const tracker = new LoadProgressTracker(onProgress, record.downloadBytes[dtype] ?? 0);
    const progress_callback = (info: { status: string; file?: string; loaded?: number; total?: number }): void =>
      tracker.report(info);

    // transformers.js builds `remoteHost/template/file`; splitting our absolute base at its path keeps the URL it
    // fetches equal to `filesBaseUrl + file`, which is also the prefix the cache strips.
    const base = new URL(filesBaseUrl);
    env.remoteHost = `${base.origin}/`;
    env.remotePathTemplate = base.pathname.replace(/^\//, '');
    const cache = store.forModel(record.repo, filesBaseUrl, { onHit: (file) => tracker.cacheHit(file) });
    env.customCache = cache;

    const prefetch = new TransformersPrefetch({
      store, repo: record.repo, filesBaseUrl,
      events: { progress: (progress) => tracker.prefetching(progress), downloaded: (file) => tracker.prefetched(file) },
    });
    tracker.prefetchStarting();
    await prefetch.config();
    const config = await AutoConfig.from_pretrained(record.repo, { progress_callback });
    const takesImages = isImageTextConfig(config);
    const vision = takesImages ? visionDtypeFor(record, dtype) : dtype;
    const dtypes = { embed_tokens: dtype, decoder_model_merged: dtype, vision_encoder: vision };
    await prefetch.modelFiles(config, takesImages ? dtypes : dtype, device, takesImages);
    tracker.prefetchDone();

    let tokenizer: PreTrainedTokenizer;
    let model: PreTrainedModel;
    let processor: Processor | undefined;
    if (takesImages) {
      processor = await AutoProcessor.from_pretrained(record.repo, { progress_callback });
      if (!processor.tokenizer) throw engineError('Unknown', `${record.repo} has a processor without a tokenizer`);
      tokenizer = processor.tokenizer;
      model = await AutoModelForImageTextToText.from_pretrained(record.repo, { config, device, dtype: dtypes, progress_callback });
    } else {
      tokenizer = await AutoTokenizer.from_pretrained(record.repo, { progress_callback });
      model = await AutoModelForCausalLM.from_pretrained(record.repo, { config, device, dtype, progress_callback });
    }
    // transformers.js only logs a refused cache write and loads from memory: a file it fetched itself that did not
    // fit must fail the load with the quota error, or the next visit would need the network after all.
    const unstored = cache.storeFailure();
    if (unstored) {
      await model.dispose();
      throw unstored;
    }

    if (device === 'webgpu') await watchDevice();
    else yieldBeforeEachStep(model);
    tracker.setPhase('warm-up');
    // Two tokens compile the GPU shaders of both prefill and a decode step now, so the first answer does not pay.
    const warmUp = tokenizer('Hello');
    await model.generate({ ...warmUp, max_new_tokens: 2, do_sample: false });

    const info: LoadedModel = {
      modelId: record.id,
      engine: 'transformers',
      device,
      dtype,
      adapterArchitecture: device === 'wasm' ? 'CPU' : gpu.architecture,
      inWorker: isWorkerThread(),
      takesImages: processor !== undefined,
      filesFromCache: tracker.filesFromCache,
      filesDownloaded: tracker.filesDownloaded,
      loadMs: performance.now() - startedAt,
    };
    const turnState = new TurnStateCache(model);
    loaded = processor ? { info, tokenizer, model, processor, turnState } : { info, tokenizer, model, turnState };
    tracker.setPhase('ready');
    return info;
  }

  async function generate(request: GenerateRequest, onToken: TokenCallback): Promise<GenerationResult> {
    if (deviceLost) throw engineError('DeviceLost', deviceLost);
    if (!loaded) throw engineError('ModelNotLoaded');
    const current = loaded;
    const { info, turnState } = current;
    const stopping = new InterruptableStoppingCriteria();
    return slot.run(request.requestId, () => stopping.interrupt(), async () => {
      try {
        const outcome = await generateTurn(current, request, onToken, stopping);
        if (deviceLost) throw engineError('DeviceLost', deviceLost);
        const { reusedTokens } = outcome;
        const metrics = { ...outcome.metrics, promptTokensCached: reusedTokens };
        console.info(`[transformers] prompt ${metrics.promptTokens} tokens: ${metrics.promptTokens - reusedTokens} prefilled, ${reusedTokens} from the previous turn`);
        const result: GenerationResult = { requestId: request.requestId, text: outcome.text, finishReason: outcome.finishReason, metrics, device: info.device };
        if (outcome.turnsLeftOut > 0) result.turnsLeftOut = outcome.turnsLeftOut;
        return result;
      } catch (error) {
        // A failed turn may have left the kept state half-updated: start the next one from scratch.
        turnState.clear();
        const lost = info.device === 'webgpu' ? await lostDeviceReason() : undefined;
        throw lost ? engineError('DeviceLost', lost, error) : error;
      }
    });
  }

  return {
    offlineAssets: [ortWasmUrl],
    load,
    generate,
    interrupt: (requestId) => slot.interrupt(requestId),
    async unload() {
      slot.stopAny();
      const current = loaded;
      loaded = undefined;
      current?.turnState.clear();
      await current?.model.dispose();
    },
  };
}
