// Attached images: which files are tried, the downscale budget, the context cost, and the check on stored data URLs
// (src/lib/images.ts); how images ride in the turns sent to each side and in the trimming (src/lib/history.ts); how
// they are exported and re-validated on import (src/lib/transfer.ts); and how they reach OpenAI's two APIs.
import { describe, expect, it } from 'vitest';
import { buildTurns } from '../../src/lib/history';
import { trimToContext } from '../../common/context-budget';
import { MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, checkImageDataUrl, checkImageFile, fitWithin } from '../../src/lib/images';
import { imageTokenEstimate } from '../../common/image-rules';
import { chatBody, responsesBody, type RemoteSettings } from '../../src/lib/remote/openai';
import { exportJson, exportMarkdown, parseImport } from '../../src/lib/transfer';
import type { ChatImage, ChatMessage, Conversation } from '../../src/lib/types';

const base64 = (bytes: number[]): string => Buffer.from(bytes).toString('base64');
const JPEG = `data:image/jpeg;base64,${base64([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46])}`;
const PNG = `data:image/png;base64,${base64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])}`;
const WEBP = `data:image/webp;base64,${base64([...Buffer.from('RIFF'), 0x24, 0, 0, 0, ...Buffer.from('WEBPVP8 ')])}`;

function image(id: string, dataUrl = JPEG, width = 64, height = 48): ChatImage {
  return { id, name: `${id}.jpg`, dataUrl, width, height };
}

describe('checkImageFile', () => {
  it('accepts the raster types the browser decodes', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp', 'image/avif']) {
      expect(checkImageFile({ name: 'a', type, size: 10 }), type).toBeUndefined();
    }
  });

  it('refuses SVG, non-images, empty and oversized files, naming the file', () => {
    expect(checkImageFile({ name: 'logo.svg', type: 'image/svg+xml', size: 10 })).toMatch(/logo\.svg is an SVG/);
    expect(checkImageFile({ name: 'notes.pdf', type: 'application/pdf', size: 10 })).toMatch(/notes\.pdf is not an image.*application\/pdf/);
    expect(checkImageFile({ name: 'blank.png', type: 'image/png', size: 0 })).toMatch(/blank\.png is empty/);
    expect(checkImageFile({ name: 'huge.jpg', type: 'image/jpeg', size: 26 * 1024 * 1024 })).toMatch(/larger than 25 MB/);
    expect(checkImageFile({ name: '', type: '', size: 3 })).toMatch(/The pasted item is not an image.*unknown type/);
  });
});

describe('fitWithin / imageTokenEstimate', () => {
  it('keeps a small image as it is', () => {
    expect(fitWithin(320, 200)).toEqual({ width: 320, height: 200 });
  });

  it('scales a photo down to the pixel budget, keeping its aspect ratio', () => {
    const { width, height } = fitWithin(4032, 3024);
    expect(width * height).toBeLessThanOrEqual(MAX_IMAGE_PIXELS);
    expect(width * height).toBeGreaterThan(MAX_IMAGE_PIXELS * 0.98);
    expect(width / height).toBeCloseTo(4 / 3, 2);
  });

  it('caps the long side of a panorama', () => {
    const { width, height } = fitWithin(8000, 400);
    expect(width).toBe(MAX_IMAGE_SIDE);
    expect(height).toBe(64);
  });

  it('counts one token per 32x32 pixels plus the two vision markers', () => {
    expect(imageTokenEstimate({ width: 64, height: 64 })).toBe(4 + 2);
    expect(imageTokenEstimate({ width: 640, height: 640 })).toBe(400 + 2);
  });
});

describe('checkImageDataUrl', () => {
  it('accepts JPEG, PNG and WebP data whose bytes match the declared type', () => {
    expect(checkImageDataUrl(JPEG)).toBeUndefined();
    expect(checkImageDataUrl(PNG)).toBeUndefined();
    expect(checkImageDataUrl(WEBP)).toBeUndefined();
  });

  it.each([
    ['an SVG', `data:image/svg+xml;base64,${Buffer.from('<svg onload="alert(1)"/>').toString('base64')}`, /not a PNG, JPEG or WebP/],
    ['a script URL', 'javascript:alert(1)', /not a PNG, JPEG or WebP/],
    ['a remote URL', 'https://example.com/a.png', /not a PNG, JPEG or WebP/],
    ['HTML typed as PNG', `data:image/png;base64,${Buffer.from('<html><script>').toString('base64')}`, /not a PNG file/],
    ['a JPEG typed as WebP', JPEG.replace('image/jpeg', 'image/webp'), /not a WEBP file/],
    ['broken base64', 'data:image/png;base64,@@@@', /not a PNG, JPEG or WebP/],
    ['a data URL with a trailing payload', `${PNG}"><script>`, /not a PNG, JPEG or WebP/],
  ])('refuses %s', (_name, value, reason) => {
    expect(checkImageDataUrl(value)).toMatch(reason);
  });

  it('refuses an image over the size limit without decoding it', () => {
    expect(checkImageDataUrl(`data:image/png;base64,${'A'.repeat(21 * 1024 * 1024)}`)).toMatch(/larger than 15 MB/);
  });
});

const user = (id: string, content: string, images?: ChatImage[]): ChatMessage => ({
  id,
  role: 'user',
  content,
  createdAt: 1,
  ...(images ? { images } : {}),
});
const answer = (id: string, content: string): ChatMessage => ({ id, role: 'assistant', content, createdAt: 2, status: 'done' });

describe('images in the turns', () => {
  const history = [user('u1', 'What is this?', [image('i1')]), answer('a1', 'A cat.'), user('u2', 'And now?', [image('i2', PNG, 32, 32)])];

  it('go with their user turn, as the part the model reads (no id or file name)', () => {
    const turns = buildTurns('', history, 'local', { images: true });
    expect(turns[0]).toEqual({ role: 'user', content: 'What is this?', images: [{ dataUrl: JPEG, width: 64, height: 48 }] });
    expect(turns[2]).toEqual({ role: 'user', content: 'And now?', images: [{ dataUrl: PNG, width: 32, height: 32 }] });
  });

  it('are left out for a model that reads text only, and by default are kept', () => {
    expect(buildTurns('', history, 'local', { images: false }).every((turn) => turn.images === undefined)).toBe(true);
    expect(buildTurns('', history, 'remote')[0]?.images).toHaveLength(1);
  });

  it('count toward the context budget, so an old image is trimmed with its exchange', () => {
    const big = [user('u1', 'Old', [image('i1', JPEG, 640, 640)]), answer('a1', 'Ok.'), user('u2', 'New')];
    const turns = buildTurns('', big, 'local', { images: true });
    // The old exchange costs ~402 image tokens + its text: a budget of 100 keeps only the newest turn.
    expect(trimToContext(turns, 100)).toEqual([{ role: 'user', content: 'New' }]);
    expect(trimToContext(turns, 1000)).toHaveLength(3);
  });
});

function conversation(images: unknown[]): unknown {
  return {
    id: 'c1',
    title: 'Pictures',
    createdAt: 1,
    updatedAt: 2,
    messages: [
      { id: 'u1', role: 'user', content: 'Look', createdAt: 1, images },
      { id: 'a1', role: 'assistant', content: 'Nice.', createdAt: 2, status: 'done', imagesLeftOut: 1 },
    ],
  };
}

describe('export / import with images', () => {
  const withImages = conversation([image('i1'), image('i2', PNG, 10, 20)]) as Conversation;

  it('round-trips byte for byte, images and the left-out count included', () => {
    const exported = exportJson([withImages]);
    const report = parseImport(exported, [], () => 'new');
    expect(report.rejected).toEqual([]);
    expect(report.imported[0]?.messages[0]?.images).toEqual([image('i1'), image('i2', PNG, 10, 20)]);
    expect(report.imported[0]?.messages[1]?.imagesLeftOut).toBe(1);
    expect(exportJson(report.imported)).toBe(exported);
  });

  it.each([
    ['an SVG image', { ...image('x'), dataUrl: `data:image/svg+xml;base64,${Buffer.from('<svg/>').toString('base64')}` }, /image 1: image is not a PNG, JPEG or WebP/],
    ['bytes that are not the declared type', { ...image('x'), dataUrl: `data:image/jpeg;base64,${Buffer.from('GIF89a').toString('base64')}` }, /not a JPEG file/],
    ['a size that is not a pixel count', { ...image('x'), width: -3 }, /no valid size/],
    ['no image data', { id: 'x', name: 'x', width: 1, height: 1 }, /no image data/],
  ])('rejects a conversation with %s, saying why, and still imports the others', (_name, bad, reason) => {
    const good = { ...(conversation([image('ok')]) as Conversation), id: 'c2' };
    const file = JSON.stringify({ format: 'qwen-webgpu-chat/conversations', version: 2, conversations: [conversation([bad]), good] });
    const report = parseImport(file, [], () => 'new');
    expect(report.rejected).toHaveLength(1);
    expect(report.rejected[0]?.reason).toMatch(/^message 1: /);
    expect(report.rejected[0]?.reason).toMatch(reason);
    expect(report.imported.map((c) => c.id)).toEqual(['c2']);
  });

  it('rejects more than four images on one message', () => {
    const file = JSON.stringify({ format: 'qwen-webgpu-chat/conversations', version: 2, conversations: [conversation(['1', '2', '3', '4', '5'].map((id) => image(id)))] });
    expect(parseImport(file, [], () => 'new').rejected[0]?.reason).toMatch(/more than 4 images/);
  });

  it('still reads version 1 files, which have no images', () => {
    const file = JSON.stringify({ format: 'qwen-webgpu-chat/conversations', version: 1, conversations: [conversation([])] });
    const report = parseImport(file, [], () => 'new');
    expect(report.fileError).toBeUndefined();
    expect(report.imported).toHaveLength(1);
    expect(report.imported[0]?.messages[0]?.images).toBeUndefined();
  });

  it('embeds the images in the Markdown export', () => {
    expect(exportMarkdown(withImages)).toContain(`## You\n\n![i1.jpg](${JPEG})\n![i2.jpg](${PNG})\n\nLook`);
  });
});

describe('images sent to OpenAI', () => {
  const settings: RemoteSettings = {
    endpoint: 'http://127.0.0.1:1/v1',
    model: 'gpt-5.2',
    api: 'responses',
    apiKey: 'sk-test',
    reasoningEffort: 'default',
  };
  const turns = [
    { role: 'system' as const, content: 'Be brief.' },
    { role: 'user' as const, content: 'What is this?', images: [{ dataUrl: JPEG, width: 64, height: 48 }] },
  ];

  it('go to the Responses API as input_image parts before the text', () => {
    expect(responsesBody(settings, turns).input).toEqual([
      { role: 'user', content: [{ type: 'input_image', image_url: JPEG }, { type: 'input_text', text: 'What is this?' }] },
    ]);
  });

  it('go to Chat Completions as image_url parts before the text', () => {
    expect(chatBody({ ...settings, api: 'chat' }, turns).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: JPEG } }, { type: 'text', text: 'What is this?' }] },
    ]);
  });
});
