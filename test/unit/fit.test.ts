// The fit verdict and the recommendation over a table of adapters: Chromium's software adapter (no f16, 1 GiB
// buffers), no WebGPU at all, a phone-class GPU, a laptop GPU with f16 and 4 GiB buffers, a device with little
// memory, and a browser short of storage. Pure: no browser, no engine.
import { describe, expect, it } from 'vitest';
import { ALL_BUILDS, customModelRecord, findModel } from '../../common/catalog/builds';
import { isF16Dtype } from '../../common/precision';
import { assessFit, isCpuCapable, recommendBuild, siblings, type FitInput } from '../../src/lib/fit';
import type { GpuInfo } from '../../common/protocol';
import type { ModelRecord } from '../../common/model-record';
import { GiB, LAPTOP_F16, MiB, NO_WEBGPU, SWIFTSHADER } from './gpu-adapters';

const GB = 1e9;

const PHONE: GpuInfo = { ...LAPTOP_F16, architecture: 'valhall', vendor: 'arm', maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 128 * MiB };
const ONE_GIB_F16: GpuInfo = { ...LAPTOP_F16, maxBufferSize: GiB, maxStorageBufferBindingSize: GiB };
const TINY_LIMITS: GpuInfo = { ...LAPTOP_F16, maxBufferSize: 256 * MiB, maxStorageBufferBindingSize: 64 * MiB };

const ROOMY = { usage: 1 * GB, quota: 100 * GB };

function build(id: string): ModelRecord {
  const record = findModel(id);
  if (!record) throw new Error(`no build ${id}`);
  return record;
}

const level = (id: string, input: FitInput) => assessFit(build(id), input).level;

describe('assessFit on Chromium\'s software adapter (no shader-f16, 1 GiB buffers)', () => {
  const input: FitInput = { gpu: SWIFTSHADER, storage: ROOMY, memoryGiB: 8 };

  it('never marks an f16 build runnable, and says why', () => {
    for (const record of ALL_BUILDS) {
      const verdict = assessFit(record, input);
      if (isF16Dtype(record.dtypes.withoutF16)) {
        expect(verdict.level, record.id).toBe('wont-fit');
        expect(verdict.possible).toBe(false);
        expect(verdict.summary).toMatch(/^Won't fit — because this GPU has no shader-f16/);
      } else if (verdict.level !== 'wont-fit') {
        expect(isF16Dtype(verdict.dtype ?? 'q4f16'), record.id).toBe(false);
      }
    }
  });

  it('marks the q4f32 / q4 / fp32 builds that fit the 1 GiB buffers as runnable, all of them tight (software GPU)', () => {
    expect(level('webllm:Qwen3-0.6B-q4f32_1-MLC', input)).toBe('tight');
    expect(level('webllm:Qwen3-0.6B-q0f32-MLC', input)).toBe('tight');
    expect(level('webllm:Qwen3.5-9B-q4f32_1-MLC', input)).toBe('tight');
    expect(level('qwen3-0.6b-onnx', input)).toBe('tight');
    expect(level('qwen3.5-4b-onnx-opt', input)).toBe('tight');
    expect(assessFit(build('qwen3-0.6b-onnx'), input).reasons[0]).toMatch(/software GPU/);
    expect(assessFit(build('qwen3-0.6b-onnx'), input).dtype).toBe('q4');
    expect(ALL_BUILDS.some((record) => assessFit(record, input).level === 'fits')).toBe(false);
  });

  it('rules out the Qwen3 q4 exports whose fp32 embedding is over the 1 GiB buffer limit', () => {
    const verdict = assessFit(build('qwen3-1.7b-onnx'), input);
    expect(verdict.level).toBe('wont-fit');
    expect(verdict.possible).toBe(false);
    expect(verdict.summary).toMatch(/largest tensor \(1\.16 GiB\) is over this GPU's 1 GiB buffer limit/);
    expect(level('qwen3-4b-onnx', input)).toBe('wont-fit');
  });

  it('recommends the smallest runnable build (nothing fits comfortably), on transformers.js', () => {
    expect(recommendBuild(ALL_BUILDS, (record) => assessFit(record, input))?.id).toBe('qwen3-0.6b-onnx');
  });
});

describe('assessFit without WebGPU', () => {
  const input: FitInput = { gpu: NO_WEBGPU, storage: ROOMY };

  it('offers only the smallest builds (transformers.js, and llama.cpp up to 2B), on the CPU, marked slow', () => {
    const runnable = ALL_BUILDS.filter((record) => assessFit(record, input).level !== 'wont-fit').map((record) => record.id);
    expect(runnable).toEqual([
      'qwen3-0.6b-onnx',
      'qwen3.5-0.8b-onnx-opt',
      'gguf:Qwen3-0.6B-Q8_0',
      'gguf:Qwen3-1.7B-Q8_0',
      'gguf:Qwen3.5-0.8B-Q4_K_M',
      'gguf:Qwen3.5-2B-Q4_K_M',
    ]);
    expect(assessFit(build('gguf:Qwen3-4B-Q4_K_M'), input)).toMatchObject({ level: 'wont-fit', possible: false });
    expect(assessFit(build('gguf:Qwen3-4B-Q4_K_M'), input).summary).toMatch(/too slow \(only builds up to 2B run on the CPU\)/);
    const verdict = assessFit(build('qwen3-0.6b-onnx'), input);
    expect(verdict).toMatchObject({ level: 'tight', device: 'wasm', dtype: 'q4' });
    expect(verdict.summary).toMatch(/CPU \(WebAssembly\), slowly/);
  });

  it('runs a user-added repo on the CPU too, at fp32', () => {
    const custom = customModelRecord('test/tiny-qwen3');
    expect(isCpuCapable(custom)).toBe(true);
    expect(assessFit(custom, input)).toMatchObject({ level: 'tight', device: 'wasm', dtype: 'fp32' });
  });

  it('says why web-llm and the larger builds cannot run', () => {
    expect(assessFit(build('webllm:Qwen3-0.6B-q4f32_1-MLC'), input).summary).toBe(
      "Won't fit — because web-llm needs WebGPU, which this browser does not offer",
    );
    expect(assessFit(build('qwen3-4b-onnx'), input)).toMatchObject({ level: 'wont-fit', possible: false });
  });

  it('recommends the smallest CPU build', () => {
    expect(recommendBuild(ALL_BUILDS, (record) => assessFit(record, input))?.id).toBe('qwen3-0.6b-onnx');
  });
});

describe('assessFit on real GPUs', () => {
  it('a laptop GPU with shader-f16, 4 GiB buffers and 8+ GB: small builds fit, the largest are tight, none ruled out', () => {
    const input: FitInput = { gpu: LAPTOP_F16, storage: ROOMY, memoryGiB: 8 };
    expect(level('qwen3-0.6b-onnx', input)).toBe('fits');
    expect(assessFit(build('qwen3-0.6b-onnx'), input).dtype).toBe('q4f16');
    expect(level('webllm:Qwen3-1.7B-q4f16_1-MLC', input)).toBe('fits');
    // 5.7 GB needed, 8 GB is only a lower bound on this device's memory: tight, not ruled out.
    const big = assessFit(build('webllm:Qwen3-8B-q4f16_1-MLC'), input);
    expect(big.level).toBe('tight');
    expect(big.summary).toMatch(/at least 8 GB of memory, so it may not fit/);
    expect(ALL_BUILDS.filter((record) => assessFit(record, input).level === 'wont-fit')).toEqual([]);
    // Largest comfortable fit: a 2B build (4B ones need over 3 GB of the ~4 GB budget); Qwen3.5 on transformers.js.
    // Qwen3.5 4B fits comfortably only as llama.cpp's Q4_K_M (2.7 GB; the ONNX build needs about 3.8 GB).
    expect(recommendBuild(ALL_BUILDS, (record) => assessFit(record, input))?.id).toBe('gguf:Qwen3.5-4B-Q4_K_M');
  });

  it('a device with 4 GB of memory rules out builds that need more GPU memory than it can spare', () => {
    const input: FitInput = { gpu: ONE_GIB_F16, storage: ROOMY, memoryGiB: 4 };
    const verdict = assessFit(build('webllm:Qwen3-4B-q4f16_1-MLC'), input);
    expect(verdict.level).toBe('wont-fit');
    expect(verdict.possible).toBe(true);
    expect(verdict.summary).toMatch(/needs about 3\.6 GB of GPU memory and this device has about 4 GB of memory/);
    expect(level('webllm:Qwen3-0.6B-q4f16_1-MLC', input)).toBe('fits');
    expect(level('webllm:Qwen3-1.7B-q4f16_1-MLC', input)).toBe('tight');
  });

  it('a phone-class GPU (256 MiB buffers, 128 MiB bindings) takes only web-llm builds marked low-resource', () => {
    const input: FitInput = { gpu: PHONE, storage: ROOMY, memoryGiB: 8 };
    expect(level('webllm:Qwen3-0.6B-q4f16_1-MLC', input)).toBe('fits');
    const notLowResource = assessFit(build('webllm:Qwen3.5-2B-q4f16_1-MLC'), input);
    expect(notLowResource.level).toBe('wont-fit');
    expect(notLowResource.summary).toMatch(/needing 1 GiB storage-buffer bindings and this GPU allows 128 MiB/);
    // fp16 embedding of Qwen3 0.6B is 311 MB: over a 128 MiB binding.
    expect(level('qwen3-0.6b-onnx', input)).toBe('wont-fit');
  });

  it('limits below web-llm\'s minimum rule out every web-llm build', () => {
    const input: FitInput = { gpu: TINY_LIMITS, storage: ROOMY, memoryGiB: 8 };
    for (const record of ALL_BUILDS.filter((candidate) => candidate.engine === 'web-llm')) {
      expect(assessFit(record, input).summary, record.id).toMatch(/web-llm needs buffers of 256 MiB .* allows 256 MiB and 64 MiB$/);
    }
  });

  it('without a device-memory figure, builds over 4 GiB of GPU memory are tight', () => {
    const input: FitInput = { gpu: LAPTOP_F16, storage: ROOMY };
    expect(assessFit(build('webllm:Qwen3-8B-q4f16_1-MLC'), input).summary).toMatch(/does not say how much this device has/);
    expect(level('webllm:Qwen3-4B-q4f16_1-MLC', input)).toBe('fits');
  });
});

describe('storage', () => {
  it('low quota: a build larger than the space left will not fit; one that takes most of it is tight', () => {
    const input: FitInput = { gpu: LAPTOP_F16, storage: { usage: 0.5 * GB, quota: 1.5 * GB }, memoryGiB: 8 };
    expect(assessFit(build('qwen3-1.7b-onnx'), input).summary).toBe(
      "Won't fit — because it needs 1.4 GB of storage and this browser allows 1.0 GB more",
    );
    expect(assessFit(build('webllm:Qwen3-1.7B-q4f16_1-MLC'), input).summary).toMatch(/^Tight — it takes 984 MB of the 1.0 GB/);
    expect(level('qwen3-0.6b-onnx', input)).toBe('fits');
  });

  it('what is already stored needs no new space', () => {
    const record = build('qwen3-1.7b-onnx');
    const input: FitInput = { gpu: LAPTOP_F16, storage: { usage: 2 * GB, quota: 2.5 * GB }, memoryGiB: 8 };
    expect(assessFit(record, input).level).toBe('wont-fit');
    expect(assessFit(record, { ...input, cachedBytes: record.downloadBytes.q4f16 }).level).toBe('fits');
  });
});

describe('siblings', () => {
  it('lists the same model on the other engine, and only that model', () => {
    const ids = siblings(build('qwen3-0.6b-onnx'), ALL_BUILDS).map((record) => record.id);
    expect(ids).toEqual([
      'webllm:Qwen3-0.6B-q4f16_1-MLC',
      'webllm:Qwen3-0.6B-q4f32_1-MLC',
      'webllm:Qwen3-0.6B-q0f16-MLC',
      'webllm:Qwen3-0.6B-q0f32-MLC',
      'gguf:Qwen3-0.6B-Q8_0',
    ]);
    expect(siblings(build('webllm:Qwen3.5-2B-q4f32_1-MLC'), ALL_BUILDS).map((record) => record.id)).toEqual([
      'qwen3.5-2b-onnx-opt',
      'webllm:Qwen3.5-2B-q4f16_1-MLC',
      'gguf:Qwen3.5-2B-Q4_K_M',
    ]);
    expect(siblings(customModelRecord('test/tiny-qwen3'), ALL_BUILDS)).toEqual([]);
  });

  it('every transformers.js size also exists on web-llm', () => {
    for (const record of ALL_BUILDS.filter((candidate) => candidate.engine === 'transformers')) {
      expect(siblings(record, ALL_BUILDS).some((other) => other.engine === 'web-llm'), record.id).toBe(true);
    }
  });
});
