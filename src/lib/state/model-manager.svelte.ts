// Which model is picked and loaded, how its load is going, what this device can run, and what is stored on it.
// Load errors are kept with their name and advice so the view can offer Retry; a retry re-runs the load, which
// reuses every file already stored in IndexedDB. Without WebGPU the small transformers.js builds are loaded on the
// CPU (wasm) instead of leaving the user at a dead end. Fit verdicts are recomputed from the GPU probe, the storage
// estimate and the cache listing, so they follow deletes and downloads.
// Sideload: a model folder (or an exported .zip) from disk is handed to the worker, which checks every file before
// storing any; the target is the model its manifest names, else the selected model. Export returns a .zip.
import { ALL_BUILDS, customModelRecord } from '../../../common/catalog/builds';
import { filesBaseUrl } from '../../../common/model-urls';
import { toEngineFailure, type EngineClient } from '../engine-client';
import { assessFit, recommendBuild, siblings, type FitVerdict, type StorageInfo } from '../fit';
import { buildArchive, exportFolderName, toModelFiles, type PickedFile } from '../model-folder';
import { MANIFEST_FILE } from '../../../common/model-manifest';
import type { ShownError } from '../errors';
import type {
  CachedModel,
  GpuInfo,
  LoadedModel,
  LoadProgress,
  SideloadFile,
  SideloadProgress,
  SideloadResult,
} from '../../../common/protocol';
import type { ModelRecord } from '../../../common/model-record';
import type { SettingsState } from './settings.svelte';

export type ModelStatus = 'probing' | 'idle' | 'loading' | 'ready' | 'error';

export type { ShownError };

/** The browser's storage manager, narrowed to what the storage panel needs (tests hand in a fake). */
export interface StorageApi {
  estimate(): Promise<{ usage?: number; quota?: number }>;
  persisted(): Promise<boolean>;
  persist(): Promise<boolean>;
}

export interface DeviceEnvironment {
  storage?: StorageApi;
  /** navigator.deviceMemory, in GiB. */
  memoryGiB?: number;
}

export function browserEnvironment(): DeviceEnvironment {
  const nav: Navigator | undefined = typeof navigator === 'undefined' ? undefined : navigator;
  const memory: unknown = nav ? Reflect.get(nav, 'deviceMemory') : undefined;
  return {
    storage: nav?.storage && typeof nav.storage.estimate === 'function' ? nav.storage : undefined,
    memoryGiB: typeof memory === 'number' && memory > 0 ? memory : undefined,
  };
}

/** Where an import stands, for the storage panel. */
export type ImportState =
  | { kind: 'idle' }
  | { kind: 'running'; label: string; progress?: SideloadProgress }
  | { kind: 'done'; label: string; result: SideloadResult }
  | { kind: 'failed'; error: ShownError };

export interface ExportedArchive {
  name: string;
  archive: Blob;
}

/** The repo a picked folder's manifest names, if it has a readable one. */
async function manifestRepo(files: SideloadFile[]): Promise<string | undefined> {
  const manifest = files.find((file) => file.path === MANIFEST_FILE);
  if (!manifest) return undefined;
  try {
    const parsed: unknown = JSON.parse(await manifest.file.text());
    const repo: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'repo') : undefined;
    return typeof repo === 'string' ? repo : undefined;
  } catch {
    return undefined; // the worker names the broken manifest
  }
}

/** 'persisted': already so before asking; 'granted' / 'refused': the browser's answer to our request. */
export type PersistState = 'not-persisted' | 'persisted' | 'granted' | 'refused' | 'unsupported';

export class ModelManager {
  #client: EngineClient;
  #settings: SettingsState;
  #env: DeviceEnvironment;
  #gpu = $state<GpuInfo | undefined>();
  #status = $state<ModelStatus>('probing');
  #progress = $state<LoadProgress | undefined>();
  #bytesPerSecond = $state(0);
  #loaded = $state<LoadedModel | undefined>();
  #error = $state<ShownError | undefined>();
  #cached = $state<CachedModel[]>([]);
  #storage = $state<StorageInfo | undefined>();
  #persist = $state<PersistState>('not-persisted');
  #deleting = $state<string | undefined>();
  #import = $state<ImportState>({ kind: 'idle' });
  #exporting = $state<string | undefined>();
  #exportError = $state<ShownError | undefined>();
  #speedSample = { at: 0, bytes: 0 };

  constructor(client: EngineClient, settings: SettingsState, env: DeviceEnvironment = browserEnvironment()) {
    this.#client = client;
    this.#settings = settings;
    this.#env = env;
    client.onRestart((failure) => {
      this.#loaded = undefined;
      if (this.#status === 'error') return; // the failure that caused the restart is already shown
      this.#status = 'error';
      this.#error = { name: failure.name, message: failure.message };
    });
  }

  get gpu(): GpuInfo | undefined {
    return this.#gpu;
  }
  /** False once the probe found no WebGPU: the CPU builds are offered instead. */
  get webgpu(): boolean {
    return this.#gpu?.webgpu ?? true;
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
  /** A model is ready and was loaded with an image encoder, so messages may carry images. */
  get takesImages(): boolean {
    return this.#status === 'ready' && (this.#loaded?.takesImages ?? false);
  }
  get error(): ShownError | undefined {
    return this.#error;
  }
  get cached(): CachedModel[] {
    return this.#cached;
  }
  get storage(): StorageInfo | undefined {
    return this.#storage;
  }
  get persistState(): PersistState {
    return this.#persist;
  }
  /** The repo being deleted, `*` while deleting everything, undefined otherwise. */
  get deleting(): string | undefined {
    return this.#deleting;
  }

  get importState(): ImportState {
    return this.#import;
  }
  /** The repo being exported, undefined otherwise. */
  get exporting(): string | undefined {
    return this.#exporting;
  }
  get exportError(): ShownError | undefined {
    return this.#exportError;
  }

  cachedEntry(record: ModelRecord): CachedModel | undefined {
    return this.#cached.find((entry) => entry.repo === record.repo && entry.engine === record.engine);
  }

  /** The catalogue record a stored repo belongs to, if any (custom repos included). */
  recordForRepo(repo: string): ModelRecord | undefined {
    return this.models.find((record) => record.repo === repo);
  }

  /** Probes the GPU, reads the cache and the storage estimate, and loads the last-used model when it is stored. */
  async start(): Promise<void> {
    await this.probe();
    await Promise.all([this.refreshCache(), this.refreshStorage()]);
    const selected = this.selected;
    const stored = selected && this.cachedEntry(selected);
    // Only a complete copy loads by itself: a cut web-llm download would otherwise start downloading on arrival.
    if (this.#status === 'idle' && selected && stored && stored.complete !== false && this.verdict(selected).level !== 'wont-fit') {
      await this.load(selected);
    }
  }

  async refreshCache(): Promise<void> {
    try {
      this.#cached = await this.#client.listCachedModels();
    } catch (error) {
      console.error('[model-manager] could not list cached models', error);
    }
  }

  async refreshStorage(): Promise<void> {
    const storage = this.#env.storage;
    if (!storage) {
      this.#persist = 'unsupported';
      return;
    }
    try {
      const estimate = await storage.estimate();
      this.#storage = { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 };
      if (this.#persist === 'not-persisted' && (await storage.persisted())) this.#persist = 'persisted';
    } catch (error) {
      console.error('[model-manager] could not read the storage estimate', error);
    }
  }

  /** Asks the browser to keep this site's data under storage pressure; the answer is kept for the panel. */
  async requestPersistence(): Promise<void> {
    const storage = this.#env.storage;
    if (!storage) {
      this.#persist = 'unsupported';
      return;
    }
    try {
      this.#persist = (await storage.persist()) ? 'granted' : 'refused';
    } catch (error) {
      console.error('[model-manager] persist() failed', error);
      this.#persist = 'refused';
    }
  }

  async deleteCached(repo: string): Promise<void> {
    if (this.#deleting !== undefined) return;
    this.#deleting = repo;
    try {
      await this.#client.deleteCachedModel(repo);
    } catch (error) {
      console.error('[model-manager] could not delete a cached model', error);
    } finally {
      this.#deleting = undefined;
      await Promise.all([this.refreshCache(), this.refreshStorage()]);
    }
  }

  async deleteAllCached(): Promise<void> {
    if (this.#deleting !== undefined) return;
    this.#deleting = '*';
    try {
      for (const entry of [...this.#cached]) await this.#client.deleteCachedModel(entry.repo);
    } catch (error) {
      console.error('[model-manager] could not delete every cached model', error);
    } finally {
      this.#deleting = undefined;
      await Promise.all([this.refreshCache(), this.refreshStorage()]);
    }
  }

  /**
   * Imports a model folder from disk: the files are checked in the worker and stored all or nothing. The target is
   * the build the folder's manifest names (added as a custom repo when it is not in the catalogue), else the
   * selected build. On success that build is selected, so Load reads it from this device.
   */
  async importFiles(picked: PickedFile[]): Promise<void> {
    if (this.#import.kind === 'running') return;
    this.#import = { kind: 'running', label: 'Reading the files…' };
    try {
      const files = await toModelFiles(picked);
      const named = await manifestRepo(files);
      const record = named === undefined ? this.selected : await this.#recordToImport(named);
      if (!record) throw new Error('Pick the model these files belong to in the model list first.');
      this.#import = { kind: 'running', label: record.label };
      const result = await this.#client.sideloadModel({ record, files }, (progress) => {
        this.#import = { kind: 'running', label: record.label, progress };
      });
      this.#import = { kind: 'done', label: record.label, result };
      if (this.selected?.id !== record.id) await this.select(record.id);
    } catch (error) {
      const failure = toEngineFailure(error);
      const message = failure.name === 'Unknown' && error instanceof Error ? error.message : failure.message;
      this.#import = { kind: 'failed', error: { name: failure.name, message } };
    } finally {
      await Promise.all([this.refreshCache(), this.refreshStorage()]);
    }
  }

  async #recordToImport(repo: string): Promise<ModelRecord> {
    const known = this.models.find((record) => record.repo === repo && record.importable);
    return known ?? this.addCustomRepo(repo);
  }

  /** A .zip of a stored transformers.js build (files plus a manifest of sizes and sha256), to pass on. */
  async exportArchive(repo: string): Promise<ExportedArchive | undefined> {
    if (this.#exporting !== undefined) return undefined;
    this.#exporting = repo;
    this.#exportError = undefined;
    try {
      const files = await this.#client.exportModel(repo);
      if (files.length === 0) throw new Error(`Nothing of ${repo} is stored on this device.`);
      return { name: `${exportFolderName(repo)}.zip`, archive: await buildArchive(repo, files) };
    } catch (error) {
      const failure = toEngineFailure(error);
      this.#exportError = { name: failure.name, message: error instanceof Error ? error.message : failure.message };
      return undefined;
    } finally {
      this.#exporting = undefined;
    }
  }

  /** Both engines' catalogue builds plus the repos the user added. */
  get models(): ModelRecord[] {
    const custom = this.#settings.value.customRepos.flatMap((repo) => {
      try {
        return [customModelRecord(repo)];
      } catch {
        return [];
      }
    });
    return [...ALL_BUILDS, ...custom];
  }

  /** Whether `record` runs here; before the GPU probe answers every build is "tight" on an unknown GPU. */
  verdict(record: ModelRecord): FitVerdict {
    const gpu = this.#gpu;
    if (!gpu) {
      return { level: 'tight', device: 'webgpu', dtype: undefined, reasons: ['checking this GPU…'], summary: 'Checking…', possible: true };
    }
    return assessFit(record, {
      gpu,
      storage: this.#storage,
      cachedBytes: this.cachedEntry(record)?.bytes,
      memoryGiB: this.#env.memoryGiB,
    });
  }

  /** The largest build that fits comfortably, or the smallest that runs when unsure; undefined before the probe. */
  get recommended(): ModelRecord | undefined {
    if (!this.#gpu) return undefined;
    return recommendBuild(ALL_BUILDS, (record) => this.verdict(record));
  }

  /** The user's pick, or the recommendation for a first-time user. */
  get selected(): ModelRecord | undefined {
    const id = this.#settings.value.selectedModelId;
    if (id === undefined) return this.recommended;
    return this.models.find((model) => model.id === id);
  }

  /** The same model's other builds, on either engine. */
  siblingsOf(record: ModelRecord): ModelRecord[] {
    return siblings(record, ALL_BUILDS);
  }

  async probe(): Promise<void> {
    try {
      this.#gpu = await this.#client.probeGpu();
      this.#status = 'idle';
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
    if (!record || this.#status === 'loading' || this.#status === 'probing') return;
    const { device } = this.verdict(record);
    this.#status = 'loading';
    this.#error = undefined;
    this.#loaded = undefined;
    this.#progress = undefined;
    this.#bytesPerSecond = 0;
    this.#speedSample = { at: performance.now(), bytes: 0 };
    try {
      const request = { record, filesBaseUrl: filesBaseUrl(this.#settings.value.modelBaseUrl, record.repo), device };
      this.#loaded = await this.#client.load(request, (progress) => this.#onProgress(progress));
      this.#status = 'ready';
    } catch (error) {
      this.#fail(error);
    }
    await Promise.all([this.refreshCache(), this.refreshStorage()]);
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
    this.#status = 'error';
    this.#error = { name: failure.name, message: failure.message };
  }
}
