// The pictures of the picture tasks, drawn by the app so their answers are known: a scene (pure, seeded, checked by
// the tests: the asked shapes counted exactly, distractors that differ in shape and colour, nothing overlapping)
// and a thin loop that paints it on an OffscreenCanvas as a PNG. Drawn large and high-contrast so a vision model
// reads what a person reads.
import type { ImagePart } from '../../../common/protocol';
import { mulberry32 } from '../../../common/seeded-random';
import type { PictureSpec } from './types';

export const PICTURE_SIZE = 384;

export type DrawItem =
  | { kind: 'circle' | 'square' | 'triangle'; x: number; y: number; size: number; colour: string; name: string }
  | { kind: 'text'; x: number; y: number; size: number; text: string; colour: string }
  | { kind: 'rect'; x: number; y: number; width: number; height: number; colour: string };

export interface PictureScene {
  width: number;
  height: number;
  items: DrawItem[];
}

const COLOURS: Record<string, string> = { red: '#d62728', blue: '#1f5fbf', green: '#2ca02c', orange: '#ff7f0e', purple: '#7b3fa0', black: '#222222' };
const SHAPES = ['circle', 'square', 'triangle'] as const;

function shapesScene(spec: Extract<PictureSpec, { kind: 'shapes' }>): DrawItem[] {
  const random = mulberry32(spec.seed);
  // A 4 × 4 grid of cells, one shape per cell at most, jittered inside it: nothing overlaps, all inside the canvas.
  const cell = PICTURE_SIZE / 4;
  const cells = Array.from({ length: 16 }, (_, index) => index);
  for (let i = cells.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [cells[i], cells[j]] = [cells[j] ?? 0, cells[i] ?? 0];
  }
  const otherShapes = SHAPES.filter((shape) => shape !== spec.shape);
  const otherColours = Object.keys(COLOURS).filter((colour) => colour !== spec.colour);
  const distractors = 1 + Math.floor(random() * 4);
  const items: DrawItem[] = [];
  cells.slice(0, spec.count + distractors).forEach((index, n) => {
    const size = cell * (0.5 + random() * 0.15);
    const slack = cell - size;
    const x = (index % 4) * cell + slack / 2 + (random() - 0.5) * slack * 0.6 + size / 2;
    const y = Math.floor(index / 4) * cell + slack / 2 + (random() - 0.5) * slack * 0.6 + size / 2;
    const target = n < spec.count;
    const kind = target ? spec.shape : (otherShapes[Math.floor(random() * otherShapes.length)] ?? 'square');
    const name = target ? spec.colour : (otherColours[Math.floor(random() * otherColours.length)] ?? 'black');
    items.push({ kind, x, y, size, name, colour: COLOURS[name] ?? '#222222' });
  });
  return items;
}

function barsScene(spec: Extract<PictureSpec, { kind: 'bars' }>): DrawItem[] {
  const top = 60;
  const base = PICTURE_SIZE - 60;
  const max = Math.max(...spec.values, 1);
  const slot = (PICTURE_SIZE - 40) / spec.values.length;
  const items: DrawItem[] = [{ kind: 'rect', x: 20, y: base, width: PICTURE_SIZE - 40, height: 3, colour: '#222222' }];
  spec.values.forEach((value, index) => {
    const height = ((base - top) * value) / max;
    const x = 20 + index * slot + slot * 0.2;
    const width = slot * 0.6;
    items.push({ kind: 'rect', x, y: base - height, width, height, colour: '#1f5fbf' });
    items.push({ kind: 'text', x: x + width / 2, y: base - height - 18, size: 24, text: String(value), colour: '#222222' });
    items.push({ kind: 'text', x: x + width / 2, y: base + 30, size: 26, text: spec.labels[index] ?? '', colour: '#222222' });
  });
  return items;
}

export function pictureScene(spec: PictureSpec): PictureScene {
  const items =
    spec.kind === 'shapes'
      ? shapesScene(spec)
      : spec.kind === 'bars'
        ? barsScene(spec)
        : [{ kind: 'text' as const, x: PICTURE_SIZE / 2, y: PICTURE_SIZE / 2, size: Math.min(160, (PICTURE_SIZE * 1.6) / spec.text.length), text: spec.text, colour: '#111111' }];
  return { width: PICTURE_SIZE, height: PICTURE_SIZE, items };
}

/** The part of the 2D context the painter uses, so a test can hand in a recording fake. */
export type PaintContext = Pick<
  OffscreenCanvasRenderingContext2D,
  'fillStyle' | 'font' | 'textAlign' | 'textBaseline' | 'fillRect' | 'beginPath' | 'arc' | 'moveTo' | 'lineTo' | 'closePath' | 'fill' | 'fillText'
>;

export function paintScene(context: PaintContext, scene: PictureScene): void {
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, scene.width, scene.height);
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  for (const item of scene.items) {
    context.fillStyle = item.colour;
    if (item.kind === 'rect') context.fillRect(item.x, item.y, item.width, item.height);
    else if (item.kind === 'text') {
      context.font = `bold ${Math.round(item.size)}px sans-serif`;
      context.fillText(item.text, item.x, item.y);
    } else {
      const half = item.size / 2;
      context.beginPath();
      if (item.kind === 'circle') context.arc(item.x, item.y, half, 0, Math.PI * 2);
      else if (item.kind === 'square') {
        context.moveTo(item.x - half, item.y - half);
        context.lineTo(item.x + half, item.y - half);
        context.lineTo(item.x + half, item.y + half);
        context.lineTo(item.x - half, item.y + half);
      } else {
        context.moveTo(item.x, item.y - half);
        context.lineTo(item.x + half, item.y + half);
        context.lineTo(item.x - half, item.y + half);
      }
      context.closePath();
      context.fill();
    }
  }
}

/** The picture as a PNG data URL, the form chat images take. */
export async function drawPicture(spec: PictureSpec): Promise<ImagePart> {
  const scene = pictureScene(spec);
  const canvas = new OffscreenCanvas(scene.width, scene.height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw the scorecard pictures (no 2D canvas in this context).');
  paintScene(context, scene);
  const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { dataUrl: `data:image/png;base64,${btoa(binary)}`, width: scene.width, height: scene.height };
}
