// The one verdict a person reads per build (verdict-text.ts) over real fit verdicts: Chromium's software adapter,
// no WebGPU, a laptop GPU, a device short of storage, an unknown memory budget. The label and the sentence name the
// same outcome, a slow build never reads "runs well", and every reason of the fit verdict is said exactly once.
import { describe, expect, it } from 'vitest';
import { ALL_BUILDS, findModel } from '../../common/catalog/builds';
import { assessFit, recommendBuild, type FitInput } from '../../src/lib/fit';
import { suggestionText, verdictText, verdictTextOf } from '../../src/lib/verdict-text';
import type { ModelRecord } from '../../common/model-record';
import { LAPTOP_F16 as LAPTOP, NO_WEBGPU, SWIFTSHADER } from './gpu-adapters';

const GB = 1e9;
const ROOMY = { usage: GB, quota: 100 * GB };

function build(id: string): ModelRecord {
  const record = findModel(id);
  if (!record) throw new Error(`no build ${id}`);
  return record;
}

const textOf = (id: string, input: FitInput) => verdictText(assessFit(build(id), input));

describe('verdictText', () => {
  it('says "checking" before the GPU probe answers', () => {
    expect(verdictText(undefined)).toEqual({ level: 'tight', label: 'Checking', sentence: 'Checking what this device can run…', more: [] });
    const probing = { gpu: undefined, verdict: () => assessFit(build('qwen3-0.6b-onnx'), { gpu: LAPTOP }) };
    expect(verdictTextOf(probing, build('qwen3-0.6b-onnx')).label).toBe('Checking');
  });

  it('a software GPU: one verdict, slow, whose suggestion does not call it a good fit', () => {
    const input: FitInput = { gpu: SWIFTSHADER, storage: ROOMY, memoryGiB: 8 };
    const text = textOf('qwen3-0.6b-onnx', input);
    expect(text).toEqual({ level: 'tight', label: 'Slow', sentence: 'Runs here, slowly: this is a software GPU, which runs on the CPU.', more: [] });
    const suggested = recommendBuild(ALL_BUILDS, (record) => assessFit(record, input));
    expect(suggested?.id).toBe('qwen3-0.6b-onnx');
    expect(suggestionText(assessFit(build('qwen3-0.6b-onnx'), input))).toBe(
      'Suggested: nothing runs well here, so this is the smallest model that runs.',
    );
    expect(textOf('webllm:Qwen3-0.6B-q4f16_1-MLC', input)).toMatchObject({
      level: 'wont-fit',
      label: 'Can’t run',
      sentence: expect.stringMatching(/^Can’t run here: this GPU has no shader-f16, which q4f16_1 needs/),
    });
  });

  it('no WebGPU: the CPU builds run slowly, web-llm cannot run', () => {
    const input: FitInput = { gpu: NO_WEBGPU, storage: ROOMY };
    expect(textOf('qwen3-0.6b-onnx', input)).toEqual({
      level: 'tight',
      label: 'Slow',
      sentence: 'Runs here on the CPU, slowly: this browser has no WebGPU.',
      more: [],
    });
    expect(textOf('webllm:Qwen3-0.6B-q4f32_1-MLC', input).sentence).toBe(
      'Can’t run here: web-llm needs WebGPU, which this browser does not offer.',
    );
  });

  it('a roomy laptop GPU: runs well, and the suggestion says why it was picked', () => {
    const input: FitInput = { gpu: LAPTOP, storage: ROOMY, memoryGiB: 8 };
    expect(textOf('qwen3-0.6b-onnx', input)).toEqual({ level: 'fits', label: 'Runs well', sentence: 'Runs well here, on this device’s GPU.', more: [] });
    expect(suggestionText(assessFit(build('qwen3-0.6b-onnx'), input))).toBe('Suggested: the largest model that runs well here.');
  });

  it('too big for the storage left, or unsure of the memory: the reason is in the sentence', () => {
    const short: FitInput = { gpu: LAPTOP, storage: { usage: 0, quota: 100e6 }, memoryGiB: 8 };
    expect(textOf('qwen3-0.6b-onnx', short)).toMatchObject({
      level: 'wont-fit',
      label: 'Too big',
      sentence: expect.stringMatching(/^Too big for this device: it needs .* of storage and this browser allows 100 MB more\.$/),
    });
    const unknownMemory: FitInput = { gpu: LAPTOP, storage: ROOMY };
    expect(textOf('webllm:Qwen3-8B-q4f16_1-MLC', unknownMemory)).toMatchObject({
      level: 'tight',
      label: 'Tight',
      sentence: expect.stringMatching(/^May not fit: it needs about .* of GPU memory and the browser does not say how much/),
    });
  });

  it('a slow build that is also short of storage keeps the storage reason, once', () => {
    const input: FitInput = { gpu: SWIFTSHADER, storage: { usage: 0, quota: 1e9 }, memoryGiB: 8 };
    const text = textOf('qwen3-0.6b-onnx', input);
    expect(text.label).toBe('Slow');
    expect(text.more).toEqual([expect.stringMatching(/^It takes .* of the 1.0 GB of storage left\.$/)]);
  });

  it('over every build and adapter: the label agrees with the level, slow never reads "runs well"', () => {
    const inputs: FitInput[] = [
      { gpu: SWIFTSHADER, storage: ROOMY, memoryGiB: 8 },
      { gpu: NO_WEBGPU, storage: ROOMY },
      { gpu: LAPTOP, storage: ROOMY, memoryGiB: 4 },
      { gpu: LAPTOP, storage: { usage: 0, quota: 2 * GB } },
    ];
    const labels: Record<string, string[]> = { fits: ['Runs well'], tight: ['Slow', 'Tight'], 'wont-fit': ['Too big', 'Can’t run'] };
    for (const input of inputs) {
      for (const record of ALL_BUILDS) {
        const verdict = assessFit(record, input);
        const text = verdictText(verdict);
        expect(text.level, record.id).toBe(verdict.level);
        expect(labels[verdict.level], record.id).toContain(text.label);
        if (verdict.slow && verdict.level !== 'wont-fit') expect(text.label, record.id).toBe('Slow');
        expect(text.more.length, record.id).toBe(Math.max(0, verdict.reasons.length - 1));
      }
    }
  });
});
