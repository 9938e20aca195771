// The generated tiny Qwen3 model through the real @huggingface/transformers in Node (onnxruntime-node, CPU):
// it loads from a local folder, its chat template renders Qwen's format, greedy generation is deterministic
// and every KV-cached decoding step has the logits of one uncached pass over the sequence, the 4-bit build tracks
// the fp32 one, and the generator writes the same bytes for the same seed.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  Tensor,
  env,
  type DataType,
  type Message,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type ProgressInfo,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelMirror, type ModelMirror } from '../fixtures/model-mirror';
import { GENERATED_MODELS_DIR, TINY_MODEL_DIR, TINY_REPO } from '../fixtures/paths';
import { TOKEN_IDS } from '../fixtures/byte-tokenizer';
import { writeTinyQwen3 } from '../fixtures/tiny-qwen3';
import { expectReproducibleFolder, useGeneratedModels } from './local-models';
import { LogitsRecorder, forwardLogits, int64Row, tensorNumbers } from './logits';

const IM_END = TOKEN_IDS.imEnd;
const END_OF_TEXT = TOKEN_IDS.endOfText;
const MAX_NEW_TOKENS = 16;

const conversation: Message[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Hello there!' },
];

interface LoadedModel {
  readonly model: PreTrainedModel;
  /** Files transformers.js reported loading, in order. */
  readonly files: string[];
}

let tokenizer: PreTrainedTokenizer;
let fp32: LoadedModel;

beforeAll(async () => {
  await useGeneratedModels();
  tokenizer = await AutoTokenizer.from_pretrained(TINY_REPO);
  fp32 = await loadModel('fp32');
});

describe('chat template', () => {
  it('renders system and user turns and the assistant prompt with an empty think block when thinking is off', () => {
    expect(renderPrompt(conversation, false)).toBe(
      '<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello there!<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
  });

  it('leaves the think block to the model when thinking is on or unspecified', () => {
    const expected = '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n';
    expect(renderPrompt([{ role: 'user', content: 'Hi' }], true)).toBe(expected);
    expect(renderPrompt([{ role: 'user', content: 'Hi' }], undefined)).toBe(expected);
  });

  it('drops the reasoning of earlier answers, as Qwen3 does for history', () => {
    const history: Message[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: '<think>\nGreet back.\n</think>\n\nHello!' },
      { role: 'user', content: 'Bye' },
    ];
    expect(renderPrompt(history, undefined)).toBe(
      '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('encodes control tokens as single ids and round-trips any text byte by byte', () => {
    const text = 'Grüße 👋 <|im_end|>';
    const ids = tokenizer.encode(text);
    expect(ids.at(-1)).toBe(IM_END);
    expect(ids).toHaveLength(new TextEncoder().encode('Grüße 👋 ').length + 1);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe('Grüße 👋 ');
  });
});

describe('fp32 model (onnx/model.onnx)', () => {
  it('is the file transformers.js loads for dtype fp32', () => {
    expect(fp32.files).toContain('onnx/model.onnx');
    expect(fp32.files).not.toContain('onnx/model_q4.onnx');
  });

  it('decodes with the KV cache to the logits that recomputing the sequence gives', async () => {
    // transformers.js 4.3.1 ignores `use_cache: false`, so the reference is one uncached forward pass over the
    // prompt and every generated token but the last: its logits at position p are what step p had to produce.
    const recorder = new LogitsRecorder();
    const tokens = await generate(fp32.model, { logits_processor: recorder.asList() });
    expect(tokens).toHaveLength(MAX_NEW_TOKENS);
    expect(recorder.steps).toHaveLength(MAX_NEW_TOKENS);

    const promptIds = tensorNumbers(chatInputs().input_ids);
    const sequence = [...promptIds, ...tokens.slice(0, -1)];
    const logits = await forwardLogits(fp32.model, {
      input_ids: int64Row(sequence),
      attention_mask: int64Row(sequence.map(() => 1)),
      position_ids: int64Row(sequence.map((_, position) => position)),
    });
    expect(logits).toHaveLength(sequence.length);
    recorder.expectMatches(logits, promptIds.length, tokens);
  });

  it('generates the same tokens on every run', async () => {
    const first = await generate(fp32.model, {});
    const second = await generate(fp32.model, {});
    expect(first.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });

  it('decodes greedily by default, as its generation_config.json says', async () => {
    const inputs = chatInputs();
    const output = await fp32.model.generate({ ...inputs, max_new_tokens: MAX_NEW_TOKENS });
    if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
    expect(tensorNumbers(output).slice(inputs.input_ids.dims[1])).toEqual(await generate(fp32.model, {}));
  });
});

describe('q4 model (onnx/model_q4.onnx, MatMulNBits)', () => {
  let q4: LoadedModel;
  beforeAll(async () => {
    q4 = await loadModel('q4');
  });

  it('is the file transformers.js loads for dtype q4', () => {
    expect(q4.files).toContain('onnx/model_q4.onnx');
    expect(q4.files).not.toContain('onnx/model.onnx');
  });

  it('generates the requested number of tokens, or fewer ending at end of sequence', async () => {
    const tokens = await generate(q4.model, {});
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.length).toBeLessThanOrEqual(MAX_NEW_TOKENS);
    if (tokens.length < MAX_NEW_TOKENS) expect([IM_END, END_OF_TEXT]).toContain(tokens.at(-1));
  });

  it('computes nearly the logits of the fp32 weights it quantises', async () => {
    const inputs = tokenizer('The quick brown fox');
    const [reference, quantized] = await Promise.all([lastLogits(fp32.model, inputs), lastLogits(q4.model, inputs)]);
    expect(correlation(reference, quantized)).toBeGreaterThan(0.95);
  });
});

describe('through the model mirror', () => {
  // In Node, transformers.js hands onnxruntime-node a file path, so downloads must land in a file cache: a
  // fresh one per run, so that every file really comes over HTTP.
  const cacheDir = path.join(GENERATED_MODELS_DIR, '..', `download-cache-${process.pid}`);
  const savedEnv = pickMirrorEnv();
  let mirror: ModelMirror;

  beforeAll(async () => {
    mirror = await startModelMirror({ root: GENERATED_MODELS_DIR });
    const remoteOnly = { allowLocalModels: false, allowRemoteModels: true, remoteHost: mirror.url, remotePathTemplate: '{model}/' };
    Object.assign(env, { ...remoteOnly, useFSCache: true, cacheDir });
  });

  afterAll(async () => {
    Object.assign(env, savedEnv);
    await mirror.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('downloads the model over HTTP the way the browser app will, and generates the same tokens', async () => {
    const remoteTokenizer = await AutoTokenizer.from_pretrained(TINY_REPO);
    const remote = await loadModel('fp32');
    expect(remoteTokenizer.encode('Hello <|im_end|>')).toEqual(tokenizer.encode('Hello <|im_end|>'));
    expect(await generate(remote.model, {})).toEqual(await generate(fp32.model, {}));
    expect(mirror.requests).toEqual(
      expect.arrayContaining([
        'GET /test/tiny-qwen3/tokenizer_config.json',
        'GET /test/tiny-qwen3/tokenizer.json',
        'GET /test/tiny-qwen3/config.json',
        'GET /test/tiny-qwen3/onnx/model.onnx',
      ]),
    );
    expect(mirror.requests.some((request) => request.endsWith('/onnx/model_q4.onnx'))).toBe(false);
  });
});

describe('generator', () => {
  const scratch = path.join(GENERATED_MODELS_DIR, '..', `determinism-${process.pid}`);
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('writes byte-identical files for the same seed, and the model tests use is the default one', async () => {
    await expectReproducibleFolder((outDir) => writeTinyQwen3(outDir), scratch, TINY_MODEL_DIR, [
      'config.json',
      'generation_config.json',
      'onnx/model.onnx',
      'onnx/model_q4.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
  });

  it('writes different weights for another seed', async () => {
    await writeTinyQwen3(path.join(scratch, 'other'), { seed: 7 });
    const weights = await readFile(path.join(scratch, 'a', 'onnx', 'model.onnx'));
    const otherWeights = await readFile(path.join(scratch, 'other', 'onnx', 'model.onnx'));
    expect(otherWeights.byteLength).toBe(weights.byteLength);
    expect(otherWeights.equals(weights)).toBe(false);
  });

  it('honours the layers and hidden options with a model that still loads and generates', async () => {
    const modelsRoot = path.join(scratch, 'custom');
    await writeTinyQwen3(path.join(modelsRoot, 'test', 'small'), { layers: 1, hidden: 32, seed: 3 });
    const config: unknown = JSON.parse(await readFile(path.join(modelsRoot, 'test', 'small', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ num_hidden_layers: 1, hidden_size: 32, intermediate_size: 64 });
    const savedPath = env.localModelPath;
    env.localModelPath = modelsRoot;
    try {
      for (const dtype of ['fp32', 'q4'] as const) {
        const small = await AutoModelForCausalLM.from_pretrained('test/small', { dtype, device: 'cpu' });
        const tokens = await generate(small, { max_new_tokens: 4 });
        expect(tokens.length, dtype).toBeGreaterThan(0);
        expect(tokens.length, dtype).toBeLessThanOrEqual(4);
      }
    } finally {
      env.localModelPath = savedPath;
    }
  });

  it('declares a Qwen3 causal LM whose vocabulary matches the tokenizer', async () => {
    const config: unknown = JSON.parse(await readFile(path.join(TINY_MODEL_DIR, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'qwen3',
      architectures: ['Qwen3ForCausalLM'],
      vocab_size: 265,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 16,
    });
    expect(tokenizer.decode([264])).toBe('</tool_response>');
  });
});

type MirrorEnv = Pick<typeof env, 'allowLocalModels' | 'allowRemoteModels' | 'remoteHost' | 'remotePathTemplate' | 'useFSCache' | 'cacheDir'>;

function pickMirrorEnv(): MirrorEnv {
  const { allowLocalModels, allowRemoteModels, remoteHost, remotePathTemplate, useFSCache, cacheDir } = env;
  return { allowLocalModels, allowRemoteModels, remoteHost, remotePathTemplate, useFSCache, cacheDir };
}

async function loadModel(dtype: DataType): Promise<LoadedModel> {
  const files: string[] = [];
  const model = await AutoModelForCausalLM.from_pretrained(TINY_REPO, {
    dtype,
    device: 'cpu',
    progress_callback: (info: ProgressInfo) => {
      if (info.status === 'done' && !files.includes(info.file)) files.push(info.file);
    },
  });
  return { model, files };
}

function renderPrompt(messages: Message[], enableThinking: boolean | undefined): string {
  // enable_thinking is not in the option type, but transformers.js hands every option to the template.
  const templateVariables = enableThinking === undefined ? {} : { enable_thinking: enableThinking };
  return tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true, ...templateVariables });
}

/** The fixed conversation, tokenized with the generation prompt. */
function chatInputs(): { input_ids: Tensor; attention_mask: Tensor } {
  return tokenizer.apply_chat_template(conversation, { add_generation_prompt: true, return_dict: true });
}

/** Greedy generation from the fixed conversation; returns only the new token ids. */
async function generate(model: PreTrainedModel, overrides: Record<string, unknown>): Promise<number[]> {
  const inputs = chatInputs();
  const output = await model.generate({ ...inputs, max_new_tokens: MAX_NEW_TOKENS, do_sample: false, ...overrides });
  if (!(output instanceof Tensor)) throw new Error('generate() returned no token tensor');
  const promptLength = inputs.input_ids.dims[1] ?? 0;
  return tensorNumbers(output).slice(promptLength);
}

async function lastLogits(model: PreTrainedModel, inputs: Record<string, Tensor>): Promise<number[]> {
  return (await forwardLogits(model, inputs)).at(-1) ?? [];
}

function correlation(a: number[], b: number[]): number {
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const meanA = mean(a);
  const meanB = mean(b);
  let covariance = 0;
  let varianceA = 0;
  let varianceB = 0;
  a.forEach((valueA, index) => {
    const deltaA = valueA - meanA;
    const deltaB = (b[index] ?? 0) - meanB;
    covariance += deltaA * deltaB;
    varianceA += deltaA * deltaA;
    varianceB += deltaB * deltaB;
  });
  return covariance / Math.sqrt(varianceA * varianceB);
}
