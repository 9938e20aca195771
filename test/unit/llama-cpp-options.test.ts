// The llama.cpp engine's rules that need no llama.cpp: where it runs and the sentence that says why, what its native
// log says about where the layers went, threads, context size and prompt budget, the request's sampling fields (in
// llama-server's names), the metrics from its timings, and how its failures are named.
import { describe, expect, it } from 'vitest';
import { CPU_FALLBACK_NO_SHADER_F16, CPU_FALLBACK_NO_WEBGPU } from '../../common/precision';
import type { GenerationMetrics, GenerationOptions } from '../../common/protocol';
import { EngineError, toEngineError } from '../../workers/errors';
import { NativeLog, withNativeDetail } from '../../workers/engines/llama-cpp-log';
import {
  MAX_CONTEXT_TOKENS,
  REASON_CPU_ASKED,
  REASON_GPU_DECLINED,
  contextSize,
  deviceFromLog,
  finishReasonOf,
  isOverContext,
  metricsFromTimings,
  planDevice,
  promptBudget,
  samplingFields,
  settleDevice,
  threadCount,
} from '../../workers/engines/llama-cpp-options';
import { LAPTOP_F16, NO_WEBGPU, SWIFTSHADER } from './gpu-adapters';

const OPTIONS: GenerationOptions = { maxNewTokens: 64, temperature: 0.7, topP: 0.8, topK: 20, repetitionPenalty: 1.1, enableThinking: true };

describe('planDevice and settleDevice', () => {
  it('runs on the CPU without WebGPU or without shader-f16, and says which', () => {
    expect(planDevice(NO_WEBGPU, {})).toEqual({ device: 'wasm', gpuLayers: 0, reason: CPU_FALLBACK_NO_WEBGPU });
    expect(planDevice(SWIFTSHADER, {})).toEqual({ device: 'wasm', gpuLayers: 0, reason: CPU_FALLBACK_NO_SHADER_F16 });
    expect(CPU_FALLBACK_NO_SHADER_F16).toContain('shader-f16');
    // The GPU's reason wins over the page asking for the CPU: it is why the page asked.
    expect(planDevice(SWIFTSHADER, { device: 'wasm' }).reason).toBe(CPU_FALLBACK_NO_SHADER_F16);
  });

  it('offloads every layer to a GPU with shader-f16, unless the CPU is asked for', () => {
    const gpu = planDevice(LAPTOP_F16, {});
    expect(gpu.device).toBe('webgpu');
    expect(gpu.gpuLayers).toBeGreaterThan(1000);
    expect(gpu.reason).toBeUndefined();
    expect(planDevice(LAPTOP_F16, { device: 'wasm' })).toEqual({ device: 'wasm', gpuLayers: 0, reason: REASON_CPU_ASKED });
  });

  it('believes the log over the plan: a silent fall back to the CPU gets its own reason', () => {
    const plan = planDevice(LAPTOP_F16, {});
    expect(settleDevice(plan, 'webgpu')).toEqual({ device: 'webgpu' });
    expect(settleDevice(plan, undefined)).toEqual({ device: 'webgpu' });
    expect(settleDevice(plan, 'wasm')).toEqual({ device: 'wasm', reason: REASON_GPU_DECLINED });
    expect(settleDevice(planDevice(SWIFTSHADER, {}), 'wasm').reason).toBe(CPU_FALLBACK_NO_SHADER_F16);
  });
});

describe('reading the native log', () => {
  it('reads where layer 0 went', () => {
    expect(deviceFromLog('load_tensors: layer   0 assigned to device CPU, is_swa = 0')).toBe('wasm');
    expect(deviceFromLog('load_tensors: layer   0 assigned to device WebGPU, is_swa = 0')).toBe('webgpu');
    expect(deviceFromLog('load_tensors: layer   1 assigned to device WebGPU, is_swa = 0')).toBeUndefined();
    expect(deviceFromLog('llama_context: n_ctx = 2048')).toBeUndefined();
  });

  it('tells the device from model buffers at INFO level, layer 0 first when it is there', () => {
    const cpu = new NativeLog();
    cpu.logger.debug('load_tensors:          CPU model buffer size =     0.42 MiB');
    expect(cpu.device).toBe('wasm');

    const gpu = new NativeLog();
    gpu.logger.debug('load_tensors:   CPU_Mapped model buffer size =     0.10 MiB');
    gpu.logger.debug('load_tensors:       WebGPU model buffer size =    90.00 MiB');
    expect(gpu.device).toBe('webgpu');

    const layer = new NativeLog();
    layer.logger.debug('load_tensors: layer   0 assigned to device CPU, is_swa = 0');
    layer.logger.debug('load_tensors:       WebGPU model buffer size =    90.00 MiB');
    expect(layer.device).toBe('wasm');
    expect(new NativeLog().device).toBeUndefined();
  });

  it('keeps the last warnings and puts them after a failure, so "failed to allocate" names it', () => {
    const log = new NativeLog();
    for (let index = 0; index < 10; index += 1) log.logger.warn(`warning ${index}`);
    log.logger.error('ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size 6442450944');
    log.logger.error('Model returned an error:', { message: 'request exceeds the available context size' });
    expect(log.warnings).toHaveLength(6);
    expect(log.warnings.at(-1)).toContain('failed to allocate');
    const named = toEngineError(withNativeDetail(new Error('Failed to load model'), log));
    expect(named.name).toBe('OutOfMemory');
    expect(named.message).toContain('Failed to load model');
    // An error the app already named passes through untouched.
    const busy = new EngineError('Busy', 'still busy');
    expect(withNativeDetail(busy, log)).toBe(busy);
  });
});

describe('naming llama.cpp failures', () => {
  it('maps wasm aborts, memory and aborts to the closed set', () => {
    const runtime = (message: string): Error => Object.assign(new Error(message), { name: 'RuntimeError' });
    expect(toEngineError(runtime('(ABORT) Aborted(OOM)')).name).toBe('OutOfMemory');
    expect(toEngineError(runtime('(ABORT) Cannot enlarge memory arrays to size 4294967296 bytes')).name).toBe('OutOfMemory');
    expect(toEngineError(runtime('(ABORT) GGML_ASSERT(n_tokens_all <= cparams.n_batch) failed')).name).toBe('WorkerCrashed');
    expect(toEngineError(runtime('(ABORT) ggml_webgpu: Device lost! Reason: 2')).name).toBe('DeviceLost');
    expect(toEngineError(Object.assign(new Error('Operation aborted'), { name: 'AbortError' })).name).toBe('Aborted');
  });
});

describe('threads, context and budget', () => {
  it('uses several threads only when cross-origin isolated: half the cores, 1 to 8', () => {
    expect(threadCount(false, 16)).toBe(1);
    expect(threadCount(true, 2)).toBe(1);
    expect(threadCount(true, 8)).toBe(4);
    expect(threadCount(true, 64)).toBe(8);
    expect(threadCount(true, undefined)).toBe(1);
  });

  it('takes the smallest of the record, the file and the cap', () => {
    expect(contextSize({ contextWindow: 40_960 }, 40_960)).toBe(MAX_CONTEXT_TOKENS);
    expect(contextSize({ contextWindow: 4096 }, 40_960)).toBe(4096);
    expect(contextSize({ contextWindow: 40_960 }, 2048)).toBe(2048);
    expect(contextSize({ contextWindow: 4096 }, undefined)).toBe(4096);
  });

  it("keeps room for the answer inside the context and never exceeds the page's budget", () => {
    expect(promptBudget(4096, 512, undefined)).toBe(4096 - 512);
    expect(promptBudget(4096, 512, 1000)).toBe(1000);
    expect(promptBudget(4096, 10_000, undefined)).toBe(2048);
  });
});

describe('samplingFields', () => {
  it('is greedy at temperature 0: no top-p or top-k', () => {
    const fields = samplingFields({ ...OPTIONS, temperature: 0, enableThinking: false });
    expect(fields).toEqual({ max_tokens: 64, temperature: 0, repeat_penalty: 1.1, chat_template_kwargs: { enable_thinking: false } });
  });

  it("samples with the user's settings, in llama-server's field names", () => {
    const fields = samplingFields(OPTIONS);
    expect(fields).toMatchObject({ temperature: 0.7, top_p: 0.8, top_k: 20, repeat_penalty: 1.1 });
    expect(fields.chat_template_kwargs.enable_thinking).toBe(true);
    expect(fields).not.toHaveProperty('penalty_repeat');
  });
});

describe('metrics and finish', () => {
  const clocked: GenerationMetrics = { promptTokens: 10, outputTokens: 3, timeToFirstTokenMs: 120, prefillTokensPerS: 5, decodeTokensPerS: 6, totalMs: 900 };

  it("takes llama.cpp's counts and rates, the clock's times, and the cached part of the prompt", () => {
    const timings = { cache_n: 109, prompt_n: 60, prompt_ms: 32, prompt_per_second: 1855, predicted_n: 12, predicted_ms: 51, predicted_per_second: 214 };
    expect(metricsFromTimings(timings, clocked)).toEqual({
      promptTokens: 169,
      promptTokensCached: 109,
      outputTokens: 12,
      timeToFirstTokenMs: 120,
      prefillTokensPerS: 1855,
      decodeTokensPerS: 214,
      totalMs: 900,
    });
    expect(metricsFromTimings(undefined, clocked)).toBe(clocked);
  });

  it('reads the finish reason and a prompt over the context', () => {
    expect(finishReasonOf('length', false)).toBe('length');
    expect(finishReasonOf('stop', false)).toBe('stop');
    expect(finishReasonOf(null, false)).toBe('stop');
    expect(finishReasonOf('length', true)).toBe('aborted');
    expect(isOverContext(new Error('request (5024 tokens) exceeds the available context size (2048 tokens), try increasing it'))).toBe(true);
    expect(isOverContext(new Error('Model failed to start inference'))).toBe(false);
  });
});
