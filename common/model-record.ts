// What a model build is: one record per build, the same shape for every engine. Views and state read its
// capability fields (importable, exportable, estimated sizes, takes images, needs shader-f16) and never ask which
// engine runs it; only the worker's engine host picks the adapter by `engine`.

/** Where a build's files live: a hub-style repo id resolved against the model base URL setting. */
export type EngineKind = 'transformers' | 'web-llm' | 'llama-cpp';
export type ModelFamily = 'Qwen3' | 'Qwen3.5';
/** Precisions we use: transformers.js dtypes (`q4f16` needs the GPU feature `shader-f16`), and `q8` for GGUF Q8_0. */
export type Dtype = 'q4f16' | 'q4' | 'q8' | 'fp16' | 'fp32';

/** One model build in the catalogue. Sizes are bytes. */
export interface ModelRecord {
  id: string;
  label: string;
  family: ModelFamily;
  parameters: string;
  engine: EngineKind;
  /** Hub repo id (`org/name`), resolved against the model base URL. */
  repo: string;
  /** Precision when the GPU has `shader-f16`, and the one to fall back to without it. */
  dtypes: { withF16: Dtype; withoutF16: Dtype };
  /** Download size per dtype, for the picker; absent when unknown (a custom build). */
  downloadBytes: Partial<Record<Dtype, number>>;
  gpuMemoryBytes?: number;
  contextWindow: number;
  /** True when the build has an image encoder that the app loads with it (then `vision` says which files). */
  takesImages: boolean;
  licence: string;
  /** The image encoder of a build that takes images: loaded with the text model, at its own precision. */
  vision?: VisionEncoder;
  /** The largest single tensor per dtype: one GPU buffer, so it must fit the adapter's `maxBufferSize`. */
  largestTensorBytes?: Partial<Record<Dtype, number>>;
  /** Present on web-llm (MLC) builds only: what web-llm's app config needs to load it. */
  mlc?: MlcBuild;
  /** Present on llama.cpp (GGUF) builds only: the quantisation and the file(s) to load. */
  gguf?: GgufBuild;

  // Capabilities: what views and state read instead of asking which engine runs the build.
  /** A model folder (or an exported .zip) from disk can be stored for it. */
  importable: boolean;
  /** Its stored files can be exported as a .zip. */
  exportable: boolean;
  /** Precisions whose download figure is an estimate rather than a sourced size. */
  estimatedSizes: readonly Dtype[];
  /** It offers no precision that runs without the GPU feature `shader-f16`. */
  needsShaderF16: boolean;
  /** It is offered on the CPU (WebAssembly) where there is no WebGPU: only the smallest builds are bearable there. */
  runsOnCpu: boolean;
  /** Tells this build from the same model's other builds where the label alone does not (an MLC quantisation). */
  variant?: string;
  /**
   * Where the GPU lacks `shader-f16` (or there is no WebGPU), the engine runs the build on the CPU instead of
   * refusing it (llama.cpp's WebGPU backend needs `shader-f16`; its CPU backend always works).
   */
  fallsBackToCpu?: boolean;
}

/** llama.cpp quantisation types the catalogue uses. */
export type GgufQuant = 'Q4_K_M' | 'Q4_0' | 'Q8_0' | 'F16' | 'F32';

/** One GGUF build: a single file, or the shards of a split GGUF in load order. */
export interface GgufBuild {
  quant: GgufQuant;
  /** File paths inside the repo, in load order (`…-00001-of-00003.gguf` first for a split file). */
  files: readonly string[];
}

/** An image encoder's precision and download size on each GPU path (paired with the text model's path). */
export interface VisionEncoder {
  withF16: { dtype: Dtype; bytes?: number };
  withoutF16: { dtype: Dtype; bytes?: number };
}

/** MLC quantisations: `q4f16_1` and `q0f16` need `shader-f16`; `q4f32_1` and `q0f32` do not. */
export type MlcQuantisation = 'q4f16_1' | 'q4f32_1' | 'q0f16' | 'q0f32';

/** One web-llm build, as in `prebuiltAppConfig` of the pinned @mlc-ai/web-llm. */
export interface MlcBuild {
  /** web-llm's `model_id`, e.g. `Qwen3-0.6B-q4f16_1-MLC`. */
  modelId: string;
  quantisation: MlcQuantisation;
  /** The compiled model library (WebGPU kernels as wasm), always from web-llm's own CDN. */
  modelLib: string;
  /** web-llm's own figure (`vram_required_MB`), in MB of 2^20 bytes. */
  vramRequiredMB: number;
  /** web-llm's `low_resource_required`: runs with 128 MiB storage-buffer bindings (phones). */
  lowResource: boolean;
  /** web-llm's `overrides` for this build. */
  contextWindowSize: number;
  maxHistorySize?: number;
}

/** Freezes a record and its nested parts, so no view or engine can change the catalogue by accident. */
export function freezeRecord(record: ModelRecord): ModelRecord {
  Object.freeze(record.dtypes);
  Object.freeze(record.downloadBytes);
  Object.freeze(record.estimatedSizes);
  if (record.largestTensorBytes) Object.freeze(record.largestTensorBytes);
  if (record.vision) Object.freeze(record.vision);
  if (record.mlc) Object.freeze(record.mlc);
  if (record.gguf) {
    Object.freeze(record.gguf.files);
    Object.freeze(record.gguf);
  }
  return Object.freeze(record);
}

/** Whether the download figure of this build at `dtype` is an estimate. */
export function sizeIsEstimate(record: ModelRecord, dtype: Dtype): boolean {
  return record.estimatedSizes.includes(dtype);
}
