// Whether a build will run on this device, and which one to suggest: a pure function of the catalogue record, the
// WebGPU adapter's features and limits, the device memory the browser reports and navigator.storage.estimate().
// WebGPU does not tell how much GPU memory there is, so memory verdicts are hedged ("tight") unless the browser's
// device-memory figure makes a build clearly too big. Invariants: an f16 precision is never "runnable" on an adapter
// without `shader-f16`; without WebGPU only transformers.js builds named CPU-capable run, on wasm, and never "fit"
// comfortably (they are slow); a build that falls back to the CPU (llama.cpp, whose WebGPU backend needs
// `shader-f16`) runs there, with that reason, on a GPU without `shader-f16` or without WebGPU; every verdict that is
// not a plain fit carries at least one reason; `slow` is set exactly when the build would run on a CPU (wasm, or a
// software GPU).
import { chooseDtype, cpuFallbackReason, isF16Dtype } from '../../common/precision';
import { engineLabel, formatBytes } from './format';
import type { Device, GpuInfo } from '../../common/protocol';
import type { Dtype, ModelRecord } from '../../common/model-record';

export type FitLevel = 'fits' | 'tight' | 'wont-fit';

export interface StorageInfo {
  usage: number;
  quota: number;
}

export interface FitInput {
  gpu: GpuInfo;
  /** navigator.storage.estimate(), when the browser gives one. */
  storage?: StorageInfo;
  /** Bytes of this build already stored on this device (they need no new space). */
  cachedBytes?: number;
  /** navigator.deviceMemory in GiB (Chromium; rounded, and capped at 8), when known. */
  memoryGiB?: number;
}

export interface FitVerdict {
  level: FitLevel;
  /** Where the build would run. */
  device: Device;
  /** The precision it would load; undefined when it cannot run here at all. */
  dtype: Dtype | undefined;
  /** Why it will not fit, or what is tight; empty for a plain fit. Each is a lower-case clause. */
  reasons: string[];
  /** One line for the picker: "Fits", "Tight — …" or "Won't fit — because …". */
  summary: string;
  /**
   * False when it cannot run here at all (no WebGPU for a GPU-only build, no shader-f16, buffer limits); true when
   * the verdict rests on estimates (memory, storage) that a user may choose to test anyway.
   */
  possible: boolean;
  /** Set when it would run on a CPU: on wasm (no WebGPU), or through a software GPU adapter. */
  slow?: 'cpu' | 'software-gpu';
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** GPU limits are powers of two: say them in binary units ("1 GiB", "128 MiB") so the comparison reads true. */
export function formatBinaryBytes(bytes: number): string {
  if (bytes >= GiB) return `${Number((bytes / GiB).toFixed(2))} GiB`;
  return `${Number((bytes / MiB).toFixed(1))} MiB`;
}

/** A reason clause as a sentence, for display on its own. */
export function asSentence(reason: string): string {
  return reason.length === 0 ? reason : `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`;
}

// web-llm's detectGPUDevice refuses adapters below these, and asks for 1 GiB bindings when it can get them.
const WEB_LLM_MIN_BUFFER = 256 * MiB;
const WEB_LLM_MIN_BINDING = 128 * MiB;
const WEB_LLM_FULL_BINDING = GiB;

/** navigator.deviceMemory never reports more than this; a device at the cap may have far more. */
const DEVICE_MEMORY_CAP_GIB = 8;
/** Share of device memory assumed usable for one tab's GPU buffers. */
const GPU_SHARE_OF_MEMORY = 0.5;
/** A build that needs more than this share of the budget is "tight". */
const COMFORTABLE_SHARE = 0.75;
/** Without a device-memory figure, builds above this are "tight": we cannot tell. */
const UNKNOWN_BUDGET_COMFORT = 4 * GiB;
const COMFORTABLE_STORAGE_SHARE = 0.8;

/** Offered on the CPU when there is no WebGPU (the record's own capability: the smallest builds, user-named repos). */
export function isCpuCapable(record: ModelRecord): boolean {
  return record.runsOnCpu;
}

/** "0.6B" -> 0.6; unknown sizes (custom repos) -> NaN. */
export function parameterBillions(record: ModelRecord): number {
  const match = /^(\d+(?:\.\d+)?)B$/.exec(record.parameters);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

/** The precision shown on a card: MLC's own name for web-llm builds, the ONNX dtype this GPU would get otherwise. */
export function quantisationLabel(record: ModelRecord, gpu: Pick<GpuInfo, 'shaderF16'> | undefined): string {
  if (record.mlc) return record.mlc.quantisation;
  if (record.gguf) return record.gguf.quant;
  return gpu?.shaderF16 ? record.dtypes.withF16 : record.dtypes.withoutF16;
}

/** A build's name beside its model's label: the engine and the precision this GPU gets ("transformers.js q4"). */
export function buildName(record: ModelRecord, gpu: Pick<GpuInfo, 'shaderF16'> | undefined): string {
  return `${engineLabel(record.engine)} ${quantisationLabel(record, gpu)}`;
}

function verdict(level: FitLevel, device: Device, dtype: Dtype | undefined, reasons: string[], possible = true): FitVerdict {
  const first = reasons[0];
  const summary =
    level === 'fits' || first === undefined ? 'Fits' : level === 'tight' ? `Tight — ${first}` : `Won't fit — because ${first}`;
  return { level, device, dtype, reasons, summary, possible };
}

function impossible(device: Device, reasons: string[]): FitVerdict {
  return verdict('wont-fit', device, undefined, reasons, false);
}

/** `kind` names where the build's memory lives: the GPU's, or (on the CPU) the device's own. */
function gpuMemoryCheck(
  record: ModelRecord,
  memoryGiB: number | undefined,
  blockers: string[],
  tight: string[],
  kind: 'GPU memory' | 'memory' = 'GPU memory',
): void {
  const need = record.gpuMemoryBytes;
  if (need === undefined) return;
  if (memoryGiB === undefined || !(memoryGiB > 0)) {
    if (need > UNKNOWN_BUDGET_COMFORT) {
      tight.push(`it needs about ${formatBytes(need)} of ${kind} and the browser does not say how much this device has`);
    }
    return;
  }
  const budget = memoryGiB * GiB * GPU_SHARE_OF_MEMORY;
  const atLeast = memoryGiB >= DEVICE_MEMORY_CAP_GIB;
  const memory = `${atLeast ? 'at least ' : 'about '}${memoryGiB} GB of memory`;
  if (need <= budget * COMFORTABLE_SHARE) return;
  if (need <= budget) {
    tight.push(`it needs about ${formatBytes(need)} of ${kind}, much of what a device with ${memory} can spare`);
  } else if (atLeast) {
    tight.push(`it needs about ${formatBytes(need)} of ${kind}; this device reports ${memory}, so it may not fit`);
  } else {
    blockers.push(`it needs about ${formatBytes(need)} of ${kind} and this device has ${memory}`);
  }
}

function storageCheck(record: ModelRecord, dtype: Dtype | undefined, input: FitInput, blockers: string[], tight: string[]): void {
  const size = dtype === undefined ? undefined : record.downloadBytes[dtype];
  if (size === undefined || !input.storage) return;
  const need = Math.max(0, size - (input.cachedBytes ?? 0));
  if (need === 0) return;
  const free = Math.max(0, input.storage.quota - input.storage.usage);
  if (need > free) {
    blockers.push(`it needs ${formatBytes(need)} of storage and this browser allows ${formatBytes(free)} more`);
  } else if (need > free * COMFORTABLE_STORAGE_SHARE) {
    tight.push(`it takes ${formatBytes(need)} of the ${formatBytes(free)} of storage left`);
  }
}

function assessCpu(record: ModelRecord, input: FitInput): FitVerdict {
  // web-llm's builds carry their MLC data: it runs only on WebGPU, whatever the size.
  if (record.mlc) return impossible('webgpu', ['web-llm needs WebGPU, which this browser does not offer']);
  if (!isCpuCapable(record)) {
    return impossible('webgpu', [
      'it needs WebGPU, which this browser does not offer (only the smallest builds run on the CPU)',
    ]);
  }
  const dtype = record.dtypes.withoutF16;
  const blockers: string[] = [];
  const tight = ['no WebGPU here: it runs on the CPU (WebAssembly), slowly'];
  storageCheck(record, dtype, input, blockers, tight);
  const result = blockers.length > 0 ? verdict('wont-fit', 'wasm', dtype, blockers) : verdict('tight', 'wasm', dtype, tight);
  return { ...result, slow: 'cpu' };
}

/**
 * A build whose engine falls back to the CPU (llama.cpp) where the GPU cannot take it: it runs there, with the
 * reason; its memory is the device's own then, and a download too big for the storage left still will not fit.
 */
function assessCpuFallback(record: ModelRecord, input: FitInput, reason: string): FitVerdict {
  // The CPU decodes a 4B model at a few tokens a second at best, and llama.cpp's wasm memory ends at 4 GiB.
  if (!record.runsOnCpu) {
    return impossible('wasm', [`${reason}, where a model this size is too slow (only builds up to 2B run on the CPU)`]);
  }
  const dtype = record.dtypes.withoutF16;
  const blockers: string[] = [];
  const tight = [reason];
  gpuMemoryCheck(record, input.memoryGiB, blockers, tight, 'memory');
  storageCheck(record, dtype, input, blockers, tight);
  const result = blockers.length > 0 ? verdict('wont-fit', 'wasm', dtype, blockers) : verdict('tight', 'wasm', dtype, tight);
  return { ...result, slow: 'cpu' };
}

/** Whether `record` runs on this device, where, at which precision, and why not. */
export function assessFit(record: ModelRecord, input: FitInput): FitVerdict {
  const { gpu } = input;
  const fallback = record.fallsBackToCpu ? cpuFallbackReason(gpu) : undefined;
  if (fallback !== undefined) return assessCpuFallback(record, input, fallback);
  if (!gpu.webgpu) return assessCpu(record, input);

  const dtype = gpu.shaderF16 ? record.dtypes.withF16 : record.dtypes.withoutF16;
  if (isF16Dtype(dtype) && !gpu.shaderF16) {
    return impossible('webgpu', [
      `this GPU has no shader-f16, which ${record.mlc?.quantisation ?? dtype} needs (pick a q4f32_1 or q4 build)`,
    ]);
  }
  // chooseDtype is the engines' own rule; it agrees with the line above for every record that got this far.
  chooseDtype(record, gpu);

  const hard: string[] = [];
  const blockers: string[] = [];
  const tight: string[] = [];
  if (record.mlc) {
    if (gpu.maxBufferSize < WEB_LLM_MIN_BUFFER || gpu.maxStorageBufferBindingSize < WEB_LLM_MIN_BINDING) {
      hard.push(
        `web-llm needs buffers of 256 MiB and bindings of 128 MiB; this GPU allows ${formatBinaryBytes(gpu.maxBufferSize)} and ${formatBinaryBytes(gpu.maxStorageBufferBindingSize)}`,
      );
    } else if (!record.mlc.lowResource && gpu.maxStorageBufferBindingSize < WEB_LLM_FULL_BINDING) {
      hard.push(
        `web-llm marks it as needing 1 GiB storage-buffer bindings and this GPU allows ${formatBinaryBytes(gpu.maxStorageBufferBindingSize)}`,
      );
    }
  }
  const largest = record.largestTensorBytes?.[dtype];
  const bufferLimit = Math.min(gpu.maxBufferSize, gpu.maxStorageBufferBindingSize);
  if (largest !== undefined && largest > bufferLimit) {
    hard.push(`its largest tensor (${formatBinaryBytes(largest)}) is over this GPU's ${formatBinaryBytes(bufferLimit)} buffer limit`);
  }
  gpuMemoryCheck(record, input.memoryGiB, blockers, tight);
  storageCheck(record, dtype, input, blockers, tight);
  if (gpu.isFallbackAdapter) tight.unshift('this is a software GPU: it runs on the CPU, very slowly');

  const result =
    hard.length > 0
      ? impossible('webgpu', [...hard, ...blockers])
      : blockers.length > 0
        ? verdict('wont-fit', 'webgpu', dtype, blockers)
        : verdict(tight.length > 0 ? 'tight' : 'fits', 'webgpu', dtype, tight);
  return gpu.isFallbackAdapter && result.possible ? { ...result, slow: 'software-gpu' } : result;
}

/** Ties between builds of one size: the newer family, then the engine tested end to end here, then the smaller download. */
function tieBreak(a: ModelRecord, b: ModelRecord): number {
  if (a.family !== b.family) return a.family === 'Qwen3.5' ? -1 : 1;
  if (a.engine !== b.engine) return a.engine === 'transformers' ? -1 : 1;
  return smallestDownload(a) - smallestDownload(b);
}

const largestFirst = (a: ModelRecord, b: ModelRecord): number =>
  parameterBillions(b) - parameterBillions(a) || tieBreak(a, b);
const smallestFirst = (a: ModelRecord, b: ModelRecord): number =>
  parameterBillions(a) - parameterBillions(b) || tieBreak(a, b);

function smallestDownload(record: ModelRecord): number {
  return Math.min(...Object.values(record.downloadBytes).filter((bytes) => bytes !== undefined), Number.MAX_VALUE);
}

/**
 * The build to suggest to a first-time user: the largest catalogue build that fits comfortably, or, when none
 * does, the smallest that runs at all. Custom repos (unknown size) are never suggested.
 */
export function recommendBuild(
  records: readonly ModelRecord[],
  verdictOf: (record: ModelRecord) => FitVerdict,
): ModelRecord | undefined {
  const known = records.filter((record) => Number.isFinite(parameterBillions(record)));
  const fitting = known.filter((record) => verdictOf(record).level === 'fits').sort(largestFirst);
  if (fitting[0]) return fitting[0];
  return known.filter((record) => verdictOf(record).level === 'tight').sort(smallestFirst)[0];
}

/** The other builds of the same model (family and size), on either engine, in catalogue order. */
export function siblings(record: ModelRecord, records: readonly ModelRecord[]): ModelRecord[] {
  if (!Number.isFinite(parameterBillions(record))) return [];
  return records.filter(
    (other) => other.id !== record.id && other.family === record.family && other.parameters === record.parameters,
  );
}
