// The web-llm catalogue against the installed @mlc-ai/web-llm: every Qwen3 / Qwen3.5 build in its prebuiltAppConfig
// is in our catalogue with the same id, model URL, model library, VRAM figure and overrides, and nothing else is. An
// upgrade of web-llm that adds or changes a build fails here until the catalogue knows it.
import { modelVersion, prebuiltAppConfig, type ModelRecord as MlcRecord } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { ALL_BUILDS, findModel } from '../../common/catalog/builds';
import { CATALOG } from '../../common/catalog/transformers-builds';
import { GGUF_CATALOG } from '../../common/catalog/gguf-builds';
import { filesBaseUrl } from '../../common/model-urls';
import { isF16Dtype } from '../../common/precision';
import {
  MLC_DTYPE,
  WEB_LLM_CATALOG,
  WEB_LLM_MODEL_LIB_BASE,
  parameterCount,
} from '../../common/catalog/web-llm-builds';
import { webLlmAppConfig, webLlmModelUrl } from '../../workers/engines/web-llm';

const MiB = 1024 * 1024;
const QWEN = /^Qwen3(\.5)?-/;

const upstream: MlcRecord[] = prebuiltAppConfig.model_list.filter((record) => QWEN.test(record.model_id));

function ours(modelId: string) {
  const record = WEB_LLM_CATALOG.find((candidate) => candidate.mlc?.modelId === modelId);
  if (!record) throw new Error(`${modelId} is in web-llm's prebuiltAppConfig but not in WEB_LLM_CATALOG`);
  return record;
}

describe('web-llm catalogue vs the installed prebuiltAppConfig', () => {
  it('pins the model library version the catalogue was written for', () => {
    expect(`https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/${modelVersion}/`).toBe(
      WEB_LLM_MODEL_LIB_BASE,
    );
  });

  it('finds the Qwen3 and Qwen3.5 builds upstream (the filter is not empty)', () => {
    expect(upstream.length).toBeGreaterThanOrEqual(19);
    expect(upstream.some((record) => record.model_id.startsWith('Qwen3.5-9B'))).toBe(true);
    expect(upstream.some((record) => record.model_id.startsWith('Qwen3-8B'))).toBe(true);
  });

  it('covers every upstream Qwen3 / Qwen3.5 build, and only those', () => {
    const upstreamIds = upstream.map((record) => record.model_id).sort();
    const ourIds = WEB_LLM_CATALOG.map((record) => record.mlc?.modelId ?? '').sort();
    expect(ourIds).toEqual(upstreamIds);
  });

  it.each(upstream.map((record) => [record.model_id, record] as const))('%s matches upstream field by field', (modelId, mlc) => {
    const record = ours(modelId);
    expect(record.id).toBe(`webllm:${modelId}`);
    expect(record.engine).toBe('web-llm');
    expect(`https://huggingface.co/${record.repo}`).toBe(mlc.model);
    expect(record.mlc?.modelLib).toBe(mlc.model_lib);
    expect(record.mlc?.vramRequiredMB).toBe(mlc.vram_required_MB);
    expect(record.gpuMemoryBytes).toBe(Math.round((mlc.vram_required_MB ?? 0) * MiB));
    expect(record.mlc?.lowResource).toBe(mlc.low_resource_required);
    expect(record.mlc?.contextWindowSize).toBe(mlc.overrides?.context_window_size);
    expect(record.contextWindow).toBe(mlc.overrides?.context_window_size);
    expect(record.mlc?.maxHistorySize).toBe(mlc.overrides?.max_history_size);
    // Upstream leaves required_features out for these; we derive shader-f16 from the quantisation instead.
    expect(mlc.required_features ?? []).toEqual([]);
  });

  it.each(WEB_LLM_CATALOG.map((record) => [record.id, record] as const))('%s is well-formed', (_id, record) => {
    const mlc = record.mlc;
    if (!mlc) throw new Error('no mlc block');
    expect(record.label).toBe(`${record.family} ${record.parameters}`);
    expect(mlc.modelId.startsWith(`${record.family}-${record.parameters}-${mlc.quantisation}`)).toBe(true);
    const dtype = MLC_DTYPE[mlc.quantisation];
    expect(record.dtypes).toEqual({ withF16: dtype, withoutF16: dtype });
    expect(isF16Dtype(dtype)).toBe(mlc.quantisation.endsWith('f16') || mlc.quantisation === 'q4f16_1');
    const size = record.downloadBytes[dtype] ?? 0;
    expect(Number.isInteger(size)).toBe(true);
    // The weights never need more than web-llm's own VRAM figure (which adds KV cache and activations).
    expect(size).toBeLessThan(record.gpuMemoryBytes ?? 0);
    expect(size).toBeGreaterThan(300e6);
    expect(record.takesImages).toBe(false);
    expect(record.licence).toBe('Apache-2.0');
    expect(Object.isFrozen(record)).toBe(true);
    expect(findModel(record.id)).toBe(record);
  });

  it('sizes grow with the quantisation within a model', () => {
    const q4f16 = (id: string) => ours(id).downloadBytes.q4f16 ?? 0;
    const q4 = (id: string) => ours(id).downloadBytes.q4 ?? 0;
    expect(q4('Qwen3-0.6B-q4f32_1-MLC')).toBeGreaterThan(q4f16('Qwen3-0.6B-q4f16_1-MLC'));
    expect(ours('Qwen3-0.6B-q0f32-MLC').downloadBytes.fp32 ?? 0).toBeGreaterThan(ours('Qwen3-0.6B-q0f16-MLC').downloadBytes.fp16 ?? 0);
  });
});

describe('parameter counts behind the size estimates', () => {
  it('reproduces Qwen3 0.6B exactly and the published Qwen3 sizes', () => {
    const qwen3 = { layers: 28, heads: 16, kvHeads: 8, headDim: 128, vocab: 151_936, tiedEmbeddings: true };
    expect(parameterCount({ ...qwen3, hidden: 1024, intermediate: 3072 })).toBe(596_049_920);
    expect(parameterCount({ ...qwen3, hidden: 2048, intermediate: 6144 })).toBe(1_720_574_976);
  });

  it('lands within 3% of the tensor-cache.json sizes a public source reports for Qwen3.5 q4f16_1', () => {
    const reported: Record<string, number> = { 'Qwen3.5-0.8B-q4f16_1-MLC': 425e6, 'Qwen3.5-2B-q4f16_1-MLC': 1.06e9, 'Qwen3.5-4B-q4f16_1-MLC': 2.37e9 };
    for (const [modelId, bytes] of Object.entries(reported)) {
      const weights = (ours(modelId).downloadBytes.q4f16 ?? 0) - 25e6;
      expect(Math.abs(weights - bytes) / bytes, modelId).toBeLessThan(0.03);
    }
  });
});

describe('ALL_BUILDS and the app config', () => {
  it('lists the transformers.js builds first, then every web-llm build, then llama.cpp, with unique ids', () => {
    expect(ALL_BUILDS.slice(0, CATALOG.length)).toEqual([...CATALOG]);
    expect(ALL_BUILDS.slice(CATALOG.length, CATALOG.length + WEB_LLM_CATALOG.length)).toEqual([...WEB_LLM_CATALOG]);
    expect(ALL_BUILDS.slice(CATALOG.length + WEB_LLM_CATALOG.length)).toEqual([...GGUF_CATALOG]);
    expect(new Set(ALL_BUILDS.map((record) => record.id)).size).toBe(ALL_BUILDS.length);
  });

  it('points web-llm at the hub or at a mirror laid out hub-style, and keeps the model library on its CDN', () => {
    const record = ours('Qwen3-0.6B-q4f32_1-MLC');
    const hub = webLlmAppConfig(record, filesBaseUrl('https://huggingface.co/', record.repo));
    expect(hub.cacheBackend).toBe('indexeddb');
    expect(hub.model_list[0]?.model).toBe('https://huggingface.co/mlc-ai/Qwen3-0.6B-q4f32_1-MLC/resolve/main/');
    const mirror = webLlmAppConfig(record, filesBaseUrl('http://127.0.0.1:8190/models/', record.repo));
    expect(mirror.model_list[0]?.model).toBe('http://127.0.0.1:8190/models/mlc-ai/Qwen3-0.6B-q4f32_1-MLC/resolve/main/');
    expect(mirror.model_list[0]?.model_lib).toBe(record.mlc?.modelLib);
    expect(mirror.model_list[0]?.required_features).toBeUndefined();
    expect(mirror.model_list[0]?.overrides).toEqual({ context_window_size: 4096 });
    const f16 = ours('Qwen3.5-2B-q4f16_1-MLC');
    const withF16 = webLlmAppConfig(f16, filesBaseUrl('https://huggingface.co/', f16.repo)).model_list[0];
    expect(withF16?.required_features).toEqual(['shader-f16']);
    expect(withF16?.overrides).toEqual({ context_window_size: 4096, max_history_size: 1 });
    expect(webLlmModelUrl('http://m/x/y/resolve/v2/')).toBe('http://m/x/y/resolve/v2/');
  });
});

describe('capability fields, read by views instead of the engine kind', () => {
  it('needsShaderF16 follows the one f16 rule: no precision without shader-f16', () => {
    for (const record of ALL_BUILDS) {
      expect(record.needsShaderF16, record.id).toBe(isF16Dtype(record.dtypes.withoutF16));
    }
    expect(ALL_BUILDS.some((record) => record.needsShaderF16)).toBe(true);
  });

  it('only builds stored as plain files can be imported and exported; MLC builds say which quantisation they are', () => {
    for (const record of ALL_BUILDS) {
      expect(record.importable, record.id).toBe(record.mlc === undefined);
      expect(record.exportable, record.id).toBe(record.mlc === undefined);
      expect(record.variant, record.id).toBe(record.mlc?.quantisation);
    }
  });

  it('offers only the two smallest ONNX builds and the llama.cpp builds up to 2B on the CPU', () => {
    expect(ALL_BUILDS.filter((record) => record.runsOnCpu).map((record) => record.id)).toEqual([
      'qwen3-0.6b-onnx',
      'qwen3.5-0.8b-onnx-opt',
      'gguf:Qwen3-0.6B-Q8_0',
      'gguf:Qwen3-1.7B-Q8_0',
      'gguf:Qwen3.5-0.8B-Q4_K_M',
      'gguf:Qwen3.5-2B-Q4_K_M',
    ]);
  });

  it('marks every web-llm size as an estimate, and the ONNX q4 figures that the sources do not give', () => {
    for (const record of WEB_LLM_CATALOG) expect(record.estimatedSizes, record.id).toEqual([record.dtypes.withF16]);
    const estimated = CATALOG.filter((record) => record.estimatedSizes.length > 0).map((record) => record.id);
    expect(estimated).toEqual(['qwen3-4b-onnx', 'qwen3.5-2b-onnx-opt', 'qwen3.5-4b-onnx-opt']);
  });
});
