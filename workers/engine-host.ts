// Implements the worker API: one engine loaded at a time (transformers.js, web-llm or llama.cpp, picked by the
// record), cache operations over every engine's stores (llama.cpp's GGUF files share the weight store), and every
// failure turned into one of the protocol's named errors before it crosses to the page. A load that fails before any byte came over the network is named HostUnreachable
// (with the host) rather than a cut download: only this host sees both the engine's progress and its failure.
// A model folder (or GGUF files) from disk is checked in full before any of it is stored (sideload).
import { WEB_LLM_CATALOG } from '../common/catalog/web-llm-builds';
import type { ModelRecord } from '../common/model-record';
import type {
  CachedModel,
  ExportedFile,
  GenerateRequest,
  GpuInfo,
  LoadProgress,
  LoadRequest,
  ProgressCallback,
  SideloadProgressCallback,
  SideloadRequest,
  TokenCallback,
  WorkerApi,
} from '../common/protocol';
import { originOf } from '../common/model-urls';
import { createWebLlmCache } from './cache/web-llm-cache';
import { createWeightStore, type WeightStore } from './cache/weights-idb';
import { withCallback } from './callbacks';
import { keepEngineAssetsForOffline } from './engine-assets';
import { engineError, toEngineError, type NamingOptions } from './errors';
import type { Engine } from './engines/engine';
import { createLlamaCppEngine } from './engines/llama-cpp';
import { createTransformersEngine } from './engines/transformers';
import { createWebLlmEngine, loadWebLlmRuntime } from './engines/web-llm';
import { probeGpu } from './gpu';
import { checkSideload, sha256Hex } from './sideload/check';
import { checkGgufSideload, refuseGgufForOtherEngine } from './sideload/gguf-check';

async function named<T>(work: () => Promise<T>, naming: () => NamingOptions = () => ({})): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const named = toEngineError(error, naming());
    console.error(`[engine-host] ${named.name}: ${named.message}`);
    throw named;
  }
}

/** Whether any byte of a load came over the network: bytes that grew while the engine said it was downloading. */
export class NetworkBytesWatch {
  /** The first event sets the baseline: a resumed download starts with the bytes already stored. */
  #lastBytes: number | undefined;
  #arrived = false;

  get arrived(): boolean {
    return this.#arrived;
  }

  see(progress: LoadProgress): void {
    const before = this.#lastBytes ?? (progress.phase === 'download' ? progress.loadedBytes : 0);
    if (progress.phase === 'download' && progress.loadedBytes > before) this.#arrived = true;
    this.#lastBytes = progress.loadedBytes;
  }
}

/** The adapter for a build's engine. */
function engineFor(record: ModelRecord, store: WeightStore, gpu: GpuInfo): Engine {
  switch (record.engine) {
    case 'web-llm':
      return createWebLlmEngine(gpu);
    case 'llama-cpp':
      return createLlamaCppEngine(store, gpu);
    case 'transformers':
      return createTransformersEngine(store, gpu);
  }
}

export function createEngineHost(): WorkerApi {
  const store = createWeightStore();
  const webLlmStore = createWebLlmCache(WEB_LLM_CATALOG, loadWebLlmRuntime);
  let engine: Engine | undefined;

  /** web-llm's listing must not hide the other engine's models when it fails. */
  async function listWebLlm(): Promise<CachedModel[]> {
    try {
      return await webLlmStore.list();
    } catch (error) {
      console.error('[engine-host] could not list web-llm models', error);
      return [];
    }
  }

  async function unload(): Promise<void> {
    const current = engine;
    engine = undefined;
    await current?.unload();
  }

  return {
    probeGpu,

    load: (request: LoadRequest, onProgress: ProgressCallback) => {
      const network = new NetworkBytesWatch();
      return named(
        () =>
          withCallback(onProgress, async (progress) => {
            await unload();
            const gpu = await probeGpu();
            const next = engineFor(request.record, store, gpu);
            const info = await next.load(request, (update) => {
              network.see(update);
              progress(update);
            });
            engine = next;
            // Engine files fetched before the service worker controlled the page would pass its cache by.
            void keepEngineAssetsForOffline(next.offlineAssets);
            return info;
          }),
        () => (network.arrived ? {} : { unreachableHost: originOf(request.filesBaseUrl) }),
      );
    },

    generate: (request: GenerateRequest, onToken: TokenCallback) =>
      named(() =>
        withCallback(onToken, async (token) => {
          if (!engine) throw engineError('ModelNotLoaded');
          return engine.generate(request, token);
        }),
      ),

    interrupt: async (requestId: string) => engine?.interrupt(requestId),
    unload: () => named(unload),
    listCachedModels: () => named(async () => [...(await store.listModels()), ...(await listWebLlm())]),
    deleteCachedModel: (repo: string) =>
      named(async () => {
        await store.deleteModel(repo);
        await webLlmStore.delete(repo);
      }),

    sideloadModel: (request: SideloadRequest, onSideloadProgress: SideloadProgressCallback) =>
      named(() => withCallback(onSideloadProgress, async (onProgress) => {
        const { record } = request;
        if (!record.importable) {
          throw engineError('ImportRejected', `${record.label}: only builds stored as plain files (ONNX and GGUF builds) can be imported from files.`);
        }
        refuseGgufForOtherEngine(record, request.files);
        const checked = record.gguf
          ? await checkGgufSideload(record, request.files, onProgress)
          : await checkSideload(record, request.files, onProgress);
        if (checked.skipped.length > 0) console.info(`[engine-host] sideload left out ${checked.skipped.join(', ')}`);
        let doneBytes = 0;
        await store.importFiles(record.repo, checked.files, (file, bytes) => {
          doneBytes += bytes;
          onProgress({ phase: 'write', doneBytes, totalBytes: checked.bytes, file });
        }, record.engine);
        return { repo: record.repo, files: checked.files.length, bytes: checked.bytes, hashed: checked.hashed };
      })),

    exportModel: (repo: string) =>
      named(async () => {
        const exported: ExportedFile[] = [];
        for (const { path, blob } of await store.readFiles(repo)) {
          exported.push({ path, file: blob, sha256: await sha256Hex(blob) });
        }
        return exported;
      }),
  };
}
