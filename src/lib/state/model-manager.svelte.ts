// Which model is picked and loaded, how its load is going, and what this device can run.
// Invariants: `status` is 'error' exactly when `error` says why (a failed probe or load, a lost GPU, a restarted
// worker), `errorModelId` names the build it belongs to (none for a failed GPU probe, which concerns every build),
// and a retry re-runs the load, which reuses every file already stored in IndexedDB. Without WebGPU the
// small transformers.js builds are loaded on the CPU (wasm) instead of leaving the user at a dead end. Fit verdicts
// are recomputed from the GPU probe and the storage state (estimate and cache list, injected), so they follow
// deletes and downloads. A custom repo in the settings that does not parse is left out of the list and named in
// `invalidRepoError`, never dropped silently.
import { ALL_BUILDS, customModelRecord } from '../../../common/catalog/builds';
import { filesBaseUrl } from '../../../common/model-urls';
import { toEngineFailure, type EngineClient } from '../engine-client';
import { pageError, type ShownError } from '../errors';
import { assessFit, recommendBuild, siblings, type FitVerdict } from '../fit';
import { browserEnvironment, type DeviceEnvironment, type StorageState } from './storage-state.svelte';
import type { CachedModel, GpuInfo, LoadedModel, LoadProgress } from '../../../common/protocol';
import type { ModelRecord } from '../../../common/model-record';
import type { SettingsState } from './settings.svelte';

export type ModelStatus = 'probing' | 'idle' | 'loading' | 'ready' | 'error';

/** The custom repos that parse, as records, and those that do not. */
function parseCustomRepos(repos: readonly string[]): { records: ModelRecord[]; invalid: string[] } {
  const records: ModelRecord[] = [];
  const invalid: string[] = [];
  for (const repo of repos) {
    try {
      records.push(customModelRecord(repo));
    } catch {
      invalid.push(repo);
    }
  }
  return { records, invalid };
}

export class ModelManager {
  #client: EngineClient;
  #settings: SettingsState;
  #storage: StorageState;
  #env: DeviceEnvironment;
  #gpu = $state<GpuInfo | undefined>();
  #status = $state<ModelStatus>('probing');
  #progress = $state<LoadProgress | undefined>();
  #bytesPerSecond = $state(0);
  #loaded = $state<LoadedModel | undefined>();
  #error = $state<ShownError | undefined>();
  #errorModelId = $state<string | undefined>();
  #speedSample = { at: 0, bytes: 0 };

  constructor(client: EngineClient, settings: SettingsState, storage: StorageState, env: DeviceEnvironment = browserEnvironment()) {
    this.#client = client;
    this.#settings = settings;
    this.#storage = storage;
    this.#env = env;
    client.onRestart((failure) => {
      const modelId = this.#loaded?.modelId;
      this.#loaded = undefined;
      if (this.#status === 'error') return; // the failure that caused the restart is already shown
      this.#status = 'error';
      this.#error = { name: failure.name, message: failure.message };
      this.#errorModelId = modelId;
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
  /** The build the shown error belongs to; undefined when it concerns every build (a failed GPU probe). */
  get errorModelId(): string | undefined {
    return this.#errorModelId;
  }

  /** The error to show with `record`: its own failure, or one that concerns every build; another build's is not. */
  errorFor(record: ModelRecord | undefined): ShownError | undefined {
    if (this.#status !== 'error' || !this.#error) return undefined;
    return this.#errorModelId === undefined || this.#errorModelId === record?.id ? this.#error : undefined;
  }

  cachedEntry(record: ModelRecord): CachedModel | undefined {
    return this.#storage.cachedEntry(record);
  }

  /** The catalogue record a stored repo belongs to, if any (custom repos included). */
  recordForRepo(repo: string): ModelRecord | undefined {
    return this.models.find((record) => record.repo === repo);
  }

  /** Probes the GPU, reads the cache and the storage estimate, and loads the last-used model when it is stored. */
  async start(): Promise<void> {
    await this.probe();
    await this.#storage.refresh();
    const selected = this.selected;
    const stored = selected && this.cachedEntry(selected);
    // Only a complete copy loads by itself: a cut web-llm download would otherwise start downloading on arrival.
    if (this.#status === 'idle' && selected && stored && stored.complete !== false && this.verdict(selected).level !== 'wont-fit') {
      await this.load(selected);
    }
  }

  /** Both engines' catalogue builds plus the repos the user added (those that parse). */
  get models(): ModelRecord[] {
    return [...ALL_BUILDS, ...parseCustomRepos(this.#settings.value.customRepos).records];
  }

  /** Names the custom repos in the settings that are not of the form `org/name`, which the list leaves out. */
  get invalidRepoError(): ShownError | undefined {
    const { invalid } = parseCustomRepos(this.#settings.value.customRepos);
    return invalid.length === 0 ? undefined : pageError('InvalidRepoId', invalid.join(', '));
  }

  /** Whether `record` runs here; before the GPU probe answers every build is "tight" on an unknown GPU. */
  verdict(record: ModelRecord): FitVerdict {
    const gpu = this.#gpu;
    if (!gpu) {
      return { level: 'tight', device: 'webgpu', dtype: undefined, reasons: ['checking this GPU…'], summary: 'Checking…', possible: true };
    }
    return assessFit(record, {
      gpu,
      storage: this.#storage.estimate,
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

  /** Adds `org/name` to the custom repos (once) and selects it; throws on a malformed id. */
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
    this.#errorModelId = undefined;
    this.#loaded = undefined;
    this.#progress = undefined;
    this.#bytesPerSecond = 0;
    this.#speedSample = { at: performance.now(), bytes: 0 };
    try {
      const request = { record, filesBaseUrl: filesBaseUrl(this.#settings.value.modelBaseUrl, record.repo), device };
      this.#loaded = await this.#client.load(request, (progress) => this.#onProgress(progress));
      this.#status = 'ready';
    } catch (error) {
      this.#fail(error, record.id);
    }
    await this.#storage.refresh();
  }

  /**
   * After the GPU is lost or runs out of memory mid-answer the engine cannot be trusted: start a fresh worker (a
   * fresh GPU device) and ask the user to load again, which reads the files back from IndexedDB.
   */
  handleGenerationFailure(failure: ShownError): void {
    if (failure.name !== 'DeviceLost' && failure.name !== 'OutOfMemory') return;
    this.#errorModelId = this.#loaded?.modelId;
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

  #fail(error: unknown, modelId?: string): void {
    const failure = toEngineFailure(error);
    this.#status = 'error';
    this.#error = { name: failure.name, message: failure.message };
    this.#errorModelId = modelId;
  }
}
