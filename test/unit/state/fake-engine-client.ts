// A scripted EngineClient, StorageApi and device environment for the model-state unit tests (ModelManager,
// StorageState, ModelTransfer): each worker call answers what the test set up, and every call is recorded so a test
// can check what the state asked for. `restart` behaves as the real client's: it fires the restart listeners with
// a WorkerCrashed (or the given) failure naming the reason.
import { findModel } from '../../../common/catalog/builds';
import { EngineFailure, type EngineClient, type GenerationEvent } from '../../../src/lib/engine-client';
import type { DeviceEnvironment, StorageApi } from '../../../src/lib/state/storage-state.svelte';
import { ENGINE_ADVICE, type EngineErrorName } from '../../../common/errors';
import type { ModelRecord } from '../../../common/model-record';
import type {
  CachedModel,
  ExportedFile,
  GpuInfo,
  LoadedModel,
  LoadProgress,
  LoadRequest,
  SideloadProgress,
  SideloadRequest,
  SideloadResult,
} from '../../../common/protocol';

export const BIG_GPU: GpuInfo = {
  webgpu: true,
  shaderF16: true,
  architecture: 'fake',
  vendor: 'test',
  isFallbackAdapter: false,
  maxBufferSize: 4 * 1024 ** 3,
  maxStorageBufferBindingSize: 4 * 1024 ** 3,
  device: '',
  description: '',
  features: [],
};

/** A catalogue build by id; throws when the catalogue has none, so a renamed build fails loudly. */
export function catalogueBuild(id: string): ModelRecord {
  const record = findModel(id);
  if (!record) throw new Error(`no catalogue build ${id}`);
  return record;
}

export function engineFailure(name: EngineErrorName, detail = 'from the fake'): EngineFailure {
  return new EngineFailure(name, `${ENGINE_ADVICE[name]} (${detail})`);
}

export function loadedModel(record: ModelRecord, overrides: Partial<LoadedModel> = {}): LoadedModel {
  return {
    modelId: record.id,
    engine: record.engine,
    device: 'webgpu',
    dtype: record.dtypes.withF16,
    adapterArchitecture: 'fake',
    inWorker: true,
    takesImages: record.takesImages,
    filesFromCache: 0,
    filesDownloaded: 3,
    loadMs: 10,
    ...overrides,
  };
}

export function cachedModel(record: Pick<ModelRecord, 'repo' | 'engine'>, overrides: Partial<CachedModel> = {}): CachedModel {
  return { repo: record.repo, engine: record.engine, files: 3, bytes: 1000, exportable: true, ...overrides };
}

type LoadScript = (request: LoadRequest, onProgress: (progress: LoadProgress) => void) => Promise<LoadedModel>;
type SideloadScript = (request: SideloadRequest, onProgress: (progress: SideloadProgress) => void) => Promise<SideloadResult>;

export class FakeEngineClient implements EngineClient {
  gpu: GpuInfo | Error = BIG_GPU;
  /** What the next load does; by default it succeeds at once with the requested record. */
  loadScript: LoadScript = (request) => Promise.resolve(loadedModel(request.record));
  /** What is stored; `listFailure` makes the listing fail instead. */
  cached: CachedModel[] = [];
  listFailure: Error | undefined;
  /** Repos whose delete fails (the rest are removed from `cached`). */
  undeletable = new Set<string>();
  sideloadScript: SideloadScript = (request) =>
    Promise.resolve({ repo: request.record.repo, files: request.files.length, bytes: 1, hashed: 0 });
  exportScript: (repo: string) => Promise<ExportedFile[]> = () => Promise.resolve([]);

  readonly loads: LoadRequest[] = [];
  readonly deleted: string[] = [];
  readonly sideloads: SideloadRequest[] = [];
  readonly restarts: string[] = [];
  listCalls = 0;
  #restartListeners = new Set<(failure: EngineFailure) => void>();

  probeGpu(): Promise<GpuInfo> {
    return this.gpu instanceof Error ? Promise.reject(this.gpu) : Promise.resolve(this.gpu);
  }

  load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel> {
    this.loads.push(request);
    return this.loadScript(request, onProgress);
  }

  // eslint-disable-next-line require-yield -- the model-state tests never generate; the chat tests have their own fake
  async *generate(): AsyncGenerator<GenerationEvent> {
    throw new Error('FakeEngineClient.generate is not scripted');
  }

  unload(): Promise<void> {
    return Promise.resolve();
  }

  listCachedModels(): Promise<CachedModel[]> {
    this.listCalls += 1;
    if (this.listFailure) return Promise.reject(this.listFailure);
    return Promise.resolve([...this.cached]);
  }

  deleteCachedModel(repo: string): Promise<void> {
    if (this.undeletable.has(repo)) return Promise.reject(new Error(`could not delete ${repo}`));
    this.deleted.push(repo);
    this.cached = this.cached.filter((entry) => entry.repo !== repo);
    return Promise.resolve();
  }

  sideloadModel(request: SideloadRequest, onProgress: (progress: SideloadProgress) => void): Promise<SideloadResult> {
    this.sideloads.push(request);
    return this.sideloadScript(request, onProgress);
  }

  exportModel(repo: string): Promise<ExportedFile[]> {
    return this.exportScript(repo);
  }

  restart(reason: string, name: 'WorkerCrashed' | 'WorkerHung' = 'WorkerCrashed'): void {
    this.restarts.push(reason);
    this.crash(engineFailure(name, reason));
  }

  /** The worker was replaced: every restart listener hears the failure that what was in flight got. */
  crash(failure: EngineFailure): void {
    for (const listener of this.#restartListeners) listener(failure);
  }

  onRestart(listener: (failure: EngineFailure) => void): () => void {
    this.#restartListeners.add(listener);
    return () => this.#restartListeners.delete(listener);
  }

  dispose(): void {
    this.#restartListeners.clear();
  }
}

/** A storage manager that answers what the test set; `persistAnswer` may also be an Error (persist() throws). */
export class FakeStorageApi implements StorageApi {
  usage = 1024 ** 3;
  quota = 100 * 1024 ** 3;
  alreadyPersisted = false;
  persistAnswer: boolean | Error = true;
  persistCalls = 0;

  estimate(): Promise<{ usage?: number; quota?: number }> {
    return Promise.resolve({ usage: this.usage, quota: this.quota });
  }
  persisted(): Promise<boolean> {
    return Promise.resolve(this.alreadyPersisted);
  }
  persist(): Promise<boolean> {
    this.persistCalls += 1;
    return this.persistAnswer instanceof Error ? Promise.reject(this.persistAnswer) : Promise.resolve(this.persistAnswer);
  }
}

/** A device with room for every small build: a big GPU (from the client), 8 GiB of memory, 100 GiB of quota. */
export function roomyDevice(storage: StorageApi | undefined = new FakeStorageApi()): DeviceEnvironment {
  return { storage, memoryGiB: 8 };
}

/** A promise whose settling the test controls. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
