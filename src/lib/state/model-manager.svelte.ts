// Which model is picked and loaded, how its load is going, and what this device can run.
// Invariants: `status` is 'error' exactly when `error` says why (a failed probe or load, a lost GPU, a restarted
// worker), `errorModelId` names the build it belongs to (none for a failed GPU probe, which concerns every build),
// and a retry re-runs the load, which reuses every file already stored in IndexedDB. Without WebGPU the
// small transformers.js builds are loaded on the CPU (wasm) instead of leaving the user at a dead end. Fit verdicts
// are recomputed from the GPU probe and the storage state (estimate and cache list, injected), so they follow
// deletes and downloads. A custom repo in the settings that does not parse is left out of the list and named in
// `invalidRepoError`, never dropped silently. Auto-pick: once a model was benchmarked on this device, picking it
// selects its fastest build here, until the user chooses a build of it themselves (then their pick stays theirs).
// While a benchmark runs it owns the engine: the chat's model is unloaded and nothing here loads.
// After the worker crashed or hung mid-answer, the model that was loaded is loaded again (from IndexedDB) at once,
// so the next message works; a lost GPU or one out of memory waits for the user, who may pick a smaller build.
// Other tabs share the stored models: when one deletes the model loaded here, this tab says so at once (named,
// with Retry, which downloads it again) instead of failing later; any change there re-reads the list here.
import { modelKeyOf } from '../../../common/bench/model-shapes';
import type { BenchResult } from '../../../common/bench/result';
import { ALL_BUILDS, customModelRecord } from '../../../common/catalog/builds';
import { filesBaseUrl } from '../../../common/model-urls';
import { toEngineFailure, type EngineClient } from '../engine-client';
import { pageError, type ShownError } from '../errors';
import { assessFit, recommendBuild, siblings, type FitVerdict } from '../fit';
import { browserEnvironment, type DeviceEnvironment, type StorageState } from './storage-state.svelte';
import type { CachedModel, GpuInfo, LoadedModel, LoadProgress } from '../../../common/protocol';
import type { ModelRecord } from '../../../common/model-record';
import type { SettingsState } from './settings.svelte';
import { BuildChoices, type MeasuredFastest } from './build-choice.svelte';
import { pageTabChannel, type StoreChange, type TabChannel } from '../tabs';

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
  #benchmarking = $state(false);
  #choices: BuildChoices;
  /** Where the speed is measured from: the load's first download event, so bytes already stored never count. */
  #speedSample: { at: number; bytes: number } | undefined;

  constructor(
    client: EngineClient,
    settings: SettingsState,
    storage: StorageState,
    env: DeviceEnvironment = browserEnvironment(),
    choices: BuildChoices = new BuildChoices(),
    tabs: TabChannel = pageTabChannel(),
  ) {
    this.#client = client;
    this.#settings = settings;
    this.#storage = storage;
    this.#env = env;
    this.#choices = choices;
    client.onRestart((failure) => {
      const modelId = this.#loaded?.modelId;
      this.#loaded = undefined;
      // The failure that caused the restart is already shown, or the benchmark that owns the engine reports it.
      if (this.#status === 'error' || this.#benchmarking) return;
      this.#status = 'error';
      this.#error = { name: failure.name, message: failure.message };
      this.#errorModelId = modelId;
    });
    tabs.listen((change) => this.#onOtherTab(change));
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
    await Promise.all([this.probe(), this.#choices.restore()]);
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

  /** The user's pick, or for a first-time user the recommended model, on its fastest build here if it was measured. */
  get selected(): ModelRecord | undefined {
    const id = this.#settings.value.selectedModelId;
    if (id === undefined) {
      const recommended = this.recommended;
      const preferred = recommended && this.#choices.preferred(recommended, undefined, this);
      return (preferred && this.models.find((model) => model.id === preferred.buildId)) ?? recommended;
    }
    return this.models.find((model) => model.id === id);
  }

  /** The fastest build of `record`'s model measured on this device, on the device it would load on here. */
  fastestFor(record: ModelRecord): MeasuredFastest | undefined {
    return this.#choices.fastestFor(record, this);
  }

  /** Why `record` is the selected build: the user's own choice for its model, or the auto-pick's measurement. */
  pickReason(record: ModelRecord): 'chosen' | 'fastest' | undefined {
    return this.#choices.pickReason(record, this);
  }

  /** From the list: another build of the selected model is the user's choice; another model, its preferred build. */
  async pickFromList(id: string): Promise<void> {
    const record = this.models.find((model) => model.id === id);
    const current = this.selected;
    if (!record) return;
    if (current && current.id !== id && modelKeyOf(current) === modelKeyOf(record)) return this.chooseBuild(id);
    const preferred = this.#choices.preferred(record, id, this);
    // The selection changes at once (the picker reads it back); the remembered choice is written after it.
    const selecting = this.select(preferred?.buildId ?? id);
    if (preferred?.because === 'chosen') await this.#choices.choose(modelKeyOf(record), preferred.buildId);
    await selecting;
  }

  /** The user chooses this build for its model, over the auto-pick; remembered on this device. */
  async chooseBuild(id: string): Promise<void> {
    const record = this.models.find((model) => model.id === id);
    const selecting = this.select(id);
    if (record) await this.#choices.choose(modelKeyOf(record), id);
    await selecting;
  }

  /** True while a benchmark owns the engine. */
  get benchmarking(): boolean {
    return this.#benchmarking;
  }

  /** A benchmark takes the engine: the chat's model is unloaded; returns its build, to offer it again afterwards. */
  beginBenchmark(): ModelRecord | undefined {
    const loaded = this.#loaded && this.models.find((model) => model.id === this.#loaded?.modelId);
    this.#benchmarking = true;
    this.#loaded = undefined;
    if (this.#status === 'ready') this.#status = 'idle';
    return loaded;
  }

  endBenchmark(): void {
    this.#benchmarking = false;
  }

  /** Every kept benchmark result (after a run, an import or a delete) feeds the auto-pick. */
  useResults(results: readonly BenchResult[]): void {
    this.#choices.setResults(results);
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

  /** Adds `org/name` (or `org/name/file.gguf`) to the custom repos (once) and selects it; throws on a malformed id. */
  async addCustomRepo(repo: string): Promise<ModelRecord> {
    const spec = repo.trim();
    const record = customModelRecord(spec);
    const repos = this.#settings.value.customRepos;
    if (!repos.includes(spec)) await this.#settings.update({ customRepos: [...repos, spec] });
    await this.select(record.id);
    return record;
  }

  async load(record: ModelRecord | undefined = this.selected): Promise<void> {
    if (!record || this.#benchmarking || this.#status === 'loading' || this.#status === 'probing') return;
    const { device } = this.verdict(record);
    this.#status = 'loading';
    this.#error = undefined;
    this.#errorModelId = undefined;
    this.#loaded = undefined;
    this.#progress = undefined;
    this.#bytesPerSecond = 0;
    this.#speedSample = undefined;
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
   * fresh GPU device) and ask the user to load again, which reads the files back from IndexedDB. After a crashed
   * or hung worker (already replaced) the model loads again by itself.
   */
  handleGenerationFailure(failure: ShownError): void {
    if (failure.name === 'WorkerCrashed' || failure.name === 'WorkerHung') {
      this.#reloadAfterRestart(failure);
      return;
    }
    if (failure.name !== 'DeviceLost' && failure.name !== 'OutOfMemory') return;
    this.#errorModelId = this.#loaded?.modelId;
    this.#loaded = undefined;
    this.#status = 'error';
    this.#error = failure;
    this.#client.restart(failure.name);
  }

  /**
   * The worker was already replaced and its restart set the error: load the model it had, once, from the store.
   * Only when that error is the one shown: after another one (a model deleted meanwhile) the user decides.
   */
  #reloadAfterRestart(failure: ShownError): void {
    const record = this.models.find((model) => model.id === this.#errorModelId);
    if (this.#status !== 'error' || this.#error?.name !== failure.name || !record) return;
    void this.load(record);
  }

  #onOtherTab(change: StoreChange): void {
    void this.#storage.refreshCache();
    if (change.kind !== 'deleted' || !this.#loaded) return;
    const loaded = this.models.find((model) => model.id === this.#loaded?.modelId);
    if (loaded?.repo !== change.repo) return;
    // The engine still holds the weights, but the store no longer does: say it now, not at the next load.
    this.#errorModelId = loaded.id;
    this.#loaded = undefined;
    this.#status = 'error';
    this.#error = pageError('ModelDeletedInOtherTab');
  }

  #onProgress(progress: LoadProgress): void {
    const now = performance.now();
    if (progress.phase === 'download') {
      // A resumed download starts at what is stored: those bytes arrived before this load, not at its speed.
      if (!this.#speedSample) this.#speedSample = { at: now, bytes: progress.loadedBytes };
      const elapsed = now - this.#speedSample.at;
      if (elapsed >= 500) {
        this.#bytesPerSecond = ((progress.loadedBytes - this.#speedSample.bytes) * 1000) / elapsed;
        this.#speedSample = { at: now, bytes: progress.loadedBytes };
      }
    }
    this.#progress = progress;
  }

  #fail(error: unknown, modelId?: string): void {
    const failure = toEngineFailure(error);
    this.#status = 'error';
    this.#error = { name: failure.name, message: failure.message };
    this.#errorModelId = modelId;
    // Out of space: the Storage view opens on the error, beside the models that can be deleted to make room.
    if (failure.name === 'QuotaExceeded') void this.#storage.showQuotaProblem(this.#error);
  }
}
