// Image rules both sides apply: which picture types are kept, and what a picture costs in context tokens (the page
// trims the history by it; the worker counts the same way before it has the real tokens).

/** The image types the app keeps: the page re-encodes everything else (or refuses it) before it is stored. */
export const IMAGE_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageMimeType = (typeof IMAGE_MIME_TYPES)[number];

/** Qwen3.5's vision encoder: 16 px patches merged 2x2, so one token per 32x32 pixels (plus two marker tokens). */
const PIXELS_PER_IMAGE_TOKEN = 32 * 32;

/** About how many context tokens the model spends on this image. */
export function imageTokenEstimate(image: { width: number; height: number }): number {
  return Math.ceil((image.width * image.height) / PIXELS_PER_IMAGE_TOKEN) + 2;
}
