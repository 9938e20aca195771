// Normalises transformers.js's per-file progress reports (plus our cache's hits) into the one LoadProgress shape.
// While our own chunked download fetches the files first (transformers-download.ts), its progress is shown as it
// comes; the files it fetched count as downloaded even though transformers.js then reads them from the cache.
// Reports are throttled: a multi-GB download sends thousands of chunk events and each one would cross the worker
// boundary; phase and file-count changes always go out at once.
import type { LoadPhase, LoadProgress } from '../../common/protocol';

/** The fields we read from transformers.js's ProgressInfo union. */
export interface TransformersProgress {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

interface FileState {
  loaded: number;
  total: number;
  done: boolean;
  fromCache: boolean;
}

const MIN_INTERVAL_MS = 100;
const WEIGHT_FILE = /\.onnx(_data(_\d+)?)?$/;

export class LoadProgressTracker {
  readonly #files = new Map<string, FileState>();
  readonly #emit: (progress: LoadProgress) => void;
  readonly #expectedBytes: number;
  readonly #now: () => number;
  #phase: LoadPhase = 'download';
  #lastEmitAt = Number.NEGATIVE_INFINITY;
  #lastFilesDone = 0;
  #lastPhase: LoadPhase | undefined;
  #currentFile: string | undefined;
  #prefetch: LoadProgress | undefined;
  readonly #prefetched = new Set<string>();

  constructor(emit: (progress: LoadProgress) => void, expectedBytes = 0, now: () => number = () => performance.now()) {
    this.#emit = emit;
    this.#expectedBytes = expectedBytes;
    this.#now = now;
  }

  get filesFromCache(): number {
    return [...this.#files].filter(([name, file]) => file.fromCache && !this.#prefetched.has(name)).length;
  }

  get filesDownloaded(): number {
    return [...this.#files].filter(([name, file]) => file.done && (!file.fromCache || this.#prefetched.has(name))).length;
  }

  /**
   * Our own download is about to run: until its first event, nothing new is shown (transformers.js reading the
   * config meanwhile would read as 100% of a few kilobytes).
   */
  prefetchStarting(): void {
    this.#prefetch = { phase: 'download', loadedBytes: 0, totalBytes: 0, filesDone: 0, filesTotal: 0 };
  }

  /** Our own download's progress (already throttled there): shown as it is until `prefetchDone`. */
  prefetching(progress: LoadProgress): void {
    this.#prefetch = progress;
    this.#phase = 'download';
    this.#send(true);
  }

  /** A file our own download fetched during this load (not one it found stored). */
  prefetched(file: string): void {
    this.#prefetched.add(file);
  }

  /** The download is over: from here on, transformers.js's own reports (reading the cache) are shown. */
  prefetchDone(): void {
    this.#prefetch = undefined;
  }

  cacheHit(file: string): void {
    this.#fileState(file).fromCache = true;
  }

  report(info: TransformersProgress): void {
    const name = info.file;
    if (name === undefined) return;
    const file = this.#fileState(name);
    this.#currentFile = name;
    switch (info.status) {
      case 'progress':
        file.loaded = info.loaded ?? file.loaded;
        file.total = info.total ?? file.total;
        break;
      case 'done':
        file.done = true;
        file.loaded = Math.max(file.loaded, file.total);
        file.total = file.loaded;
        break;
      default:
        break;
    }
    // `initiate` comes before transformers.js looks in the cache, so it says nothing about where bytes come from.
    if (info.status !== 'initiate') this.#phase = file.fromCache ? 'cache-read' : 'download';
    // Once the last weight file (graph or external data) is in, the engine builds its GPU session: compiling.
    if (info.status === 'done' && WEIGHT_FILE.test(name) && this.#allDone()) this.#phase = 'compile';
    // While our own download runs, it alone speaks.
    if (this.#prefetch) return;
    this.#send(false);
  }

  setPhase(phase: LoadPhase): void {
    this.#phase = phase;
    this.#send(true);
  }

  snapshot(): LoadProgress {
    if (this.#prefetch) return this.#prefetch;
    let loadedBytes = 0;
    let knownTotal = 0;
    let filesDone = 0;
    for (const file of this.#files.values()) {
      loadedBytes += file.loaded;
      knownTotal += Math.max(file.total, file.loaded);
      if (file.done) filesDone += 1;
    }
    const progress: LoadProgress = {
      phase: this.#phase,
      loadedBytes,
      // Until the weights are in, files not yet announced are unknown: the catalogue's figure keeps the bar from
      // jumping to 100% after the small tokenizer files.
      totalBytes: this.#weightsIn() ? knownTotal : Math.max(knownTotal, this.#expectedBytes),
      filesDone,
      filesTotal: this.#files.size,
    };
    if (this.#currentFile !== undefined) progress.file = this.#currentFile;
    return progress;
  }

  #weightsIn(): boolean {
    return this.#phase === 'compile' || this.#phase === 'warm-up' || this.#phase === 'ready';
  }

  #allDone(): boolean {
    return [...this.#files.values()].every((file) => file.done);
  }

  #fileState(name: string): FileState {
    let file = this.#files.get(name);
    if (!file) {
      file = { loaded: 0, total: 0, done: false, fromCache: false };
      this.#files.set(name, file);
    }
    return file;
  }

  #send(force: boolean): void {
    const progress = this.snapshot();
    const now = this.#now();
    const changed = progress.filesDone !== this.#lastFilesDone || progress.phase !== this.#lastPhase;
    if (!force && !changed && now - this.#lastEmitAt < MIN_INTERVAL_MS) return;
    this.#lastEmitAt = now;
    this.#lastFilesDone = progress.filesDone;
    this.#lastPhase = progress.phase;
    this.#emit(progress);
  }
}
