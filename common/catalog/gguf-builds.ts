// The llama.cpp (GGUF) builds of Qwen3 and Qwen3.5, run through wllama: one frozen record per build.
// Invariants: ids are `gguf:<file stem>`; every repo is `org/name`; `gguf.files` lists the repo's files in load order
// (the `-00001-of-0000N` shards of a split GGUF, else the one file); the download size is the sum of those files, in
// bytes, read from the Hub's LFS record at the revision named beside it; no precision needs `shader-f16` (llama.cpp
// runs every build on the CPU where its WebGPU backend cannot); `gpuMemoryBytes` and `largestTensorBytes` are ESTIMATES.
import { freezeRecord, type Dtype, type GgufQuant, type ModelFamily, type ModelRecord } from '../model-record';

const MB = 1000 * 1000;

export const GGUF_ID_PREFIX = 'gguf:';

/** The catalogue's precision vocabulary for each llama.cpp quantisation (Q4_K_M and Q4_0 are 4-bit, Q8_0 8-bit). */
export const GGUF_DTYPE: Readonly<Record<GgufQuant, Dtype>> = Object.freeze({
  Q4_K_M: 'q4',
  Q4_0: 'q4',
  Q8_0: 'q8',
  F16: 'fp16',
  F32: 'fp32',
});

// ---------------------------------------------------------------------------------------------------------------
// Which quantisation. Q4_K_M is llama.cpp's usual 4-bit choice: K-quants at about 4.8 bits a weight (Q4_K, with Q6_K
// for the output matrix and some V / FFN-down tensors), a small quality loss, and the smallest file of the usual
// mixes. Q8_0 (8.5 bits a weight: 32 int8 values and one f16 scale per 34-byte block) is used where the official
// repo has nothing smaller: Q8_0 is the only file any public source pins (with size and hash) for
// Qwen/Qwen3-0.6B-GGUF and Qwen/Qwen3-1.7B-GGUF. Qwen publishes no Qwen3.5 GGUF (two public sources found
// `Qwen/Qwen3.5-0.8B-GGUF` missing), so the Qwen3.5 builds come from unsloth, a well-known quantiser.
//
// Download sizes: the Hub's LFS byte count of each file, as copied (mostly with the file's sha256) into public
// projects' pinned model manifests; each figure below agreed in at least two of them. The URLs are the files at the
// revision the figure was read at; a later revision of a repo may change a size.
// ---------------------------------------------------------------------------------------------------------------

// https://huggingface.co/Qwen/Qwen3-0.6B-GGUF/resolve/23749fefcc72300e3a2ad315e1317431b06b590a/Qwen3-0.6B-Q8_0.gguf
// sha256 9465e63a22add5354d9bb4b99e90117043c7124007664907259bd16d043bb031.
const QWEN3_0_6B_Q8_0 = 639_446_688;
// https://huggingface.co/Qwen/Qwen3-1.7B-GGUF/resolve/90862c4b9d2787eaed51d12237eafdfe7c5f6077/Qwen3-1.7B-Q8_0.gguf
// sha256 061b54daade076b5d3362dac252678d17da8c68f07560be70818cace6590cb1a.
const QWEN3_1_7B_Q8_0 = 1_834_426_016;
// https://huggingface.co/Qwen/Qwen3-4B-GGUF/resolve/bc640142c66e1fdd12af0bd68f40445458f3869b/Qwen3-4B-Q4_K_M.gguf
// sha256 7485fe6f11af29433bc51cab58009521f205840f5b4ae3a32fa7f92e8534fdf5. One project measured this file's
// perplexity 15% above the repo's Q8_0 (abnormal for Q4_K_M, perhaps quantised without an importance matrix); one
// report, not confirmed elsewhere.
const QWEN3_4B_Q4_K_M = 2_497_280_256;
// https://huggingface.co/Qwen/Qwen3-8B-GGUF/resolve/7c41481f57cb95916b40956ab2f0b139b296d974/Qwen3-8B-Q4_K_M.gguf
// sha256 d98cdcbd03e17ce47681435b5150e34c1417f50b5c0019dd560e4882c5745785.
const QWEN3_8B_Q4_K_M = 5_027_783_488;
// https://huggingface.co/unsloth/Qwen3.5-0.8B-GGUF/resolve/6ab461498e2023f6e3c1baea90a8f0fe38ab64d0/Qwen3.5-0.8B-Q4_K_M.gguf
// sha256 bd258782e35f7f458f8aced1adc053e6e92e89bc735ba3be89d38a06121dc517.
const QWEN35_0_8B_Q4_K_M = 532_517_120;
// https://huggingface.co/unsloth/Qwen3.5-2B-GGUF/resolve/f6d5376be1edb4d416d56da11e5397a961aca8ae/Qwen3.5-2B-Q4_K_M.gguf
// sha256 aaf42c8b7c3cab2bf3d69c355048d4a0ee9973d48f16c731c0520ee914699223.
const QWEN35_2B_Q4_K_M = 1_280_835_840;
// https://huggingface.co/unsloth/Qwen3.5-4B-GGUF/resolve/e87f176479d0855a907a41277aca2f8ee7a09523/Qwen3.5-4B-Q4_K_M.gguf
// sha256 00fe7986ff5f6b463e62455821146049db6f9313603938a70800d1fb69ef11a4.
const QWEN35_4B_Q4_K_M = 2_740_937_888;
// https://huggingface.co/unsloth/Qwen3.5-9B-GGUF/resolve/3885219b6810b007914f3a7950a8d1b469d598a5/Qwen3.5-9B-Q4_K_M.gguf
// sha256 03b74727a860a56338e042c4420bb3f04b2fec5734175f4cb9fa853daf52b7e8.
const QWEN35_9B_Q4_K_M = 5_680_522_464;

// None of these repos splits its files: each build is one file, though four are over 2 GiB (wllama's README still
// gives 2 GB as its per-file limit, from its 32-bit days). The wasm of wllama 3.13 imports a 64-bit memory of at
// most 4 GiB, so the 8B and 9B files cannot fit where wllama copies the whole file into that memory.

// ---------------------------------------------------------------------------------------------------------------
// GPU memory: an ESTIMATE, nothing here is measured. The weights (the file, which is almost all tensor data), plus
// 10% of them for llama.cpp's compute buffers, plus the KV cache in f16 (llama.cpp's default) for
// ESTIMATE_CONTEXT_TOKENS tokens, plus Qwen3.5's recurrent state in f32, rounded up to 50 MB. The working-set share
// is assumed. wllama also holds the whole file in WebAssembly memory while it runs; that is CPU memory, not counted.
// ---------------------------------------------------------------------------------------------------------------
const ESTIMATE_CONTEXT_TOKENS = 4096;
const WORKING_SET_FRACTION = 0.1;
const KV_BYTES_PER_VALUE = 2;

interface AttentionShape {
  /** Layers that keep a KV cache: all of them in Qwen3, one in four (full attention) in Qwen3.5. */
  kvLayers: number;
  kvHeads: number;
  headDim: number;
  /** Qwen3.5's Gated DeltaNet layers, which keep a fixed-size state instead of a KV cache. */
  deltaNet?: { layers: number; valueHeads: number };
}

/** Gated DeltaNet state: value heads x key dim (128) x value dim (128) per layer, f32. */
function deltaNetStateBytes(shape: AttentionShape): number {
  return shape.deltaNet ? shape.deltaNet.layers * shape.deltaNet.valueHeads * 128 * 128 * 4 : 0;
}

function estimateGpuMemoryBytes(weightBytes: number, shape: AttentionShape): number {
  const kvBytesPerToken = 2 * shape.kvLayers * shape.kvHeads * shape.headDim * KV_BYTES_PER_VALUE;
  const raw =
    weightBytes * (1 + WORKING_SET_FRACTION) + kvBytesPerToken * ESTIMATE_CONTEXT_TOKENS + deltaNetStateBytes(shape);
  const step = 50 * MB;
  return Math.ceil(raw / step) * step;
}

// Shapes. Qwen3 from the models' config.json: head_dim 128 and 8 KV heads; 28 layers (0.6B, 1.7B), 36 (4B, 8B).
// Qwen3.5: full attention on every fourth layer (head_dim 256), Gated DeltaNet on the rest; 0.8B and 2B have 24
// layers, 2 KV heads and 16 DeltaNet value heads, 4B 32 layers, 4 KV heads and 32 value heads (configs as quoted by
// a public model survey); the 9B's are assumed equal to the 4B's (web-llm's model-library keys agree on 32 layers
// and 4 KV heads).
const QWEN3_SMALL: AttentionShape = { kvLayers: 28, kvHeads: 8, headDim: 128 };
const QWEN3_LARGE: AttentionShape = { kvLayers: 36, kvHeads: 8, headDim: 128 };
const QWEN35_SMALL: AttentionShape = { kvLayers: 6, kvHeads: 2, headDim: 256, deltaNet: { layers: 18, valueHeads: 16 } };
const QWEN35_LARGE: AttentionShape = { kvLayers: 8, kvHeads: 4, headDim: 256, deltaNet: { layers: 24, valueHeads: 32 } };

// ---------------------------------------------------------------------------------------------------------------
// Largest single tensor: an ESTIMATE. It is the vocabulary matrix: the output matrix where the model has its own
// (Qwen3 8B, Qwen3.5 9B), else the tied token embedding. llama-quantize's Q4_K_M rule stores that one at Q6_K
// (210 bytes per 256 weights) and keeps it at Q8_0 in a Q8_0 file; the Qwen3.5 files' per-tensor types were not
// found in any source, so the same rule is assumed there (it agrees with their sizes: a Q8_0 vocabulary matrix would
// leave the 0.8B's other weights under Q4_K's 4.5 bits).
// ---------------------------------------------------------------------------------------------------------------
const VOCAB_BYTES_PER_WEIGHT: Readonly<Partial<Record<GgufQuant, number>>> = { Q4_K_M: 210 / 256, Q8_0: 34 / 32 };
const QWEN3_VOCAB = 151_936;
const QWEN35_VOCAB = 248_320;

function vocabularyTensorBytes(vocab: number, hidden: number, quant: GgufQuant): number {
  const bytesPerWeight = VOCAB_BYTES_PER_WEIGHT[quant];
  if (bytesPerWeight === undefined) throw new Error(`no vocabulary-tensor rule for ${quant}`);
  return Math.round(vocab * hidden * bytesPerWeight);
}

// Context windows. Qwen3: max_position_embeddings is 40,960 in each model's config.json (0.6B, 1.7B, 4B and 8B; the
// model card gives 32,768 native tokens, the rest is room for the answer; YaRN can stretch it, not applied here).
// Qwen3.5: 262,144, from config.json and the model card. These are the models' limits, not the app's budget.
const QWEN3_CONTEXT = 40_960;
const QWEN35_CONTEXT = 262_144;

// Licences: Apache-2.0 on every base model and on the Qwen and unsloth GGUF repos.
const APACHE_2 = 'Apache-2.0';

/** CPU decode (WebAssembly) is bearable up to about 2B parameters; bigger builds are offered on WebGPU only. */
const CPU_MAX_BILLIONS = 2;

interface GgufRow {
  family: ModelFamily;
  parameters: string;
  repo: string;
  quant: GgufQuant;
  /** The repo's files in load order, each with its sourced size. */
  files: readonly (readonly [path: string, bytes: number])[];
  shape: AttentionShape;
  /** Hidden size: the vocabulary matrix is vocab x hidden, tied or not (Q6_K either way at Q4_K_M). */
  hidden: number;
}

function ggufRecord(row: GgufRow): ModelRecord {
  const dtype = GGUF_DTYPE[row.quant];
  const [first] = row.files;
  if (!first) throw new Error(`${row.repo} lists no file`);
  const bytes = row.files.reduce((total, [, size]) => total + size, 0);
  const stem = first[0].replace(/(-\d{5}-of-\d{5})?\.gguf$/, '');
  const qwen35 = row.family === 'Qwen3.5';
  return freezeRecord({
    id: `${GGUF_ID_PREFIX}${stem}`,
    label: `${row.family} ${row.parameters}`,
    family: row.family,
    parameters: row.parameters,
    engine: 'llama-cpp',
    repo: row.repo,
    dtypes: { withF16: dtype, withoutF16: dtype },
    downloadBytes: { [dtype]: bytes },
    gpuMemoryBytes: estimateGpuMemoryBytes(bytes, row.shape),
    contextWindow: qwen35 ? QWEN35_CONTEXT : QWEN3_CONTEXT,
    // The Qwen3.5 repos ship the vision projector as a separate mmproj file, which the app does not load.
    takesImages: false,
    licence: APACHE_2,
    largestTensorBytes: { [dtype]: vocabularyTensorBytes(qwen35 ? QWEN35_VOCAB : QWEN3_VOCAB, row.hidden, row.quant) },
    gguf: { quant: row.quant, files: row.files.map(([path]) => path) },
    // A .gguf is one plain file (or a few shards): it can be sideloaded from disk and exported again.
    importable: true,
    exportable: true,
    estimatedSizes: [],
    needsShaderF16: false,
    runsOnCpu: Number.parseFloat(row.parameters) <= CPU_MAX_BILLIONS,
    fallsBackToCpu: true,
  });
}

const ROWS: readonly GgufRow[] = [
  {
    family: 'Qwen3', parameters: '0.6B', repo: 'Qwen/Qwen3-0.6B-GGUF', quant: 'Q8_0',
    files: [['Qwen3-0.6B-Q8_0.gguf', QWEN3_0_6B_Q8_0]], shape: QWEN3_SMALL, hidden: 1024,
  },
  {
    family: 'Qwen3', parameters: '1.7B', repo: 'Qwen/Qwen3-1.7B-GGUF', quant: 'Q8_0',
    files: [['Qwen3-1.7B-Q8_0.gguf', QWEN3_1_7B_Q8_0]], shape: QWEN3_SMALL, hidden: 2048,
  },
  {
    family: 'Qwen3', parameters: '4B', repo: 'Qwen/Qwen3-4B-GGUF', quant: 'Q4_K_M',
    files: [['Qwen3-4B-Q4_K_M.gguf', QWEN3_4B_Q4_K_M]], shape: QWEN3_LARGE, hidden: 2560,
  },
  {
    family: 'Qwen3', parameters: '8B', repo: 'Qwen/Qwen3-8B-GGUF', quant: 'Q4_K_M',
    files: [['Qwen3-8B-Q4_K_M.gguf', QWEN3_8B_Q4_K_M]], shape: QWEN3_LARGE, hidden: 4096,
  },
  {
    family: 'Qwen3.5', parameters: '0.8B', repo: 'unsloth/Qwen3.5-0.8B-GGUF', quant: 'Q4_K_M',
    files: [['Qwen3.5-0.8B-Q4_K_M.gguf', QWEN35_0_8B_Q4_K_M]], shape: QWEN35_SMALL, hidden: 1024,
  },
  {
    family: 'Qwen3.5', parameters: '2B', repo: 'unsloth/Qwen3.5-2B-GGUF', quant: 'Q4_K_M',
    files: [['Qwen3.5-2B-Q4_K_M.gguf', QWEN35_2B_Q4_K_M]], shape: QWEN35_SMALL, hidden: 2048,
  },
  {
    family: 'Qwen3.5', parameters: '4B', repo: 'unsloth/Qwen3.5-4B-GGUF', quant: 'Q4_K_M',
    files: [['Qwen3.5-4B-Q4_K_M.gguf', QWEN35_4B_Q4_K_M]], shape: QWEN35_LARGE, hidden: 2560,
  },
  {
    family: 'Qwen3.5', parameters: '9B', repo: 'unsloth/Qwen3.5-9B-GGUF', quant: 'Q4_K_M',
    files: [['Qwen3.5-9B-Q4_K_M.gguf', QWEN35_9B_Q4_K_M]], shape: QWEN35_LARGE, hidden: 4096,
  },
];

export const GGUF_CATALOG: readonly ModelRecord[] = Object.freeze(ROWS.map(ggufRecord));
