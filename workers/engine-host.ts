// Implements the worker API: one engine loaded at a time, cache operations, and every failure turned into one of
// the protocol's named errors before it crosses to the page.
import type { GenerateRequest, LoadRequest, ProgressCallback, TokenCallback, WorkerApi } from '../src/lib/protocol';
import { createWeightStore } from './cache/weights-idb';
import { engineError, toEngineError } from './errors';
import type { Engine } from './engines/engine';
import { createTransformersEngine } from './engines/transformers';
import { probeGpu } from './gpu';

async function named<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const named = toEngineError(error);
    console.error(`[engine-host] ${named.name}: ${named.message}`);
    throw named;
  }
}

export function createEngineHost(): WorkerApi {
  const store = createWeightStore();
  let engine: Engine | undefined;

  async function unload(): Promise<void> {
    const current = engine;
    engine = undefined;
    await current?.unload();
  }

  return {
    probeGpu,

    load: (request: LoadRequest, onProgress: ProgressCallback) =>
      named(async () => {
        await unload();
        if (request.record.engine !== 'transformers') {
          throw engineError('Unknown', `engine ${request.record.engine} is not available in this build`);
        }
        const next = createTransformersEngine(store, await probeGpu());
        const info = await next.load(request, onProgress);
        engine = next;
        return info;
      }),

    generate: (request: GenerateRequest, onToken: TokenCallback) =>
      named(async () => {
        if (!engine) throw engineError('ModelNotLoaded');
        return engine.generate(request, onToken);
      }),

    interrupt: async (requestId: string) => engine?.interrupt(requestId),
    unload: () => named(unload),
    listCachedModels: () => named(() => store.listModels()),
    deleteCachedModel: (repo: string) => named(() => store.deleteModel(repo)),
  };
}
