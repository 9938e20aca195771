// Images the user attaches to a message. Every file is checked (an image type we can decode, a sane size), decoded
// by the browser, downscaled to a pixel budget and re-encoded as JPEG, so what is stored, shown and sent is always a
// bounded raster image without metadata (no EXIF location, no SVG with script). The stored form is a base64 data
// URL, which keeps exports plain JSON; `checkImageDataUrl` re-checks that form (type, base64, magic bytes) for
// anything read back from an import.
import type { ImageMimeType } from '../../common/image-rules';
import type { ChatImage } from './types';

/** What the browser decodes into an image; SVG is left out on purpose (it is a document, not a picture). */
export const ACCEPTED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp', 'image/avif'];
export const MAX_IMAGE_FILE_BYTES = 25 * 1024 * 1024;
export const MAX_IMAGES_PER_MESSAGE = 4;
/**
 * At most ~0.4 megapixels, 1,280 px a side: Qwen3.5 spends one token per 32x32 pixels, so an image costs at most
 * about 400 tokens of context and a few seconds of prefill on a small GPU, and text in a screenshot stays legible.
 */
export const MAX_IMAGE_PIXELS = 640 * 640;
export const MAX_IMAGE_SIDE = 1280;
const JPEG_QUALITY = 0.9;

export class ImageRejected extends Error {
  override readonly name = 'ImageRejected';
}

/** Why this file cannot be attached, or undefined when it can be tried. */
export function checkImageFile(file: { name: string; type: string; size: number }): string | undefined {
  const label = file.name || 'The pasted item';
  if (file.type === 'image/svg+xml') return `${label} is an SVG drawing; attach a PNG, JPEG or WebP picture instead.`;
  if (!ACCEPTED_IMAGE_TYPES.includes(file.type)) {
    return `${label} is not an image this app can read (${file.type || 'unknown type'}). Use PNG, JPEG, WebP, GIF, BMP or AVIF.`;
  }
  if (file.size === 0) return `${label} is empty.`;
  if (file.size > MAX_IMAGE_FILE_BYTES) return `${label} is larger than 25 MB.`;
  return undefined;
}

/** The size to re-encode at: the original when it fits the budget, else scaled down keeping the aspect ratio. */
export function fitWithin(width: number, height: number, maxPixels = MAX_IMAGE_PIXELS, maxSide = MAX_IMAGE_SIDE): { width: number; height: number } {
  const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)), maxSide / width, maxSide / height);
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** Decodes, downscales and re-encodes one file. Throws ImageRejected with a message for the user. */
export async function prepareImage(file: File | Blob, name: string): Promise<ChatImage> {
  const reason = checkImageFile({ name, type: file.type, size: file.size });
  if (reason) throw new ImageRejected(reason);
  let original: ImageBitmap;
  try {
    original = await createImageBitmap(file);
  } catch {
    throw new ImageRejected(`${name} could not be read as an image: the file may be damaged.`);
  }
  const size = fitWithin(original.width, original.height);
  // The browser decodes and scales image bitmaps off the main thread; only the small result is drawn here, so a
  // 12-megapixel photo never holds up an answer that is streaming meanwhile.
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(original, { resizeWidth: size.width, resizeHeight: size.height, resizeQuality: 'high' });
  } finally {
    original.close();
  }
  try {
    const canvas = new OffscreenCanvas(size.width, size.height);
    const context = canvas.getContext('2d');
    if (!context) throw new ImageRejected('This browser cannot draw images (no 2D canvas).');
    // JPEG has no transparency: paint transparent areas white, as most viewers show them.
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, size.width, size.height);
    context.drawImage(bitmap, 0, 0, size.width, size.height);
    const encoded = await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
    return { id: crypto.randomUUID(), name, dataUrl: await blobToDataUrl(encoded), ...size };
  } finally {
    bitmap.close();
  }
}

async function blobToDataUrl(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let start = 0; start < bytes.length; start += chunk) {
    binary += String.fromCharCode(...bytes.subarray(start, start + chunk));
  }
  return `data:${blob.type};base64,${btoa(binary)}`;
}

const DATA_URL = /^data:(image\/(?:jpeg|png|webp));base64,([A-Za-z0-9+/]+={0,2})$/;
/** A stored image's data URL may hold at most this many characters (~15 MB of image). */
export const MAX_IMAGE_DATA_URL_LENGTH = 20 * 1024 * 1024;

const MAGIC: Readonly<Record<ImageMimeType, (bytes: Uint8Array) => boolean>> = {
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  'image/webp': (b) => String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP',
};

function isImageMimeType(value: string): value is ImageMimeType {
  return value in MAGIC;
}

/** Why this string is not a stored image, or undefined when it is one: a JPEG, PNG or WebP data URL whose bytes say so. */
export function checkImageDataUrl(value: string): string | undefined {
  if (value.length > MAX_IMAGE_DATA_URL_LENGTH) return 'image is larger than 15 MB';
  const match = DATA_URL.exec(value);
  const [, type = '', base64 = ''] = match ?? [];
  if (!match || !isImageMimeType(type)) return 'image is not a PNG, JPEG or WebP data URL';
  let head: string;
  try {
    head = atob(base64.slice(0, 16));
  } catch {
    return 'image data is not valid base64';
  }
  const bytes = Uint8Array.from(head, (character) => character.charCodeAt(0));
  return MAGIC[type](bytes) ? undefined : `image data is not a ${type.slice('image/'.length).toUpperCase()} file`;
}
