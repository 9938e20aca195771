// The download's progress across all its files, for fetchFilesIntoStore: bytes already stored count as done from the
// start, so a resumed bar starts where it stopped and never goes back past what is stored. Throttled, because a
// multi-GB download reads thousands of network chunks and each event crosses the worker boundary.
import type { LoadPhase, LoadProgress } from '../../common/protocol';

const PROGRESS_INTERVAL_MS = 100;

/**
 * Bytes across all files, stored ones counted as done from the start (so a resumed bar starts where it was).
 * Throttled to one event per PROGRESS_INTERVAL_MS, except at each stored chunk and each file's start.
 */
export class DownloadProgress {
  readonly #files: readonly string[];
  readonly #emit: (progress: LoadProgress) => void;
  readonly #bytes = new Map<string, number>();
  readonly #sizes = new Map<string, number>();
  #filesDone = 0;
  #filesRead = 0;
  #readBytes = 0;
  #lastEmitAt = Number.NEGATIVE_INFINITY;

  constructor(files: readonly string[], emit: (progress: LoadProgress) => void) {
    this.#files = files;
    this.#emit = emit;
  }

  /** What is stored of a file and its size, where known; sends nothing. */
  known(path: string, bytes: number, size: number | undefined): void {
    this.#bytes.set(path, bytes);
    if (size !== undefined) this.#sizes.set(path, size);
  }

  arrived(path: string, bytes: number, force: boolean): void {
    this.#bytes.set(path, bytes);
    const now = performance.now();
    if (!force && now - this.#lastEmitAt < PROGRESS_INTERVAL_MS) return;
    this.#lastEmitAt = now;
    this.#send('download', this.#totals().loaded, this.#filesDone, path);
  }

  fileDone(): void {
    this.#filesDone += 1;
  }

  /** A whole file handed back from the store: the 'cache-read' phase counts up over all files. */
  read(path: string, bytes: number): void {
    this.#readBytes += bytes;
    this.#filesRead += 1;
    this.#send('cache-read', this.#readBytes, this.#filesRead, path);
  }

  #totals(): { loaded: number; total: number } {
    let loaded = 0;
    let total = 0;
    for (const path of this.#files) {
      const bytes = this.#bytes.get(path) ?? 0;
      loaded += bytes;
      total += Math.max(bytes, this.#sizes.get(path) ?? 0);
    }
    return { loaded, total };
  }

  #send(phase: LoadPhase, loadedBytes: number, filesDone: number, file: string): void {
    const { total } = this.#totals();
    this.#emit({ phase, loadedBytes, totalBytes: Math.max(total, loadedBytes), filesDone, filesTotal: this.#files.length, file });
  }
}
