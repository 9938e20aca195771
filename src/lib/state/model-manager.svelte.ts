// Which model is picked and loaded, how its load is going, and what the GPU can do. Load errors are kept here with
// their name and advice so the view can offer Retry; a retry re-runs the load, which reuses every file already
// stored in IndexedDB.
import { CATALOG, customModelRecord, filesBaseUrl } from '../catalog';
import { toEngineFailure, type EngineClient } from '../engine-client';
import type { CachedModel, GpuInfo, LoadedModel, LoadProgress, ModelRecord } from '../protocol';
import type { SettingsState } from './settings.svelte';

export type ModelStatus = 'probing' | 'no-webgpu' | 'idle' | 'loading' | 'ready' | 'error';

export interface ShownError {
  name: string;
  message: string;
}

export class ModelManager {
  #client: EngineClient;
  #settings: SettingsState;
  #gpu = $state<GpuInfo | undefined>();
  #status = $state<ModelStatus>('probing');
  #progress = $state<LoadProgress | undefined>();
  #bytesPerSecond = $state(0);
  #loaded = $state<LoadedModel | undefined>();
  #error = $state<ShownError | undefined>();
  #cached = $state<CachedModel[]>([]);
  #speedSample = { at: 0, bytes: 0 };

  constructor(client: EngineClient, settings: SettingsState) {
    this.#client = client;
    this.#settings = settings;
    client.onRestart(() => {
      this.#loaded = undefined;
      if (this.#status === 'error') return; // the failure that caused the restart is already shown
      this.#status = 'error';
      this.#error = {
        name: 'WorkerCrashed',
        message: 'The inference worker stopped unexpectedly and was restarted. Load the model again.',
      };
    });
  }

  get gpu(): GpuInfo | undefined {
    return this.#gpu;
  }
  get status(): ModelStatus {
    return this.#status;
  }
  get progress(): LoadProgress | undefined {
    return this.#progress;
  }
  get bytesPerSecond(): number {
    return this.#bytesPerSecond;
  }
  get loaded(): LoadedModel | undefined {
    return this.#loaded;
  }
  get error(): ShownError | undefined {
    return this.#error;
  }
  get cached(): CachedModel[] {
    return this.#cached;
  }

  cachedEntry(record: ModelRecord): CachedModel | undefined {
    return this.#cached.find((entry) => entry.repo === record.repo && entry.engine === record.engine);
  }

  /** Probes the GPU, reads the cache, and loads the last-used model straight away when its files are stored. */
  async start(): Promise<void> {
    await this.probe();
    await this.refreshCache();
    const selected = this.selected;
    if (this.#status === 'idle' && selected && this.cachedEntry(selected)) await this.load(selected);
  }

  async refreshCache(): Promise<void> {
    try {
      this.#cached = await this.#client.listCachedModels();
    } catch (error) {
      console.error('[model-manager] could not list cached models', error);
    }
  }

  /** The catalogue plus the repos the user added, catalogue first. */
  get models(): ModelRecord[] {
    const custom = this.#settings.value.customRepos.flatMap((repo) => {
      try {
        return [customModelRecord(repo)];
      } catch {
        return [];
      }
    });
    return [...CATALOG, ...custom];
  }

  get selected(): ModelRecord | undefined {
    const id = this.#settings.value.selectedModelId;
    return this.models.find((model) => model.id === id);
  }

  async probe(): Promise<void> {
    try {
      this.#gpu = await this.#client.probeGpu();
      this.#status = this.#gpu.webgpu ? 'idle' : 'no-webgpu';
    } catch (error) {
      this.#fail(error);
    }
  }

  async select(id: string): Promise<void> {
    await this.#settings.update({ selectedModelId: id });
  }

  async addCustomRepo(repo: string): Promise<ModelRecord> {
    const record = customModelRecord(repo.trim());
    const repos = this.#settings.value.customRepos;
    if (!repos.includes(record.repo)) await this.#settings.update({ customRepos: [...repos, record.repo] });
    await this.select(record.id);
    return record;
  }

  async load(record: ModelRecord | undefined = this.selected): Promise<void> {
    if (!record || this.#status === 'loading' || this.#status === 'no-webgpu') return;
    this.#status = 'loading';
    this.#error = undefined;
    this.#loaded = undefined;
    this.#progress = undefined;
    this.#bytesPerSecond = 0;
    this.#speedSample = { at: performance.now(), bytes: 0 };
    try {
      const request = { record, filesBaseUrl: filesBaseUrl(this.#settings.value.modelBaseUrl, record.repo) };
      this.#loaded = await this.#client.load(request, (progress) => this.#onProgress(progress));
      this.#status = 'ready';
    } catch (error) {
      this.#fail(error);
    }
    await this.refreshCache();
  }

  /**
   * After the GPU is lost or runs out of memory mid-answer the engine cannot be trusted: start a fresh worker (a
   * fresh GPU device) and ask the user to load again, which reads the files back from IndexedDB.
   */
  handleGenerationFailure(failure: ShownError): void {
    if (failure.name !== 'DeviceLost' && failure.name !== 'OutOfMemory') return;
    this.#loaded = undefined;
    this.#status = 'error';
    this.#error = failure;
    this.#client.restart(failure.name);
  }

  #onProgress(progress: LoadProgress): void {
    const now = performance.now();
    const elapsed = now - this.#speedSample.at;
    if (progress.phase === 'download' && elapsed >= 500) {
      this.#bytesPerSecond = ((progress.loadedBytes - this.#speedSample.bytes) * 1000) / elapsed;
      this.#speedSample = { at: now, bytes: progress.loadedBytes };
    }
    this.#progress = progress;
  }

  #fail(error: unknown): void {
    const failure = toEngineFailure(error);
    this.#status = failure.name === 'WebGPUUnavailable' ? 'no-webgpu' : 'error';
    this.#error = { name: failure.name, message: failure.message };
  }
}
