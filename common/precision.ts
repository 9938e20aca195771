// Which precision a build runs at on this GPU: the one rule for `shader-f16`, used by the fit verdicts on the page
// and by both engine adapters in the worker. Invariant: an f16 precision is never chosen for a GPU without it.
import type { Dtype, ModelRecord } from './model-record';
import type { GpuInfo } from './protocol';

const F16_DTYPES: ReadonlySet<Dtype> = new Set<Dtype>(['q4f16', 'fp16']);

/** True for the precisions that need the GPU feature `shader-f16`. */
export function isF16Dtype(dtype: Dtype): boolean {
  return F16_DTYPES.has(dtype);
}

/** Thrown when a build has no precision this GPU can run; the worker names it ShaderF16Missing. */
export class NoPrecisionForGpu extends Error {
  override readonly name = 'NoPrecisionForGpu';
}

/**
 * The precision to load: the f16 one when the GPU has `shader-f16`, the other one when it has not. Never returns an
 * f16 precision for a GPU without `shader-f16`; throws instead when a record offers nothing else.
 */
export function chooseDtype(record: ModelRecord, gpu: Pick<GpuInfo, 'shaderF16'>): Dtype {
  if (gpu.shaderF16) return record.dtypes.withF16;
  const fallback = record.dtypes.withoutF16;
  if (isF16Dtype(fallback)) {
    throw new NoPrecisionForGpu(`${record.label} has no precision that runs without the GPU feature shader-f16.`);
  }
  return fallback;
}

/**
 * The image encoder's precision beside a text precision: the record's own pairing (the f16 path's encoder with the
 * f16 text model), or the text precision itself for a build the catalogue knows nothing about.
 */
export function visionDtypeFor(record: ModelRecord, textDtype: Dtype): Dtype {
  const vision = record.vision;
  if (!vision) return textDtype;
  return textDtype === record.dtypes.withF16 ? vision.withF16.dtype : vision.withoutF16.dtype;
}


export const CPU_FALLBACK_NO_WEBGPU = 'this browser has no WebGPU, so llama.cpp runs on the CPU';
export const CPU_FALLBACK_NO_SHADER_F16 =
  "this GPU has no shader-f16, which llama.cpp's WebGPU backend needs, so it runs on the CPU";

/**
 * Why a build whose engine falls back to the CPU (llama.cpp) runs there on this GPU, or undefined when it runs on
 * the GPU: the same sentence in the page's fit verdict and in the worker's account of where the model ran.
 */
export function cpuFallbackReason(gpu: Pick<GpuInfo, 'webgpu' | 'shaderF16'>): string | undefined {
  if (!gpu.webgpu) return CPU_FALLBACK_NO_WEBGPU;
  return gpu.shaderF16 ? undefined : CPU_FALLBACK_NO_SHADER_F16;
}
