// The transformers.js (ONNX) builds of Qwen3 and Qwen3.5: one frozen record per build, with its sourced sizes.
// Invariants: ids are unique; every repo is `org/name`; `dtypes.withoutF16` is never an f16 precision, so a GPU
// without `shader-f16` is never handed one; every size is bytes. A size is either read from the Hub (via the public
// sources named beside it) or marked as an estimate (`estimatedSizes`); `gpuMemoryBytes` is always an estimate.
import { freezeRecord, type Dtype, type ModelRecord, type VisionEncoder } from '../model-record';
import { isF16Dtype } from '../precision';

const KB = 1000;
const MB = 1000 * KB;
const GB = 1000 * MB;
const MiB = 1024 * 1024;

function sum(...parts: number[]): number {
  return parts.reduce((total, part) => total + part, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// GPU memory: an ESTIMATE for every record. Weights (the ONNX files of the f16 path), plus 20% of them for ONNX
// Runtime's working set and activations, plus the KV cache (fp16) for ESTIMATE_CONTEXT_TOKENS tokens, plus any
// recurrent state, rounded up to 50 MB. Browser runs of these exports have been reported at 1.2x to 1.5x the
// download; nothing here is measured.
// ---------------------------------------------------------------------------------------------------------------
const ESTIMATE_CONTEXT_TOKENS = 4096;
const WORKING_SET_FRACTION = 0.2;
const KV_BYTES_PER_VALUE = 2;

interface AttentionShape {
  /** Layers that keep a KV cache (all of them in Qwen3; one in four in Qwen3.5's hybrid stack). */
  kvLayers: number;
  kvHeads: number;
  headDim: number;
  /** Fixed-size state of linear-attention layers (Qwen3.5's Gated DeltaNet), fp32. */
  recurrentStateBytes: number;
}

function estimateGpuMemoryBytes(weightBytes: number, shape: AttentionShape): number {
  const kvBytesPerToken = 2 * shape.kvLayers * shape.kvHeads * shape.headDim * KV_BYTES_PER_VALUE;
  const raw =
    weightBytes * (1 + WORKING_SET_FRACTION) + kvBytesPerToken * ESTIMATE_CONTEXT_TOKENS + shape.recurrentStateBytes;
  const step = 50 * MB;
  return Math.ceil(raw / step) * step;
}

/** Gated DeltaNet state per layer: value heads x key dim x value dim, fp32. */
function deltaNetStateBytes(layers: number, valueHeads: number): number {
  return layers * valueHeads * 128 * 128 * 4;
}

/** A Qwen3.5 build's download per dtype: its text path plus the vision encoder paired with that dtype. */
function withVision(text: { q4f16: number; q4: number }, vision: VisionEncoder): Partial<Record<Dtype, number>> {
  return { q4f16: text.q4f16 + (vision.withF16.bytes ?? 0), q4: text.q4 + (vision.withoutF16.bytes ?? 0) };
}


// ---------------------------------------------------------------------------------------------------------------
// Largest single tensor, per precision: ESTIMATE. ONNX Runtime puts each initializer in one GPU buffer, so it must
// fit the adapter's maxBufferSize (1 GiB on many integrated GPUs and on Chromium's software adapter). In the Qwen3
// exports that is the token embedding, kept unquantised: fp16 in q4f16, fp32 in q4 (see the q4 notes below), so
// Qwen3 1.7B and 4B at q4 need a buffer over 1 GiB. The Qwen3.5 exports quantise the embedding; its whole
// external-data file is used as the bound.
// ---------------------------------------------------------------------------------------------------------------
function embeddingBytes(hidden: number, bytesPerValue: number): number {
  return 151_936 * hidden * bytesPerValue;
}

// ---------------------------------------------------------------------------------------------------------------
// Download sizes. A dtype's figure is every file transformers.js fetches to generate text at that precision: the
// ONNX graph(s) and their external data, plus config.json, generation_config.json, tokenizer.json and
// tokenizer_config.json (chat_template.jinja, 4-8 KB, is left out). Exact figures come from the Hub's LFS records
// (`https://huggingface.co/api/models/<repo>?blobs=true`) as copied into the public sources named beside them.
// ---------------------------------------------------------------------------------------------------------------

// onnx-community/Qwen3-0.6B-ONNX @ da1453100cf3. One-file graphs (no external data).
// q4f16: onnx/model_q4f16.onnx is 569,789,750 B; with config and tokenizer files 578,917,626 B (both sourced).
// q4: 885 MiB in all, summed from the Hub API but published rounded to the MiB, so only MiB-precise.
const QWEN3_0_6B_Q4F16_MODEL = 569_789_750;
const QWEN3_0_6B_Q4F16_TOTAL = 578_917_626;
const QWEN3_0_6B_Q4_TOTAL = 885 * MiB;

// onnx-community/Qwen3-1.7B-ONNX @ cc6a06a21d61. One-file graphs.
// q4f16: onnx/model_q4f16.onnx is 1,426,069,098 B; the five files it loads total 1,435,197,005 B (sourced).
// q4: onnx/model_q4.onnx is 2,147,212,861 B (sourced), plus the same 9,127,907 B of config and tokenizer files.
// One project reports the q4 file failing to load in Chromium ("RangeError: Array buffer allocation failed") on a
// 16 GB machine: it is one undivided file just under 2 GiB. It stays the fallback because it is the only non-f16
// build the repo has that is not larger still.
const QWEN3_1_7B_Q4F16_MODEL = 1_426_069_098;
const QWEN3_1_7B_Q4F16_TOTAL = 1_435_197_005;
const QWEN3_1_7B_METADATA = QWEN3_1_7B_Q4F16_TOTAL - QWEN3_1_7B_Q4F16_MODEL;
const QWEN3_1_7B_Q4_TOTAL = 2_147_212_861 + QWEN3_1_7B_METADATA;

// onnx-community/Qwen3-4B-ONNX @ main (sha256-pinned copies). q4f16 is a graph plus two external-data chunks:
// onnx/model_q4f16.onnx 59,762,833 + .onnx_data 2,096,005,120 + .onnx_data_1 677,150,720 (sourced), and config.json
// 1,780 + generation_config.json 219 + tokenizer_config.json 9,761 + tokenizer.json 9,117,040 (sourced).
// q4: ESTIMATE, about 3.7 GB: q4 keeps the embedding in fp32 where q4f16 keeps it in fp16, which on the 0.6B and
// 1.7B builds above costs about 1.16x the fp16 embedding (151,936 x 2,560 x 2 B here). Not found in any stored
// source, and not confirmed to exist: Jan-nano-ONNX, a Qwen3-4B fine-tune exported the same way with byte-identical
// q4f16 file sizes, ships only fp16 and q4f16.
const QWEN3_4B_Q4F16_MODEL = sum(59_762_833, 2_096_005_120, 677_150_720);
const QWEN3_4B_Q4F16_TOTAL = sum(QWEN3_4B_Q4F16_MODEL, 1_780, 219, 9_761, 9_117_040);
const QWEN3_4B_Q4_ESTIMATE = Math.round(3.7 * GB);

// Qwen3.5 exports split the model into embed_tokens, decoder_model_merged and vision_encoder graphs. The constants
// below are the TEXT path (embed_tokens + decoder_model_merged + config/tokenizer); the app loads the vision encoder
// (and preprocessor_config.json, ~1 KB, not counted) with it so that images can be sent, so each record's download
// size is the text path plus its vision encoder at the precision paired with it (`vision`).
// The `-ONNX-OPT` exports fuse LinearAttention / CausalConvWithState (com.microsoft ops) and keep only the last
// token's logits, which is why they decode about 3x faster than the plain `-ONNX` exports.
// Shared metadata: config.json + generation_config.json 248 + tokenizer_config.json + tokenizer.json 19,226,111.

// onnx-community/Qwen3.5-0.8B-ONNX-OPT @ fafab72d87a9.
// q4f16: the eight text-path files total 602,720,242 B (sourced, one project's pinned manifest).
// q4: embed_tokens_q4.onnx 857 + .onnx_data 162,897,920 + decoder_model_merged_q4.onnx 576,621 + .onnx_data
// 483,655,680, config.json 2,849, tokenizer_config.json 9,161 (all sourced).
// Vision encoder: fp16 187,476 + 204,798,464 B; q4 185,278 + 68,267,008 B (sourced). No q4f16 encoder is listed,
// so the f16 path pairs the q4f16 text model with the fp16 encoder.
const QWEN35_0_8B_VISION: VisionEncoder = {
  withF16: { dtype: 'fp16', bytes: sum(187_476, 204_798_464) },
  withoutF16: { dtype: 'q4', bytes: sum(185_278, 68_267_008) },
};
const QWEN35_0_8B_METADATA = sum(2_849, 248, 9_161, 19_226_111);
const QWEN35_0_8B_Q4F16_TOTAL = 602_720_242;
const QWEN35_0_8B_Q4F16_WEIGHTS = QWEN35_0_8B_Q4F16_TOTAL - QWEN35_0_8B_METADATA;
const QWEN35_0_8B_Q4_TOTAL = sum(857, 162_897_920, 576_621, 483_655_680, QWEN35_0_8B_METADATA);

// onnx-community/Qwen3.5-2B-ONNX-OPT @ 2ea7886f48b9.
// q4f16: embed_tokens_q4f16.onnx 1,064 + .onnx_data 294,010,880 + decoder_model_merged_q4f16.onnx 707,377 +
// .onnx_data 1,088,892,928, config.json 2,993 (sourced); the total, 1,402,850,762 B, matches a second project's.
// q4: embed_tokens_q4.onnx 857 + .onnx_data 325,795,840 + decoder_model_merged_q4.onnx 586,260 + .onnx_data
// 1,207,357,440 (sourced).
// Vision encoder: q4f16 394,142 + 196,945,920 B; fp16 345,836 + 667,748,352 B (sourced). q4: ESTIMATE, 0.22 GB
// (q4f16 x 1.109, the q4/q4f16 ratio of the text weights above); not found in any stored source.
const QWEN35_2B_VISION: VisionEncoder = {
  withF16: { dtype: 'q4f16', bytes: sum(394_142, 196_945_920) },
  withoutF16: { dtype: 'q4', bytes: Math.round(0.22 * GB) },
};
const QWEN35_2B_METADATA = sum(2_993, 248, 9_161, 19_226_111);
const QWEN35_2B_Q4F16_WEIGHTS = sum(1_064, 294_010_880, 707_377, 1_088_892_928);
const QWEN35_2B_Q4F16_TOTAL = QWEN35_2B_Q4F16_WEIGHTS + QWEN35_2B_METADATA;
const QWEN35_2B_Q4_TOTAL = sum(857, 325_795_840, 586_260, 1_207_357_440, QWEN35_2B_METADATA);

// onnx-community/Qwen3.5-4B-ONNX-OPT @ 57b13b4dce7b.
// q4f16: embed_tokens_q4f16.onnx 1,064 + .onnx_data 367,513,600 + decoder_model_merged_q4f16.onnx 933,554 +
// .onnx_data 2,065,635,328 + .onnx_data_1 367,513,600 (the decoder's second chunk is byte-identical to the
// embedding's data), config.json 3,198, tokenizer_config.json 9,162 (all sourced).
// q4: ESTIMATE, about 3.1 GB: the q4f16 weights x 1.109, the q4/q4f16 ratio measured on the 0.8B and 2B builds.
// Vision encoder: q4f16 394,142 + 198,159,360 B (sourced). q4: ESTIMATE, 0.22 GB, as for the 2B build.
const QWEN35_4B_VISION: VisionEncoder = {
  withF16: { dtype: 'q4f16', bytes: sum(394_142, 198_159_360) },
  withoutF16: { dtype: 'q4', bytes: Math.round(0.22 * GB) },
};
const QWEN35_4B_METADATA = sum(3_198, 248, 9_162, 19_226_111);
const QWEN35_4B_Q4F16_WEIGHTS = sum(1_064, 367_513_600, 933_554, 2_065_635_328, 367_513_600);
const QWEN35_4B_Q4F16_TOTAL = QWEN35_4B_Q4F16_WEIGHTS + QWEN35_4B_METADATA;
const QWEN35_4B_Q4_ESTIMATE = Math.round(3.1 * GB);

// Attention shapes for the GPU estimate. Qwen3 from the repos' config.json (head_dim 128, 8 KV heads; 28 layers
// for 0.6B and 1.7B, 36 for 4B). Qwen3.5: full attention on every 4th layer (head_dim 256), the rest Gated DeltaNet;
// 24 layers for 0.8B (sourced); KV heads and the 2B/4B layer counts are assumed from the family's configs.
const QWEN3_SHAPE_28: AttentionShape = { kvLayers: 28, kvHeads: 8, headDim: 128, recurrentStateBytes: 0 };
const QWEN3_SHAPE_36: AttentionShape = { kvLayers: 36, kvHeads: 8, headDim: 128, recurrentStateBytes: 0 };
const QWEN35_SHAPE_SMALL: AttentionShape = {
  kvLayers: 6,
  kvHeads: 2,
  headDim: 256,
  recurrentStateBytes: deltaNetStateBytes(18, 16),
};
const QWEN35_SHAPE_4B: AttentionShape = {
  kvLayers: 8,
  kvHeads: 4,
  headDim: 256,
  recurrentStateBytes: deltaNetStateBytes(24, 32),
};

// Context windows. Qwen3: max_position_embeddings is 40,960 in each repo's config.json (the model card describes
// 32,768 native tokens; the config's 40,960 leaves room for the answer). Qwen3.5: 262,144 native, from config.json
// and the model card. A browser's memory runs out far sooner; these are the models' limits, not the app's budget.
const QWEN3_CONTEXT = 40_960;
const QWEN35_CONTEXT = 262_144;

// Licences: Apache-2.0 on every base model. The Qwen3 exports declare it; the Qwen3.5 `-OPT` exports declare no
// licence and name their base model (Qwen/Qwen3.5-*), which is Apache-2.0.
const APACHE_2 = 'Apache-2.0';

/** An ONNX build: transformers.js reads plain files, so it can be imported from disk and exported again. */
type OnnxBuildFields = Omit<ModelRecord, 'importable' | 'exportable' | 'needsShaderF16' | 'estimatedSizes' | 'runsOnCpu'>;

/** Builds small enough to offer on the CPU when there is no WebGPU (a few words a second). */
const CPU_BUILD_IDS: ReadonlySet<string> = new Set(['qwen3-0.6b-onnx', 'qwen3.5-0.8b-onnx-opt']);

function onnxBuild(record: OnnxBuildFields & { estimatedSizes?: Dtype[] }): ModelRecord {
  return freezeRecord({
    ...record,
    importable: true,
    exportable: true,
    needsShaderF16: isF16Dtype(record.dtypes.withoutF16),
    estimatedSizes: record.estimatedSizes ?? [],
    runsOnCpu: CPU_BUILD_IDS.has(record.id),
  });
}

export const CATALOG: readonly ModelRecord[] = Object.freeze([
  onnxBuild({
    id: 'qwen3-0.6b-onnx',
    label: 'Qwen3 0.6B',
    family: 'Qwen3',
    parameters: '0.6B',
    engine: 'transformers',
    repo: 'onnx-community/Qwen3-0.6B-ONNX',
    dtypes: { withF16: 'q4f16', withoutF16: 'q4' },
    downloadBytes: { q4f16: QWEN3_0_6B_Q4F16_TOTAL, q4: QWEN3_0_6B_Q4_TOTAL },
    gpuMemoryBytes: estimateGpuMemoryBytes(QWEN3_0_6B_Q4F16_MODEL, QWEN3_SHAPE_28),
    contextWindow: QWEN3_CONTEXT,
    takesImages: false,
    licence: APACHE_2,
    largestTensorBytes: { q4f16: embeddingBytes(1024, 2), q4: embeddingBytes(1024, 4) },
  }),
  onnxBuild({
    id: 'qwen3-1.7b-onnx',
    label: 'Qwen3 1.7B',
    family: 'Qwen3',
    parameters: '1.7B',
    engine: 'transformers',
    repo: 'onnx-community/Qwen3-1.7B-ONNX',
    dtypes: { withF16: 'q4f16', withoutF16: 'q4' },
    downloadBytes: { q4f16: QWEN3_1_7B_Q4F16_TOTAL, q4: QWEN3_1_7B_Q4_TOTAL },
    gpuMemoryBytes: estimateGpuMemoryBytes(QWEN3_1_7B_Q4F16_MODEL, QWEN3_SHAPE_28),
    contextWindow: QWEN3_CONTEXT,
    takesImages: false,
    licence: APACHE_2,
    largestTensorBytes: { q4f16: embeddingBytes(2048, 2), q4: embeddingBytes(2048, 4) },
  }),
  onnxBuild({
    id: 'qwen3-4b-onnx',
    label: 'Qwen3 4B',
    family: 'Qwen3',
    parameters: '4B',
    engine: 'transformers',
    repo: 'onnx-community/Qwen3-4B-ONNX',
    dtypes: { withF16: 'q4f16', withoutF16: 'q4' },
    downloadBytes: { q4f16: QWEN3_4B_Q4F16_TOTAL, q4: QWEN3_4B_Q4_ESTIMATE },
    estimatedSizes: ['q4'],
    gpuMemoryBytes: estimateGpuMemoryBytes(QWEN3_4B_Q4F16_MODEL, QWEN3_SHAPE_36),
    contextWindow: QWEN3_CONTEXT,
    takesImages: false,
    licence: APACHE_2,
    largestTensorBytes: { q4f16: embeddingBytes(2560, 2), q4: embeddingBytes(2560, 4) },
  }),
  onnxBuild({
    id: 'qwen3.5-0.8b-onnx-opt',
    label: 'Qwen3.5 0.8B',
    family: 'Qwen3.5',
    parameters: '0.8B',
    engine: 'transformers',
    repo: 'onnx-community/Qwen3.5-0.8B-ONNX-OPT',
    dtypes: { withF16: 'q4f16', withoutF16: 'q4' },
    downloadBytes: withVision({ q4f16: QWEN35_0_8B_Q4F16_TOTAL, q4: QWEN35_0_8B_Q4_TOTAL }, QWEN35_0_8B_VISION),
    gpuMemoryBytes: estimateGpuMemoryBytes(QWEN35_0_8B_Q4F16_WEIGHTS + (QWEN35_0_8B_VISION.withF16.bytes ?? 0), QWEN35_SHAPE_SMALL),
    contextWindow: QWEN35_CONTEXT,
    takesImages: true,
    vision: QWEN35_0_8B_VISION,
    licence: APACHE_2,
    // q4f16: not listed; scaled from q4 by the 2B build's q4f16/q4 embedding ratio.
    largestTensorBytes: { q4f16: Math.round((162_897_920 * 294_010_880) / 325_795_840), q4: 162_897_920 },
  }),
  onnxBuild({
    id: 'qwen3.5-2b-onnx-opt',
    label: 'Qwen3.5 2B',
    family: 'Qwen3.5',
    parameters: '2B',
    engine: 'transformers',
    repo: 'onnx-community/Qwen3.5-2B-ONNX-OPT',
    dtypes: { withF16: 'q4f16', withoutF16: 'q4' },
    downloadBytes: withVision({ q4f16: QWEN35_2B_Q4F16_TOTAL, q4: QWEN35_2B_Q4_TOTAL }, QWEN35_2B_VISION),
    // q4: the text path is sourced, its vision encoder an estimate.
    estimatedSizes: ['q4'],
    gpuMemoryBytes: estimateGpuMemoryBytes(QWEN35_2B_Q4F16_WEIGHTS + (QWEN35_2B_VISION.withF16.bytes ?? 0), QWEN35_SHAPE_SMALL),
    contextWindow: QWEN35_CONTEXT,
    takesImages: true,
    vision: QWEN35_2B_VISION,
    licence: APACHE_2,
    largestTensorBytes: { q4f16: 294_010_880, q4: 325_795_840 },
  }),
  onnxBuild({
    id: 'qwen3.5-4b-onnx-opt',
    label: 'Qwen3.5 4B',
    family: 'Qwen3.5',
    parameters: '4B',
    engine: 'transformers',
    repo: 'onnx-community/Qwen3.5-4B-ONNX-OPT',
    dtypes: { withF16: 'q4f16', withoutF16: 'q4' },
    downloadBytes: withVision({ q4f16: QWEN35_4B_Q4F16_TOTAL, q4: QWEN35_4B_Q4_ESTIMATE }, QWEN35_4B_VISION),
    estimatedSizes: ['q4'],
    gpuMemoryBytes: estimateGpuMemoryBytes(QWEN35_4B_Q4F16_WEIGHTS + (QWEN35_4B_VISION.withF16.bytes ?? 0), QWEN35_SHAPE_4B),
    contextWindow: QWEN35_CONTEXT,
    takesImages: true,
    vision: QWEN35_4B_VISION,
    licence: APACHE_2,
    largestTensorBytes: { q4f16: 367_513_600, q4: Math.round(367_513_600 * (325_795_840 / 294_010_880)) },
  }),
]);

