// The picture tasks' scenes: exactly the asked shapes, distractors that never count, nothing overlapping or
// outside, the same spec the same picture; the digits and the bars the tasks ask about; and the painter drawing
// every item.
import { describe, expect, it } from 'vitest';
import { paintScene, pictureScene, type DrawItem, type PaintContext } from '../../src/lib/scorecard/pictures';
import { PICTURE_TASKS } from '../../src/lib/scorecard/tasks/pictures';

type Shape = Extract<DrawItem, { kind: 'circle' | 'square' | 'triangle' }>;
const isShape = (item: DrawItem): item is Shape => item.kind === 'circle' || item.kind === 'square' || item.kind === 'triangle';

describe('picture scenes', () => {
  for (const task of PICTURE_TASKS) {
    const spec = task.picture;
    if (spec?.kind !== 'shapes') continue;
    it(`${task.id}: ${spec.count} ${spec.colour} ${spec.shape}s, distractors of another shape and colour, no overlap`, () => {
      const scene = pictureScene(spec);
      const shapes = scene.items.filter(isShape);
      const targets = shapes.filter((item) => item.kind === spec.shape && item.name === spec.colour);
      expect(targets).toHaveLength(spec.count);
      expect(task.grader).toMatchObject({ answer: spec.count });
      const others = shapes.filter((item) => !targets.includes(item));
      expect(others.length).toBeGreaterThan(0);
      for (const other of others) expect(other.kind !== spec.shape && other.name !== spec.colour).toBe(true);
      for (const [i, a] of shapes.entries()) {
        expect(a.x - a.size / 2).toBeGreaterThanOrEqual(0);
        expect(a.y + a.size / 2).toBeLessThanOrEqual(scene.height);
        for (const b of shapes.slice(i + 1)) expect(Math.max(Math.abs(a.x - b.x), Math.abs(a.y - b.y))).toBeGreaterThanOrEqual((a.size + b.size) / 2);
      }
      expect(pictureScene(spec)).toEqual(scene);
      expect(pictureScene({ ...spec, seed: spec.seed + 1 })).not.toEqual(scene);
    });
  }

  it('writes the digits and draws the bars the tasks ask about', () => {
    for (const task of PICTURE_TASKS) {
      const spec = task.picture;
      const texts = pictureScene(spec ?? { kind: 'digits', text: '' }).items.flatMap((item) => (item.kind === 'text' ? [item.text] : []));
      if (spec?.kind === 'digits') expect(texts).toEqual([spec.text]);
      if (spec?.kind !== 'bars') continue;
      const bars = pictureScene(spec).items.filter((item): item is Extract<DrawItem, { kind: 'rect' }> => item.kind === 'rect').slice(1);
      const tallest = bars.reduce((best, bar, index) => (bar.height > (bars[best]?.height ?? 0) ? index : best), 0);
      if (task.grader.kind === 'text') expect(task.grader.answers).toContain(spec.labels[tallest]);
      for (const value of spec.values) expect(texts).toContain(String(value));
    }
  });

  it('paints a white background and every item', () => {
    const calls: string[] = [];
    const fake = new Proxy({} as Record<string, unknown>, {
      get: (_target, key) => (...args: unknown[]) => void calls.push(`${String(key)}(${args.length})`),
      set: () => true,
    }) as unknown as PaintContext;
    const spec = PICTURE_TASKS[0]?.picture;
    if (!spec) throw new Error('no picture task');
    const scene = pictureScene(spec);
    paintScene(fake, scene);
    expect(calls[0]).toBe('fillRect(4)');
    expect(calls.filter((call) => call === 'fill(0)')).toHaveLength(scene.items.length);
  });
});
