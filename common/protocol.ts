// The wire protocol between the page and the inference worker: requests, answers, progress and the API the worker
// exposes through comlink. Types only: both sides import it with `import type`. What a model build is lives in
// model-record.ts, the error names in errors.ts.
import type { EngineKind, Dtype, ModelRecord } from './model-record';

/** Where the model runs: the GPU through WebGPU, or the CPU through WebAssembly. */
export type Device = 'webgpu' | 'wasm';

export interface GpuInfo {
  /** false when `navigator.gpu` is missing or no adapter is granted. */
  webgpu: boolean;
  shaderF16: boolean;
  /** e.g. `swiftshader`, `ampere`; empty when unknown. */
  architecture: string;
  vendor: string;
  isFallbackAdapter: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  /** The adapter's `info.device` and `info.description` (often empty: browsers hide them); for the benchmark. */
  device: string;
  description: string;
  /** Every feature the adapter offers, sorted. */
  features: string[];
}

export interface LoadRequest {
  record: ModelRecord;
  /** Absolute URL that the build's file names are appended to: the public hub's `<org>/<name>/resolve/main/`, or a
   * mirror's `<org>/<name>/`. The page resolves it from the model base URL setting. */
  filesBaseUrl: string;
  /** Where to run it: WebGPU (the default), or the CPU through WebAssembly (transformers.js builds only, slow). */
  device?: Device;
}

export type LoadPhase = 'download' | 'cache-read' | 'compile' | 'warm-up' | 'ready';

/** Load progress in one shape, whatever the engine reports. */
export interface LoadProgress {
  phase: LoadPhase;
  loadedBytes: number;
  totalBytes: number;
  filesDone: number;
  filesTotal: number;
  /** The file in flight, for the progress line. */
  file?: string;
}

export interface LoadedModel {
  modelId: string;
  engine: EngineKind;
  device: Device;
  dtype: Dtype;
  adapterArchitecture: string;
  /** Reported by the engine itself: true when it runs in a dedicated worker, not on the page's thread. */
  inWorker: boolean;
  /** The model was loaded with its image encoder and processor, so user turns may carry images. */
  takesImages: boolean;
  /** Files read from the IndexedDB cache vs fetched from the network during this load. */
  filesFromCache: number;
  filesDownloaded: number;
  loadMs: number;
  /**
   * Why it runs where it runs, when that is not what the user asked for or would expect (llama.cpp on a GPU without
   * `shader-f16` runs on the CPU): a sentence for the model panel.
   */
  deviceReason?: string;
  /** CPU threads the engine uses (llama.cpp), when known. */
  threads?: number;
}

export type ChatRole = 'system' | 'user' | 'assistant';


/** An image in a user turn, as a base64 `data:` URL of one of IMAGE_MIME_TYPES (image-rules.ts); the size is in pixels. */
export interface ImagePart {
  dataUrl: string;
  width: number;
  height: number;
}

export interface ChatTurn {
  role: ChatRole;
  content: string;
  /** User turns only, shown before the text; sent only to a model that takes images. */
  images?: ImagePart[];
}

export interface GenerationOptions {
  maxNewTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  /** 1 means no penalty; Qwen suggests 1.0–1.5 against endless repetition. */
  repetitionPenalty: number;
  enableThinking: boolean;
}

export interface GenerateRequest {
  requestId: string;
  messages: ChatTurn[];
  options: GenerationOptions;
  /**
   * The most prompt tokens to send. The page trims by an estimate first; an engine that has the model's tokenizer
   * (transformers.js) then leaves out the oldest exchanges that still do not fit, counting real tokens.
   */
  promptBudgetTokens?: number;
}

/** Streamed while an answer is produced. `text` is the new piece; `outputTokens` counts tokens so far. */
export interface TokenEvent {
  text: string;
  outputTokens: number;
}

export interface GenerationMetrics {
  /** Every token of the prompt, whether evaluated now or taken from the engine's prompt cache. */
  promptTokens: number;
  /** Of the prompt, the tokens the engine took from its prompt cache (the turns before), when it says (llama.cpp). */
  promptTokensCached?: number;
  outputTokens: number;
  timeToFirstTokenMs: number;
  prefillTokensPerS: number;
  decodeTokensPerS: number;
  totalMs: number;
}

export type FinishReason = 'stop' | 'length' | 'aborted';

export interface GenerationResult {
  requestId: string;
  text: string;
  finishReason: FinishReason;
  metrics: GenerationMetrics;
  device: Device;
  /** Turns the engine left out to fit `promptBudgetTokens` (after the page's own trimming). */
  turnsLeftOut?: number;
}

export interface CachedFile {
  url: string;
  bytes: number;
  storedAt: number;
}

export interface CachedModel {
  repo: string;
  engine: EngineKind;
  files: number;
  bytes: number;
  /** false for a partial download (web-llm: a weight shard is missing; our store: a file is partly downloaded). */
  complete?: boolean;
  /** transformers.js only: where the stored files came from (a model base URL's origin, or `files on this device`). */
  sources?: string[];
  /** Its files are stored as plain files that `exportModel` can hand back for a .zip. */
  exportable: boolean;
}

/** The source recorded for files that were imported from disk rather than downloaded. */
export type SideloadSource = 'files on this device';

/** One file of a model folder, as the user picked or dropped it; `path` is relative to the model root. */
export interface SideloadFile {
  path: string;
  file: Blob;
}

/** Imports a model folder into the weight store: checked in full first, then written, all or nothing. */
export interface SideloadRequest {
  record: ModelRecord;
  files: SideloadFile[];
}

export interface SideloadProgress {
  phase: 'check' | 'write';
  doneBytes: number;
  totalBytes: number;
  file?: string;
}

export interface SideloadResult {
  repo: string;
  files: number;
  bytes: number;
  /** Files whose sha256 was checked against a manifest (0 when the folder had none). */
  hashed: number;
}

/** One stored file, for export; `sha256` is lowercase hex. */
export interface ExportedFile {
  path: string;
  file: Blob;
  sha256: string;
}

export type SideloadProgressCallback = (progress: SideloadProgress) => void;


export type ProgressCallback = (progress: LoadProgress) => void;
export type TokenCallback = (event: TokenEvent) => void;

/** What the worker exposes through comlink. Callbacks arrive as `comlink.proxy` objects. */
export interface WorkerApi {
  probeGpu(): Promise<GpuInfo>;
  load(request: LoadRequest, onProgress: ProgressCallback): Promise<LoadedModel>;
  generate(request: GenerateRequest, onToken: TokenCallback): Promise<GenerationResult>;
  interrupt(requestId: string): Promise<void>;
  unload(): Promise<void>;
  /** Both engines' stored models, with sizes. */
  listCachedModels(): Promise<CachedModel[]>;
  /** Deletes whatever either engine stored for this repo (web-llm: with the app config it was loaded with). */
  deleteCachedModel(repo: string): Promise<void>;
  /** Checks a model folder from disk and stores it as if it had been downloaded (transformers.js builds only). */
  sideloadModel(request: SideloadRequest, onProgress: SideloadProgressCallback): Promise<SideloadResult>;
  /** Every stored file of a transformers.js build, with its sha256, for export. */
  exportModel(repo: string): Promise<ExportedFile[]>;
}
