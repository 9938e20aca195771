// Turns the protocol's chat turns into transformers.js model inputs. A text-only build renders its chat template
// straight to token ids. A build that takes images gets each user turn as content parts (images first, then the
// text, the order Qwen's own examples use). Each image goes through the image processor on its own, because
// transformers.js's Qwen-VL processor reads a list of images as the frames of one video; the pixel values and grids
// are then joined, and every image placeholder in the prompt is expanded to that image's token count, as the
// processor does for one image. Images arrive as data URLs that the page already checked and re-encoded; anything
// that still fails to decode is an ImageUnreadable error, never a dropped image. fitPromptToBudget then leaves out
// the oldest exchanges while the real token count is over the page's budget (the page only estimates it).
import {
  RawImage,
  cat,
  type Message,
  type PreTrainedTokenizer,
  type Processor,
  type Tensor,
} from '@huggingface/transformers';
import { withoutOldestExchange } from '../../common/context-budget';
import type { ChatTurn, ImagePart } from '../../common/protocol';
import { engineError } from '../errors';

/** What generate() takes besides its options: token ids and mask, and pixel values when there are images. */
export interface ModelInputs {
  input_ids: Tensor;
  [name: string]: Tensor;
}

export interface TemplateOptions {
  enableThinking: boolean;
  /** false renders the turns alone, without the assistant header that asks for an answer (default true). */
  generationPrompt?: boolean;
}

// Qwen's template reads `enable_thinking`; transformers.js passes options it does not know through to it.
function templateOptions({ enableThinking, generationPrompt = true }: TemplateOptions): { add_generation_prompt: boolean; enable_thinking: boolean } {
  return { add_generation_prompt: generationPrompt, enable_thinking: enableThinking };
}

export function countImages(turns: readonly ChatTurn[]): number {
  return turns.reduce((count, turn) => count + (turn.images?.length ?? 0), 0);
}

export function textInputs(tokenizer: PreTrainedTokenizer, turns: readonly ChatTurn[], options: TemplateOptions): ModelInputs {
  if (countImages(turns) > 0) throw engineError('ImagesUnsupported');
  const messages: Message[] = turns.map(({ role, content }) => ({ role, content }));
  return tokenizer.apply_chat_template(messages, { ...templateOptions(options), return_dict: true });
}

/** The turns as the template of an image-text model expects them: user turns with images become content parts. */
export function multimodalMessages(turns: readonly ChatTurn[]): Message[] {
  return turns.map(({ role, content, images }) => {
    if (!images || images.length === 0) return { role, content };
    return { role, content: [...images.map(() => ({ type: 'image' as const })), { type: 'text' as const, text: content }] };
  });
}

/** Qwen's placeholder for one image in the rendered prompt; the processor repeats it once per image token. */
export const IMAGE_PAD = '<|image_pad|>';

interface ImageFeatures {
  pixel_values: Tensor;
  image_grid_thw: Tensor;
}

function isImageFeatures(value: unknown): value is ImageFeatures {
  return (
    typeof value === 'object' &&
    value !== null &&
    Reflect.get(value, 'pixel_values') instanceof Object &&
    Reflect.get(value, 'image_grid_thw') instanceof Object
  );
}

/** Patches merged into one token, per side (2 for every Qwen-VL and Qwen3.5 build). */
function mergeSize(processor: Processor): number {
  const size: unknown = processor.image_processor ? Reflect.get(processor.image_processor.config, 'merge_size') : undefined;
  return typeof size === 'number' && Number.isInteger(size) && size > 0 ? size : 2;
}

/** Replaces the k-th image placeholder with as many placeholders as image k has tokens. */
export function expandImagePads(prompt: string, tokensPerImage: readonly number[]): string {
  const pieces = prompt.split(IMAGE_PAD);
  if (pieces.length - 1 !== tokensPerImage.length) {
    throw engineError('Unknown', `the prompt has ${pieces.length - 1} image placeholders for ${tokensPerImage.length} images`);
  }
  return pieces.reduce((text, piece, index) => text + IMAGE_PAD.repeat(tokensPerImage[index - 1] ?? 0) + piece);
}

/** Processed pictures by data URL, so trimming a prompt and rendering it again does not process them again. */
export type ImageFeatureCache = Map<string, ImageFeatures>;

export async function multimodalInputs(
  processor: Processor,
  turns: readonly ChatTurn[],
  options: TemplateOptions,
  cache: ImageFeatureCache = new Map(),
): Promise<ModelInputs> {
  const prompt = processor.apply_chat_template(multimodalMessages(turns), { ...templateOptions(options), tokenize: false });
  if (typeof prompt !== 'string') throw engineError('Unknown', 'the chat template did not render to text');
  const { tokenizer, image_processor: imageProcessor } = processor;
  if (!tokenizer) throw engineError('Unknown', 'the processor has no tokenizer');
  const parts = turns.flatMap((turn) => turn.images ?? []);
  if (parts.length === 0) {
    const inputs: ModelInputs = tokenizer(prompt);
    return inputs;
  }
  if (!imageProcessor) throw engineError('ImagesUnsupported', 'the processor has no image processor');

  const features: ImageFeatures[] = [];
  for (const [index, part] of parts.entries()) {
    const known = cache.get(part.dataUrl);
    if (known) {
      features.push(known);
      continue;
    }
    const processed: unknown = await imageProcessor(await readImage(part, index));
    if (!isImageFeatures(processed)) throw engineError('Unknown', 'the image processor returned no pixel values');
    cache.set(part.dataUrl, processed);
    features.push(processed);
  }
  const merged = mergeSize(processor) ** 2;
  const tokensPerImage = features.map(({ image_grid_thw }) => {
    const [t = 0, h = 0, w = 0] = Array.from(image_grid_thw.data, Number);
    return (t * h * w) / merged;
  });
  const inputs: ModelInputs = tokenizer(expandImagePads(prompt, tokensPerImage));
  inputs.pixel_values = cat(features.map((feature) => feature.pixel_values), 0);
  inputs.image_grid_thw = cat(features.map((feature) => feature.image_grid_thw), 0);
  return inputs;
}

export function promptLength(inputs: ModelInputs): number {
  return inputs.input_ids.dims.at(-1) ?? 0;
}

/**
 * Renders the turns, then, while the prompt is longer than `budgetTokens`, leaves out the oldest exchange and renders
 * again (the system prompt and the newest turn always stay). Returns the inputs, the turns they hold and how many
 * turns were left out.
 */
export async function fitPromptToBudget(
  turns: readonly ChatTurn[],
  budgetTokens: number | undefined,
  render: (turns: readonly ChatTurn[]) => Promise<ModelInputs>,
): Promise<{ inputs: ModelInputs; turns: readonly ChatTurn[]; turnsLeftOut: number }> {
  let kept = turns;
  let inputs = await render(kept);
  while (budgetTokens !== undefined && promptLength(inputs) > budgetTokens) {
    const shorter = withoutOldestExchange(kept);
    if (!shorter) break;
    kept = shorter;
    inputs = await render(kept);
  }
  return { inputs, turns: kept, turnsLeftOut: turns.length - kept.length };
}

const DATA_URL = /^data:(image\/(?:jpeg|png|webp));base64,([A-Za-z0-9+/]+={0,2})$/;

/** The bytes of an image data URL, typed by its declared image type. Throws ImageUnreadable on anything else. */
export function dataUrlToBlob(dataUrl: string): Blob {
  const match = DATA_URL.exec(dataUrl);
  const [, type, base64] = match ?? [];
  if (!type || !base64) throw engineError('ImageUnreadable', 'not a PNG, JPEG or WebP data URL');
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    throw engineError('ImageUnreadable', 'the image data is not valid base64');
  }
  const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
  return new Blob([bytes], { type });
}

async function readImage(part: ImagePart, index: number): Promise<RawImage> {
  try {
    // Browsers decode to RGBA; the vision encoders take RGB whatever the processor config says about converting.
    return (await RawImage.fromBlob(dataUrlToBlob(part.dataUrl))).rgb();
  } catch (error) {
    throw engineError('ImageUnreadable', `image ${index + 1}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}
