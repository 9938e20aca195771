// The llama.cpp engine's decisions that need no llama.cpp: where it runs and why, how many threads, how large a
// context, what one chat request asks of llama-server's completion code, and the metrics its timings give. Pure, so
// unit tests pin each rule; the adapter (llama-cpp.ts) only applies them.
import type { ModelRecord } from '../../common/model-record';
import { cpuFallbackReason } from '../../common/precision';
import type { Device, FinishReason, GenerationMetrics, GenerationOptions, GpuInfo, LoadRequest } from '../../common/protocol';

/** What llama.cpp is asked for: every layer on WebGPU, or none (the CPU), with the reason when it is the CPU. */
export interface DevicePlan {
  device: Device;
  /** llama.cpp's n_gpu_layers: 0 keeps wllama from even starting WebGPU. */
  gpuLayers: number;
  reason?: string;
}

/** More layers than any model has: llama.cpp then offloads all of them. */
const ALL_LAYERS = 99_999;

export const REASON_CPU_ASKED = 'it was loaded on the CPU, as asked';
export const REASON_GPU_DECLINED = 'llama.cpp did not take this GPU (it put the layers on the CPU)';

/** llama.cpp's WebGPU backend needs shader-f16; without it (or without WebGPU) it runs on the CPU, and says why. */
export function planDevice(gpu: Pick<GpuInfo, 'webgpu' | 'shaderF16'>, request: Pick<LoadRequest, 'device'>): DevicePlan {
  const fallback = cpuFallbackReason(gpu);
  if (fallback !== undefined) return { device: 'wasm', gpuLayers: 0, reason: fallback };
  if (request.device === 'wasm') return { device: 'wasm', gpuLayers: 0, reason: REASON_CPU_ASKED };
  return { device: 'webgpu', gpuLayers: ALL_LAYERS };
}

// llama.cpp's own word for where the first layer went: `load_tensors: layer   0 assigned to device CPU, is_swa = 0`.
const LAYER_ZERO = /load_tensors:\s+layer\s+0 assigned to device ([^,\s]+)/;

/** The device named by a native log line that says where layer 0 went; undefined for any other line. */
export function deviceFromLog(line: string): Device | undefined {
  const named = LAYER_ZERO.exec(line)?.[1];
  if (named === undefined) return undefined;
  return named.toUpperCase().startsWith('CPU') ? 'wasm' : 'webgpu';
}

/** Where it really ran (the log's word over the plan's), and the sentence for the panel. */
export function settleDevice(plan: DevicePlan, logged: Device | undefined): { device: Device; reason?: string } {
  const device = logged ?? plan.device;
  if (device === 'webgpu') return { device };
  return { device, reason: plan.reason ?? REASON_GPU_DECLINED };
}

// Decode is bound by memory bandwidth, not cores: past 8 threads it gains nothing and takes cores from the page.
const MAX_THREADS = 8;

/**
 * Threads for llama.cpp: several need cross-origin isolation (SharedArrayBuffer); then half the logical cores (about
 * the physical ones, leaving the page and the browser room), between 1 and MAX_THREADS.
 */
export function threadCount(crossOriginIsolated: boolean, hardwareConcurrency: number | undefined): number {
  if (!crossOriginIsolated) return 1;
  const half = Math.floor((hardwareConcurrency ?? 1) / 2);
  return Math.min(MAX_THREADS, Math.max(1, half));
}

// The KV cache grows with the context: Qwen3-8B at its full 40,960 tokens would need about 5.6 GiB of it (36 layers,
// 8 KV heads of 128, f16). 8192 tokens keep it near 1.1 GiB, more than a chat in this app sends (settings default to
// less), while a longer conversation is trimmed to fit rather than failing.
export const MAX_CONTEXT_TOKENS = 8192;

/** n_ctx: the record's context window, no more than the file was trained for, and at most MAX_CONTEXT_TOKENS. */
export function contextSize(record: Pick<ModelRecord, 'contextWindow'>, trainedContext: number | undefined): number {
  const trained = trainedContext !== undefined && trainedContext > 0 ? trainedContext : record.contextWindow;
  return Math.max(1, Math.min(record.contextWindow, trained, MAX_CONTEXT_TOKENS));
}

/**
 * The most prompt tokens a request may take: the page's budget, and never so many that the answer would not fit in
 * the context (an answer longer than half the context may eat into the rest; llama.cpp stops at the context's end).
 */
export function promptBudget(contextTokens: number, maxNewTokens: number, pageBudget: number | undefined): number {
  const reserved = Math.min(Math.max(0, maxNewTokens), Math.floor(contextTokens / 2));
  return Math.min(pageBudget ?? Number.POSITIVE_INFINITY, contextTokens - reserved);
}

/** The sampling part of a chat request, in llama-server's own field names (it reads `repeat_penalty`, not `penalty_repeat`). */
export interface SamplingFields {
  max_tokens: number;
  temperature: number;
  top_p?: number;
  top_k?: number;
  repeat_penalty: number;
  chat_template_kwargs: { enable_thinking: boolean };
}

/** Greedy (temperature 0: llama.cpp then takes the most likely token) or sampled with the user's settings. */
export function samplingFields(options: GenerationOptions): SamplingFields {
  const fields: SamplingFields = {
    max_tokens: options.maxNewTokens,
    temperature: Math.max(0, options.temperature),
    repeat_penalty: options.repetitionPenalty,
    // Qwen's templates read enable_thinking; llama.cpp's default for it depends on its reasoning settings, so say it.
    chat_template_kwargs: { enable_thinking: options.enableThinking },
  };
  if (options.temperature > 0) {
    fields.top_p = options.topP;
    fields.top_k = options.topK;
  }
  return fields;
}

/** llama-server's `timings` on the last chunk of a stream. */
export interface LlamaTimings {
  cache_n: number;
  prompt_n: number;
  prompt_ms: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_ms: number;
  predicted_per_second: number;
}

/**
 * llama.cpp's own figures where it gave them (tokens, prefill and decode rates), the worker's clock for the time to
 * first token and the total. The prompt counts every prompt token; `promptTokensCached` says how many of them came
 * from the prompt cache (the turns before), so prefill speed is over the tokens really evaluated.
 */
export function metricsFromTimings(timings: LlamaTimings | undefined, clocked: GenerationMetrics): GenerationMetrics {
  if (!timings) return clocked;
  return {
    ...clocked,
    promptTokens: timings.cache_n + timings.prompt_n,
    promptTokensCached: timings.cache_n,
    outputTokens: timings.predicted_n,
    prefillTokensPerS: timings.prompt_per_second > 0 ? timings.prompt_per_second : clocked.prefillTokensPerS,
    decodeTokensPerS: timings.predicted_per_second > 0 ? timings.predicted_per_second : clocked.decodeTokensPerS,
  };
}

export function finishReasonOf(reason: string | null | undefined, interrupted: boolean): FinishReason {
  if (interrupted) return 'aborted';
  return reason === 'length' ? 'length' : 'stop';
}

// llama-server's refusal of a prompt longer than the context: `request (5024 tokens) exceeds the available context size (2048 tokens)`.
const OVER_CONTEXT = /exceeds the available context size/i;

export function isOverContext(error: unknown): boolean {
  return error instanceof Error && OVER_CONTEXT.test(error.message);
}
