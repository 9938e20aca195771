// What the auto-pick knows and decides for ModelManager: this device's benchmark results (read at start, then
// handed over by the benchmark), this browser profile's benchmark id, the build the user chose per model over the
// auto-pick (kept in IndexedDB), and from those the fastest and the preferred build of a model. Invariants: until
// the id and the results are read, nothing counts as measured; a stored choice that could not be read is no
// choice; every choice the user makes is written at once; only builds that can run here are candidates.
import { fastestBuild, parseMeasured, preferredBuild, type FastestBuild, type Measured, type PickCandidate, type PreferredBuild } from '../../../common/bench/auto-pick';
import { modelKeyOf } from '../../../common/bench/model-shapes';
import type { ModelRecord } from '../../../common/model-record';
import type { GpuInfo } from '../../../common/protocol';
import type { FitVerdict } from '../fit';
import { benchDeviceId, loadBenchResults, loadBuildChoices, saveBuildChoices } from '../storage';

export interface BuildChoiceStorage {
  loadResults(): Promise<Measured[]>;
  deviceId(): Promise<string>;
  loadChoices(): Promise<Record<string, string>>;
  saveChoices(choices: Record<string, string>): Promise<void>;
}

/** What the choices read of the model manager: the builds, their siblings and where each would run. */
export interface BuildsHere {
  readonly models: ModelRecord[];
  readonly gpu: GpuInfo | undefined;
  siblingsOf(record: ModelRecord): ModelRecord[];
  verdict(record: ModelRecord): FitVerdict;
}

export type MeasuredFastest = FastestBuild & { record: ModelRecord };

const browserStorage: BuildChoiceStorage = {
  loadResults: async () => (await loadBenchResults(parseMeasured)).results,
  deviceId: benchDeviceId,
  loadChoices: loadBuildChoices,
  saveChoices: saveBuildChoices,
};

export class BuildChoices {
  #storage: BuildChoiceStorage;
  #results = $state.raw<readonly Measured[]>([]);
  #deviceId = $state<string | undefined>();
  #chosen = $state<Record<string, string>>({});

  constructor(storage: BuildChoiceStorage = browserStorage) {
    this.#storage = storage;
  }

  async restore(): Promise<void> {
    try {
      const [deviceId, results, chosen] = await Promise.all([this.#storage.deviceId(), this.#storage.loadResults(), this.#storage.loadChoices()]);
      this.#deviceId = deviceId;
      this.#results = results;
      this.#chosen = chosen;
    } catch (error) {
      console.error('[build-choice] could not read the benchmark results or the chosen builds', error);
    }
  }

  /** This browser profile's benchmark id, once read. */
  get deviceId(): string | undefined {
    return this.#deviceId;
  }

  /** Every kept result, after a benchmark run or an import. */
  setResults(results: readonly Measured[]): void {
    this.#results = results;
  }

  fastest(candidates: readonly PickCandidate[], adapter: GpuInfo | undefined): FastestBuild | undefined {
    const deviceId = this.#deviceId;
    if (deviceId === undefined || !adapter) return undefined;
    return fastestBuild(candidates, this.#results, { deviceId, adapter });
  }

  chosen(modelKey: string): string | undefined {
    return this.#chosen[modelKey];
  }

  /** This record and the same model's other builds that can run here, each on the device it would load on. */
  candidates(record: ModelRecord, here: BuildsHere): PickCandidate[] {
    return [record, ...here.siblingsOf(record)]
      .filter((build) => here.verdict(build).possible)
      .map((build) => ({ buildId: build.id, device: here.verdict(build).device }));
  }

  /** The fastest build of `record`'s model measured on this device. */
  fastestFor(record: ModelRecord, here: BuildsHere): MeasuredFastest | undefined {
    const fastest = this.fastest(this.candidates(record, here), here.gpu);
    const build = fastest && here.models.find((model) => model.id === fastest.buildId);
    return fastest && build ? { ...fastest, record: build } : undefined;
  }

  preferred(record: ModelRecord, asked: string | undefined, here: BuildsHere): PreferredBuild | undefined {
    const candidates = this.candidates(record, here);
    return preferredBuild(asked, candidates, this.chosen(modelKeyOf(record)), this.fastest(candidates, here.gpu));
  }

  pickReason(record: ModelRecord, here: BuildsHere): 'chosen' | 'fastest' | undefined {
    if (this.chosen(modelKeyOf(record)) !== undefined) return 'chosen';
    return this.fastestFor(record, here)?.buildId === record.id ? 'fastest' : undefined;
  }

  async choose(modelKey: string, buildId: string): Promise<void> {
    if (this.#chosen[modelKey] === buildId) return;
    this.#chosen = { ...this.#chosen, [modelKey]: buildId };
    try {
      await this.#storage.saveChoices($state.snapshot(this.#chosen));
    } catch (error) {
      console.error('[build-choice] could not save the chosen build', error);
    }
  }
}
