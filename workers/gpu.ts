// Reads what this browser's WebGPU adapter offers, once per worker: the engines and the picker decide precision
// and fit from it. A missing `navigator.gpu` or a refused adapter is a normal answer here, not an error.
import type { GpuInfo } from '../common/protocol';

const NO_GPU: GpuInfo = {
  webgpu: false,
  shaderF16: false,
  architecture: '',
  vendor: '',
  isFallbackAdapter: false,
  maxBufferSize: 0,
  maxStorageBufferBindingSize: 0,
  device: '',
  description: '',
  features: [],
};

let probe: Promise<GpuInfo> | undefined;

async function readAdapter(): Promise<GpuInfo> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) return NO_GPU;
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return NO_GPU;
    return {
      webgpu: true,
      shaderF16: adapter.features.has('shader-f16'),
      architecture: adapter.info.architecture,
      vendor: adapter.info.vendor,
      isFallbackAdapter: adapter.info.isFallbackAdapter ?? false,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      device: adapter.info.device,
      description: adapter.info.description,
      features: [...adapter.features].sort(),
    };
  } catch (error) {
    console.warn('[gpu] requestAdapter failed', error);
    return NO_GPU;
  }
}

export function probeGpu(): Promise<GpuInfo> {
  probe ??= readAdapter();
  return probe;
}
