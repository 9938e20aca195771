// The benchmark results kept on this device: read at start, added to after each run, exported as JSON or CSV (a
// download), imported from a file, deleted. Invariants: a file that does not import leaves the kept results as
// they were and says why; an import adds only results not already kept; every change is written at once and
// handed to `onChange` (the auto-pick reads it).
import { groupByMachine, latestPerBuild, newestFirst, type MachineGroup } from '../../../common/bench/compare';
import { exportFileName, isoTime, newResults, parseResultsFile, resultsToCsv, resultsToJson } from '../../../common/bench/exchange';
import { parseResult, type BenchResult } from '../../../common/bench/result';
import { downloadText } from '../download';
import { benchDeviceId, loadBenchResults, saveBenchResults, type LoadedBenchResults } from '../storage';

export interface BenchResultsStorage {
  load(): Promise<LoadedBenchResults>;
  save(results: BenchResult[]): Promise<void>;
  deviceId(): Promise<string>;
}

export const browserResultsStorage: BenchResultsStorage = {
  load: () => loadBenchResults(parseResult),
  save: saveBenchResults,
  deviceId: benchDeviceId,
};

/** What an import reads: a File, or anything with its name, size and text. */
export interface ImportFile {
  name: string;
  size: number;
  text(): Promise<string>;
}

/** Exports of real runs are a few KB per result; anything this big is not one. */
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export class BenchmarkResults {
  #storage: BenchResultsStorage;
  #download: typeof downloadText;
  #onChange: (results: readonly BenchResult[]) => void;
  #results = $state.raw<BenchResult[]>([]);
  #leftOut = $state(0);
  #deviceId = $state<string | undefined>();
  #importNotice = $state<string | undefined>();
  #importError = $state<string | undefined>();
  #saveError = $state<string | undefined>();

  constructor(options: {
    storage?: BenchResultsStorage;
    download?: typeof downloadText;
    onChange?: (results: readonly BenchResult[]) => void;
  } = {}) {
    this.#storage = options.storage ?? browserResultsStorage;
    this.#download = options.download ?? downloadText;
    this.#onChange = options.onChange ?? (() => undefined);
  }

  /** Every kept result, newest first. */
  get results(): BenchResult[] {
    return this.#results;
  }
  /** Stored results that could not be read at start. */
  get leftOut(): number {
    return this.#leftOut;
  }
  get deviceId(): string | undefined {
    return this.#deviceId;
  }
  get importNotice(): string | undefined {
    return this.#importNotice;
  }
  get importError(): string | undefined {
    return this.#importError;
  }
  get saveError(): string | undefined {
    return this.#saveError;
  }
  get machines(): MachineGroup[] {
    return groupByMachine(this.#results);
  }
  /** The newest result of each build and device, per machine: what the chart shows. */
  get latest(): BenchResult[] {
    return this.machines.flatMap((group) => latestPerBuild(group.results));
  }

  async restore(): Promise<void> {
    try {
      const [loaded, deviceId] = await Promise.all([this.#storage.load(), this.#storage.deviceId()]);
      this.#results = [...loaded.results].sort(newestFirst);
      this.#leftOut = loaded.leftOut;
      this.#deviceId = deviceId;
    } catch (error) {
      this.#saveError = `The kept results could not be read (${error instanceof Error ? error.message : String(error)}).`;
    }
  }

  /** This browser profile's id, read (or made) once. */
  async ensureDeviceId(): Promise<string> {
    this.#deviceId ??= await this.#storage.deviceId();
    return this.#deviceId;
  }

  async add(results: readonly BenchResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.#replace([...results, ...this.#results].sort(newestFirst));
  }

  async clear(): Promise<void> {
    await this.#replace([]);
  }

  exportJson(): void {
    const now = Date.now();
    this.#download(exportFileName('json', now), 'application/json', resultsToJson(this.#results, isoTime(now)));
  }

  exportCsv(): void {
    this.#download(exportFileName('csv', Date.now()), 'text/csv', resultsToCsv(this.#results));
  }

  async importFile(file: ImportFile): Promise<void> {
    this.#importNotice = undefined;
    this.#importError = undefined;
    if (file.size > MAX_IMPORT_BYTES) {
      this.#importError = `${file.name} was not imported: at ${Math.round(file.size / 1e6)} MB it is far larger than any benchmark export.`;
      return;
    }
    let text: string;
    try {
      text = await file.text();
    } catch (error) {
      this.#importError = `${file.name} could not be read (${error instanceof Error ? error.message : String(error)}).`;
      return;
    }
    const outcome = parseResultsFile(text);
    if (!outcome.ok) {
      this.#importError = `${file.name} was not imported. ${outcome.error}`;
      return;
    }
    const fresh = newResults(this.#results, outcome.results);
    const known = outcome.results.length - fresh.length;
    await this.add(fresh);
    this.#importNotice = `Imported ${fresh.length} ${fresh.length === 1 ? 'result' : 'results'} from ${file.name} (${outcome.format})${known > 0 ? `; ${known} already kept` : ''}.`;
  }

  async #replace(results: BenchResult[]): Promise<void> {
    this.#results = results;
    this.#onChange(results);
    try {
      await this.#storage.save(results);
      this.#saveError = undefined;
    } catch (error) {
      this.#saveError = `The results could not be saved on this device; export them to keep them (${error instanceof Error ? error.message : String(error)}).`;
    }
  }
}
