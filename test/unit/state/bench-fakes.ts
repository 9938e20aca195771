// Fakes for the benchmark state tests: an engine client that also answers `generate` (each answer streams pieces
// that the test scripts per device, with metrics from the loaded device's scripted speed), in-memory result and
// choice stores, and the set-up of a ModelManager, a BenchmarkResults and a BenchmarkState wired as App.svelte does.
import type { GenerationEvent } from '../../../src/lib/engine-client';
import type { BuildChoiceStorage } from '../../../src/lib/state/build-choice.svelte';
import { BuildChoices } from '../../../src/lib/state/build-choice.svelte';
import { BenchmarkResults, type BenchResultsStorage } from '../../../src/lib/state/benchmark-results.svelte';
import { BenchmarkState } from '../../../src/lib/state/benchmark.svelte';
import { ModelManager } from '../../../src/lib/state/model-manager.svelte';
import { SettingsState } from '../../../src/lib/state/settings.svelte';
import { StorageState } from '../../../src/lib/state/storage-state.svelte';
import type { BenchMachine, BenchResult } from '../../../common/bench/result';
import type { Device, GenerateRequest, GpuInfo, LoadedModel, LoadProgress, LoadRequest } from '../../../common/protocol';
import { FakeEngineClient, loadedModel, roomyDevice } from './fake-engine-client';

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class BenchFakeClient extends FakeEngineClient {
  /** Decode tokens/s per device, per build id (default 20 on WebGPU, 5 on the CPU). */
  speed: (buildId: string, device: Device) => number = (_id, device) => (device === 'webgpu' ? 20 : 5);
  /** The pieces each answer streams, per device. */
  pieces: (device: Device) => string[] = () => ['The', ' sea', ' is', ' calm'];
  /** Called before each answer streams (a test can stop the run there). */
  beforeAnswer: (request: Omit<GenerateRequest, 'requestId'>) => void | Promise<void> = () => undefined;
  readonly generated: Omit<GenerateRequest, 'requestId'>[] = [];
  readonly unloads: number[] = [];
  current: LoadedModel | undefined;

  override load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel> {
    return super.load(request, onProgress).then((loaded) => {
      this.current = { ...loaded, device: request.device ?? 'webgpu', dtype: request.record.dtypes.withoutF16 };
      return this.current;
    });
  }

  override unload(): Promise<void> {
    this.unloads.push(Date.now());
    this.current = undefined;
    return Promise.resolve();
  }

  // Optional only to match the base class's unscripted `generate()`; the runner always passes a request.
  override async *generate(request?: Omit<GenerateRequest, 'requestId'>, signal?: AbortSignal): AsyncGenerator<GenerationEvent> {
    if (!request) throw new Error('generate without a request');
    this.generated.push(structuredClone(request));
    await this.beforeAnswer(request);
    const loaded = this.current;
    if (!loaded) throw new Error('generate without a loaded model');
    const pieces = this.pieces(loaded.device);
    let text = '';
    for (const [index, piece] of pieces.entries()) {
      if (signal?.aborted) break;
      text += piece;
      yield { type: 'token', text: piece, outputTokens: index + 1 };
      await tick();
    }
    const promptTokens = request.messages.reduce((sum, turn) => sum + turn.content.length, 0);
    const decode = this.speed(loaded.modelId, loaded.device);
    yield {
      type: 'done',
      result: {
        requestId: 'fake',
        text,
        finishReason: signal?.aborted ? 'aborted' : 'stop',
        device: loaded.device,
        metrics: {
          promptTokens,
          outputTokens: pieces.length,
          timeToFirstTokenMs: promptTokens / 10,
          prefillTokensPerS: 400,
          decodeTokensPerS: decode,
          totalMs: 100,
        },
      },
    };
  }
}

export class MemoryResultsStorage implements BenchResultsStorage {
  saved: BenchResult[] = [];
  failure: Error | undefined;
  constructor(readonly id = 'device-here') {}
  load(): Promise<{ results: BenchResult[]; leftOut: number }> {
    return Promise.resolve({ results: [...this.saved], leftOut: 0 });
  }
  save(results: BenchResult[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.saved = [...results];
    return Promise.resolve();
  }
  deviceId(): Promise<string> {
    return Promise.resolve(this.id);
  }
}

export class MemoryChoiceStorage implements BuildChoiceStorage {
  results: BenchResult[] = [];
  choices: Record<string, string> = {};
  constructor(readonly id = 'device-here') {}
  loadResults(): Promise<BenchResult[]> {
    return Promise.resolve(this.results);
  }
  deviceId(): Promise<string> {
    return Promise.resolve(this.id);
  }
  loadChoices(): Promise<Record<string, string>> {
    return Promise.resolve({ ...this.choices });
  }
  saveChoices(choices: Record<string, string>): Promise<void> {
    this.choices = { ...choices };
    return Promise.resolve();
  }
}

export function machineFor(deviceId: string, adapter: GpuInfo): BenchMachine {
  return { deviceId, userAgent: 'test', crossOriginIsolated: false, adapter, appVersion: 'test' };
}

export interface BenchSetup {
  client: BenchFakeClient;
  settings: SettingsState;
  models: ModelManager;
  results: BenchmarkResults;
  resultsStorage: MemoryResultsStorage;
  choiceStorage: MemoryChoiceStorage;
  bench: BenchmarkState;
  chat: { busy: boolean };
}

export async function benchSetup(): Promise<BenchSetup> {
  const client = new BenchFakeClient();
  client.loadScript = (request) => Promise.resolve(loadedModel(request.record, { filesFromCache: 5, filesDownloaded: 0 }));
  const settings = new SettingsState();
  await settings.update({ selectedModelId: undefined, customRepos: [] });
  const env = roomyDevice();
  const storage = new StorageState(client, env);
  const choiceStorage = new MemoryChoiceStorage();
  const models = new ModelManager(client, settings, storage, env, new BuildChoices(choiceStorage));
  const resultsStorage = new MemoryResultsStorage();
  const results = new BenchmarkResults({ storage: resultsStorage, download: () => undefined, onChange: (all) => models.useResults(all) });
  const chat = { busy: false };
  const bench = new BenchmarkState({
    client,
    models,
    settings,
    results,
    chatBusy: () => chat.busy,
    appVersion: 'test',
    readMemory: () => Promise.resolve({ source: 'performance.memory', bytes: 123_456 }),
    describeMachine: machineFor,
  });
  await models.start();
  await results.restore();
  return { client, settings, models, results, resultsStorage, choiceStorage, bench, chat };
}

