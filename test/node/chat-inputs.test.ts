// The worker's chat-turns-to-model-inputs step (workers/engines/chat-inputs.ts) with the real transformers.js
// processor of the generated tiny Qwen3.5 vision model, in Node: user turns with images become content parts; images
// arrive as data URLs and are decoded; two images of different sizes are processed one by one (transformers.js's
// Qwen-VL processor would read a list as the frames of one video), each placeholder expanded to its own image's
// token count; the model then generates from those inputs; text-only builds refuse images; bad data is named.
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  AutoTokenizer,
  Tensor,
  type PreTrainedModel,
  type Processor,
} from '@huggingface/transformers';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatTurn, ImagePart } from '../../common/protocol';
import { estimateTokens, trimToContext } from '../../common/context-budget';
import {
  IMAGE_PAD,
  dataUrlToBlob,
  expandImagePads,
  fitPromptToBudget,
  multimodalInputs,
  multimodalMessages,
  promptLength,
  textInputs,
} from '../../workers/engines/chat-inputs';
import { VISION_TOKEN_IDS } from '../fixtures/byte-tokenizer';
import { TINY_REPO, TINY_VL_REPO } from '../fixtures/paths';
import { useGeneratedModels } from './local-models';

let processor: Processor;
let model: PreTrainedModel;

beforeAll(async () => {
  await useGeneratedModels();
  processor = await AutoProcessor.from_pretrained(TINY_VL_REPO);
  model = await AutoModelForImageTextToText.from_pretrained(TINY_VL_REPO, { dtype: 'fp32', device: 'cpu' });
});

async function pngPart(width: number, height: number, colour: { r: number; g: number; b: number }): Promise<ImagePart> {
  const png = await sharp({ create: { width, height, channels: 3, background: colour } }).png().toBuffer();
  return { dataUrl: `data:image/png;base64,${png.toString('base64')}`, width, height };
}

/** A deterministic picture with structure (a solid colour normalises to almost nothing in the tiny encoder). */
async function patternPart(kind: 'checker' | 'gradient', size = 64): Promise<ImagePart> {
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const at = (y * size + x) * 3;
      const value = kind === 'checker' ? ((Math.floor(x / 8) + Math.floor(y / 8)) % 2) * 255 : Math.round((x / (size - 1)) * 255);
      pixels[at] = value;
      pixels[at + 1] = kind === 'checker' ? value : 255 - value;
      pixels[at + 2] = kind === 'checker' ? 255 - value : Math.round((y / (size - 1)) * 255);
    }
  }
  const png = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
  return { dataUrl: `data:image/png;base64,${png.toString('base64')}`, width: size, height: size };
}

const ids = (tensor: Tensor): number[] => Array.from(tensor.data, Number);
const count = (values: number[], id: number): number => values.filter((value) => value === id).length;
const options = { enableThinking: false };

describe('multimodalMessages', () => {
  it('puts a turn’s images before its text as content parts and leaves other turns as text', () => {
    const image = { dataUrl: 'data:image/png;base64,AA==', width: 1, height: 1 };
    const turns: ChatTurn[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Two?', images: [image, image] },
      { role: 'assistant', content: 'Yes.' },
      { role: 'user', content: 'Thanks' },
    ];
    expect(multimodalMessages(turns)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'image' }, { type: 'image' }, { type: 'text', text: 'Two?' }] },
      { role: 'assistant', content: 'Yes.' },
      { role: 'user', content: 'Thanks' },
    ]);
  });
});

describe('multimodalInputs', () => {
  it('processes two images of different sizes one by one and expands each placeholder to its own token count', async () => {
    const red = await pngPart(64, 64, { r: 220, g: 30, b: 60 });
    const wide = await pngPart(96, 64, { r: 20, g: 120, b: 240 });
    const inputs = await multimodalInputs(processor, [{ role: 'user', content: 'Compare them.', images: [red, wide] }], options);
    // 64x64 px: 4x4 patches -> 4 tokens; 96x64 px: 4x6 patches -> 6 tokens (patch 16, merge 2).
    expect(ids(inputs.image_grid_thw ?? inputs.input_ids)).toEqual([1, 4, 4, 1, 4, 6]);
    expect(inputs.pixel_values?.dims).toEqual([16 + 24, 3 * 2 * 16 * 16]);
    const tokens = ids(inputs.input_ids);
    expect(count(tokens, VISION_TOKEN_IDS.imagePad)).toBe(4 + 6);
    expect(count(tokens, VISION_TOKEN_IDS.visionStart)).toBe(2);

    const generated = await model.generate({ ...inputs, max_new_tokens: 6, do_sample: false });
    expect(generated).toBeDefined();
  });

  it('feeds the model both pictures: changing the second one changes the answer, the same inputs repeat it', async () => {
    const checker = await patternPart('checker');
    const gradient = await patternPart('gradient');
    const answer = async (images: ImagePart[]): Promise<number[]> => {
      const inputs = await multimodalInputs(processor, [{ role: 'user', content: 'What are these?', images }], options);
      const output: unknown = await model.generate({ ...inputs, max_new_tokens: 8, min_new_tokens: 8, do_sample: false });
      if (!(output instanceof Tensor)) throw new Error('no token ids');
      return ids(output).slice(inputs.input_ids.dims.at(-1));
    };
    const both = await answer([checker, gradient]);
    expect(both).toHaveLength(8);
    expect(await answer([checker, gradient])).toEqual(both);
    expect(await answer([checker, checker])).not.toEqual(both);
    expect(await answer([gradient, gradient])).not.toEqual(both);
  });

  it('a conversation without images is just the rendered prompt, tokenised', async () => {
    const inputs = await multimodalInputs(processor, [{ role: 'user', content: 'Hi' }], options);
    expect(inputs.pixel_values).toBeUndefined();
    expect(count(ids(inputs.input_ids), VISION_TOKEN_IDS.imagePad)).toBe(0);
  });

  it('names an image that does not decode', async () => {
    const broken = { dataUrl: `data:image/png;base64,${Buffer.from('not a png at all').toString('base64')}`, width: 4, height: 4 };
    await expect(multimodalInputs(processor, [{ role: 'user', content: 'Hm', images: [broken] }], options)).rejects.toMatchObject({
      name: 'ImageUnreadable',
      message: expect.stringContaining('image 1'),
    });
  });
});

describe('text-only builds and data URLs', () => {
  it('a text-only tokenizer refuses a turn with images instead of dropping them', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_REPO);
    const image = await pngPart(8, 8, { r: 0, g: 0, b: 0 });
    expect(() => textInputs(tokenizer, [{ role: 'user', content: 'See?', images: [image] }], options)).toThrow(
      expect.objectContaining({ name: 'ImagesUnsupported' }),
    );
    expect(textInputs(tokenizer, [{ role: 'user', content: 'See?' }], options).input_ids.dims[0]).toBe(1);
  });

  it('decodes image data URLs and refuses anything else by name', async () => {
    const part = await pngPart(2, 2, { r: 1, g: 2, b: 3 });
    const blob = dataUrlToBlob(part.dataUrl);
    expect(blob.type).toBe('image/png');
    expect(new Uint8Array(await blob.arrayBuffer()).subarray(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47]));
    for (const bad of ['javascript:alert(1)', 'data:image/svg+xml;base64,PHN2Zy8+', 'data:image/png;base64,@@', 'data:text/html,<b>']) {
      expect(() => dataUrlToBlob(bad), bad).toThrow(expect.objectContaining({ name: 'ImageUnreadable' }));
    }
  });

  it('expands placeholders in order and refuses a count that does not match', () => {
    expect(expandImagePads(`a${IMAGE_PAD}b${IMAGE_PAD}c`, [2, 1])).toBe(`a${IMAGE_PAD}${IMAGE_PAD}b${IMAGE_PAD}c`);
    expect(() => expandImagePads(`a${IMAGE_PAD}b`, [1, 1])).toThrow(/1 image placeholders for 2 images/);
  });
});

describe('fitPromptToBudget', () => {
  // Byte-level tokens: each of these CJK characters is 3 tokens, where the page's estimate counts a third of one.
  const long = '日本語の文章です。'.repeat(12);
  const turns: ChatTurn[] = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: long },
    { role: 'assistant', content: long },
    { role: 'user', content: long },
    { role: 'assistant', content: long },
    { role: 'user', content: 'And now?' },
  ];

  it('leaves out the oldest exchanges the page estimate let through, counting real tokens', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_REPO);
    const render = async (kept: readonly ChatTurn[]) => textInputs(tokenizer, kept, options);
    const budget = 800;
    // The page's estimate says everything fits...
    expect(trimToContext(turns, budget, estimateTokens)).toHaveLength(turns.length);
    expect(promptLength(await render(turns))).toBeGreaterThan(budget);
    // ...the real count does not: one exchange goes, and what is left fits.
    const { inputs, turnsLeftOut } = await fitPromptToBudget(turns, budget, render);
    expect(turnsLeftOut).toBe(2);
    expect(promptLength(inputs)).toBeLessThanOrEqual(budget);
    expect(promptLength(inputs)).toBe(promptLength(await render([turns[0], ...turns.slice(3)].filter((turn) => turn !== undefined))));
  });

  it('keeps the system prompt and the newest turn even when they alone are over the budget', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_REPO);
    const { inputs, turnsLeftOut } = await fitPromptToBudget(turns, 10, async (kept) => textInputs(tokenizer, kept, options));
    expect(turnsLeftOut).toBe(4);
    expect(tokenizer.decode(Array.from(inputs.input_ids.data, Number))).toContain('Be brief.');
  });

  it('changes nothing without a budget', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(TINY_REPO);
    const { turnsLeftOut } = await fitPromptToBudget(turns, undefined, async (kept) => textInputs(tokenizer, kept, options));
    expect(turnsLeftOut).toBe(0);
  });

  it('renders a trimmed multimodal prompt again from cached image features, with the same result', async () => {
    const checker = await patternPart('checker');
    const withImage: ChatTurn[] = [{ role: 'user', content: long, images: [checker] }, { role: 'assistant', content: long }, { role: 'user', content: 'This one?', images: [checker] }];
    const cache = new Map();
    const first = await multimodalInputs(processor, withImage, options, cache);
    expect(cache.size).toBe(1);
    const again = await multimodalInputs(processor, withImage, options, cache);
    expect(ids(again.input_ids)).toEqual(ids(first.input_ids));
    expect(Array.from(again.pixel_values?.data ?? [])).toEqual(Array.from(first.pixel_values?.data ?? []));
    const { inputs, turnsLeftOut } = await fitPromptToBudget(withImage, 100, (kept) => multimodalInputs(processor, kept, options, cache));
    expect(turnsLeftOut).toBe(2);
    expect(count(ids(inputs.input_ids), VISION_TOKEN_IDS.imagePad)).toBe(4);
  });
});
