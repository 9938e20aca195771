// WebGPU adapters as the GPU probe reports them, for the fit and verdict tests: Chromium's software adapter
// (SwiftShader: no shader-f16, 1 GiB buffers), a browser without WebGPU, and a laptop GPU with f16 and 4 GiB buffers.
import type { GpuInfo } from '../../common/protocol';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export const SWIFTSHADER: GpuInfo = {
  webgpu: true,
  shaderF16: false,
  architecture: 'swiftshader',
  vendor: 'google',
  isFallbackAdapter: true,
  maxBufferSize: GiB,
  maxStorageBufferBindingSize: GiB,
  device: '',
  description: '',
  features: [],
};
/** What the probe answers without `navigator.gpu`: nothing but "no". */
export const NO_WEBGPU: GpuInfo = {
  ...SWIFTSHADER,
  webgpu: false, isFallbackAdapter: false, architecture: '', vendor: '', maxBufferSize: 0, maxStorageBufferBindingSize: 0,
  device: '', description: '', features: [],
};
export const LAPTOP_F16: GpuInfo = {
  webgpu: true,
  shaderF16: true,
  architecture: 'gen-12lp',
  vendor: 'intel',
  isFallbackAdapter: false,
  maxBufferSize: 4 * GiB,
  maxStorageBufferBindingSize: 2 * GiB,
  device: '',
  description: '',
  features: [],
};
