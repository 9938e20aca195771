// From the metrics of single answers to the figures a result keeps: medians per prompt, over every run, and of
// turns 1 and 3 of the conversation; and the agreement fields of a WebGPU result from its CPU reference.
// Invariants: every figure is a median of measured answers; a result gets either an agreement or a note saying
// why it has none.
import type { GenerationMetrics } from '../protocol';
import { agreement } from './agreement';
import type { BenchResult, PromptFigures, TurnFigures } from './result';
import { medianOrZero } from './stats';

const medianOf = (runs: readonly GenerationMetrics[], pick: (metrics: GenerationMetrics) => number): number =>
  medianOrZero(runs.map(pick));

export function promptFigures(promptId: string, runs: readonly GenerationMetrics[]): PromptFigures {
  return {
    promptId,
    runs: runs.length,
    promptTokens: medianOf(runs, (metrics) => metrics.promptTokens),
    outputTokens: medianOf(runs, (metrics) => metrics.outputTokens),
    timeToFirstTokenMs: medianOf(runs, (metrics) => metrics.timeToFirstTokenMs),
    prefillTokensPerS: medianOf(runs, (metrics) => metrics.prefillTokensPerS),
    decodeTokensPerS: medianOf(runs, (metrics) => metrics.decodeTokensPerS),
  };
}

/** The headline figures: medians over every measured run of every prompt. */
export function overallFigures(runs: readonly GenerationMetrics[]): Pick<BenchResult, 'timeToFirstTokenMs' | 'prefillTokensPerS' | 'decodeTokensPerS'> & {
  promptTokens: number;
  outputTokens: number;
} {
  return {
    timeToFirstTokenMs: medianOf(runs, (metrics) => metrics.timeToFirstTokenMs),
    prefillTokensPerS: medianOf(runs, (metrics) => metrics.prefillTokensPerS),
    decodeTokensPerS: medianOf(runs, (metrics) => metrics.decodeTokensPerS),
    promptTokens: medianOf(runs, (metrics) => metrics.promptTokens),
    outputTokens: medianOf(runs, (metrics) => metrics.outputTokens),
  };
}

export function turnFigures(turn1: readonly GenerationMetrics[], turn3: readonly GenerationMetrics[]): TurnFigures | undefined {
  if (turn1.length === 0 || turn3.length === 0) return undefined;
  return {
    turn1TtftMs: medianOf(turn1, (metrics) => metrics.timeToFirstTokenMs),
    turn3TtftMs: medianOf(turn3, (metrics) => metrics.timeToFirstTokenMs),
    turn1PromptTokens: medianOf(turn1, (metrics) => metrics.promptTokens),
    turn3PromptTokens: medianOf(turn3, (metrics) => metrics.promptTokens),
  };
}

/**
 * The agreement of a WebGPU answer with its CPU reference: the pieces the CPU streamed, or why there are none
 * (a sentence), or nothing when the check was off or the build has no CPU path (`whyNone`).
 */
export function agreementFields(
  reference: readonly string[] | string | undefined,
  pieces: readonly string[],
  limit: number,
  whyNone: string,
): Pick<BenchResult, 'agreement' | 'agreementNote'> {
  if (reference === undefined) return { agreementNote: whyNone };
  if (typeof reference === 'string') return { agreementNote: `Not measured: ${reference}.` };
  const measured = agreement(reference, pieces, limit);
  if (!measured) return { agreementNote: 'Neither side produced a token to compare.' };
  const divergence = measured.firstDivergence;
  return {
    agreement: {
      compared: measured.compared,
      identical: measured.identical,
      percent: measured.percent,
      ...(divergence ? { divergesAt: divergence.index, referencePiece: divergence.reference, candidatePiece: divergence.candidate } : {}),
    },
  };
}
