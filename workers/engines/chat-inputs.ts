// Turns the protocol's chat turns into transformers.js model inputs. A text-only build renders its chat template
// straight to token ids. A build that takes images gets each user turn as content parts (images first, then the
// text, the order Qwen's own examples use); its processor then expands every image placeholder to that image's
// patch count and turns the decoded images into pixel values. Images arrive as data URLs that the page already
// checked and re-encoded; anything that still fails to decode is an ImageUnreadable error, never a dropped image.
import { RawImage, type Message, type PreTrainedTokenizer, type Processor, type Tensor } from '@huggingface/transformers';
import type { ChatTurn, ImagePart } from '../../src/lib/protocol';
import { engineError } from '../errors';

/** What generate() takes besides its options: token ids and mask, and pixel values when there are images. */
export interface ModelInputs {
  input_ids: Tensor;
  [name: string]: Tensor;
}

interface TemplateOptions {
  enableThinking: boolean;
}

// Qwen's template reads `enable_thinking`; transformers.js passes options it does not know through to it.
function templateOptions({ enableThinking }: TemplateOptions): { add_generation_prompt: true; enable_thinking: boolean } {
  return { add_generation_prompt: true, enable_thinking: enableThinking };
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

export async function multimodalInputs(processor: Processor, turns: readonly ChatTurn[], options: TemplateOptions): Promise<ModelInputs> {
  const prompt = processor.apply_chat_template(multimodalMessages(turns), { ...templateOptions(options), tokenize: false });
  if (typeof prompt !== 'string') throw engineError('Unknown', 'the chat template did not render to text');
  const parts = turns.flatMap((turn) => turn.images ?? []);
  const images = await Promise.all(parts.map(readImage));
  // The processor's call signature is untyped in transformers.js; it returns the tokenizer's tensors plus, with
  // images, `pixel_values` and `image_grid_thw`.
  const inputs: ModelInputs = images.length > 0 ? await processor(prompt, images) : await processor(prompt);
  return inputs;
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
