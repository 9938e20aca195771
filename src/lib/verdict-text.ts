// The one verdict a person reads about a build on this device: a short badge label and one sentence, derived from
// the fit verdict alone, so the welcome, the model card and the build list never disagree. Invariants: the label
// and the sentence always name the same outcome (a slow build is never "fits", a suggested build never contradicts
// its verdict); every reason of the verdict appears once, in the sentence or in `more`.
import { asSentence, type FitLevel, type FitVerdict } from './fit';
import type { ModelRecord } from '../../common/model-record';
import { CPU_FALLBACK_NO_SHADER_F16 } from '../../common/precision';
import type { ModelManager } from './state/model-manager.svelte';

export interface VerdictText {
  level: FitLevel;
  /** One or two words for a badge: "Runs well", "Slow", "Tight", "Too big", "Can't run", "Checking". */
  label: string;
  /** The verdict as one sentence, with its main reason. */
  sentence: string;
  /** The verdict's other reasons, as sentences. */
  more: string[];
}

/** `verdict` undefined: the GPU probe has not answered yet. */
export function verdictText(verdict: FitVerdict | undefined): VerdictText {
  if (!verdict) return { level: 'tight', label: 'Checking', sentence: 'Checking what this device can run…', more: [] };
  const [first = '', ...rest] = verdict.reasons;
  const more = rest.map(asSentence);
  if (verdict.level === 'wont-fit') {
    const why = first || 'it cannot run here';
    return verdict.possible
      ? { level: 'wont-fit', label: 'Too big', sentence: `Too big for this device: ${why}.`, more }
      : { level: 'wont-fit', label: 'Can’t run', sentence: `Can’t run here: ${why}.`, more };
  }
  if (verdict.slow === 'cpu') {
    // A GPU without shader-f16 sends llama.cpp to the CPU too: then that, not a missing WebGPU, is the reason.
    const why = first === CPU_FALLBACK_NO_SHADER_F16 ? "this GPU has no shader-f16, which llama.cpp's WebGPU backend needs" : 'this browser has no WebGPU';
    return { level: 'tight', label: 'Slow', sentence: `Runs here on the CPU, slowly: ${why}.`, more };
  }
  if (verdict.slow === 'software-gpu') {
    return { level: 'tight', label: 'Slow', sentence: 'Runs here, slowly: this is a software GPU, which runs on the CPU.', more };
  }
  if (verdict.level === 'tight') return { level: 'tight', label: 'Tight', sentence: `May not fit: ${first}.`, more };
  return { level: 'fits', label: 'Runs well', sentence: 'Runs well here, on this device’s GPU.', more: [] };
}

/** The verdict text of `record` as the model manager sees it now ("Checking" until the GPU probe answers). */
export function verdictTextOf(models: Pick<ModelManager, 'gpu' | 'verdict'>, record: ModelRecord): VerdictText {
  return verdictText(models.gpu ? models.verdict(record) : undefined);
}

/** Why a build is the one suggested for this device, in words that agree with its verdict. */
export function suggestionText(verdict: FitVerdict): string {
  return verdict.level === 'fits'
    ? 'Suggested: the largest model that runs well here.'
    : 'Suggested: nothing runs well here, so this is the smallest model that runs.';
}
