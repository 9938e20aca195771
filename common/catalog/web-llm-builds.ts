// The web-llm (MLC) builds of Qwen3 and Qwen3.5: one frozen record per entry of `prebuiltAppConfig` in the pinned
// @mlc-ai/web-llm (0.2.86). This module must not import web-llm itself (the page's JS stays small); a unit test reads
// the installed package and fails when a Qwen3/Qwen3.5 build there is missing here or differs.
// Invariants: ids are `webllm:<model_id>`; repo is `mlc-ai/<model_id>`; `gpuMemoryBytes` is web-llm's own
// `vram_required_MB`; every download size is an ESTIMATE computed from the architecture (see below), because the
// weight shards' sizes are only listed in each repo's tensor-cache.json on the hub, which we cannot read here.
import {
  freezeRecord,
  type Dtype,
  type MlcBuild,
  type MlcQuantisation,
  type ModelFamily,
  type ModelRecord,
} from '../model-record';
import { isF16Dtype } from '../precision';

/** web-llm 0.2.86's `modelLibURLPrefix` + `modelVersion`: the model libraries come from this CDN, never a mirror. */
export const WEB_LLM_MODEL_LIB_BASE =
  'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/';

const MiB = 1024 * 1024;
const MB = 1000 * 1000;

/** The transformers.js precision that matches each MLC quantisation, so one Dtype vocabulary serves both engines. */
export const MLC_DTYPE: Readonly<Record<MlcQuantisation, Dtype>> = Object.freeze({
  q4f16_1: 'q4f16',
  q4f32_1: 'q4',
  q0f16: 'fp16',
  q0f32: 'fp32',
});

// ---------------------------------------------------------------------------------------------------------------
// Download size: ESTIMATE. MLC's `q4f16_1` packs every linear and embedding weight as 4-bit values in groups of 32
// with one fp16 scale per group (0.5625 bytes per parameter); `q4f32_1` the same with fp32 scales (0.625); `q0f16`
// and `q0f32` keep 2 and 4 bytes. Parameter counts come from the models' shapes (the same shapes that key web-llm's
// model libraries). Checked against the one public source found that read tensor-cache.json: Qwen3.5 0.8B about
// 425 MB, 2B 1.06 GB and 4B 2.37 GB (q4f16_1); this formula gives 422 MB, 1.06 GB and 2.36 GB. The Qwen3 dense
// counts it gives are exactly the published ones (596,049,920 for 0.6B; 1.72B, 4.02B, 8.19B).
// Plus tokenizer.json, mlc-chat-config.json, tensor-cache.json and the model library .wasm: about 16 MB for Qwen3,
// 25 MB for Qwen3.5 (whose tokenizer.json alone is 19.2 MB).
// ---------------------------------------------------------------------------------------------------------------
const BYTES_PER_PARAMETER: Readonly<Record<MlcQuantisation, number>> = {
  q4f16_1: 0.5 + 2 / 32,
  q4f32_1: 0.5 + 4 / 32,
  q0f16: 2,
  q0f32: 4,
};
/** Bytes of the largest tensor per parameter: the packed 4-bit weights are stored apart from their scales. */
const LARGEST_TENSOR_BYTES_PER_PARAMETER: Readonly<Record<MlcQuantisation, number>> = {
  q4f16_1: 0.5,
  q4f32_1: 0.5,
  q0f16: 2,
  q0f32: 4,
};
const EXTRA_FILES_BYTES: Readonly<Record<ModelFamily, number>> = { Qwen3: 16 * MB, 'Qwen3.5': 25 * MB };

interface Shape {
  hidden: number;
  layers: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  tiedEmbeddings: boolean;
  /** Qwen3.5 only: Gated DeltaNet layers (three in four) and their head counts; head dim 128, conv kernel 4. */
  linear?: { layers: number; keyHeads: number; valueHeads: number };
}

function attentionParameters(s: Shape, gated: boolean): number {
  const queries = s.heads * s.headDim;
  return s.hidden * queries * (gated ? 2 : 1) + 2 * s.hidden * s.kvHeads * s.headDim + queries * s.hidden + 2 * s.headDim;
}

function deltaNetParameters(s: Shape, keyHeads: number, valueHeads: number): number {
  const dim = 128;
  const keys = keyHeads * dim;
  const values = valueHeads * dim;
  const projections = s.hidden * (2 * keys + 2 * values) + s.hidden * 2 * valueHeads + values * s.hidden;
  return projections + (2 * keys + values) * 4 + 2 * valueHeads + dim;
}

/** Text-model parameters (embedding included once when tied). */
export function parameterCount(s: Shape): number {
  const mlp = 3 * s.hidden * s.intermediate;
  const norms = 2 * s.hidden;
  const linearLayers = s.linear?.layers ?? 0;
  const fullLayers = s.layers - linearLayers;
  const full = fullLayers * (attentionParameters(s, s.linear !== undefined) + mlp + norms);
  const linear = s.linear ? linearLayers * (deltaNetParameters(s, s.linear.keyHeads, s.linear.valueHeads) + mlp + norms) : 0;
  const embedding = s.vocab * s.hidden * (s.tiedEmbeddings ? 1 : 2);
  return full + linear + embedding + s.hidden;
}

// Shapes: Qwen3 from the models' config.json; Qwen3.5 hidden/intermediate/layers/heads/vocab as in the keys of
// web-llm's model libraries (e.g. `qwen3_5|q4f16_1|1024|3584|24|8|2|256|248320`), full attention on every fourth
// layer; the DeltaNet head counts and the 9B's untied embedding are assumed from the family.
const QWEN3_VOCAB = 151_936;
const QWEN35_VOCAB = 248_320;
const SHAPES: Readonly<Record<string, Shape>> = {
  'Qwen3-0.6B': { hidden: 1024, layers: 28, intermediate: 3072, heads: 16, kvHeads: 8, headDim: 128, vocab: QWEN3_VOCAB, tiedEmbeddings: true },
  'Qwen3-1.7B': { hidden: 2048, layers: 28, intermediate: 6144, heads: 16, kvHeads: 8, headDim: 128, vocab: QWEN3_VOCAB, tiedEmbeddings: true },
  'Qwen3-4B': { hidden: 2560, layers: 36, intermediate: 9728, heads: 32, kvHeads: 8, headDim: 128, vocab: QWEN3_VOCAB, tiedEmbeddings: true },
  'Qwen3-8B': { hidden: 4096, layers: 36, intermediate: 12288, heads: 32, kvHeads: 8, headDim: 128, vocab: QWEN3_VOCAB, tiedEmbeddings: false },
  'Qwen3.5-0.8B': {
    hidden: 1024, layers: 24, intermediate: 3584, heads: 8, kvHeads: 2, headDim: 256, vocab: QWEN35_VOCAB, tiedEmbeddings: true,
    linear: { layers: 18, keyHeads: 16, valueHeads: 16 },
  },
  'Qwen3.5-2B': {
    hidden: 2048, layers: 24, intermediate: 6144, heads: 8, kvHeads: 2, headDim: 256, vocab: QWEN35_VOCAB, tiedEmbeddings: true,
    linear: { layers: 18, keyHeads: 16, valueHeads: 16 },
  },
  'Qwen3.5-4B': {
    hidden: 2560, layers: 32, intermediate: 9216, heads: 16, kvHeads: 4, headDim: 256, vocab: QWEN35_VOCAB, tiedEmbeddings: true,
    linear: { layers: 24, keyHeads: 16, valueHeads: 32 },
  },
  'Qwen3.5-9B': {
    hidden: 4096, layers: 32, intermediate: 12288, heads: 16, kvHeads: 4, headDim: 256, vocab: QWEN35_VOCAB, tiedEmbeddings: false,
    linear: { layers: 24, keyHeads: 16, valueHeads: 32 },
  },
};

// ---------------------------------------------------------------------------------------------------------------
// The builds, copied from prebuiltAppConfig (model_id, vram_required_MB, low_resource_required, overrides).
// Every one sets context_window_size 4096; the Qwen3.5 ones also max_history_size 1.
// ---------------------------------------------------------------------------------------------------------------
type BuildRow = readonly [family: ModelFamily, parameters: string, quantisation: MlcQuantisation, vramMB: number, lowResource: boolean];

const BUILDS: readonly BuildRow[] = [
  ['Qwen3', '0.6B', 'q4f16_1', 1403.34, true],
  ['Qwen3', '0.6B', 'q4f32_1', 1924.98, true],
  ['Qwen3', '0.6B', 'q0f16', 2220.38, true],
  ['Qwen3', '0.6B', 'q0f32', 3843.25, true],
  ['Qwen3', '1.7B', 'q4f16_1', 2036.66, true],
  ['Qwen3', '1.7B', 'q4f32_1', 2635.44, true],
  ['Qwen3', '4B', 'q4f16_1', 3431.59, true],
  ['Qwen3', '4B', 'q4f32_1', 4327.71, true],
  ['Qwen3', '8B', 'q4f16_1', 5695.78, false],
  ['Qwen3', '8B', 'q4f32_1', 6852.55, false],
  ['Qwen3.5', '0.8B', 'q4f16_1', 1629.49, true],
  ['Qwen3.5', '0.8B', 'q4f32_1', 1894.19, true],
  ['Qwen3.5', '0.8B', 'q0f16', 2660.27, true],
  ['Qwen3.5', '2B', 'q4f16_1', 2245.44, false],
  ['Qwen3.5', '2B', 'q4f32_1', 2591.55, false],
  ['Qwen3.5', '4B', 'q4f16_1', 3867.82, false],
  ['Qwen3.5', '4B', 'q4f32_1', 4680.36, false],
  ['Qwen3.5', '9B', 'q4f16_1', 6433.01, false],
  ['Qwen3.5', '9B', 'q4f32_1', 7544.74, false],
];

const CONTEXT_WINDOW = 4096;
const APACHE_2 = 'Apache-2.0';

function webLlmRecord([family, parameters, quantisation, vramMB, lowResource]: BuildRow): ModelRecord {
  const name = `${family}-${parameters}`;
  const shape = SHAPES[name];
  if (!shape) throw new Error(`no shape for ${name}`);
  const modelId = `${name}-${quantisation}-MLC`;
  const dtype = MLC_DTYPE[quantisation];
  const weights = parameterCount(shape) * BYTES_PER_PARAMETER[quantisation];
  const mlc: MlcBuild = {
    modelId,
    quantisation,
    modelLib: `${WEB_LLM_MODEL_LIB_BASE}${name}-${quantisation}_cs1k-webgpu.wasm`,
    vramRequiredMB: vramMB,
    lowResource,
    contextWindowSize: CONTEXT_WINDOW,
    ...(family === 'Qwen3.5' ? { maxHistorySize: 1 } : {}),
  };
  return freezeRecord({
    id: `webllm:${modelId}`,
    label: `${family} ${parameters}`,
    family,
    parameters,
    engine: 'web-llm',
    repo: `mlc-ai/${modelId}`,
    dtypes: { withF16: dtype, withoutF16: dtype },
    downloadBytes: { [dtype]: Math.round(weights + EXTRA_FILES_BYTES[family]) },
    gpuMemoryBytes: Math.round(vramMB * MiB),
    contextWindow: CONTEXT_WINDOW,
    // web-llm's Qwen3.5 builds are text-only (no model_type VLM), unlike the ONNX exports with a vision encoder.
    takesImages: false,
    licence: APACHE_2,
    largestTensorBytes: {
      [dtype]: Math.round(shape.vocab * shape.hidden * LARGEST_TENSOR_BYTES_PER_PARAMETER[quantisation]),
    },
    mlc,
    // MLC stores its shards in web-llm's own cache under its own names: nothing to import from or export to files.
    importable: false,
    exportable: false,
    estimatedSizes: [dtype],
    needsShaderF16: isF16Dtype(dtype),
    // web-llm runs on WebGPU only.
    runsOnCpu: false,
    variant: quantisation,
  });
}

export const WEB_LLM_CATALOG: readonly ModelRecord[] = Object.freeze(BUILDS.map(webLlmRecord));
