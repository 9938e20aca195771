// The Benchmark page's state: which model and which of its builds (on WebGPU, on the CPU) to measure, the settings
// (runs, new tokens, prompts, cold load, agreement, the GPU's bandwidth), the run with its progress and Stop, and
// what to offer afterwards (the chat's model, which a run unloads). Invariants: one run at a time, and none while
// the chat streams or a model loads; a cold load, which deletes stored files, runs only after the user confirmed
// it; the engine is the benchmark's from start to end (ModelManager.beginBenchmark / endBenchmark); a run that
// fails outright is named, and the results it finished are kept (BenchmarkResults hands them to the auto-pick).
import { modelKeyOf } from '../../../common/bench/model-shapes';
import { BENCH_PROMPTS, type BenchPromptId } from '../../../common/bench/prompts';
import type { BenchMachine, MemoryReading } from '../../../common/bench/result';
import { filesBaseUrl } from '../../../common/model-urls';
import { describeMachine, readMemory } from '../bench-machine';
import { offersCpu, runBenchmark, totalSteps, type BenchOutcome, type BenchPlan, type BenchProgress, type BenchTarget, type RunnerDeps } from '../bench-runner';
import { toEngineFailure } from '../engine-client';
import { buildName } from '../fit';
import { BandwidthSetting } from './bench-bandwidth.svelte';
import type { BenchmarkResults } from './benchmark-results.svelte';
import type { ModelManager } from './model-manager.svelte';
import type { Device, GpuInfo } from '../../../common/protocol';
import type { ModelRecord } from '../../../common/model-record';

type BenchModels = Pick<
  ModelManager,
  'models' | 'gpu' | 'selected' | 'status' | 'verdict' | 'beginBenchmark' | 'endBenchmark' | 'load'
>;

export interface BenchmarkDeps {
  client: RunnerDeps['client'];
  models: BenchModels;
  settings: { value: { modelBaseUrl: string } };
  results: BenchmarkResults;
  /** True while the chat streams an answer: a run must wait. */
  chatBusy: () => boolean;
  appVersion: string;
  readMemory?: () => Promise<MemoryReading>;
  describeMachine?: (deviceId: string, adapter: GpuInfo, appVersion: string) => BenchMachine;
}

export interface ModelOption {
  key: string;
  label: string;
  builds: ModelRecord[];
}

export interface TargetOption {
  key: string;
  record: ModelRecord;
  device: Device;
  label: string;
  /** Why it cannot be measured here; undefined when it can. */
  unavailable?: string;
}

export type BenchStatus = 'idle' | 'confirm' | 'running' | 'stopping' | 'finished';

export const RUNS_RANGE = { min: 1, max: 50, default: 5 } as const;
export const TOKENS_RANGE = { min: 1, max: 2048, default: 128 } as const;

const targetKey = (record: ModelRecord, device: Device): string => `${record.id}|${device}`;
const clamp = (value: number, range: { min: number; max: number }): number => Math.min(range.max, Math.max(range.min, Math.round(value)));

export class BenchmarkState {
  #deps: BenchmarkDeps;
  #modelKey = $state<string | undefined>();
  /** The user's own ticks; undefined until they tick or untick one (then the defaults no longer apply). */
  #targets = $state<readonly string[] | undefined>();
  #runs = $state<number>(RUNS_RANGE.default);
  #maxNewTokens = $state<number>(TOKENS_RANGE.default);
  #prompts = $state<readonly BenchPromptId[]>(BENCH_PROMPTS.map((prompt) => prompt.id));
  #coldLoad = $state(false);
  #agreement = $state(true);
  #status = $state<BenchStatus>('idle');
  #progress = $state<BenchProgress | undefined>();
  #outcome = $state.raw<BenchOutcome | undefined>();
  #runError = $state<{ name: string; message: string } | undefined>();
  // Raw: the record goes to the worker as is (a $state proxy cannot be cloned into a message).
  #chatModel = $state.raw<ModelRecord | undefined>();
  #controller: AbortController | undefined;

  readonly bandwidth: BandwidthSetting;

  constructor(deps: BenchmarkDeps) {
    this.#deps = deps;
    this.bandwidth = new BandwidthSetting(() => deps.models.gpu);
  }

  get modelOptions(): ModelOption[] {
    const options: ModelOption[] = [];
    for (const record of this.#deps.models.models) {
      const key = modelKeyOf(record);
      const option = options.find((candidate) => candidate.key === key);
      if (option) option.builds.push(record);
      else options.push({ key, label: key, builds: [record] });
    }
    return options;
  }

  /** The model to measure: the user's pick here, else the chat's selected model. */
  get modelKey(): string | undefined {
    if (this.#modelKey !== undefined) return this.#modelKey;
    const selected = this.#deps.models.selected;
    return selected ? modelKeyOf(selected) : this.modelOptions[0]?.key;
  }

  get model(): ModelOption | undefined {
    return this.modelOptions.find((option) => option.key === this.modelKey);
  }

  /** Every build of the model on WebGPU, and on the CPU where it offers that. */
  get targetOptions(): TargetOption[] {
    const gpu = this.#deps.models.gpu;
    const options: TargetOption[] = [];
    for (const record of this.model?.builds ?? []) {
      const verdict = this.#deps.models.verdict(record);
      const label = buildName(record, gpu);
      const onGpu = gpu?.webgpu && verdict.device === 'webgpu' && verdict.possible;
      options.push({
        key: targetKey(record, 'webgpu'),
        record,
        device: 'webgpu',
        label: `${label} on WebGPU`,
        ...(onGpu ? {} : { unavailable: gpu?.webgpu === false ? 'this browser has no WebGPU' : (verdict.reasons[0] ?? 'it cannot run on this GPU') }),
      });
      if (offersCpu(record)) options.push({ key: targetKey(record, 'wasm'), record, device: 'wasm', label: `${label} on the CPU` });
    }
    return options;
  }

  /** The ticked targets; by default every build that runs on this GPU, or on the CPU where none does. */
  isTicked(option: TargetOption): boolean {
    return option.unavailable === undefined && this.#tickedKeys().includes(option.key);
  }

  #tickedKeys(): readonly string[] {
    if (this.#targets) return this.#targets;
    const available = this.targetOptions.filter((option) => option.unavailable === undefined);
    const onGpu = available.filter((option) => option.device === 'webgpu');
    return (onGpu.length > 0 ? onGpu : available).map((option) => option.key);
  }

  get ticked(): TargetOption[] {
    return this.targetOptions.filter((option) => this.isTicked(option));
  }

  get runs(): number {
    return this.#runs;
  }
  get maxNewTokens(): number {
    return this.#maxNewTokens;
  }
  get coldLoad(): boolean {
    return this.#coldLoad;
  }
  get agreement(): boolean {
    return this.#agreement;
  }
  promptTicked(id: BenchPromptId): boolean {
    return this.#prompts.includes(id);
  }

  chooseModel(key: string): void {
    this.#modelKey = key;
    this.#targets = undefined;
  }
  setTicked(option: TargetOption, ticked: boolean): void {
    const others = this.#tickedKeys().filter((key) => key !== option.key);
    this.#targets = ticked ? [...others, option.key] : others;
  }
  setRuns(value: number): void {
    if (Number.isFinite(value)) this.#runs = clamp(value, RUNS_RANGE);
  }
  setMaxNewTokens(value: number): void {
    if (Number.isFinite(value)) this.#maxNewTokens = clamp(value, TOKENS_RANGE);
  }
  setPrompt(id: BenchPromptId, ticked: boolean): void {
    const others = this.#prompts.filter((other) => other !== id);
    this.#prompts = ticked ? [...others, id] : others;
  }
  setColdLoad(value: boolean): void {
    this.#coldLoad = value;
  }
  setAgreement(value: boolean): void {
    this.#agreement = value;
  }

  get status(): BenchStatus {
    return this.#status;
  }
  get running(): boolean {
    return this.#status === 'running' || this.#status === 'stopping';
  }
  get progress(): BenchProgress | undefined {
    return this.#progress;
  }
  get outcome(): BenchOutcome | undefined {
    return this.#outcome;
  }
  get runError(): { name: string; message: string } | undefined {
    return this.#runError;
  }
  /** The chat's model that the last run unloaded, until it is loaded again. */
  get chatModel(): ModelRecord | undefined {
    return this.#chatModel;
  }

  /** Why a run cannot start now; undefined when it can. */
  get blocker(): string | undefined {
    const { models } = this.#deps;
    if (this.running) return 'A benchmark is running.';
    if (!models.gpu) return 'Checking this device first…';
    if (models.status === 'loading') return 'Wait until the model has loaded.';
    if (this.#deps.chatBusy()) return 'Wait until the chat’s answer is finished.';
    if (this.ticked.length === 0) return 'Tick at least one build to measure.';
    if (this.#prompts.length === 0) return 'Tick at least one prompt.';
    return undefined;
  }

  /** Starts a run, or, when it would delete stored files, asks first. */
  async start(): Promise<void> {
    if (this.blocker !== undefined || this.#status === 'confirm') return;
    if (this.#coldLoad) {
      this.#status = 'confirm';
      return;
    }
    await this.#run();
  }
  async confirmStart(): Promise<void> {
    if (this.#status !== 'confirm') return;
    this.#status = 'idle';
    if (this.blocker === undefined) await this.#run();
  }
  cancelStart(): void {
    if (this.#status === 'confirm') this.#status = 'idle';
  }
  /** Ends the run after the answer in flight; the builds already measured are kept. */
  stop(): void {
    if (this.#status !== 'running') return;
    this.#status = 'stopping';
    this.#controller?.abort();
  }
  async reloadChatModel(): Promise<void> {
    const record = this.#chatModel;
    this.#chatModel = undefined;
    if (record) await this.#deps.models.load(record);
  }

  plan(runId: string): BenchPlan {
    const model = this.model;
    const targets: BenchTarget[] = this.ticked.map((option) => ({ record: option.record, device: option.device }));
    return {
      runId,
      modelKey: model?.key ?? '',
      modelLabel: model?.label ?? '',
      targets,
      prompts: BENCH_PROMPTS.filter((prompt) => this.#prompts.includes(prompt.id)),
      runs: this.#runs,
      maxNewTokens: this.#maxNewTokens,
      coldLoad: this.#coldLoad,
      agreement: this.#agreement,
      ...(this.bandwidth.value ? { bandwidth: this.bandwidth.value } : {}),
    };
  }

  /** How many steps a run of the current settings takes (the progress bar's length). */
  get steps(): number {
    return totalSteps(this.plan(''));
  }

  async #run(): Promise<void> {
    const { models, results, settings } = this.#deps;
    const gpu = models.gpu;
    if (!gpu) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.#status = 'running';
    this.#outcome = undefined;
    this.#runError = undefined;
    const plan = this.plan(crypto.randomUUID());
    this.#progress = { done: 0, total: totalSteps(plan), step: 'Starting…' };
    this.#chatModel = models.beginBenchmark() ?? this.#chatModel;
    try {
      const machine = (this.#deps.describeMachine ?? describeMachine)(await results.ensureDeviceId(), gpu, this.#deps.appVersion);
      const outcome = await runBenchmark(
        plan,
        {
          client: this.#deps.client,
          filesBaseUrl: (record) => filesBaseUrl(settings.value.modelBaseUrl, record.repo),
          buildLabel: (record) => buildName(record, gpu),
          machine,
          readMemory: this.#deps.readMemory ?? readMemory,
        },
        controller.signal,
        (progress) => {
          this.#progress = progress;
        },
      );
      this.#outcome = outcome;
      await results.add(outcome.results);
    } catch (error) {
      const failure = toEngineFailure(error);
      this.#runError = { name: failure.name, message: failure.message };
    } finally {
      this.#controller = undefined;
      this.#status = 'finished';
      models.endBenchmark();
    }
  }
}
