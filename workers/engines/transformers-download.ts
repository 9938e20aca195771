// Fetches a transformers.js build's files through our own chunked, resumable download (cache/chunked-download.ts)
// before transformers.js asks for them, so it finds each one in the IndexedDB cache: transformers.js fetches a file
// whole and has no resume (transformers.js#1220), so a cut 2 GB ONNX file would start from zero.
// Which files: config.json first (it decides the rest), then the tokenizer's two files, the processor's config for
// an image-text build, and the graphs and external-data chunks transformers.js's own ModelRegistry names for that
// config, dtype and device, plus its optional configs (generation_config.json). The list is derived the same way for
// catalogue builds and custom repos. A listed file the server does not have (404) is left to transformers.js, as is
// anything it asks for beyond the list (processor_config.json, chat_template.jinja): small files it fetches whole.
// Progress: the config's bytes are folded into the rest, so the bar starts once the sizes are known and only rises.
import { ModelRegistry, type DataType, type DeviceType, type PretrainedConfig } from '@huggingface/transformers';
import type { LoadProgress } from '../../common/protocol';
import { fetchFilesIntoStore } from '../cache/chunked-download';
import type { WeightStore } from '../cache/weights-idb';

export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILES: readonly string[] = ['tokenizer.json', 'tokenizer_config.json'];
export const PROCESSOR_FILES: readonly string[] = ['preprocessor_config.json'];

/** What finished batches add to the one running now. */
export interface BatchBase {
  bytes: number;
  files: number;
}

/** A running batch's progress as part of the whole download: the finished batches' bytes and files come first. */
export function offsetProgress(base: BatchBase, progress: LoadProgress): LoadProgress {
  return {
    ...progress,
    loadedBytes: base.bytes + progress.loadedBytes,
    totalBytes: base.bytes + progress.totalBytes,
    filesDone: base.files + progress.filesDone,
    filesTotal: base.files + progress.filesTotal,
  };
}

const WEIGHT_FILE = /\.onnx(_data(_\d+)?)?$/;

/**
 * The files after config.json, in fetch order, without repeats: the small ones first (tokenizer, processor, the
 * model's optional configs), then the graphs and their data, so a cut weight file leaves every small file stored.
 */
export function filesAfterConfig(modelFiles: readonly string[], takesImages: boolean): string[] {
  const listed = [...new Set([...TOKENIZER_FILES, ...(takesImages ? PROCESSOR_FILES : []), ...modelFiles])];
  const rest = listed.filter((file) => file !== CONFIG_FILE);
  return [...rest.filter((file) => !WEIGHT_FILE.test(file)), ...rest.filter((file) => WEIGHT_FILE.test(file))];
}

/** What a prefetch reports: the download's progress, and which files it fetched (rather than found stored). */
export interface PrefetchEvents {
  progress(progress: LoadProgress): void;
  downloaded(file: string): void;
}

export interface PrefetchOptions {
  store: WeightStore;
  repo: string;
  filesBaseUrl: string;
  events: PrefetchEvents;
}

/** One load's prefetch: `config()` first, then `modelFiles()` once the caller knows the dtype(s) from the config. */
export class TransformersPrefetch {
  readonly #options: PrefetchOptions;
  readonly #base: BatchBase = { bytes: 0, files: 0 };

  constructor(options: PrefetchOptions) {
    this.#options = options;
  }

  /** config.json into the store. Its progress is not shown: alone it would read as 100% of a few kilobytes. */
  async config(): Promise<void> {
    await this.#batch([CONFIG_FILE], false);
  }

  /** Every other file the build loads, listed from its config as transformers.js itself lists them. */
  async modelFiles(
    config: PretrainedConfig,
    dtype: DataType | Record<string, DataType>,
    device: DeviceType,
    takesImages: boolean,
  ): Promise<void> {
    const modelFiles = await ModelRegistry.get_model_files(this.#options.repo, { config, dtype, device });
    await this.#batch(filesAfterConfig(modelFiles, takesImages), true);
  }

  async #batch(files: readonly string[], shown: boolean): Promise<void> {
    const { store, repo, filesBaseUrl, events } = this.#options;
    const base = { ...this.#base };
    const stored = await fetchFilesIntoStore({
      store,
      repo,
      engine: 'transformers',
      filesBaseUrl,
      files,
      skipMissing: true,
      // Its 'cache-read' events are left out: transformers.js reads the files next, and the tracker shows that.
      onProgress: (progress) => {
        if (shown && progress.phase === 'download') events.progress(offsetProgress(base, progress));
      },
    });
    for (const file of stored) {
      this.#base.bytes += file.blob.size;
      if (!file.fromCache) events.downloaded(file.path);
    }
    this.#base.files += files.length;
  }
}
