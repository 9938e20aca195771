// The roofline arithmetic: KV bytes from the model's shape, bytes per token, the decode ceiling from a bandwidth and
// the measured share of it; the KV precision rule per build; and a shape for every model the catalogue sizes.
import { describe, expect, it } from 'vitest';
import { ALL_BUILDS } from '../../common/catalog/builds';
import { modelKeyOf, modelShapeOf } from '../../common/bench/model-shapes';
import {
  bytesPerToken,
  decodeCeiling,
  kvBytesPerValue,
  kvCacheBytes,
  meanDecodeContext,
  shareOfCeiling,
  totalBytesPerToken,
} from '../../common/bench/roofline';
import { catalogueBuild } from './state/fake-engine-client';

const QWEN3_06B = catalogueBuild('qwen3-0.6b-onnx');

describe('the KV cache and the bytes read per token', () => {
  it('counts K and V for every KV layer, head and dimension at the context', () => {
    const shape = { layers: 28, kvLayers: 28, kvHeads: 8, headDim: 128, recurrentStateBytes: 0 };
    // 2 × 28 × 8 × 128 × 2 bytes = 114,688 bytes per token of context.
    expect(kvCacheBytes(shape, 2, 1)).toBe(114_688);
    expect(kvCacheBytes(shape, 2, 1000)).toBe(114_688_000);
    expect(kvCacheBytes(shape, 4, 1000)).toBe(229_376_000);
  });

  it('adds weights, KV cache and recurrent state, and leaves KV out for an unknown shape', () => {
    const hybrid = { layers: 24, kvLayers: 6, kvHeads: 2, headDim: 256, recurrentStateBytes: 1_000_000 };
    const bytes = bytesPerToken(500_000_000, hybrid, 2, 100);
    expect(bytes.kvBytes).toBe(2 * 6 * 2 * 256 * 2 * 100);
    expect(totalBytesPerToken(bytes)).toBe(500_000_000 + 2 * 6 * 2 * 256 * 2 * 100 + 1_000_000);
    const unknown = bytesPerToken(436_000, undefined, 4, 3000);
    expect(unknown.kvBytes).toBe(0);
    expect(totalBytesPerToken(unknown)).toBe(436_000);
  });

  it('takes the average decode context as the prompt plus half the answer', () => {
    expect(meanDecodeContext(1000, 128)).toBe(1064);
  });
});

describe('the ceiling and the share', () => {
  it('divides the bandwidth by the bytes per token', () => {
    const bytes = bytesPerToken(1e9, undefined, 2, 0);
    expect(decodeCeiling(100, bytes)).toBeCloseTo(100); // 100 GB/s over 1 GB per token
    expect(decodeCeiling(4800, bytesPerToken(600e6, undefined, 2, 0))).toBeCloseTo(8000);
  });

  it('has no ceiling without a bandwidth or bytes, and no share without a ceiling', () => {
    const bytes = bytesPerToken(1e9, undefined, 2, 0);
    expect(decodeCeiling(undefined, bytes)).toBeUndefined();
    expect(decodeCeiling(0, bytes)).toBeUndefined();
    expect(decodeCeiling(100, bytesPerToken(0, undefined, 2, 0))).toBeUndefined();
    expect(shareOfCeiling(30, undefined)).toBeUndefined();
    expect(shareOfCeiling(30, 120)).toBeCloseTo(0.25);
  });
});

describe('KV precision and model shapes', () => {
  it('uses f16 for GGUF and MLC f16 builds, and the graph precision for ONNX builds', () => {
    expect(kvBytesPerValue({ gguf: { quant: 'Q4_K_M', files: ['a.gguf'] } }, 'q4')).toBe(2);
    const webLlm = ALL_BUILDS.find((record) => record.mlc?.quantisation === 'q4f32_1');
    expect(webLlm && kvBytesPerValue(webLlm, webLlm.dtypes.withF16)).toBe(4);
    expect(kvBytesPerValue(QWEN3_06B, 'q4f16')).toBe(2);
    expect(kvBytesPerValue(QWEN3_06B, 'q4')).toBe(4);
  });

  it('knows the shape of every model the catalogue sizes, shared by its builds on every engine', () => {
    for (const record of ALL_BUILDS) {
      const shape = modelShapeOf(record);
      expect(shape, record.id).toBeDefined();
      if (!shape) continue;
      expect(shape.kvLayers).toBeLessThanOrEqual(shape.layers);
      expect(modelKeyOf(record)).toBe(`${record.family} ${record.parameters}`);
    }
    const qwen3 = modelShapeOf(QWEN3_06B);
    expect(qwen3 && { layers: qwen3.layers, kvHeads: qwen3.kvHeads, headDim: qwen3.headDim }).toEqual({ layers: 28, kvHeads: 8, headDim: 128 });
  });

  it('groups the builds the user added by family, with no shape', () => {
    const custom = { family: 'Qwen3' as const, parameters: 'unknown' };
    expect(modelKeyOf(custom)).toBe('Added by you · Qwen3');
    expect(modelKeyOf({ family: 'Qwen3.5' as const, parameters: 'unknown' })).toBe('Added by you · Qwen3.5');
    expect(modelShapeOf(custom)).toBeUndefined();
  });
});
