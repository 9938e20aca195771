// The decode roofline: generating one token reads every weight once plus the KV cache of the context so far, so a
// GPU cannot decode faster than its memory bandwidth ÷ those bytes. Invariants: bytes are bytes (decimal GB/s for
// bandwidth, as vendors publish it); the KV term is 2 (K and V) × KV layers × KV heads × head dim × bytes per value
// × context tokens; without a bandwidth there is no ceiling, and without a ceiling no share.
import type { Dtype, ModelRecord } from '../model-record';
import { isF16Dtype } from '../precision';
import type { ModelShape } from './model-shapes';

export interface BytesPerToken {
  weightsBytes: number;
  /** The KV cache at `contextTokens`; 0 when the model's shape is unknown. */
  kvBytes: number;
  /** Recurrent state read per token (Qwen3.5); 0 for Qwen3 or an unknown shape. */
  stateBytes: number;
  contextTokens: number;
}

export function kvCacheBytes(shape: ModelShape, bytesPerValue: number, contextTokens: number): number {
  return 2 * shape.kvLayers * shape.kvHeads * shape.headDim * bytesPerValue * contextTokens;
}

/**
 * Bytes per KV value: llama.cpp (GGUF) and MLC's f16 builds keep an f16 cache; transformers.js keeps the cache in
 * the precision of the graph (f16 for q4f16 and fp16, f32 for q4 and fp32), as do MLC's f32 builds.
 */
export function kvBytesPerValue(record: Pick<ModelRecord, 'gguf' | 'mlc'>, dtype: Dtype): number {
  if (record.gguf) return 2;
  if (record.mlc) return record.mlc.quantisation.includes('f16') ? 2 : 4;
  return isF16Dtype(dtype) ? 2 : 4;
}

export function bytesPerToken(weightsBytes: number, shape: ModelShape | undefined, bytesPerValue: number, contextTokens: number): BytesPerToken {
  return {
    weightsBytes,
    kvBytes: shape ? kvCacheBytes(shape, bytesPerValue, contextTokens) : 0,
    stateBytes: shape?.recurrentStateBytes ?? 0,
    contextTokens,
  };
}

export function totalBytesPerToken(bytes: BytesPerToken): number {
  return bytes.weightsBytes + bytes.kvBytes + bytes.stateBytes;
}

/** The highest decode rate the bandwidth allows, in tokens/s; undefined without a bandwidth or bytes. */
export function decodeCeiling(bandwidthGBps: number | undefined, bytes: BytesPerToken): number | undefined {
  const total = totalBytesPerToken(bytes);
  if (bandwidthGBps === undefined || !(bandwidthGBps > 0) || !(total > 0)) return undefined;
  return (bandwidthGBps * 1e9) / total;
}

/** The measured rate as a share of the ceiling (0.42 = 42%); undefined without a ceiling. */
export function shareOfCeiling(measuredTokensPerS: number, ceiling: number | undefined): number | undefined {
  if (ceiling === undefined || !(ceiling > 0) || !Number.isFinite(measuredTokensPerS)) return undefined;
  return measuredTokensPerS / ceiling;
}

/** The context while decoding, on average: the prompt plus half the answer. */
export function meanDecodeContext(promptTokens: number, outputTokens: number): number {
  return Math.round(promptTokens + outputTokens / 2);
}
