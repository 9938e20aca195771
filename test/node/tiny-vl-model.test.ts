// The generated tiny Qwen3.5 vision-language model through the real @huggingface/transformers in Node
// (onnxruntime-node, CPU): the processor renders and expands the image placeholder and cuts the image into patches
// within the configured pixel bounds; AutoModelForImageTextToText loads it as Qwen3_5ForConditionalGeneration with
// a vision_encoder session; the image really reaches the output (two images, two answers; one image, one answer);
// a text-only prompt still works; the hybrid caches agree with full recomputation; the generator is deterministic.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  RawImage,
  Tensor,
  type Message,
  type PreTrainedModel,
  type Processor,
  type ProgressInfo,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYTE_TOKENIZER_VISION_VOCAB_SIZE, TOKEN_IDS, VISION_TOKEN_IDS } from '../fixtures/byte-tokenizer';
import { GENERATED_MODELS_DIR, TINY_VL_MODEL_DIR, TINY_VL_REPO } from '../fixtures/paths';
import { TINY_VL_ONNX_FILES, TINY_VL_PIXEL_BOUNDS, writeTinyQwen35Vision } from '../fixtures/tiny-qwen35-vl';
import { expectReproducibleFolder, useGeneratedModels } from './local-models';
import { LogitsRecorder, forwardLogits, int64Row, maxAbsDifference, tensorNumbers } from './logits';

const MAX_NEW_TOKENS = 16;
/** Values per flattened patch: 3 channels × temporal patch 2 × 16 × 16. */
const PATCH_VALUES = 3 * 2 * 16 * 16;
/** Pixels per side of one merged image token: patch 16 × merge 2. */
const TOKEN_SIDE = 32;

const imageQuestion: Message[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'What is this?' }] },
];

interface ProcessedInputs {
  readonly input_ids: Tensor;
  readonly attention_mask: Tensor;
  readonly pixel_values?: Tensor | undefined;
  readonly image_grid_thw?: Tensor | undefined;
  readonly position_ids?: Tensor;
}

let processor: Processor;
let model: PreTrainedModel;
/** Files transformers.js reported loading for the model, in order. */
const loadedFiles: string[] = [];

beforeAll(async () => {
  await useGeneratedModels();
  processor = await AutoProcessor.from_pretrained(TINY_VL_REPO);
  model = await AutoModelForImageTextToText.from_pretrained(TINY_VL_REPO, {
    dtype: 'fp32',
    device: 'cpu',
    progress_callback: (info: ProgressInfo) => {
      if (info.status === 'done' && !loadedFiles.includes(info.file)) loadedFiles.push(info.file);
    },
  });
});

describe('processor', () => {
  it('renders an image part as Qwen-VL vision tokens in the chat template', () => {
    expect(renderPrompt(imageQuestion)).toBe(
      '<|im_start|>system\nYou are terse.<|im_end|>\n' +
        '<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>What is this?<|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
  });

  it('keeps the text template: string content, reasoning stripped from history, the empty think block', () => {
    const history: Message[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '<think>\nGreet back.\n</think>\n\nHello!' },
      { role: 'user', content: [{ type: 'text', text: 'Bye' }] },
    ];
    expect(renderPrompt(history, { enable_thinking: false })).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n' +
        '<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
  });

  it('cuts a 64x48 image into a 4x4 patch grid and expands <|image_pad|> to one token per 2x2 patches', async () => {
    const inputs = await processImage(solidImage(64, 48, [255, 0, 0]));
    expect(inputs.pixel_values?.dims).toEqual([16, PATCH_VALUES]);
    expect(inputs.image_grid_thw?.dims).toEqual([1, 3]);
    expect(tensorNumbers(requireTensor(inputs.image_grid_thw, 'image_grid_thw'))).toEqual([1, 4, 4]);

    const ids = tensorNumbers(inputs.input_ids);
    const start = ids.indexOf(VISION_TOKEN_IDS.visionStart);
    expect(ids.filter((id) => id === VISION_TOKEN_IDS.imagePad)).toHaveLength((4 * 4) / 4);
    expect(ids.slice(start, start + 6)).toEqual([
      VISION_TOKEN_IDS.visionStart,
      ...Array<number>(4).fill(VISION_TOKEN_IDS.imagePad),
      VISION_TOKEN_IDS.visionEnd,
    ]);
  });

  it('rescales and normalises pixels with mean and std 0.5: pure red is (1, -1, -1)', async () => {
    // 64x64 is already on the 32-pixel grid, so no resampling blurs the values.
    const inputs = await processImage(solidImage(64, 64, [255, 0, 0]));
    const pixels = tensorNumbers(requireTensor(inputs.pixel_values, 'pixel_values'));
    expect(pixels.filter((value) => value === 1)).toHaveLength(pixels.length / 3);
    expect(pixels.filter((value) => value === -1)).toHaveLength((2 * pixels.length) / 3);
  });

  it('resizes within the configured pixel bounds', async () => {
    const { minPixels, maxPixels } = TINY_VL_PIXEL_BOUNDS;
    for (const [width, height] of [
      [300, 200],
      [20, 20],
    ] as const) {
      const inputs = await processImage(solidImage(width, height, [0, 128, 255]));
      const [t = 0, gridHeight = 0, gridWidth = 0] = tensorNumbers(requireTensor(inputs.image_grid_thw, 'image_grid_thw'));
      const pixels = gridHeight * 16 * gridWidth * 16;
      expect(t, `${width}x${height}`).toBe(1);
      expect(pixels, `${width}x${height}`).toBeGreaterThanOrEqual(minPixels);
      expect(pixels, `${width}x${height}`).toBeLessThanOrEqual(maxPixels);
      expect((gridHeight * 16) % TOKEN_SIDE + (gridWidth * 16) % TOKEN_SIDE).toBe(0);
      expect(inputs.pixel_values?.dims).toEqual([gridHeight * gridWidth, PATCH_VALUES]);
    }
  });
});

describe('model', () => {
  it('loads as Qwen3_5ForConditionalGeneration with its three fp32 sessions', () => {
    expect(model.constructor.name).toBe('Qwen3_5ForConditionalGeneration');
    expect(Object.keys(model.sessions).sort()).toEqual(['decoder_model_merged', 'embed_tokens', 'vision_encoder']);
    expect(sessionInputNames('vision_encoder')).toEqual(['pixel_values', 'image_grid_thw']);
    expect(sessionInputNames('decoder_model_merged').slice(0, 3)).toEqual(['inputs_embeds', 'attention_mask', 'position_ids']);
    expect([...loadedFiles].filter((file) => file.endsWith('.onnx')).sort()).toEqual([...TINY_VL_ONNX_FILES]);
  });

  it('generates the same tokens on every run for the same image', async () => {
    const image = solidImage(64, 48, [255, 0, 0]);
    const first = await generate(image, {});
    const second = await generate(image, {});
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });

  it('answers differently for different images with the same prompt', async () => {
    const red = await generate(solidImage(64, 48, [255, 0, 0]), {});
    const checkerboard = await generate(checkerboardImage(64, 48, 8), {});
    expect(red).toHaveLength(MAX_NEW_TOKENS);
    expect(checkerboard).toHaveLength(MAX_NEW_TOKENS);
    expect(checkerboard).not.toEqual(red);
  });

  it('decodes with the KV, conv and recurrent caches to the logits that recomputing the sequence gives', async () => {
    // transformers.js 4.3.1 ignores `use_cache: false`, so the reference is one uncached forward pass over the
    // prompt and every generated token but the last: its logits at position p are what step p had to produce.
    const prompt = await processImage(checkerboardImage(64, 48, 8));
    const recorder = new LogitsRecorder();
    const output = await model.generate({ ...prompt, max_new_tokens: MAX_NEW_TOKENS, do_sample: false, logits_processor: recorder.asList() });
    if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
    const promptIds = tensorNumbers(prompt.input_ids);
    const tokens = tensorNumbers(output).slice(promptIds.length);
    expect(tokens).toHaveLength(MAX_NEW_TOKENS);
    expect(recorder.steps).toHaveLength(MAX_NEW_TOKENS);

    const sequence = [...promptIds, ...tokens.slice(0, -1)];
    const logits = await forwardLogits(model, { ...prompt, input_ids: int64Row(sequence), attention_mask: int64Row(sequence.map(() => 1)) });
    recorder.expectMatches(logits, promptIds.length, tokens);
  });

  it('turns image tokens by their height and width positions (multimodal RoPE)', async () => {
    const inputs = await processImage(checkerboardImage(64, 48, 8));
    const positions = ropeIndex(inputs);
    const [temporal = [], height = [], width = []] = positionRows(positions);
    const imageTokens = tensorNumbers(inputs.input_ids).flatMap((id, index) => (id === VISION_TOKEN_IDS.imagePad ? [index] : []));
    // A 2x2 grid of merged tokens: one temporal position, rows (0, 0, 1, 1) and columns (0, 1, 0, 1) past it.
    const [first = 0] = imageTokens;
    const base = temporal[first] ?? 0;
    expect(imageTokens.map((index) => temporal[index])).toEqual([base, base, base, base]);
    expect(imageTokens.map((index) => height[index])).toEqual([base, base, base + 1, base + 1]);
    expect(imageTokens.map((index) => width[index])).toEqual([base, base + 1, base, base + 1]);

    const multimodal = await forwardLogits(model, { ...inputs, position_ids: positions });
    const temporalOnly = await forwardLogits(model, { ...inputs, position_ids: int64Rows([temporal, temporal, temporal]) });
    expect(maxAbsDifference(multimodal.at(-1) ?? [], temporalOnly.at(-1) ?? [])).toBeGreaterThan(1e-3);
    // Without position_ids, transformers.js computes the same multimodal positions itself.
    expect(maxAbsDifference((await forwardLogits(model, inputs)).at(-1) ?? [], multimodal.at(-1) ?? [])).toBe(0);
  });

  it('still generates for a text-only prompt, without an image', async () => {
    const text = renderPrompt([{ role: 'user', content: 'Hello there!' }]);
    const inputs = parseInputs(await processor(text));
    expect(inputs.pixel_values).toBeUndefined();
    const [temporal, height, width] = positionRows(ropeIndex(inputs));
    expect(height).toEqual(temporal);
    expect(width).toEqual(temporal);
    const output = await model.generate({ ...inputs, max_new_tokens: MAX_NEW_TOKENS });
    if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
    const tokens = tensorNumbers(output).slice(inputs.input_ids.dims[1]);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.length).toBeLessThanOrEqual(MAX_NEW_TOKENS);
  });
});

describe('generator', () => {
  const scratch = path.join(GENERATED_MODELS_DIR, '..', `vl-determinism-${process.pid}`);
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('writes byte-identical files for the same seed, and the model tests use is the default one', async () => {
    const listing = await expectReproducibleFolder((outDir) => writeTinyQwen35Vision(outDir), scratch, TINY_VL_MODEL_DIR, [
      'config.json',
      'generation_config.json',
      'onnx/decoder_model_merged.onnx',
      'onnx/embed_tokens.onnx',
      'onnx/vision_encoder.onnx',
      'preprocessor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(listing.files.reduce((total, file) => total + file.bytes, 0)).toBeLessThan(1024 * 1024);
  });

  it('writes different weights for another seed', async () => {
    await writeTinyQwen35Vision(path.join(scratch, 'other'), { seed: 7 });
    for (const file of TINY_VL_ONNX_FILES) {
      const weights = await readFile(path.join(scratch, 'a', file));
      const otherWeights = await readFile(path.join(scratch, 'other', file));
      expect(otherWeights.byteLength, file).toBe(weights.byteLength);
      expect(otherWeights.equals(weights), file).toBe(false);
    }
  });

  it('declares a Qwen3.5 model whose vision token ids and vocabulary match the tokenizer', async () => {
    const config: unknown = JSON.parse(await readFile(path.join(TINY_VL_MODEL_DIR, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      architectures: ['Qwen3_5ForConditionalGeneration'],
      model_type: 'qwen3_5',
      image_token_id: VISION_TOKEN_IDS.imagePad,
      video_token_id: VISION_TOKEN_IDS.videoPad,
      vision_start_token_id: VISION_TOKEN_IDS.visionStart,
      eos_token_id: TOKEN_IDS.imEnd,
      text_config: {
        model_type: 'qwen3_5_text',
        layer_types: ['linear_attention', 'full_attention'],
        vocab_size: BYTE_TOKENIZER_VISION_VOCAB_SIZE,
      },
      vision_config: { spatial_merge_size: 2, patch_size: 16, temporal_patch_size: 2 },
    });
    const tokenizer = processor.tokenizer;
    if (!tokenizer) throw new Error('the processor has no tokenizer');
    expect(tokenizer.encode('<|vision_start|><|image_pad|><|vision_end|><|video_pad|>')).toEqual([
      VISION_TOKEN_IDS.visionStart,
      VISION_TOKEN_IDS.imagePad,
      VISION_TOKEN_IDS.visionEnd,
      VISION_TOKEN_IDS.videoPad,
    ]);
    expect(tokenizer.encode('<|im_end|>')).toEqual([TOKEN_IDS.imEnd]);
  });
});

function renderPrompt(messages: Message[], templateVariables: Record<string, unknown> = {}): string {
  // enable_thinking is not in the option type, but transformers.js hands every option to the template.
  const rendered: unknown = processor.apply_chat_template(messages, { add_generation_prompt: true, ...templateVariables });
  if (typeof rendered !== 'string') throw new Error('apply_chat_template did not render a string');
  return rendered;
}

async function processImage(image: RawImage): Promise<ProcessedInputs> {
  return parseInputs(await processor(renderPrompt(imageQuestion), image));
}

/** Greedy generation for imageQuestion with `image`; returns only the new token ids. */
async function generate(image: RawImage, overrides: Record<string, unknown>): Promise<number[]> {
  const inputs = await processImage(image);
  const output = await model.generate({ ...inputs, max_new_tokens: MAX_NEW_TOKENS, do_sample: false, ...overrides });
  if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
  return tensorNumbers(output).slice(inputs.input_ids.dims[1]);
}

/** transformers.js's own position ids for the inputs: [3, 1, sequence] rows of temporal, height, width positions. */
function ropeIndex(inputs: ProcessedInputs): Tensor {
  const getRopeIndex: unknown = Reflect.get(model, 'get_rope_index');
  if (typeof getRopeIndex !== 'function') throw new Error('the model has no get_rope_index');
  const result: unknown = getRopeIndex.call(model, inputs.input_ids, inputs.image_grid_thw, undefined, inputs.attention_mask);
  if (!Array.isArray(result) || !(result[0] instanceof Tensor)) throw new Error('get_rope_index returned no position ids');
  expect(result[0].dims).toEqual([3, 1, inputs.input_ids.dims[1]]);
  return result[0];
}

function positionRows(positions: Tensor): number[][] {
  const values = tensorNumbers(positions);
  const length = values.length / 3;
  return [0, 1, 2].map((row) => values.slice(row * length, (row + 1) * length));
}

function int64Rows(rows: readonly (readonly number[])[]): Tensor {
  const length = rows[0]?.length ?? 0;
  return new Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, 1, length]);
}

function parseInputs(value: unknown): ProcessedInputs {
  if (typeof value !== 'object' || value === null) throw new Error('the processor returned no inputs');
  const tensorAt = (key: string): Tensor | undefined => {
    const field: unknown = key in value ? Reflect.get(value, key) : undefined;
    if (field === undefined) return undefined;
    if (!(field instanceof Tensor)) throw new Error(`the processor's ${key} is not a tensor`);
    return field;
  };
  return {
    input_ids: requireTensor(tensorAt('input_ids'), 'input_ids'),
    attention_mask: requireTensor(tensorAt('attention_mask'), 'attention_mask'),
    pixel_values: tensorAt('pixel_values'),
    image_grid_thw: tensorAt('image_grid_thw'),
  };
}

function requireTensor(tensor: Tensor | undefined, name: string): Tensor {
  if (!tensor) throw new Error(`no ${name}`);
  return tensor;
}

function sessionInputNames(name: string): string[] {
  const session: unknown = model.sessions[name];
  if (typeof session !== 'object' || session === null || !('inputNames' in session) || !Array.isArray(session.inputNames)) {
    throw new Error(`no ${name} session`);
  }
  return session.inputNames.map(String);
}

function solidImage(width: number, height: number, rgb: readonly [number, number, number]): RawImage {
  const data = new Uint8ClampedArray(width * height * 3);
  for (let index = 0; index < data.length; index += 1) data[index] = rgb[index % 3] ?? 0;
  return new RawImage(data, width, height, 3);
}

/** Black and white squares of `cell` pixels. */
function checkerboardImage(width: number, height: number, cell: number): RawImage {
  const data = new Uint8ClampedArray(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? 0 : 255;
      data.fill(value, (y * width + x) * 3, (y * width + x + 1) * 3);
    }
  }
  return new RawImage(data, width, height, 3);
}
